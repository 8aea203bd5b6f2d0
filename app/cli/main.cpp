// silentauth-cli: a headless client on SilentAuth::Net. Signs in (or starts
// from a refresh token), runs a batch of requests through the
// AuthNetworkAccessManager and prints one JSON object of what happened.
#include "loadrunner.h"
#include "quitsignals.h"

#include <silentauth/accounttokenstore.h>
#include <silentauth/authnetworkaccessmanager.h>
#include <silentauth/browsersignin.h>
#include <silentauth/devicesignin.h>
#include <silentauth/jsonauthprotocol.h>
#include <silentauth/memorytokenstore.h>
#include <silentauth/oauth2protocol.h>
#include <silentauth/providermetadata.h>
#include <silentauth/session.h>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QEventLoop>
#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtCore/QLoggingCategory>
#include <QtCore/QMetaEnum>
#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QTextStream>
#include <QtCore/QTimer>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkProxy>
#include <QtNetwork/QSslConfiguration>

#include <cstdio>
#include <optional>

using namespace SilentAuth;

namespace {

// What goes to the terminal: text that came from a server may hold escape
// sequences; every control or formatting character is written as \u{…}.
QByteArray terminalSafe(const QString &text)
{
    QString safe;
    for (const QChar c : text) {
        if (c.category() == QChar::Other_Control || c.category() == QChar::Other_Format
            || c.category() == QChar::Separator_Line || c.category() == QChar::Separator_Paragraph)
            safe += QStringLiteral("\\u{%1}").arg(c.unicode(), 0, 16);
        else
            safe += c;
    }
    return safe.toUtf8();
}

[[noreturn]] void die(const QString &message)
{
    std::fprintf(stderr, "silentauth-cli: %s\n", terminalSafe(message).constData());
    std::exit(2);
}

QByteArray readStdinLine()
{
    QTextStream in(stdin);
    return in.readLine().trimmed().toUtf8();
}

class SystemProxyUnlessLoopback : public QNetworkProxyFactory
{
public:
    QList<QNetworkProxy> queryProxy(const QNetworkProxyQuery &query) override
    {
        const QHostAddress address(query.peerHostName());
        if (query.peerHostName() == QLatin1String("localhost") || address.isLoopback())
            return {QNetworkProxy::NoProxy};
        return systemProxyForQuery(query);
    }
};

template<typename Enum> QString keyOf(Enum value)
{
    return QString::fromLatin1(QMetaEnum::fromType<Enum>().valueToKey(int(value)));
}

qint64 peakRssKilobytes()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return 0;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

// Opens \a url the way a terminal user expects: the first command in
// $BROWSER (with %s replaced by the URL, or the URL appended), else
// xdg-open. False when neither could be started.
bool openBrowser(const QUrl &url)
{
    const QString address = url.toString(QUrl::FullyEncoded);
    QStringList command;
    const QString configured = qEnvironmentVariable("BROWSER").section(QLatin1Char(':'), 0, 0);
    if (!configured.trimmed().isEmpty()) {
        command = QProcess::splitCommand(configured);
        bool placed = false;
        for (QString &part : command) {
            if (part.contains(QLatin1String("%s"))) {
                part.replace(QLatin1String("%s"), address);
                placed = true;
            }
        }
        if (!placed)
            command.append(address);
    } else {
        command = {QStringLiteral("xdg-open"), address};
    }
    if (command.isEmpty())
        return false;
    const QString program = command.takeFirst();
    return QProcess::startDetached(program, command);
}

// Reads the provider's discovery document before anything else starts.
ProviderMetadata discoverOrDie(const QUrl &issuer, int timeoutMs)
{
    QNetworkAccessManager network;
    ProviderDiscovery discovery(&network);
    discovery.setTimeout(std::chrono::milliseconds(timeoutMs));
    std::optional<ProviderMetadata> found;
    QString error;
    QEventLoop loop;
    QObject::connect(&discovery, &ProviderDiscovery::discovered, &loop,
                     [&](const ProviderMetadata &provider) {
                         found = provider;
                         loop.quit();
                     });
    QObject::connect(&discovery, &ProviderDiscovery::failed, &loop, [&](const QString &message) {
        error = message;
        loop.quit();
    });
    discovery.discover(issuer);
    loop.exec();
    if (!found) {
        std::fprintf(stderr, "silentauth-cli: %s\n", qPrintable(error));
        std::exit(3);
    }
    return *found;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    quitOnTerminationSignals(); // the session settles before the program ends
    QCoreApplication::setApplicationName(QStringLiteral("silentauth-cli"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SILENTAUTH_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Runs requests against URL through SilentAuth's silent re-authentication and prints "
        "one JSON object of stats: ok, failed, unauthorized (401s caught), refreshes, replays, "
        "elapsedMs, status.\nExit status: 0 all requests succeeded, 1 some failed, 2 bad "
        "usage, 3 could not sign in (wrong password, nothing stored, token rejected, server "
        "unreachable for longer than --offline-wait)."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("url"), QStringLiteral("The URL to request."));
    auto option = [&parser](const QStringList &names, const QString &help,
                            const QString &value = {}, const QString &defaultValue = {}) {
        QCommandLineOption o(names, help, value, defaultValue);
        parser.addOption(o);
        return o;
    };
    const auto protocolOpt = option({QStringLiteral("protocol")},
                                    QStringLiteral("json (the seed API) or oauth2 (default json)."),
                                    QStringLiteral("name"), QStringLiteral("json"));
    const auto serverOpt = option({QStringLiteral("server")},
                                  QStringLiteral("Auth server base URL for the json protocol "
                                                 "(default: the origin of url)."),
                                  QStringLiteral("url"));
    const auto transportOpt = option({QStringLiteral("refresh-transport")},
                                     QStringLiteral("json protocol: body (the refresh token in "
                                                    "the JSON, default) or cookie (an HttpOnly "
                                                    "cookie)."),
                                     QStringLiteral("where"), QStringLiteral("body"));
    const auto cookieOpt = option({QStringLiteral("refresh-cookie")},
                                  QStringLiteral("With --refresh-transport cookie: the cookie's "
                                                 "name (default refreshToken)."),
                                  QStringLiteral("name"), QStringLiteral("refreshToken"));
    const auto caOpt = option({QStringLiteral("cacert")},
                              QStringLiteral("Also trust the CA certificates in this PEM file "
                                             "(a private CA); every check stays on."),
                              QStringLiteral("file"));
    const auto tokenUrlOpt
        = option({QStringLiteral("token-url")}, QStringLiteral("OAuth 2.0 token endpoint."),
                 QStringLiteral("url"));
    const auto issuerOpt = option({QStringLiteral("issuer")},
                                  QStringLiteral("OpenID provider / OAuth 2.0 server to discover "
                                                 "(implies --protocol oauth2); explicit "
                                                 "--token-url and --revoke-url override."),
                                  QStringLiteral("url"));
    const auto browserOpt
        = option({QStringLiteral("browser")},
                 QStringLiteral("Sign in through the browser (authorization code with PKCE and "
                                "a loopback redirect); opens $BROWSER, else xdg-open, and prints "
                                "the address. Needs --issuer."));
    const auto browserTimeoutOpt = option({QStringLiteral("browser-timeout")},
                                          QStringLiteral("Seconds to wait for the browser "
                                                         "(default 300)."),
                                          QStringLiteral("seconds"), QStringLiteral("300"));
    const auto redirectPortsOpt
        = option({QStringLiteral("redirect-ports")},
                 QStringLiteral("With --browser: the loopback ports to listen on, in order, for a "
                                "provider that registers the redirect with a port (default: any "
                                "free port)."),
                 QStringLiteral("port,…"));
    const auto deviceOpt
        = option({QStringLiteral("device")},
                 QStringLiteral("Sign in with a code entered on another device (RFC 8628): "
                                "prints the address and the code, then waits. Needs --issuer."));
    const auto revokeUrlOpt = option({QStringLiteral("revoke-url")},
                                     QStringLiteral("OAuth 2.0 revocation endpoint (RFC 7009)."),
                                     QStringLiteral("url"));
    const auto clientIdOpt = option({QStringLiteral("client-id")},
                                    QStringLiteral("OAuth 2.0 client id (default "
                                                   "silentauth-desktop)."),
                                    QStringLiteral("id"), QStringLiteral("silentauth-desktop"));
    const auto clientSecretOpt = option({QStringLiteral("client-secret")},
                                        QStringLiteral("OAuth 2.0 client secret (confidential "
                                                       "client)."),
                                        QStringLiteral("secret"));
    const auto clientAuthOpt
        = option({QStringLiteral("client-auth")}, QStringLiteral("basic or post (default basic)."),
                 QStringLiteral("method"), QStringLiteral("basic"));
    const auto scopeOpt = option({QStringLiteral("scope")}, QStringLiteral("OAuth 2.0 scope."),
                                 QStringLiteral("scope"));
    const auto userOpt = option({QStringLiteral("u"), QStringLiteral("user")},
                                QStringLiteral("Sign in as this user."), QStringLiteral("name"));
    const auto passwordOpt = option({QStringLiteral("password")},
                                    QStringLiteral("The password ('-' reads it from stdin)."),
                                    QStringLiteral("password"));
    const auto refreshTokenOpt = option({QStringLiteral("refresh-token")},
                                        QStringLiteral("Start from this refresh token ('-' reads "
                                                       "it from stdin)."),
                                        QStringLiteral("token"));
    const auto keychainOpt = option({QStringLiteral("keychain")},
                                    QStringLiteral("Keep the refresh token in the keychain; "
                                                   "without --user or --refresh-token, restore "
                                                   "the session from it."));
    const auto accountOpt = option({QStringLiteral("keychain-account")},
                                   QStringLiteral("Keychain entries: NAME/current-account and "
                                                  "one NAME/[issuer,client,user] per account; "
                                                  "a token an older version kept in NAME is "
                                                  "moved there (default refresh-token)."),
                                   QStringLiteral("name"), QStringLiteral("refresh-token"));
    const auto requestsOpt = option({QStringLiteral("n"), QStringLiteral("requests")},
                                    QStringLiteral("Number of requests (default 1)."),
                                    QStringLiteral("count"), QStringLiteral("1"));
    const auto concurrencyOpt = option({QStringLiteral("c"), QStringLiteral("concurrency")},
                                       QStringLiteral("Requests in flight at once (default 1)."),
                                       QStringLiteral("count"), QStringLiteral("1"));
    const auto durationOpt = option({QStringLiteral("duration")},
                                    QStringLiteral("Run for this many seconds instead of -n."),
                                    QStringLiteral("seconds"));
    const auto idleOpt = option({QStringLiteral("idle")},
                                QStringLiteral("Once signed in, wait this many seconds before the "
                                               "first request (default 0)."),
                                QStringLiteral("seconds"), QStringLiteral("0"));
    const auto rateOpt = option({QStringLiteral("rate")},
                                QStringLiteral("Requests per second (default: as fast as -c "
                                               "allows)."),
                                QStringLiteral("rate"));
    const auto methodOpt = option({QStringLiteral("X"), QStringLiteral("method")},
                                  QStringLiteral("HTTP method (default GET)."),
                                  QStringLiteral("verb"), QStringLiteral("GET"));
    const auto dataOpt
        = option({QStringLiteral("d"), QStringLiteral("data")},
                 QStringLiteral("Request body ('@file' reads a file)."), QStringLiteral("body"));
    const auto allowOpt = option({QStringLiteral("allow")},
                                 QStringLiteral("Another origin that may see the token "
                                                "(repeatable). url's origin always may."),
                                 QStringLiteral("origin"));
    const auto timeoutOpt = option({QStringLiteral("auth-timeout")},
                                   QStringLiteral("Milliseconds each auth request may take "
                                                  "(default 15000)."),
                                   QStringLiteral("ms"), QStringLiteral("15000"));
    const auto offlineWaitOpt
        = option({QStringLiteral("offline-wait")},
                 QStringLiteral("Milliseconds a request may wait for the auth server to come "
                                "back after a transient refresh failure (default 0: fail at "
                                "once with a retryable error)."),
                 QStringLiteral("ms"), QStringLiteral("0"));
    const auto dpopOpt
        = option({QStringLiteral("dpop")},
                 QStringLiteral("Sender-constrained tokens (DPoP, RFC 9449): sign in with a new "
                                "key pair and send a proof with every token request and every "
                                "request with the token. The key is kept with the refresh token "
                                "(in the keychain with --keychain). A server that answers with "
                                "bearer tokens is used with bearer tokens."));
    const auto signOutOpt
        = option({QStringLiteral("sign-out")}, QStringLiteral("Sign out (revoke) when done."));
    const auto verboseOpt = option({QStringLiteral("verbose")},
                                   QStringLiteral("Log the library's silentauth.net messages."));
    const auto eventsOpt = option({QStringLiteral("events")},
                                  QStringLiteral("Print session events to stderr, one per "
                                                 "line."));
    parser.process(app);
    if (!parser.isSet(verboseOpt))
        QLoggingCategory::setFilterRules(QStringLiteral("silentauth.*.info=false"));

    if (parser.positionalArguments().size() != 1)
        die(QStringLiteral("exactly one url is needed; see --help"));
    const QUrl url = QUrl::fromUserInput(parser.positionalArguments().constFirst());
    if (!url.isValid() || url.host().isEmpty())
        die(QStringLiteral("not a usable url: %1").arg(parser.positionalArguments().constFirst()));

    const int authTimeout = parser.value(timeoutOpt).toInt();
    std::unique_ptr<AuthProtocol> protocol;
    std::optional<ProviderMetadata> provider;
    const QString protocolName
        = parser.isSet(issuerOpt) ? QStringLiteral("oauth2") : parser.value(protocolOpt);
    if (parser.isSet(browserOpt) && !parser.isSet(issuerOpt))
        die(QStringLiteral("--browser needs --issuer"));
    if (parser.isSet(deviceOpt) && !parser.isSet(issuerOpt))
        die(QStringLiteral("--device needs --issuer"));
    if (parser.isSet(deviceOpt) && parser.isSet(browserOpt))
        die(QStringLiteral("give --browser or --device, not both"));
    // The system's proxy settings ($http_proxy, $https_proxy, $no_proxy),
    // never for loopback.
    QNetworkProxyFactory::setApplicationProxyFactory(new SystemProxyUnlessLoopback);
    if (parser.isSet(caOpt)) {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        if (!tls.addCaCertificates(parser.value(caOpt)))
            die(QStringLiteral("no CA certificate in %1").arg(parser.value(caOpt)));
        QSslConfiguration::setDefaultConfiguration(tls);
    }
    if (parser.isSet(issuerOpt)) {
        provider
            = discoverOrDie(QUrl(parser.value(issuerOpt)), authTimeout > 0 ? authTimeout : 15000);
        if (parser.isSet(tokenUrlOpt))
            provider->tokenEndpoint = QUrl(parser.value(tokenUrlOpt));
        if (parser.isSet(revokeUrlOpt))
            provider->revocationEndpoint = QUrl(parser.value(revokeUrlOpt));
    }
    if (protocolName == QLatin1String("json")) {
        QUrl server = parser.isSet(serverOpt) ? QUrl(parser.value(serverOpt)) : url;
        if (!parser.isSet(serverOpt))
            server.setPath(QString());
        server.setQuery(QString());
        auto json = std::make_unique<JsonAuthProtocol>(server.adjusted(QUrl::StripTrailingSlash));
        const QString transport = parser.value(transportOpt);
        static const QRegularExpression cookieName(QStringLiteral("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"));
        if (!cookieName.match(parser.value(cookieOpt)).hasMatch())
            die(QStringLiteral("--refresh-cookie must be a cookie name (RFC 6265 token)"));
        if (transport == QLatin1String("cookie"))
            json->setRefreshTransport(JsonAuthProtocol::RefreshTransport::Cookie,
                                      parser.value(cookieOpt).toLatin1());
        else if (transport != QLatin1String("body"))
            die(QStringLiteral("--refresh-transport is body or cookie"));
        protocol = std::move(json);
    } else if (protocolName == QLatin1String("oauth2")) {
        if (!parser.isSet(tokenUrlOpt) && !provider)
            die(QStringLiteral("--protocol oauth2 needs --token-url or --issuer"));
        auto oauth = provider ? OAuth2Protocol::forProvider(*provider, parser.value(clientIdOpt))
                              : std::make_unique<OAuth2Protocol>(QUrl(parser.value(tokenUrlOpt)),
                                                                 parser.value(clientIdOpt));
        const QString method = parser.value(clientAuthOpt);
        if (method != QLatin1String("basic") && method != QLatin1String("post"))
            die(QStringLiteral("--client-auth is basic or post"));
        oauth->setClientSecret(parser.value(clientSecretOpt),
                               method == QLatin1String("post")
                                   ? OAuth2Protocol::ClientAuthentication::Post
                                   : OAuth2Protocol::ClientAuthentication::Basic);
        oauth->setScope(parser.value(scopeOpt));
        if (parser.isSet(revokeUrlOpt))
            oauth->setRevocationUrl(QUrl(parser.value(revokeUrlOpt)));
        protocol = std::move(oauth);
    } else {
        die(QStringLiteral("unknown protocol %1 (json or oauth2)").arg(protocolName));
    }

    bool ok = true;
    LoadRunner::Plan plan;
    plan.url = url;
    plan.method = parser.value(methodOpt).toUpper().toLatin1();
    plan.requests = parser.value(requestsOpt).toInt(&ok);
    if (!ok || plan.requests < 0)
        die(QStringLiteral("-n takes a number"));
    plan.concurrency = parser.value(concurrencyOpt).toInt(&ok);
    if (!ok || plan.concurrency < 1)
        die(QStringLiteral("-c takes a number of at least 1"));
    if (parser.isSet(durationOpt)) {
        const double seconds = parser.value(durationOpt).toDouble(&ok);
        if (!ok || seconds <= 0)
            die(QStringLiteral("--duration takes a number of seconds"));
        plan.duration = std::chrono::milliseconds(qint64(seconds * 1000));
    }
    if (parser.isSet(rateOpt)) {
        plan.ratePerSecond = parser.value(rateOpt).toDouble(&ok);
        if (!ok || plan.ratePerSecond <= 0)
            die(QStringLiteral("--rate takes a positive number"));
    }
    if (parser.isSet(dataOpt)) {
        const QString data = parser.value(dataOpt);
        if (data.startsWith(QLatin1Char('@'))) {
            QFile file(data.mid(1));
            if (!file.open(QIODevice::ReadOnly))
                die(QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString()));
            plan.body = file.readAll();
        } else {
            plan.body = data.toUtf8();
        }
        if (plan.method == "GET")
            plan.method = "POST";
    }
    parser.value(timeoutOpt).toInt(&ok);
    if (!ok || authTimeout <= 0)
        die(QStringLiteral("--auth-timeout takes milliseconds"));
    const int offlineWait = parser.value(offlineWaitOpt).toInt(&ok);
    if (!ok || offlineWait < 0)
        die(QStringLiteral("--offline-wait takes milliseconds"));

    std::unique_ptr<TokenStore> store;
    if (parser.isSet(keychainOpt))
        store = AccountTokenStore::keychain(QStringLiteral("SilentAuth"), parser.value(accountOpt));
    else
        store = std::make_unique<MemoryTokenStore>();

    Session session(std::move(protocol), store.get());
    session.setRequestTimeout(std::chrono::milliseconds(authTimeout));
    session.setOfflineWait(std::chrono::milliseconds(offlineWait));
    session.setProofOfPossession(parser.isSet(dpopOpt));
    AuthNetworkAccessManager manager(&session);
    manager.addAllowedOrigin(url);
    for (const QString &origin : parser.values(allowOpt))
        manager.addAllowedOrigin(QUrl(origin));

    int unauthorized = 0;
    const bool printEvents = parser.isSet(eventsOpt);
    QObject::connect(&session, &Session::activity, &app,
                     [&unauthorized, printEvents](Session::Event event, const QString &detail) {
                         if (event == Session::Event::Unauthorized)
                             ++unauthorized;
                         if (printEvents)
                             std::fprintf(stderr, "%s %s\n", qPrintable(keyOf(event)),
                                          terminalSafe(detail).constData());
                     });

    LoadRunner runner(&manager, plan);
    bool started = false;
    QString signInError;
    // Everything is decided on the session's status, which it sets only once
    // a step is done (a rejected refresh token is out of the keychain by
    // then), never on an error alone. The load starts the first time the
    // session is signed in, whichever way it got there; it ends the program
    // with 3 when it could not get there: a wrong password, nothing stored, a
    // rejected token, or the server still unreachable after --offline-wait.
    const int idleMs = int(parser.value(idleOpt).toDouble(&ok) * 1000);
    if (!ok || idleMs < 0)
        die(QStringLiteral("--idle takes seconds"));
    QTimer offlineLimit;
    offlineLimit.setSingleShot(true);
    auto checkStart = [&] {
        if (started || session.isRefreshing())
            return;
        switch (session.status()) {
        case Session::Status::SignedIn:
            started = true;
            offlineLimit.stop();
            signInError.clear();
            QTimer::singleShot(idleMs, &runner, &LoadRunner::start);
            break;
        case Session::Status::SignedOut:
        case Session::Status::Expired:
            QCoreApplication::exit(3);
            break;
        case Session::Status::Offline:
            if (!offlineLimit.isActive())
                offlineLimit.start(offlineWait);
            break;
        default:
            break;
        }
    };
    QObject::connect(&offlineLimit, &QTimer::timeout, &app, [&] {
        if (started)
            return;
        if (!session.isRefreshing()) {
            QCoreApplication::exit(3);
            return;
        }
        // A retry is on the wire: its answer decides (and is stored first).
        QObject::connect(
            &session, &Session::refreshFinished, &app,
            [&] {
                if (!started)
                    QCoreApplication::exit(3);
            },
            Qt::SingleShotConnection);
    });
    QObject::connect(&session, &Session::statusChanged, &app, checkStart);
    QObject::connect(&session, &Session::refreshFinished, &app, checkStart);
    QObject::connect(
        &session, &Session::errorOccurred, &app, [&](Session::Error error, const QString &message) {
            std::fprintf(stderr, "silentauth-cli: %s\n", terminalSafe(message).constData());
            // The status changes first, then the session says why.
            const auto status = session.status();
            if (!started && signInError.isEmpty() && status != Session::Status::SigningIn
                && status != Session::Status::Restoring)
                signInError = keyOf(error);
            checkStart();
        });
    auto finish = [&] {
        const int code = runner.failed() == 0 ? 0 : 1;
        if (!parser.isSet(signOutOpt)) {
            QCoreApplication::exit(code);
            return;
        }
        QObject::connect(&session, &Session::signedOut, &app,
                         [code] { QCoreApplication::exit(code); });
        session.signOut();
    };
    QObject::connect(&runner, &LoadRunner::finished, &app, [&] {
        // A refresh under way may already have rotated the token on the
        // server. Leaving before its answer is stored (or a rejected token
        // removed) would leave a spent token in the keychain for every other
        // process that shares the entry. The session bounds each step.
        if (session.isRefreshing())
            QObject::connect(&session, &Session::refreshFinished, &app, finish,
                             Qt::SingleShotConnection);
        else
            finish();
    });

    // Started from the event loop, so that a session that fails at once is
    // seen by the handlers above and ends the program.
    if (parser.isSet(refreshTokenOpt)) {
        QByteArray token = parser.value(refreshTokenOpt).toLatin1();
        if (token == "-") {
            token = readStdinLine();
            if (token.isEmpty())
                die(QStringLiteral("no refresh token on stdin"));
        } else if (token.isEmpty()) {
            die(QStringLiteral("--refresh-token is empty; give the token, or '-' to read it "
                               "from stdin"));
        }
        QTimer::singleShot(0, &session, [&session, token] { session.restoreFrom(token); });
    } else if (parser.isSet(browserOpt)) {
        const int seconds = parser.value(browserTimeoutOpt).toInt(&ok);
        if (!ok || seconds <= 0)
            die(QStringLiteral("--browser-timeout takes seconds"));
        const auto ports = BrowserSignIn::portsFromText(parser.value(redirectPortsOpt));
        if (!ports || (parser.isSet(redirectPortsOpt) && ports->isEmpty()))
            die(QStringLiteral("--redirect-ports takes port numbers separated by commas"));
        auto *browser = new BrowserSignIn(&session, *provider, &app);
        browser->setTimeout(std::chrono::seconds(seconds));
        browser->setPorts(*ports);
        browser->setBrowserLauncher(openBrowser);
        QObject::connect(browser, &BrowserSignIn::authorizationUrlReady, &app, [](const QUrl &at) {
            std::fprintf(stderr, "silentauth-cli: sign in at %s\n",
                         at.toString(QUrl::FullyEncoded).toUtf8().constData());
        });
        QObject::connect(browser, &BrowserSignIn::browserFailed, &app, [] {
            std::fprintf(stderr,
                         "silentauth-cli: no browser could be opened; open the address "
                         "above yourself\n");
        });
        QObject::connect(browser, &BrowserSignIn::failed, &app,
                         [&signInError](BrowserSignIn::Error error, const QString &message) {
                             std::fprintf(stderr, "silentauth-cli: %s\n",
                                          terminalSafe(message).constData());
                             if (signInError.isEmpty())
                                 signInError = keyOf(error);
                             if (error != BrowserSignIn::Error::SignInFailed)
                                 QCoreApplication::exit(3);
                         });
        QTimer::singleShot(0, browser, &BrowserSignIn::start);
    } else if (parser.isSet(deviceOpt)) {
        auto *device = new DeviceSignIn(&session, *provider, &app);
        QObject::connect(device, &DeviceSignIn::userCodeReady, &app,
                         [](const QString &code, const QUrl &at, const QUrl &complete) {
                             std::fprintf(stderr,
                                          "silentauth-cli: to sign in, open %s and enter the "
                                          "code %s\n",
                                          at.toString(QUrl::FullyEncoded).toUtf8().constData(),
                                          terminalSafe(code).constData());
                             if (complete.isValid())
                                 std::fprintf(
                                     stderr, "silentauth-cli: or open %s\n",
                                     complete.toString(QUrl::FullyEncoded).toUtf8().constData());
                             std::fprintf(stderr, "silentauth-cli: waiting...\n");
                         });
        QObject::connect(device, &DeviceSignIn::slowedDown, &app, [](std::chrono::seconds wait) {
            std::fprintf(stderr, "silentauth-cli: the server asked to wait %lld s between polls\n",
                         static_cast<long long>(wait.count()));
        });
        QObject::connect(device, &DeviceSignIn::failed, &app,
                         [&signInError](DeviceSignIn::Error error, const QString &message) {
                             std::fprintf(stderr, "silentauth-cli: %s\n",
                                          terminalSafe(message).constData());
                             if (signInError.isEmpty())
                                 signInError = keyOf(error);
                             if (error != DeviceSignIn::Error::SignInFailed)
                                 QCoreApplication::exit(3);
                         });
        QTimer::singleShot(0, device, &DeviceSignIn::start);
    } else if (parser.isSet(userOpt)) {
        QByteArray password = parser.value(passwordOpt).toUtf8();
        if (!parser.isSet(passwordOpt) || password == "-")
            password = readStdinLine();
        const QString user = parser.value(userOpt);
        QTimer::singleShot(0, &session, [&session, user, password] {
            session.signIn(user, QString::fromUtf8(password));
        });
    } else if (parser.isSet(keychainOpt)) {
        QTimer::singleShot(0, &session, &Session::restore);
    } else {
        die(QStringLiteral("give --user, --browser, --device, --refresh-token or --keychain"));
    }

    const int exitCode = app.exec();
    // A refresh's new token or a sign-out's removal reaches the keychain before the
    // process ends: the next run restores what the server still accepts.
    if (!session.waitUntilSettled(std::chrono::seconds(10)))
        std::fprintf(stderr,
                     "silentauth-cli: quitting before the keychain and the server answered\n");
    QJsonObject result = runner.results();
    result.insert(QStringLiteral("unauthorized"), unauthorized);
    result.insert(QStringLiteral("refreshes"), session.refreshCount());
    result.insert(QStringLiteral("replays"), session.replayCount());
    result.insert(QStringLiteral("status"), keyOf(session.status()));
    result.insert(QStringLiteral("peakRssKb"), peakRssKilobytes());
    if (!signInError.isEmpty())
        result.insert(QStringLiteral("signInError"), signInError);
    std::printf("%s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout); // before anything at exit can end the process
    return exitCode;
}
