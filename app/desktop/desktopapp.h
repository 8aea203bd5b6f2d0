#pragma once

#include <shell.h>

#include <QtCore/QDeadlineTimer>
#include <QtCore/QObject>
#include <QtCore/QTimer>
#include <QtCore/QUrl>

#include <chrono>
#include <memory>
#include <vector>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
class QSettings;
class QTranslator;
QT_END_NAMESPACE

namespace SilentAuth {
class AuthNetworkAccessManager;
class BackendClient;
class BrowserSignIn;
class AccountTokenStore;
class AuthProtocol;
class ProviderDiscovery;
struct ProviderMetadata;
class Session;
namespace Ui {
class NetworkWatch;
class Notifier;
} // namespace Ui
namespace Mock {
class MockServer;
}

// How the desktop program is put together: the server (or the bundled one),
// the protocol, the keychain, the session, and the windows on top. With an
// OpenID provider, the provider is looked up first and the user signs in
// through the system browser.
class DesktopApp : public QObject
{
    Q_OBJECT

public:
    struct Config
    {
        QUrl server; //!< empty: start the bundled mock server on a free loopback port
        QString protocol = QStringLiteral("json"); //!< json, oauth2 or oidc
        QUrl tokenUrl; //!< oauth2; default server + /oauth/token
        QUrl revokeUrl; //!< oauth2; default server + /oauth/revoke
        QUrl issuer; //!< oidc; default: the server (the bundled one's address for it)
        QString clientId = QStringLiteral("silentauth-desktop"); //!< oauth2 and oidc
        //! oauth2 and oidc; for oidc empty means "openid profile", and offline_access where
        //! the provider lists it
        QString scope;
        //! oidc: loopback ports for the browser's way back, in order (a provider that
        //! registers the redirect with a port); empty: any free port
        QList<quint16> redirectPorts;
        //! json: "body" or "cookie" (the refresh token in an HttpOnly cookie; the bundled
        //! server then runs that way too)
        QString refreshTransport = QStringLiteral("body");
        std::chrono::seconds embeddedAccessTtl {30};
        QString embeddedDatabaseFile; //!< default: bundled-server.sqlite in the app data folder
        QString keychainService = QStringLiteral("SilentAuth");
        QString keychainAccount = QStringLiteral("refresh-token");
        QString language; //!< empty: the system's
        //! Unsaved posts, per user; default: drafts/ in the app data folder.
        QString draftDirectory;

        //! What the settings dialog saved; the command line may override it.
        static Config fromSettings(const QSettings &settings);
        void save(QSettings &settings) const;
    };

    DesktopApp(Config config, QSettings *settings, QObject *parent = nullptr);
    ~DesktopApp() override;

    //! Where a re-sign-in needed while the window is hidden is said (default: the system
    //! tray), and what says the network is back (default: QNetworkInformation). Before
    //! start(); a platform without either is fine (the taskbar, the backoff).
    void setNotifier(std::unique_ptr<Ui::Notifier> notifier);
    void setNetworkWatch(std::unique_ptr<Ui::NetworkWatch> watch);

    //! Starts the bundled server if needed, then shows the right window (restoring from
    //! the keychain when the user chose to stay signed in). \a ready runs once the
    //! first window is up, or with an error.
    void start(std::function<void(const QString &error)> ready = {});

    Ui::Shell *shell() const;
    Session *session() const;
    Mock::MockServer *embeddedServer() const;
    QUrl server() const;
    //! The OpenID provider signed in with (oidc): the setting, else the server's address.
    QUrl issuer() const;

    //! Applies new settings: saved, then everything below the windows is rebuilt.
    //! A change of language alone keeps the session and the windows, which retranslate.
    //! Only what changed is saved: a one-off value from the command line (--server) is
    //! used for this run but never written to the settings unless the user changed it.
    void reconfigure(const Config &config);

    //! Once the event loop has returned: closes the windows, then waits at most \a bound
    //! for what the next launch depends on (a sign-out's removal from the keychain, a
    //! refresh's new token) to finish, in this session and in those it replaced. Quitting
    //! right after "Sign out" leaves nothing behind.
    void settleBeforeQuit(std::chrono::milliseconds bound = std::chrono::seconds(10));

    //! The language the windows are in now ("ko", "en", …), after the setting or the system.
    QString language() const;

Q_SIGNALS:
    void languageChanged(const QString &language);

private:
    void applyLanguage();
    void build();
    void buildNetwork();
    std::unique_ptr<Session> makeSession() const;
    std::unique_ptr<AuthProtocol> makeProtocol() const;
    std::unique_ptr<BrowserSignIn> makeBrowserSignIn(const ProviderMetadata &provider);
    //! The default scope asks for offline_access (the provider lists it, the user chose none).
    bool asksOfflineAccess() const;
    //! A new session (protocol, network, browser sign-in) for the shell, the old one dropped.
    void renewSession();
    void abandonRestore();
    Ui::Shell::Options shellOptions() const;
    void connectShell();
    void discoverProvider();
    void lookUpProvider();
    void useProvider(const ProviderMetadata &provider);
    bool isBundledIssuer() const;
    static QUrl bundledIssuerIdentifier();
    void showSettings();
    void tearDown();
    //! Keeps a session that is no longer the app's (new settings, a canceled restore) until
    //! what it has under way is done: a sign-out reaches the server and the keychain, a
    //! refresh's new token is stored rather than lost with the old one left spent.
    void retire(std::unique_ptr<Session> session);
    void dropSettledRetirees();

    Config m_config;
    QString m_account; // the keychain entry's name: which server (and client), stable
    Config m_saved; // what the settings hold (the command line may differ for this run)
    QSettings *m_settings;
    // Shared with the sessions retired while they finish (retire()).
    std::shared_ptr<Mock::MockServer> m_embedded;
    std::shared_ptr<AccountTokenStore> m_keychain;
    std::unique_ptr<Session> m_session;
    struct Retiree
    {
        std::shared_ptr<Mock::MockServer> server; // what it talks to and stores in,
        std::shared_ptr<AccountTokenStore> keychain; // kept until it is gone
        std::unique_ptr<Session> session;
        QDeadlineTimer deadline;
    };
    std::vector<Retiree> m_retirees;
    QTimer m_retireeWatch;
    std::unique_ptr<AuthNetworkAccessManager> m_network;
    std::unique_ptr<BackendClient> m_backend;
    std::unique_ptr<QNetworkAccessManager> m_discoveryNetwork;
    std::unique_ptr<ProviderDiscovery> m_discovery;
    std::unique_ptr<BrowserSignIn> m_browser;
    bool m_offlineAccessRefused = false; // the provider refused it once: not asked again
    std::unique_ptr<ProviderMetadata> m_provider; // oidc, once looked up
    std::unique_ptr<Ui::Notifier> m_notifier;
    std::unique_ptr<Ui::NetworkWatch> m_networkWatch;
    std::unique_ptr<Ui::Shell> m_shell;
    std::unique_ptr<QTranslator> m_translator; // ours: windows, messages, the net library's
    std::unique_ptr<QTranslator> m_qtTranslator; // Qt's own: standard buttons and dialogs
    QString m_language;
};

} // namespace SilentAuth
