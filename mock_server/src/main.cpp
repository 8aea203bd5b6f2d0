// silentauth-mock-server: the bundled backend, for QA and manual runs.
#include <silentauth/mock/mockserver.h>

#include "authorization.h"

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QJsonDocument>
#include <QtCore/QRegularExpression>

#include <csignal>
#include <cstdio>

using namespace SilentAuth::Mock;

namespace {

// "90", "90s", "15m", "2h", "14d" → seconds; -1 when unreadable.
qint64 parseDuration(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d+)([smhd]?)$"));
    const auto match = pattern.match(text.trimmed());
    if (!match.hasMatch())
        return -1;
    const qint64 value = match.captured(1).toLongLong();
    const QString unit = match.captured(2);
    if (unit == QLatin1String("m"))
        return value * 60;
    if (unit == QLatin1String("h"))
        return value * 3600;
    if (unit == QLatin1String("d"))
        return value * 86400;
    return value;
}

[[noreturn]] void die(const QString &message)
{
    std::fprintf(stderr, "silentauth-mock-server: %s\n", qPrintable(message));
    std::exit(2);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("silentauth-mock-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SILENTAUTH_VERSION));
    std::signal(SIGTERM, [](int) { QCoreApplication::quit(); });
    std::signal(SIGINT, [](int) { QCoreApplication::quit(); });

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "The SilentAuth mock backend: auth, profile and board services speaking JWT, browser "
        "sign-in as an OpenID provider, and QA scenarios.\nDemo users: alice / alice-password, bob "
        "/ bob-password."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption host({QStringLiteral("host")},
                                  QStringLiteral("Address to listen on (default 127.0.0.1)."),
                                  QStringLiteral("address"), QStringLiteral("127.0.0.1"));
    const QCommandLineOption port({QStringLiteral("p"), QStringLiteral("port")},
                                  QStringLiteral("Port; 0 picks a free one (default 8080)."),
                                  QStringLiteral("port"), QStringLiteral("8080"));
    const QCommandLineOption secret(QStringLiteral("secret"),
                                    QStringLiteral("HS256 signing secret (default: random per "
                                                   "start, or kept in --db)."),
                                    QStringLiteral("secret"));
    const QCommandLineOption accessTtl(QStringLiteral("access-ttl"),
                                       QStringLiteral("Access token lifetime, e.g. 30s, 15m, 1h "
                                                      "(default 1h)."),
                                       QStringLiteral("duration"), QStringLiteral("1h"));
    const QCommandLineOption refreshTtl(QStringLiteral("refresh-ttl"),
                                        QStringLiteral("Refresh token lifetime (default 14d)."),
                                        QStringLiteral("duration"), QStringLiteral("14d"));
    const QCommandLineOption noRotate(QStringLiteral("no-rotate"),
                                      QStringLiteral("Keep the refresh token on refresh instead "
                                                     "of rotating it."));
    const QCommandLineOption grace(QStringLiteral("reuse-grace"),
                                   QStringLiteral("Seconds during which a rotated refresh token "
                                                  "still yields the current pair (default 0)."),
                                   QStringLiteral("seconds"), QStringLiteral("0"));
    const QCommandLineOption db(QStringLiteral("db"),
                                QStringLiteral("Keep users, tokens, blacklist and posts in this "
                                               "SQLite file."),
                                QStringLiteral("file"));
    const QCommandLineOption users(QStringLiteral("users"),
                                   QStringLiteral("JSON file with more users: "
                                                  "[{\"username\",\"password\",\"displayName\"}]."),
                                   QStringLiteral("file"));
    const QCommandLineOption services(QStringLiteral("services"),
                                      QStringLiteral("Services to serve: any of auth,profile,board "
                                                     "(default all)."),
                                      QStringLiteral("list"), QStringLiteral("auth,profile,board"));
    const QCommandLineOption scenario(QStringLiteral("scenario"),
                                      QStringLiteral("QA scenario at start (default normal); see "
                                                     "--list-scenarios."),
                                      QStringLiteral("name"), QStringLiteral("normal"));
    const QCommandLineOption scenarioParams(QStringLiteral("scenario-params"),
                                            QStringLiteral("Scenario parameters as a JSON object, "
                                                           "e.g. '{\"delayMs\":5000}'."),
                                            QStringLiteral("json"));
    const QCommandLineOption listScenarios(QStringLiteral("list-scenarios"),
                                           QStringLiteral("Print the scenarios and exit."));
    const QCommandLineOption retention(QStringLiteral("blacklist-retention"),
                                       QStringLiteral("Age at which blacklist entries are purged "
                                                      "(default 7d)."),
                                       QStringLiteral("duration"), QStringLiteral("7d"));
    const QCommandLineOption cleanup(QStringLiteral("cleanup-interval"),
                                     QStringLiteral("How often the blacklist cleanup runs "
                                                    "(default 1d)."),
                                     QStringLiteral("duration"), QStringLiteral("1d"));
    const QCommandLineOption adminToken(QStringLiteral("admin-token"),
                                        QStringLiteral("Require this X-Admin-Token on /__admin "
                                                       "routes (then also off loopback)."),
                                        QStringLiteral("token"));
    const QCommandLineOption maxBody(QStringLiteral("max-body"),
                                     QStringLiteral("Largest accepted body in bytes (default "
                                                    "1048576)."),
                                     QStringLiteral("bytes"), QStringLiteral("1048576"));
    const QCommandLineOption idle(QStringLiteral("idle-timeout"),
                                  QStringLiteral("Close a connection that has been silent this "
                                                 "long with nothing owed to it (default 60s)."),
                                  QStringLiteral("duration"), QStringLiteral("60s"));
    const QCommandLineOption issuer(QStringLiteral("issuer"),
                                    QStringLiteral("OpenID issuer identifier for discovery and ID "
                                                   "tokens (default http://127.0.0.1:PORT)."),
                                    QStringLiteral("url"));
    const QCommandLineOption redirectUri(
        QStringLiteral("redirect-uri"),
        QStringLiteral("Register a loopback redirect URI for the clients (repeatable); any port "
                       "matches it (RFC 8252 §7.3). Without one, any loopback URI is taken."),
        QStringLiteral("uri"));
    const QCommandLineOption refuseScope(
        QStringLiteral("refuse-scope"),
        QStringLiteral("A scope the provider lists but refuses to the clients (repeatable): "
                       "browser sign-ins asking for it get error=invalid_scope."),
        QStringLiteral("scope"));
    const QCommandLineOption deviceTtl(QStringLiteral("device-code-ttl"),
                                       QStringLiteral("How long a device sign-in's user code can "
                                                      "be entered (default 10m)."),
                                       QStringLiteral("duration"), QStringLiteral("10m"));
    const QCommandLineOption deviceInterval(QStringLiteral("device-interval"),
                                            QStringLiteral("Seconds a device is told to wait "
                                                           "between polls (default 5)."),
                                            QStringLiteral("seconds"), QStringLiteral("5"));
    const QCommandLineOption minimalIdTokens(QStringLiteral("minimal-id-tokens"),
                                             QStringLiteral("ID tokens without name and "
                                                            "preferred_username: the profile "
                                                            "comes from /oauth/userinfo only."));
    const QCommandLineOption refreshTransport(
        QStringLiteral("refresh-transport"),
        QStringLiteral("Where the seed API carries the refresh token: body, cookie (an HttpOnly "
                       "Set-Cookie / Cookie) or both (default body)."),
        QStringLiteral("where"), QStringLiteral("body"));
    const QCommandLineOption refreshCookie(QStringLiteral("refresh-cookie"),
                                           QStringLiteral("Name of the refresh cookie (default "
                                                          "refreshToken)."),
                                           QStringLiteral("name"), QStringLiteral("refreshToken"));
    const QCommandLineOption tlsCert(QStringLiteral("tls-cert"),
                                     QStringLiteral("Serve HTTPS (TLS 1.2+) with this certificate "
                                                    "chain (PEM); needs --tls-key."),
                                     QStringLiteral("file"));
    const QCommandLineOption tlsKey(QStringLiteral("tls-key"),
                                    QStringLiteral("The certificate's private key (PEM)."),
                                    QStringLiteral("file"));
    const QCommandLineOption tlsSelfSigned(
        QStringLiteral("tls-self-signed"),
        QStringLiteral("Serve HTTPS with a CA and a certificate for 127.0.0.1, ::1 and localhost "
                       "made in this directory at start; clients trust DIR/ca.pem."),
        QStringLiteral("dir"));
    const QCommandLineOption dpop(QStringLiteral("dpop"),
                                  QStringLiteral("DPoP (RFC 9449): off, optional (a valid proof "
                                                 "binds the tokens to its key) or required "
                                                 "(default off)."),
                                  QStringLiteral("mode"), QStringLiteral("off"));
    const QCommandLineOption dpopNonce(QStringLiteral("dpop-nonce"),
                                       QStringLiteral("DPoP proofs must carry the server's "
                                                      "nonce (always with --dpop required)."));
    const QCommandLineOption dpopNonceRotate(QStringLiteral("dpop-nonce-rotate"),
                                             QStringLiteral("Seconds between two DPoP nonces "
                                                            "(default 300)."),
                                             QStringLiteral("seconds"), QStringLiteral("300"));
    const QCommandLineOption dpopNonceGrace(QStringLiteral("dpop-nonce-grace"),
                                            QStringLiteral("Seconds the replaced DPoP nonce is "
                                                           "still accepted (default 10)."),
                                            QStringLiteral("seconds"), QStringLiteral("10"));
    const QCommandLineOption dpopWindow(QStringLiteral("dpop-iat-window"),
                                        QStringLiteral("Seconds a DPoP proof's iat may be off "
                                                       "the server's clock (default 60)."),
                                        QStringLiteral("seconds"), QStringLiteral("60"));
    const QCommandLineOption dpopCache(QStringLiteral("dpop-jti-cache"),
                                       QStringLiteral("Most DPoP proof jti values remembered "
                                                      "against replay (default 100000)."),
                                       QStringLiteral("entries"), QStringLiteral("100000"));
    const QCommandLineOption quiet(QStringLiteral("quiet"),
                                   QStringLiteral("Do not log one line per request."));
    parser.addOptions({host,
                       port,
                       secret,
                       accessTtl,
                       refreshTtl,
                       noRotate,
                       grace,
                       db,
                       users,
                       services,
                       scenario,
                       scenarioParams,
                       listScenarios,
                       retention,
                       cleanup,
                       adminToken,
                       maxBody,
                       idle,
                       issuer,
                       deviceTtl,
                       redirectUri,
                       refuseScope,
                       deviceInterval,
                       minimalIdTokens,
                       refreshTransport,
                       refreshCookie,
                       tlsCert,
                       tlsKey,
                       tlsSelfSigned,
                       dpop,
                       dpopNonce,
                       dpopNonceRotate,
                       dpopNonceGrace,
                       dpopWindow,
                       dpopCache,
                       quiet});
    parser.process(app);

    if (parser.isSet(listScenarios)) {
        for (const auto &entry : MockServer::scenarios()) {
            const auto d = entry.toObject();
            std::printf("%-22s %s\n", qPrintable(d.value(QLatin1String("name")).toString()),
                        qPrintable(d.value(QLatin1String("description")).toString()));
            const auto parameters = d.value(QLatin1String("parameters")).toObject();
            for (auto it = parameters.begin(); it != parameters.end(); ++it)
                std::printf("%-22s   %s: %s\n", "", qPrintable(it.key()),
                            qPrintable(it.value().toString()));
        }
        return 0;
    }

    MockServerConfig config;
    config.address = QHostAddress(parser.value(host));
    if (config.address.isNull())
        die(QStringLiteral("--host %1 is not an IP address").arg(parser.value(host)));
    bool ok = false;
    config.port = parser.value(port).toUShort(&ok);
    if (!ok)
        die(QStringLiteral("--port must be 0 to 65535"));
    config.secret = parser.value(secret).toUtf8();
    auto duration = [&](const QCommandLineOption &option) {
        const qint64 seconds = parseDuration(parser.value(option));
        if (seconds <= 0)
            die(QStringLiteral("--%1 takes a duration such as 30s, 15m, 2h or 7d")
                    .arg(option.names().constLast()));
        return seconds;
    };
    config.accessTtl = std::chrono::seconds(duration(accessTtl));
    config.refreshTtl = std::chrono::seconds(duration(refreshTtl));
    config.blacklistRetention = std::chrono::seconds(duration(retention));
    config.cleanupInterval = std::chrono::seconds(duration(cleanup));
    config.idleTimeout = std::chrono::seconds(duration(idle));
    config.rotateRefreshTokens = !parser.isSet(noRotate);
    config.reuseGrace = std::chrono::seconds(parser.value(grace).toInt(&ok));
    if (!ok || config.reuseGrace.count() < 0)
        die(QStringLiteral("--reuse-grace takes a number of seconds"));
    config.databaseFile = parser.value(db);
    config.usersFile = parser.value(users);
    config.services = parser.value(services).split(QLatin1Char(','), Qt::SkipEmptyParts);
    config.scenario = parser.value(scenario);
    if (parser.isSet(scenarioParams)) {
        const auto document = QJsonDocument::fromJson(parser.value(scenarioParams).toUtf8());
        if (!document.isObject())
            die(QStringLiteral("--scenario-params must be a JSON object"));
        config.scenarioParameters = document.object();
    }
    config.adminToken = parser.value(adminToken).toUtf8();
    config.maxBodyBytes = parser.value(maxBody).toLongLong(&ok);
    if (!ok || config.maxBodyBytes <= 0)
        die(QStringLiteral("--max-body takes a number of bytes"));
    config.issuer = parser.value(issuer);
    config.deviceCodeTtl = std::chrono::seconds(duration(deviceTtl));
    config.refusedScopes = parser.values(refuseScope);
    for (const QString &uri : parser.values(redirectUri)) {
        if (!isLoopbackRedirect(uri))
            die(QStringLiteral("--redirect-uri must be http://127.0.0.1/… or http://[::1]/…"));
        config.redirectUris.append(uri);
    }
    config.profileInIdToken = !parser.isSet(minimalIdTokens);
    config.tlsCertificateFile = parser.value(tlsCert);
    config.tlsKeyFile = parser.value(tlsKey);
    config.tlsSelfSignedDir = parser.value(tlsSelfSigned);
    if (parser.isSet(tlsSelfSigned) && (parser.isSet(tlsCert) || parser.isSet(tlsKey)))
        die(QStringLiteral("give --tls-self-signed or --tls-cert and --tls-key, not both"));
    const QString transport = parser.value(refreshTransport);
    if (transport == QLatin1String("body"))
        config.refreshTransport = MockServerConfig::RefreshTransport::Body;
    else if (transport == QLatin1String("cookie"))
        config.refreshTransport = MockServerConfig::RefreshTransport::Cookie;
    else if (transport == QLatin1String("both"))
        config.refreshTransport = MockServerConfig::RefreshTransport::Both;
    else
        die(QStringLiteral("--refresh-transport is body, cookie or both"));
    config.refreshCookieName = parser.value(refreshCookie).toLatin1();
    static const QRegularExpression cookieName(QStringLiteral("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$"));
    if (!cookieName.match(parser.value(refreshCookie)).hasMatch())
        die(QStringLiteral("--refresh-cookie must be a cookie name (RFC 6265 token)"));
    config.devicePollInterval = std::chrono::seconds(parser.value(deviceInterval).toInt(&ok));
    if (!ok || config.devicePollInterval.count() < 1 || config.devicePollInterval.count() > 300)
        die(QStringLiteral("--device-interval takes 1 to 300 seconds"));
    const QString dpopMode = parser.value(dpop);
    if (dpopMode == QLatin1String("off"))
        config.dpop = MockServerConfig::DpopMode::Off;
    else if (dpopMode == QLatin1String("optional"))
        config.dpop = MockServerConfig::DpopMode::Optional;
    else if (dpopMode == QLatin1String("required"))
        config.dpop = MockServerConfig::DpopMode::Required;
    else
        die(QStringLiteral("--dpop is off, optional or required"));
    config.dpopNonce
        = parser.isSet(dpopNonce) || config.dpop == MockServerConfig::DpopMode::Required;
    if (parser.isSet(dpopNonce) && config.dpop == MockServerConfig::DpopMode::Off)
        die(QStringLiteral("--dpop-nonce needs --dpop optional or --dpop required"));
    auto bounded = [&](const QCommandLineOption &option, int minimum, int maximum) {
        const int value = parser.value(option).toInt(&ok);
        if (!ok || value < minimum || value > maximum)
            die(QStringLiteral("--%1 takes %2 to %3")
                    .arg(option.names().constLast())
                    .arg(minimum)
                    .arg(maximum));
        return value;
    };
    config.dpopNonceRotate = std::chrono::seconds(bounded(dpopNonceRotate, 1, 86400));
    config.dpopNonceGrace = std::chrono::seconds(bounded(dpopNonceGrace, 0, 86400));
    config.dpopProofWindow = std::chrono::seconds(bounded(dpopWindow, 1, 3600));
    config.dpopReplayCacheSize = bounded(dpopCache, 1, 10000000);
    config.logRequests = !parser.isSet(quiet);

    MockServer server(config);
    QString error;
    if (!server.start(&error))
        die(error);
    std::printf("listening on %s\n", qPrintable(server.url().toString()));
    if (!server.caCertificateFile().isEmpty())
        std::printf("CA certificate %s\n", qPrintable(server.caCertificateFile()));
    if (config.refreshTransport != MockServerConfig::RefreshTransport::Body
        && server.url().scheme() == QLatin1String("http"))
        std::fprintf(stderr,
                     "silentauth-mock-server: the refresh cookie is marked Secure but this "
                     "server speaks plain http: for tests on loopback only\n");
    std::fflush(stdout);
    return app.exec();
}
