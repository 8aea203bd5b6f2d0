#pragma once

#include <QtCore/QObject>
#include <QtCore/QUrl>

#include <chrono>
#include <memory>

QT_BEGIN_NAMESPACE
class QSettings;
class QTranslator;
QT_END_NAMESPACE

namespace SilentAuth {
class AuthNetworkAccessManager;
class BackendClient;
class KeychainTokenStore;
class Session;
namespace Mock {
class MockServer;
}
namespace Ui {
class Shell;
}

// How the desktop program is put together: the server (or the bundled one),
// the protocol, the keychain, the session, and the windows on top.
class DesktopApp : public QObject
{
    Q_OBJECT

public:
    struct Config
    {
        QUrl server; //!< empty: start the bundled mock server on a free loopback port
        QString protocol = QStringLiteral("json"); //!< json or oauth2
        QUrl tokenUrl; //!< oauth2; default server + /oauth/token
        QUrl revokeUrl; //!< oauth2; default server + /oauth/revoke
        QString clientId = QStringLiteral("silentauth-desktop");
        QString scope;
        std::chrono::seconds embeddedAccessTtl {30};
        QString embeddedDatabaseFile; //!< default: bundled-server.sqlite in the app data folder
        QString keychainService = QStringLiteral("SilentAuth");
        QString keychainAccount = QStringLiteral("refresh-token");
        QString language; //!< empty: the system's

        //! What the settings dialog saved; the command line may override it.
        static Config fromSettings(const QSettings &settings);
        void save(QSettings &settings) const;
    };

    DesktopApp(Config config, QSettings *settings, QObject *parent = nullptr);
    ~DesktopApp() override;

    //! Starts the bundled server if needed, then shows the right window (restoring from
    //! the keychain when the user chose to stay signed in). \a ready runs once the
    //! first window is up, or with an error.
    void start(std::function<void(const QString &error)> ready = {});

    Ui::Shell *shell() const;
    Session *session() const;
    Mock::MockServer *embeddedServer() const;
    QUrl server() const;

    //! Applies new settings: saved, then everything below the windows is rebuilt.
    //! A change of language alone keeps the session and the windows, which retranslate.
    void reconfigure(const Config &config);

    //! The language the windows are in now ("ko", "en", …), after the setting or the system.
    QString language() const;

Q_SIGNALS:
    void languageChanged(const QString &language);

private:
    void applyLanguage();
    void build();
    void showSettings();
    void tearDown();

    Config m_config;
    QSettings *m_settings;
    std::unique_ptr<Mock::MockServer> m_embedded;
    std::unique_ptr<KeychainTokenStore> m_keychain;
    std::unique_ptr<Session> m_session;
    std::unique_ptr<AuthNetworkAccessManager> m_network;
    std::unique_ptr<BackendClient> m_backend;
    std::unique_ptr<Ui::Shell> m_shell;
    std::unique_ptr<QTranslator> m_translator; // ours: windows, messages, the net library's
    std::unique_ptr<QTranslator> m_qtTranslator; // Qt's own: standard buttons and dialogs
    QString m_language;
};

} // namespace SilentAuth
