#include "settingsdialog.h"

#include <QtCore/QUrl>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QDialogButtonBox>
#include <QtWidgets/QFormLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QVBoxLayout>

namespace SilentAuth::Ui {

SettingsDialog::SettingsDialog(const Values &values, QWidget *parent)
    : QDialog(parent)
    , m_server(new QLineEdit(values.server, this))
    , m_protocol(new QComboBox(this))
    , m_tokenUrl(new QLineEdit(values.tokenUrl, this))
    , m_issuer(new QLineEdit(values.issuer, this))
    , m_clientId(new QLineEdit(values.clientId, this))
    , m_scope(new QLineEdit(values.scope, this))
    , m_refreshTransport(new QComboBox(this))
    , m_plainHttp(new QLabel(this))
    , m_language(new QComboBox(this))
    , m_error(new QLabel(this))
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Settings"));
    m_server->setObjectName(QStringLiteral("settingsServer"));
    m_server->setPlaceholderText(tr("Empty: the bundled demo server"));
    m_server->setAccessibleName(tr("Server address"));
    m_protocol->setObjectName(QStringLiteral("settingsProtocol"));
    m_protocol->setAccessibleName(tr("Sign-in protocol"));
    m_protocol->addItem(tr("SilentAuth JSON API"), QStringLiteral("json"));
    m_protocol->addItem(tr("OAuth 2.0"), QStringLiteral("oauth2"));
    m_protocol->addItem(tr("OpenID provider (sign in with the browser)"), QStringLiteral("oidc"));
    m_protocol->setCurrentIndex(qMax(0, m_protocol->findData(values.protocol)));
    m_tokenUrl->setPlaceholderText(tr("Default: server + /oauth/token"));
    m_tokenUrl->setAccessibleName(tr("Token URL"));
    m_issuer->setObjectName(QStringLiteral("settingsIssuer"));
    m_issuer->setPlaceholderText(tr("Empty: the server's own address"));
    m_issuer->setAccessibleName(tr("Issuer"));
    m_issuer->setToolTip(tr("The OpenID provider's issuer address, e.g. "
                            "https://login.example.com/realms/main"));
    m_clientId->setObjectName(QStringLiteral("settingsClientId"));
    m_clientId->setAccessibleName(tr("Client ID"));
    m_scope->setObjectName(QStringLiteral("settingsScope"));
    m_scope->setAccessibleName(tr("Scope"));
    m_refreshTransport->setObjectName(QStringLiteral("settingsRefreshTransport"));
    m_refreshTransport->setAccessibleName(tr("Where the refresh token travels"));
    m_refreshTransport->addItem(tr("In the JSON body"), QStringLiteral("body"));
    m_refreshTransport->addItem(tr("In an HttpOnly cookie"), QStringLiteral("cookie"));
    m_refreshTransport->setToolTip(tr("For a backend built for browsers, which keeps the refresh "
                                      "token in a cookie. The bundled demo server follows this "
                                      "setting."));
    m_refreshTransport->setCurrentIndex(
        qMax(0, m_refreshTransport->findData(values.refreshTransport)));
    m_plainHttp->setObjectName(QStringLiteral("plainHttpWarning"));
    m_plainHttp->setWordWrap(true);
    m_plainHttp->setAccessibleName(tr("Warning"));
    m_plainHttp->hide();
    m_language->setObjectName(QStringLiteral("settingsLanguage"));
    m_language->setAccessibleName(tr("Language"));
    m_language->addItem(tr("System default"), QString());
    m_language->addItem(QStringLiteral("English"), QStringLiteral("en"));
    m_language->addItem(QStringLiteral("한국어"), QStringLiteral("ko"));
    m_language->setCurrentIndex(qMax(0, m_language->findData(values.language)));
    m_error->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_error->hide();

