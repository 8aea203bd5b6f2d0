#pragma once

#include <QtWidgets/QDialog>

QT_BEGIN_NAMESPACE
class QComboBox;
class QLabel;
class QLineEdit;
QT_END_NAMESPACE

namespace SilentAuth::Ui {

// Where to sign in and how: the server (empty: the bundled demo server), the
// protocol with its OAuth 2.0 or OpenID provider details, and the language.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    struct Values
    {
        QString server;
        QString protocol = QStringLiteral("json"); //!< json, oauth2 or oidc
        QString tokenUrl;
        QString issuer; //!< oidc; empty: the server's own address
        QString clientId = QStringLiteral("silentauth-desktop");
        QString scope;
        QString refreshTransport = QStringLiteral("body"); //!< json: body or cookie
        QString language; //!< empty: follow the system
    };

    explicit SettingsDialog(const Values &values, QWidget *parent = nullptr);
    Values values() const;

private:
    void updateEnabled();
    void updatePlainHttpWarning();
    void validate();

    QLineEdit *m_server;
    QComboBox *m_protocol;
    QLineEdit *m_tokenUrl;
    QLineEdit *m_issuer;
    QLineEdit *m_clientId;
    QLineEdit *m_scope;
    QComboBox *m_refreshTransport;
    QLabel *m_plainHttp;
    QComboBox *m_language;
    QLabel *m_error;
};

} // namespace SilentAuth::Ui
