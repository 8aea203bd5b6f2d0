#include "signinwindow.h"

#include <QtCore/QEvent>
#include <QtGui/QIcon>
#include <QtWidgets/QCheckBox>
#include <QtWidgets/QFormLayout>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QProgressBar>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QVBoxLayout>

namespace SilentAuth::Ui {

SignInWindow::SignInWindow(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_serverLabel(new QLabel(this))
    , m_server(new QLabel(this))
    , m_usernameLabel(new QLabel(this))
    , m_username(new QLineEdit(this))
    , m_passwordLabel(new QLabel(this))
    , m_password(new QLineEdit(this))
    , m_keep(new QCheckBox(this))
    , m_keepReason(new QLabel(this))
    , m_demoHint(new QLabel(this))
    , m_error(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_progressLabel(new QLabel(this))
    , m_signIn(new QPushButton(this))
    , m_settings(new QPushButton(this))
{
    setObjectName(QStringLiteral("signInWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/silentauth/icons/app.svg")));
    m_username->setObjectName(QStringLiteral("username"));
    m_password->setObjectName(QStringLiteral("password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_keep->setObjectName(QStringLiteral("keepSignedIn"));
    m_keep->setChecked(true);
    m_server->setObjectName(QStringLiteral("server"));
    m_server->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_signIn->setObjectName(QStringLiteral("signIn"));
    m_signIn->setDefault(true);
    m_settings->setObjectName(QStringLiteral("settings"));
    m_settings->setIcon(QIcon(QStringLiteral(":/silentauth/icons/settings.svg")));
    m_error->setObjectName(QStringLiteral("error"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: palette(highlighted-text); background: #b3261e; "
                                          "padding: 6px; border-radius: 4px;"));
    m_error->hide();
    m_keepReason->setWordWrap(true);
    m_keepReason->hide();
    m_demoHint->setObjectName(QStringLiteral("demoHint"));
    m_demoHint->setWordWrap(true);
    m_demoHint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_demoHint->hide();
    m_progress->setRange(0, 0);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(6);
    m_progress->hide();
    m_progressLabel->setObjectName(QStringLiteral("progressLabel"));
    m_progressLabel->hide();
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.5);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_serverLabel->setBuddy(m_settings);
    m_usernameLabel->setBuddy(m_username);
    m_passwordLabel->setBuddy(m_password);

    auto *serverRow = new QHBoxLayout;
    serverRow->addWidget(m_server, 1);
    serverRow->addWidget(m_settings);
    auto *form = new QFormLayout;
    form->addRow(m_serverLabel, serverRow);
    form->addRow(m_usernameLabel, m_username);
    form->addRow(m_passwordLabel, m_password);
    form->addRow(QString(), m_keep);
    form->addRow(QString(), m_keepReason);
    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    buttons->addWidget(m_signIn);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_demoHint);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_progressLabel);
    layout->addWidget(m_progress);
    layout->addStretch();
    layout->addLayout(buttons);
    setMinimumWidth(420);

    setTabOrder(m_username, m_password);
    setTabOrder(m_password, m_keep);
    setTabOrder(m_keep, m_signIn);
    setTabOrder(m_signIn, m_settings);

    connect(m_signIn, &QPushButton::clicked, this, &SignInWindow::submit);
    connect(m_username, &QLineEdit::returnPressed, this, &SignInWindow::submit);
    connect(m_password, &QLineEdit::returnPressed, this, &SignInWindow::submit);
    connect(m_settings, &QPushButton::clicked, this, &SignInWindow::settingsRequested);
    connect(m_username, &QLineEdit::textEdited, m_error, &QWidget::hide);
    connect(m_password, &QLineEdit::textEdited, m_error, &QWidget::hide);
    retranslate();
}

void SignInWindow::retranslate()
{
    setWindowTitle(tr("Sign in — SilentAuth"));
    m_title->setText(tr("Sign in"));
    m_serverLabel->setText(tr("Server:"));
    m_usernameLabel->setText(tr("&Username:"));
    m_passwordLabel->setText(tr("&Password:"));
    m_keep->setText(tr("&Keep me signed in"));
    m_signIn->setText(tr("&Sign in"));
    m_settings->setToolTip(tr("Settings"));
    m_settings->setAccessibleName(tr("Settings"));
    m_username->setAccessibleName(tr("Username"));
    m_password->setAccessibleName(tr("Password"));
    m_keep->setAccessibleName(tr("Keep me signed in"));
    m_keep->setToolTip(m_keychainAvailable
                           ? tr("Stay signed in after you quit; the sign-in is kept in the "
                                "system keychain, never in a file.")
                           : m_keepReason->text());
    m_server->setAccessibleName(tr("Server address"));
    m_signIn->setAccessibleName(tr("Sign in"));
    m_error->setAccessibleName(tr("Error"));
    m_progress->setAccessibleName(tr("Working"));
}

void SignInWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void SignInWindow::setServer(const QString &server)
{
    m_server->setText(server);
}

void SignInWindow::setUsername(const QString &username)
{
    m_username->setText(username);
    if (!username.isEmpty())
        m_password->setFocus();
}

void SignInWindow::setDemoHint(const QString &hint)
{
    m_demoHint->setText(hint);
    m_demoHint->setVisible(!hint.isEmpty());
}

void SignInWindow::setKeychainAvailable(bool available, const QString &reason)
{
    m_keychainAvailable = available;
    m_keep->setEnabled(available);
    if (!available)
        m_keep->setChecked(false);
    m_keepReason->setText(
        available ? QString()
                  : tr("Not available: %1 You stay signed in until you quit.").arg(reason));
    m_keepReason->setVisible(!available);
    retranslate();
}

void SignInWindow::setKeepSignedIn(bool keep)
{
    m_keep->setChecked(keep && m_keychainAvailable);
}

void SignInWindow::setBusy(bool busy, const QString &message)
{
    for (QWidget *w : {static_cast<QWidget *>(m_username), static_cast<QWidget *>(m_password),
                       static_cast<QWidget *>(m_signIn), static_cast<QWidget *>(m_settings)})
        w->setEnabled(!busy);
    m_keep->setEnabled(!busy && m_keychainAvailable);
    m_progress->setVisible(busy);
    m_progressLabel->setText(message);
    m_progressLabel->setVisible(busy && !message.isEmpty());
    if (busy)
        m_error->hide();
    setCursor(busy ? Qt::BusyCursor : Qt::ArrowCursor);
}

void SignInWindow::showError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void SignInWindow::clearPassword()
{
    m_password->clear();
}

void SignInWindow::submit()
{
    if (!m_signIn->isEnabled())
        return;
    if (m_username->text().trimmed().isEmpty()) {
        showError(tr("Enter your username."));
        m_username->setFocus();
        return;
    }
    if (m_password->text().isEmpty()) {
        showError(tr("Enter your password."));
        m_password->setFocus();
        return;
    }
    Q_EMIT signInRequested(m_username->text().trimmed(), m_password->text(),
                           m_keep->isChecked() && m_keychainAvailable);
}

} // namespace SilentAuth::Ui