    auto *form = new QFormLayout;
    form->addRow(tr("&Server:"), m_server);
    form->addRow(tr("&Protocol:"), m_protocol);
    form->addRow(tr("&Token URL:"), m_tokenUrl);
    form->addRow(tr("&Issuer:"), m_issuer);
    form->addRow(tr("&Client ID:"), m_clientId);
    form->addRow(tr("Sc&ope:"), m_scope);
    form->addRow(tr("&Refresh token:"), m_refreshTransport);
    form->addRow(tr("&Language:"), m_language);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::validate);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    // Room for a whole address; the title is not elided.
    for (QLineEdit *edit : {m_server, m_tokenUrl, m_issuer})
        edit->setMinimumWidth(edit->fontMetrics().horizontalAdvance(QLatin1Char('x')) * 42);
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_plainHttp);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    connect(m_protocol, &QComboBox::currentIndexChanged, this, &SettingsDialog::updateEnabled);
    for (QLineEdit *edit : {m_server, m_tokenUrl, m_issuer})
        connect(edit, &QLineEdit::textChanged, this, &SettingsDialog::updatePlainHttpWarning);
    updateEnabled();
}

// An address that is neither https nor this machine's: whatever is sent to
// it, passwords and tokens included, travels readable by anyone on the way.
void SettingsDialog::updatePlainHttpWarning()
{
    QString plain;
    for (QLineEdit *edit : {m_server, m_tokenUrl, m_issuer}) {
        const QString text = edit->text().trimmed();
        if (text.isEmpty() || !edit->isEnabled())
            continue;
        const QUrl url = QUrl::fromUserInput(text);
        const QString host = url.host();
        const bool loopback = host == QLatin1String("localhost")
            || host.startsWith(QLatin1String("127.")) || host == QLatin1String("::1");
        if (url.scheme() == QLatin1String("http") && !host.isEmpty() && !loopback)
            plain = text;
    }
    m_plainHttp->setText(
        tr("%1 is not encrypted (http://): your password and tokens would travel readable by "
           "anyone on the way. The program refuses to send them there; use the https:// "
           "address.")
            .arg(plain));
    m_plainHttp->setVisible(!plain.isEmpty());
}

void SettingsDialog::updateEnabled()
{
    const QString protocol = m_protocol->currentData().toString();
    const bool oauth = protocol == QLatin1String("oauth2");
    const bool oidc = protocol == QLatin1String("oidc");
    m_tokenUrl->setEnabled(oauth);
    m_issuer->setEnabled(oidc);
    m_clientId->setEnabled(oauth || oidc);
    m_scope->setEnabled(oauth || oidc);
    m_scope->setPlaceholderText(oidc ? tr("Default: openid profile") : QString());
    m_refreshTransport->setEnabled(protocol == QLatin1String("json"));
    updatePlainHttpWarning();
}

void SettingsDialog::validate()
{
    for (QLineEdit *edit : {m_server, m_tokenUrl, m_issuer}) {
        const QString text = edit->text().trimmed();
        if (text.isEmpty() || !edit->isEnabled())
            continue;
        const QUrl url = QUrl::fromUserInput(text);
        if (!url.isValid() || url.host().isEmpty()
            || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
            m_error->setText(tr("\"%1\" is not an http or https address.").arg(text));
            m_error->show();
            edit->setFocus();
            return;
        }
    }
    if (m_protocol->currentData().toString() == QLatin1String("oidc")
        && m_clientId->text().trimmed().isEmpty()) {
        m_error->setText(tr("Enter the client ID this program is registered with at the "
                            "OpenID provider."));
        m_error->show();
        m_clientId->setFocus();
        return;
    }
    accept();
}

SettingsDialog::Values SettingsDialog::values() const
{
    Values v;
    v.server = m_server->text().trimmed();
    v.protocol = m_protocol->currentData().toString();
    v.tokenUrl = m_tokenUrl->text().trimmed();
    v.issuer = m_issuer->text().trimmed();
    v.clientId = m_clientId->text().trimmed();
    v.scope = m_scope->text().trimmed();
    v.refreshTransport = m_refreshTransport->currentData().toString();
    v.language = m_language->currentData().toString();
    return v;
}

} // namespace SilentAuth::Ui
