#include "desktopapp.h"

#include <mainwindow.h>
#include <settingsdialog.h>
#include <shell.h>
#include <signinwindow.h>
#include <systemnetworkwatch.h>
#include <traynotifier.h>

#include <backendclient.h>
#include <silentauth/accounttokenstore.h>
#include <silentauth/authnetworkaccessmanager.h>
#include <silentauth/browsersignin.h>
#include <silentauth/jsonauthprotocol.h>
#include <silentauth/keychaintokenstore.h>
#include <silentauth/mock/mockserver.h>
#include <silentauth/oauth2protocol.h>
#include <silentauth/providermetadata.h>
#include <silentauth/session.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QLibraryInfo>
#include <QtCore/QLocale>
#include <QtCore/QLoggingCategory>
#include <QtCore/QSettings>
#include <QtCore/QStandardPaths>
#include <QtCore/QTimer>
#include <QtCore/QTranslator>
#include <QtGui/QDesktopServices>
#include <QtNetwork/QNetworkAccessManager>

#include <algorithm>

namespace SilentAuth {

namespace {

Q_LOGGING_CATEGORY(lcDesktopApp, "silentauth.desktop", QtInfoMsg)

const QLatin1String openIdProtocol("oidc");

} // namespace

DesktopApp::DesktopApp(Config config, QSettings *settings, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_saved(Config::fromSettings(*settings))
    , m_settings(settings)
{
    applyLanguage();
    connect(&m_retireeWatch, &QTimer::timeout, this, &DesktopApp::dropSettledRetirees);
}

void DesktopApp::applyLanguage()
{
    const QLocale locale
        = m_config.language.isEmpty() ? QLocale::system() : QLocale(m_config.language);
    for (auto *translator : {m_translator.get(), m_qtTranslator.get()}) {
        if (translator)
            QCoreApplication::removeTranslator(translator);
    }
    m_translator = std::make_unique<QTranslator>();
    m_qtTranslator = std::make_unique<QTranslator>();
    // English is the source language: no file, nothing to install.
    if (m_translator->load(locale, QStringLiteral("silentauth"), QStringLiteral("_"),
                           QStringLiteral(":/silentauth/i18n"))) {
        QCoreApplication::installTranslator(m_translator.get());
        m_language = m_translator->language().section(QLatin1Char('_'), 0, 0);
    } else {
        m_language = QStringLiteral("en");
    }
    if (m_language != QLatin1String("en")
        && m_qtTranslator->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                                QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(m_qtTranslator.get());
    QLocale::setDefault(m_language == QLatin1String("en") && !m_config.language.isEmpty()
                            ? QLocale(QLocale::English)
                            : locale);
}

QString DesktopApp::language() const
{
    return m_language;
}

DesktopApp::Config DesktopApp::Config::fromSettings(const QSettings &settings)
{
    Config config;
    config.server = QUrl(settings.value(QStringLiteral("server/url")).toString());
    config.protocol = settings.value(QStringLiteral("server/protocol"), config.protocol).toString();
    config.tokenUrl = QUrl(settings.value(QStringLiteral("server/tokenUrl")).toString());
    config.issuer = QUrl(settings.value(QStringLiteral("server/issuer")).toString());
    config.clientId = settings.value(QStringLiteral("server/clientId"), config.clientId).toString();
    config.scope = settings.value(QStringLiteral("server/scope")).toString();
    const QString ports = settings.value(QStringLiteral("server/redirectPorts")).toString();
    if (const auto list = BrowserSignIn::portsFromText(ports))
        config.redirectPorts = *list;
    else // said, not silently dropped: the browser then comes back on any free port
        qCWarning(lcDesktopApp).noquote()
            << "server/redirectPorts in the settings is not a port list, any free port is used:"
            << ports;
    config.refreshTransport
        = settings.value(QStringLiteral("server/refreshTransport"), config.refreshTransport)
              .toString();
    config.language = settings.value(QStringLiteral("ui/language")).toString();
    return config;
}

void DesktopApp::Config::save(QSettings &settings) const
{
    settings.setValue(QStringLiteral("server/url"), server.toString());
    settings.setValue(QStringLiteral("server/protocol"), protocol);
    settings.setValue(QStringLiteral("server/tokenUrl"), tokenUrl.toString());
    settings.setValue(QStringLiteral("server/issuer"), issuer.toString());
    settings.setValue(QStringLiteral("server/clientId"), clientId);
    settings.setValue(QStringLiteral("server/scope"), scope);
    QStringList ports;
    for (const quint16 port : redirectPorts)
        ports.append(QString::number(port));
    // An unreadable list the user wrote is left for them to see, not replaced by nothing.
    const QString stored = settings.value(QStringLiteral("server/redirectPorts")).toString();
    if (!ports.isEmpty() || BrowserSignIn::portsFromText(stored))
        settings.setValue(QStringLiteral("server/redirectPorts"), ports.join(QLatin1Char(',')));
    settings.setValue(QStringLiteral("server/refreshTransport"), refreshTransport);
    settings.setValue(QStringLiteral("ui/language"), language);
}

DesktopApp::~DesktopApp()
{
    tearDown();
    m_retirees.clear();
}

void DesktopApp::setNotifier(std::unique_ptr<Ui::Notifier> notifier)
{
    m_notifier = std::move(notifier);
}

void DesktopApp::setNetworkWatch(std::unique_ptr<Ui::NetworkWatch> watch)
{
    m_networkWatch = std::move(watch);
}

void DesktopApp::tearDown()
{
    // Windows first, then what they bind to.
    m_shell.reset();
    m_discovery.reset();
    m_discoveryNetwork.reset();
    m_browser.reset();
    m_provider.reset();
    m_backend.reset();
    m_network.reset();
    retire(std::move(m_session));
    m_keychain.reset();
}

void DesktopApp::retire(std::unique_ptr<Session> session)
{
    if (!session || !session->isSettling())
        return;
    m_retirees.push_back(
        {m_embedded, m_keychain, std::move(session), QDeadlineTimer(std::chrono::seconds(30))});
    if (!m_retireeWatch.isActive())
        m_retireeWatch.start(100);
}

void DesktopApp::dropSettledRetirees()
{
    const auto done = [](const Retiree &r) {
        if (r.deadline.hasExpired() && r.session->isSettling())
            qCWarning(lcDesktopApp) << "a replaced session is dropped before it finished";
        return !r.session->isSettling() || r.deadline.hasExpired();
    };
    m_retirees.erase(std::remove_if(m_retirees.begin(), m_retirees.end(), done), m_retirees.end());
    if (m_retirees.empty())
        m_retireeWatch.stop();
}

void DesktopApp::settleBeforeQuit(std::chrono::milliseconds bound)
{
    m_shell.reset(); // no window comes back while the sessions finish
    std::vector<Session *> settling;
    if (m_session && m_session->isSettling())
        settling.push_back(m_session.get());
    for (const Retiree &r : m_retirees) {
        if (r.session->isSettling())
            settling.push_back(r.session.get());
    }
    if (settling.empty())
        return;
    qCInfo(lcDesktopApp) << "finishing with the keychain and the server before quitting";
    const QDeadlineTimer deadline(bound);
    bool settled = true;
    for (Session *session : settling)
        settled = session->waitUntilSettled(std::chrono::milliseconds(deadline.remainingTime()))
            && settled;
    if (!settled)
        qCWarning(lcDesktopApp) << "quitting before the keychain and the server answered";
    dropSettledRetirees();
}

void DesktopApp::showSettings()
{
    Ui::SettingsDialog::Values values;
    values.server = m_embedded ? QString() : m_config.server.toString();
    values.protocol = m_config.protocol;
    values.tokenUrl = m_config.tokenUrl.toString();
    values.issuer = m_config.issuer.toString();
    values.clientId = m_config.clientId;
    values.scope = m_config.scope;
    values.refreshTransport = m_config.refreshTransport;
    values.language = m_config.language;
    Ui::SettingsDialog::Values chosen;
    {
        // Gone before the rebuild below deletes the window it sits on.
        QWidget *over = nullptr;
        if (m_shell) {
            over = m_shell->mainWindow() && m_shell->mainWindow()->isVisible()
                ? static_cast<QWidget *>(m_shell->mainWindow())
                : static_cast<QWidget *>(m_shell->signInWindow());
        }
        Ui::SettingsDialog dialog(values, over);
        const bool accepted = dialog.exec() == QDialog::Accepted;
        // The window below gets the keyboard back (some window managers leave none active).
        if (over)
            over->activateWindow();
        if (!accepted)
            return;
        chosen = dialog.values();
    }
    Config config = m_config;
    config.server = chosen.server.isEmpty() ? QUrl() : QUrl::fromUserInput(chosen.server);
    config.protocol = chosen.protocol;
    config.tokenUrl = QUrl(chosen.tokenUrl);
    config.issuer = chosen.issuer.isEmpty() ? QUrl() : QUrl::fromUserInput(chosen.issuer);
    config.clientId = chosen.clientId;
    config.scope = chosen.scope;
    config.refreshTransport = chosen.refreshTransport;
    config.language = chosen.language;
    reconfigure(config);
}

void DesktopApp::reconfigure(const Config &config)
{
    // What the user changed is saved; what was only given for this run is not.
    const QUrl runningServer = m_embedded ? QUrl() : m_config.server;
    if (config.server != runningServer)
        m_saved.server = config.server;
    if (config.protocol != m_config.protocol)
        m_saved.protocol = config.protocol;
    if (config.tokenUrl != m_config.tokenUrl)
        m_saved.tokenUrl = config.tokenUrl;
    if (config.issuer != m_config.issuer)
        m_saved.issuer = config.issuer;
    if (config.clientId != m_config.clientId)
        m_saved.clientId = config.clientId;
    if (config.scope != m_config.scope)
        m_saved.scope = config.scope;
    if (config.refreshTransport != m_config.refreshTransport)
        m_saved.refreshTransport = config.refreshTransport;
    if (config.language != m_config.language)
        m_saved.language = config.language;
    m_saved.save(*m_settings);
    const bool languageChanged = config.language != m_config.language;
    Config sameLanguage = config;
    sameLanguage.language = m_config.language;
    const QUrl running = m_embedded ? QUrl() : m_config.server;
    const bool connectionChanged = sameLanguage.server != running
        || config.protocol != m_config.protocol || config.tokenUrl != m_config.tokenUrl
        || config.revokeUrl != m_config.revokeUrl || config.issuer != m_config.issuer
        || config.clientId != m_config.clientId || config.scope != m_config.scope
        || config.refreshTransport != m_config.refreshTransport;
    if (languageChanged) {
        m_config.language = config.language;
        applyLanguage(); // every window gets a LanguageChange event
        if (m_shell) // the one text made here
            m_shell->signInWindow()->setDemoHint(shellOptions().demoHint);
        Q_EMIT this->languageChanged(m_language);
    }
    if (!connectionChanged)
        return;
    tearDown();
    // The bundled server speaks the chosen transport: started again for another.
    if (!config.server.isEmpty() || config.refreshTransport != m_config.refreshTransport)
        m_embedded.reset();
    m_config = config;
    if (m_embedded)
        m_config.server.clear(); // the bundled server keeps running and is picked up again
    start();
}

Ui::Shell *DesktopApp::shell() const
{
    return m_shell.get();
}

Session *DesktopApp::session() const
{
    return m_session.get();
}

Mock::MockServer *DesktopApp::embeddedServer() const
{
    return m_embedded.get();
}

QUrl DesktopApp::server() const
{
    return m_config.server;
}

QUrl DesktopApp::issuer() const
{
    const QUrl issuer = m_config.issuer.isEmpty() ? m_config.server : m_config.issuer;
    return issuer.adjusted(QUrl::StripTrailingSlash);
}

// The bundled server listens on a new port every start; its accounts are
// kept under one name all the same.
QUrl DesktopApp::bundledIssuerIdentifier()
{
    return QUrl(QStringLiteral("urn:silentauth:bundled-server"));
}

bool DesktopApp::isBundledIssuer() const
{
    return m_embedded && m_config.issuer.isEmpty() && m_config.server == m_embedded->url();
}

void DesktopApp::start(std::function<void(const QString &error)> ready)
{
    if (!m_notifier)
        m_notifier = std::make_unique<Ui::TrayNotifier>();
    if (!m_networkWatch)
        m_networkWatch = std::make_unique<Ui::SystemNetworkWatch>();
    if (m_config.server.isEmpty() && m_embedded) {
        m_config.server = m_embedded->url();
    } else if (m_config.server.isEmpty()) {
        Mock::MockServerConfig config;
        config.accessTtl = m_config.embeddedAccessTtl;
        config.logRequests = false;
        if (m_config.refreshTransport == QLatin1String("cookie"))
            config.refreshTransport = Mock::MockServerConfig::RefreshTransport::Cookie;
        // Kept between runs, so a session restored from the keychain is still
        // known to the server it came from.
        config.databaseFile = m_config.embeddedDatabaseFile;
        if (config.databaseFile.isEmpty()) {
            const QString dataDir
                = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
            QDir().mkpath(dataDir);
            config.databaseFile = dataDir + QStringLiteral("/bundled-server.sqlite");
        }
        m_embedded = std::make_shared<Mock::MockServer>(config);
        QString error;
        if (!m_embedded->start(&error)) {
            if (ready)
                ready(tr("The bundled server could not start: %1").arg(error));
            return;
        }
        m_config.server = m_embedded->url();
    }
    // One keychain entry per server (per provider and client with an OpenID
    // provider): a token is only ever offered to the server that issued it.
    QString account = m_config.keychainAccount + QLatin1Char('@');
    if (m_config.protocol == openIdProtocol) {
        const QUrl provider = issuer();
        account += (isBundledIssuer() ? QStringLiteral("bundled")
                                      : provider.authority() + provider.path())
            + QLatin1Char('#') + m_config.clientId;
    } else {
        account += m_embedded ? QStringLiteral("bundled") : m_config.server.authority();
    }
    m_account = account;
    // One entry per account under this name (the one an earlier version used, whose token
    // is moved over), as silentauth-cli --keychain keeps them.
    m_keychain = std::make_shared<AccountTokenStore>(
        [service = m_config.keychainService, account](const QString &entry) {
            auto store = std::make_unique<KeychainTokenStore>(
                service, entry == account ? account : account + QLatin1Char('/') + entry);
            store->setTimeout(std::chrono::seconds(5));
            return store;
        },
        account);
    if (m_config.protocol == openIdProtocol)
        discoverProvider();
    else
        build();
    if (ready)
        ready({});
}

// Tokens bound to a key of this device (DPoP) wherever the provider takes
// them: a copied token is then of no use elsewhere.
std::unique_ptr<Session> DesktopApp::makeSession() const
{
    auto session = std::make_unique<Session>(makeProtocol(), nullptr);
    if (m_provider && m_provider->supportsProofOfPossession())
        session->setProofOfPossession(true);
    return session;
}

// The system's browser, and the way back on the ports the settings name.
std::unique_ptr<BrowserSignIn> DesktopApp::makeBrowserSignIn(const ProviderMetadata &provider)
{
    auto browser = std::make_unique<BrowserSignIn>(m_session.get(), provider);
    browser->setBrowserLauncher([](const QUrl &url) { return QDesktopServices::openUrl(url); });
    browser->setPorts(m_config.redirectPorts);
    // A provider that lists offline_access but refuses it to this client: not asked again,
    // and the user is told why the sign-in is to be repeated.
    connect(browser.get(), &BrowserSignIn::failed, this,
            [this, asked = browser.get()](BrowserSignIn::Error error, const QString &) {
                if (error != BrowserSignIn::Error::ProviderError
                    || asked->providerError() != QLatin1String("invalid_scope")
                    || !asksOfflineAccess())
                    return;
                m_offlineAccessRefused = true;
                QTimer::singleShot(0, this, [this] {
                    renewSession();
                    m_shell->signInWindow()->showNotice(
                        tr("This sign-in server does not allow this program a lasting sign-in "
                           "(offline_access). Sign in with your browser again: it will ask "
                           "again when its own sign-in ends."));
                });
            });
    return browser;
}

bool DesktopApp::asksOfflineAccess() const
{
    return m_provider && m_config.scope.isEmpty() && !m_offlineAccessRefused
        && m_provider->scopes.contains(QLatin1String("offline_access"));
}

std::unique_ptr<AuthProtocol> DesktopApp::makeProtocol() const
{
    if (m_provider) {
        // By default the user's identity and a refresh token: many providers issue one only
        // for offline_access, where they list it.
        QString scope = m_config.scope;
        if (scope.isEmpty())
            scope = asksOfflineAccess() ? QStringLiteral("openid profile offline_access")
                                        : QStringLiteral("openid profile");
        auto oidc = OAuth2Protocol::forProvider(*m_provider, m_config.clientId, scope);
        if (isBundledIssuer())
            oidc->setIssuer(bundledIssuerIdentifier());
        return oidc;
    }
    std::unique_ptr<AuthProtocol> protocol;
    if (m_config.protocol == QLatin1String("oauth2")) {
        const QUrl tokenUrl = m_config.tokenUrl.isValid()
            ? m_config.tokenUrl
            : m_config.server.resolved(QUrl(QStringLiteral("/oauth/token")));
        auto oauth = std::make_unique<OAuth2Protocol>(tokenUrl, m_config.clientId);
        oauth->setScope(m_config.scope);
        oauth->setRevocationUrl(m_config.revokeUrl.isValid() ? m_config.revokeUrl
                                                             : m_config.server.resolved(QUrl(
                                                                 QStringLiteral("/oauth/revoke"))));
        if (m_embedded)
            oauth->setIssuer(bundledIssuerIdentifier());
        protocol = std::move(oauth);
    } else {
        auto json = std::make_unique<JsonAuthProtocol>(m_config.server);
        if (m_config.refreshTransport == QLatin1String("cookie"))
            json->setRefreshTransport(JsonAuthProtocol::RefreshTransport::Cookie);
        if (m_embedded)
            json->setIssuerIdentifier(bundledIssuerIdentifier().toString());
        protocol = std::move(json);
    }
    return protocol;
}

void DesktopApp::build()
{
    m_session = makeSession();
    buildNetwork();
    m_shell = std::make_unique<Ui::Shell>(m_session.get(), m_backend.get(), shellOptions());
    connectShell();
    m_shell->start();
}

Ui::Shell::Options DesktopApp::shellOptions() const
{
    Ui::Shell::Options options;
    options.server = m_config.server.toString();
    if (m_config.protocol == openIdProtocol) {
        // Signing in through a provider of its own: the address shown is where the user
        // signs in.
        if (!m_config.issuer.isEmpty())
            options.server = m_config.issuer.toString();
        if (isBundledIssuer())
            options.demoHint = tr("This is the bundled demo server. In the browser, sign in as "
                                  "alice / alice-password or bob / bob-password.");
    } else if (m_embedded) {
        options.demoHint = tr("This is the bundled demo server. Sign in as alice / "
                              "alice-password or bob / bob-password.");
    }
    options.keychain = m_keychain.get();
    options.lastUsername = m_settings->value(QStringLiteral("session/lastUsername")).toString();
    options.keepSignedIn = m_settings->value(QStringLiteral("session/keepSignedIn"), true).toBool();
    options.mainWindowGeometry
        = m_settings->value(QStringLiteral("ui/mainWindowGeometry")).toByteArray();
    options.draftDirectory = m_config.draftDirectory;
    options.draftServerKey = m_account;
    if (options.draftDirectory.isEmpty())
        options.draftDirectory = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
            + QStringLiteral("/drafts");
    options.notifier = m_notifier.get();
    options.networkWatch = m_networkWatch.get();
    return options;
}

// The restore was canceled: the session goes as it is, not signed out (that would revoke
// the saved sign-in and remove it from the keychain), and a fresh one takes its place. The
// next start restores from the keychain again.
void DesktopApp::abandonRestore()
{
    renewSession();
}

void DesktopApp::renewSession()
{
    if (!m_session || !m_shell)
        return;
    std::unique_ptr<BrowserSignIn> browser = std::move(m_browser);
    std::unique_ptr<BackendClient> backend = std::move(m_backend);
    std::unique_ptr<AuthNetworkAccessManager> network = std::move(m_network);
    std::unique_ptr<Session> session = std::move(m_session);
    m_session = makeSession();
    buildNetwork();
    bool passwordSignIn = true;
    if (m_provider) {
        m_browser = makeBrowserSignIn(*m_provider);
        passwordSignIn = m_provider->supportsGrant(QStringLiteral("password"));
    }
    m_shell->setSession(m_session.get(), m_backend.get(), m_browser.get(), passwordSignIn);
    // Requests made through the old session end; the session itself finishes what it has
    // under way with the keychain and the server.
    browser.reset();
    backend.reset();
    network.reset();
    retire(std::move(session));
}

void DesktopApp::buildNetwork()
{
    m_network = std::make_unique<AuthNetworkAccessManager>(m_session.get());
    m_network->addAllowedOrigin(m_config.server);
    m_backend = std::make_unique<BackendClient>(m_network.get(), m_config.server, m_config.server);
}

void DesktopApp::connectShell()
{
    connect(m_shell.get(), &Ui::Shell::preferencesChanged, this,
            [this](const QString &username, bool keep) {
                m_settings->setValue(QStringLiteral("session/lastUsername"), username);
                m_settings->setValue(QStringLiteral("session/keepSignedIn"), keep);
            });
    connect(m_shell.get(), &Ui::Shell::mainWindowGeometryChanged, this,
            [this](const QByteArray &geometry) {
                m_settings->setValue(QStringLiteral("ui/mainWindowGeometry"), geometry);
            });
    connect(m_shell.get(), &Ui::Shell::settingsRequested, this, &DesktopApp::showSettings,
            Qt::QueuedConnection);
    connect(m_shell.get(), &Ui::Shell::retryRequested, this, &DesktopApp::lookUpProvider);
    connect(m_shell.get(), &Ui::Shell::restoreCanceled, this, &DesktopApp::abandonRestore);
}

// The windows come up at once; the session only once the provider has said
// where its endpoints are.
void DesktopApp::discoverProvider()
{
    m_shell = std::make_unique<Ui::Shell>(nullptr, nullptr, shellOptions());
    connectShell();
    lookUpProvider();
}

void DesktopApp::lookUpProvider()
{
    const QUrl provider = issuer();
    m_shell->showPreparing(
        tr("Looking up the sign-in server at %1…").arg(provider.toDisplayString()));
    if (!m_discoveryNetwork)
        m_discoveryNetwork = std::make_unique<QNetworkAccessManager>();
    m_discovery = std::make_unique<ProviderDiscovery>(m_discoveryNetwork.get());
    connect(m_discovery.get(), &ProviderDiscovery::discovered, this, &DesktopApp::useProvider);
    connect(m_discovery.get(), &ProviderDiscovery::failed, this,
            [this, provider](const QString &message) {
                m_shell->showPreparationFailed(
                    tr("%1 cannot be used to sign in. %2 Check the issuer in Settings, or try "
                       "again.")
                        .arg(provider.toDisplayString(), message));
            });
    m_discovery->discover(provider);
}

void DesktopApp::useProvider(const ProviderMetadata &provider)
{
    if (m_session)
        return;
    m_provider = std::make_unique<ProviderMetadata>(provider);
    m_session = makeSession();
    buildNetwork();
    m_browser = makeBrowserSignIn(provider);
    m_shell->setSession(m_session.get(), m_backend.get(), m_browser.get(),
                        provider.supportsGrant(QStringLiteral("password")));
    m_shell->start();
}

} // namespace SilentAuth
