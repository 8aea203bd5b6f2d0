// What the interceptor costs, measured side by side in one run against the
// silentauth-mock-server executable (its own process, so the server does not
// share the client's event loop):
//
//  overhead  N GETs of /profile, C in flight, through a plain
//            QNetworkAccessManager that sets the Bearer header itself and
//            through AuthNetworkAccessManager; rounds alternate, medians.
//  storm     S GETs sent at once with an access token the server has just
//            stopped accepting (scenario expire-now): S 401s, exactly one
//            refresh, S replays; against the same S GETs with a valid token.
//  dpop      (with --dpop; the server runs with --dpop optional) N GETs of
//            /profile, C in flight, through AuthNetworkAccessManager with a
//            bearer token and with a DPoP-bound one (a proof signed for every
//            request, verified by the server); rounds alternate, medians.
//
// --transport https runs all of it over TLS to the server (HTTP/1.1), and
// --transport h2 through an HTTP/2 front (nghttpx) over TLS: the clients
// multiplex on one connection, the server behind it is unchanged.
//
// Prints a table. Exits 1 when a request failed or a storm took other than
// one refresh: the figures are reported, the counts are checked.
#include "http2front.h"
#include "httpclient.h"
#include "mockprocess.h"

#include <silentauth/authnetworkaccessmanager.h>
#include <silentauth/jsonauthprotocol.h>
#include <silentauth/memorytokenstore.h>
#include <silentauth/session.h>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtCore/QTemporaryDir>
#include <QtCore/QTimer>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QSslConfiguration>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>

#include <unistd.h>

using namespace SilentAuth;
using namespace SilentAuth::Test;

namespace {

struct Run
{
    qint64 elapsedMs = 0;
    int failed = 0;
};

// Sends \a total requests made by \a send, \a inFlight at a time.
Run drive(const std::function<QNetworkReply *()> &send, int total, int inFlight)
{
    QEventLoop loop;
    QElapsedTimer clock;
    Run run;
    int issued = 0;
    int finished = 0;
    std::function<void()> issue = [&] {
        ++issued;
        QNetworkReply *reply = send();
        QObject::connect(reply, &QNetworkReply::finished, &loop, [&, reply] {
            if (reply->error() != QNetworkReply::NoError
                || reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 200)
                ++run.failed;
            reply->readAll();
            reply->deleteLater();
            if (++finished == total)
                loop.quit();
            else if (issued < total)
                issue();
        });
    };
    clock.start();
    for (int i = 0; i < std::min(total, inFlight); ++i)
        issue();
    loop.exec();
    run.elapsedMs = std::max<qint64>(clock.elapsed(), 1);
    return run;
}

// CPU time (user and system) of this process so far, all its threads.
double ownCpuUs()
{
    return std::clock() * 1e6 / CLOCKS_PER_SEC;
}

// CPU time (user and system) of another process so far, from /proc.
double processCpuUs(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray line = stat.readAll();
    // After "pid (comm) ": state is field 3, utime 14 and stime 15.
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    if (fields.size() < 13)
        return 0;
    const double ticks = fields.at(11).toDouble() + fields.at(12).toDouble();
    return ticks * 1e6 / double(sysconf(_SC_CLK_TCK));
}

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    const auto n = values.size();
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

QUrl at(const QUrl &server, const char *path)
{
    QUrl url = server;
    url.setPath(QString::fromLatin1(path));
    return url;
}

bool waitFor(const std::function<bool()> &done, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!done() && clock.elapsed() < timeoutMs)
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    return done();
}

int unauthorizedAtServer(HttpClient &http, const QUrl &server)
{
    return http.send("GET", at(server, "/__admin/stats"))
        .json()[QLatin1String("unauthorizedTotal")]
        .toInt();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Interceptor overhead and 401-storm benchmark against the mock server."));
    parser.addHelpOption();
    const QCommandLineOption serverOption(QStringLiteral("mock-server"),
                                          QStringLiteral("The silentauth-mock-server executable."),
                                          QStringLiteral("path"));
    const QCommandLineOption requestsOption(QStringLiteral("requests"),
                                            QStringLiteral("GETs per overhead round."),
                                            QStringLiteral("n"), QStringLiteral("5000"));
    const QCommandLineOption concurrencyOption(QStringLiteral("concurrency"),
                                               QStringLiteral("Requests in flight."),
                                               QStringLiteral("n"), QStringLiteral("50"));
    const QCommandLineOption stormOption(QStringLiteral("storm"),
                                         QStringLiteral("Requests sent at once in a storm."),
                                         QStringLiteral("n"), QStringLiteral("500"));
    const QCommandLineOption roundsOption(QStringLiteral("rounds"),
                                          QStringLiteral("Rounds of each measurement."),
                                          QStringLiteral("n"), QStringLiteral("5"));
    const QCommandLineOption dpopOption(
        QStringLiteral("dpop"), QStringLiteral("Also measure DPoP-bound against bearer tokens."));
    const QCommandLineOption transportOption(
        QStringLiteral("transport"),
        QStringLiteral("http (default), https (TLS, HTTP/1.1) or h2 (TLS through nghttpx)."),
        QStringLiteral("kind"), QStringLiteral("http"));
    const QCommandLineOption windowOption(
        QStringLiteral("window"),
        QStringLiteral("AuthNetworkAccessManager::setRequestWindow() (default: its own)."),
        QStringLiteral("n"));
    parser.addOptions({serverOption, requestsOption, concurrencyOption, stormOption, roundsOption,
                       dpopOption, transportOption, windowOption});
    parser.process(app);
    if (!parser.isSet(serverOption)) {
        std::fprintf(stderr, "bench_net: --mock-server PATH is required\n");
        return 2;
    }
    const int requests = parser.value(requestsOption).toInt();
    const int concurrency = parser.value(concurrencyOption).toInt();
    const int storm = parser.value(stormOption).toInt();
    const int rounds = parser.value(roundsOption).toInt();
    const bool dpop = parser.isSet(dpopOption);
    const QString transport = parser.value(transportOption);
    if (transport != QLatin1String("http") && transport != QLatin1String("https")
        && transport != QLatin1String("h2")) {
        std::fprintf(stderr, "bench_net: --transport is http, https or h2\n");
        return 2;
    }
    if (dpop && transport != QLatin1String("http")) {
        // The server checks a proof's htu against its own address, not the front's.
        std::fprintf(stderr, "bench_net: --dpop runs with --transport http\n");
        return 2;
    }
    if (requests < 1 || concurrency < 1 || storm < 1 || rounds < 1) {
        std::fprintf(stderr, "bench_net: counts must be positive\n");
        return 2;
    }

    QTemporaryDir tls;
    QProcess serverProcess;
    QStringList serverArguments {QStringLiteral("--port"), QStringLiteral("0"),
                                 QStringLiteral("--access-ttl"), QStringLiteral("1h")};
    if (dpop)
        serverArguments << QStringLiteral("--dpop") << QStringLiteral("optional");
    const QUrl server
        = startMockProcess(serverProcess, parser.value(serverOption), serverArguments, true);
    if (!server.isValid()) {
        std::fprintf(stderr, "bench_net: the mock server did not start\n");
        return 1;
    }
    // The clients talk to base; the admin calls go to the server itself.
    QUrl base = server;
    std::unique_ptr<Http2Front> front;
    QProcess certificateMaker;
    if (transport != QLatin1String("http")) {
        // A CA and a certificate for 127.0.0.1, made by a mock server started
        // for that; trusted the way an application trusts a private CA.
        if (!tls.isValid()
            || !startMockProcess(certificateMaker, parser.value(serverOption),
                                 {QStringLiteral("--port"), QStringLiteral("0"),
                                  QStringLiteral("--tls-self-signed"), tls.path()},
                                 true)
                    .isValid()) {
            std::fprintf(stderr, "bench_net: no TLS certificate\n");
            return 1;
        }
        certificateMaker.terminate();
        certificateMaker.waitForFinished(5000);
        QSslConfiguration trusted = QSslConfiguration::defaultConfiguration();
        trusted.addCaCertificates(tls.filePath(QStringLiteral("ca.pem")));
        QSslConfiguration::setDefaultConfiguration(trusted);
        front = std::make_unique<Http2Front>();
        if (!front->start(quint16(server.port()), tls.filePath(QStringLiteral("server-key.pem")),
                          tls.filePath(QStringLiteral("server.pem")))) {
            std::fprintf(stderr, "bench_net: the HTTP/2 front did not start\n");
            return 1;
        }
        base = front->tlsUrl();
    }
    std::printf("transport: %s\n", qPrintable(transport));

    // The plain client signs in by hand and sets the header itself.
    HttpClient http;
    const QByteArray token
        = http.postJson(at(server, "/auth/login"),
                        {{QStringLiteral("username"), QStringLiteral("bob")},
                         {QStringLiteral("password"), QStringLiteral("bob-password")}})
              .json()[QLatin1String("accessToken")]
              .toString()
              .toLatin1();
    QNetworkAccessManager plain;
    QNetworkRequest plainRequest(at(base, "/profile"));
    plainRequest.setRawHeader("Authorization", "Bearer " + token);

    MemoryTokenStore store;
    Session session(std::make_unique<JsonAuthProtocol>(base), &store);
    AuthNetworkAccessManager intercepted(&session);
    if (parser.isSet(windowOption))
        intercepted.setRequestWindow(parser.value(windowOption).toInt());
    std::printf("request window: %d\n\n", intercepted.requestWindow());
    session.signIn(QStringLiteral("alice"), QStringLiteral("alice-password"));
    if (token.isEmpty()
        || !waitFor([&] { return session.status() == Session::Status::SignedIn; }, 10000)) {
        std::fprintf(stderr, "bench_net: could not sign in\n");
        return 1;
    }
    QNetworkRequest authRequest(at(base, "/profile"));
    if (transport == QLatin1String("https")) {
        // HTTP/1.1 over TLS: ALPN would otherwise pick h2 where it is offered.
        plainRequest.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
        authRequest.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    }
    const auto sendPlain = [&] { return plain.get(plainRequest); };
    const auto sendAuth = [&] { return intercepted.get(authRequest); };

    int failures = 0;
    // Warm both managers' connection pools and the server.
    failures
        += drive(sendPlain, 200, concurrency).failed + drive(sendAuth, 200, concurrency).failed;

    // Which protocol the two managers really used.
    for (const auto &[name, send] :
         {std::pair<const char *, std::function<QNetworkReply *()>> {"plain", sendPlain},
          {"auth", sendAuth}}) {
        QNetworkReply *probe = send();
        waitFor([probe] { return probe->isFinished(); }, 10000);
        std::printf("%s manager: %s%s\n", name,
                    probe->attribute(QNetworkRequest::Http2WasUsedAttribute).toBool() ? "HTTP/2"
                                                                                      : "HTTP/1.1",
                    probe->attribute(QNetworkRequest::ConnectionEncryptedAttribute).toBool()
                        ? " over TLS"
                        : "");
        delete probe;
    }
    std::printf("\n");

    std::printf("overhead: %d GETs /profile, %d in flight, %d rounds\n", requests, concurrency,
                rounds);
    // Throughput on loopback is bound by CPU, and the two share it with the
    // server: the client's CPU time per request (all its threads) is the
    // steadier measure of what the interceptor adds.
    std::printf("%-6s %10s %10s %7s %12s %12s %9s\n", "round", "plain r/s", "auth r/s", "ratio",
                "plain cpu us", "auth cpu us", "cpu ratio");
    QList<double> plainRates, authRates, overheadRatios, plainCpu, authCpu, cpuRatios;
    for (int round = 1; round <= rounds; ++round) {
        const double cpu0 = ownCpuUs();
        const Run a = drive(sendPlain, requests, concurrency);
        const double cpu1 = ownCpuUs();
        const Run b = drive(sendAuth, requests, concurrency);
        const double cpu2 = ownCpuUs();
        failures += a.failed + b.failed;
        const double plainRate = requests * 1000.0 / a.elapsedMs;
        const double authRate = requests * 1000.0 / b.elapsedMs;
        plainRates << plainRate;
        authRates << authRate;
        overheadRatios << authRate / plainRate;
        plainCpu << (cpu1 - cpu0) / requests;
        authCpu << (cpu2 - cpu1) / requests;
        cpuRatios << plainCpu.last() / authCpu.last();
        std::printf("%-6d %10.0f %10.0f %7.3f %12.1f %12.1f %9.3f\n", round, plainRate, authRate,
                    authRate / plainRate, plainCpu.last(), authCpu.last(), cpuRatios.last());
    }
    std::printf("%-6s %10.0f %10.0f %7.3f %12.1f %12.1f %9.3f\n\n", "median", median(plainRates),
                median(authRates), median(overheadRatios), median(plainCpu), median(authCpu),
                median(cpuRatios));

    if (dpop) {
        MemoryTokenStore boundStore;
        Session boundSession(std::make_unique<JsonAuthProtocol>(base), &boundStore);
        boundSession.setProofOfPossession(true);
        AuthNetworkAccessManager bound(&boundSession);
        boundSession.signIn(QStringLiteral("bob"), QStringLiteral("bob-password"));
        if (!waitFor([&] { return boundSession.status() == Session::Status::SignedIn; }, 10000)
            || !boundSession.isAccessTokenBound()) {
            std::fprintf(stderr, "bench_net: could not sign in with DPoP\n");
            return 1;
        }
        const auto sendBound = [&] { return bound.get(authRequest); };
        failures += drive(sendBound, 200, concurrency).failed;
        std::printf("dpop: %d GETs /profile, %d in flight, %d rounds\n", requests, concurrency,
                    rounds);
        // The server verifies every proof in its own process: the client's
        // share is its CPU time per request (this process only).
        std::printf("%-6s %10s %10s %7s %12s %12s %12s %12s\n", "round", "bearer r/s", "dpop r/s",
                    "ratio", "client b us", "client d us", "server b us", "server d us");
        QList<double> bearerRates, dpopRates, dpopRatios, bearerCpu, dpopCpu, serverBearerCpu,
            serverDpopCpu;
        const qint64 serverPid = serverProcess.processId();
        for (int round = 1; round <= rounds; ++round) {
            const double cpu0 = ownCpuUs(), server0 = processCpuUs(serverPid);
            const Run a = drive(sendAuth, requests, concurrency);
            const double cpu1 = ownCpuUs(), server1 = processCpuUs(serverPid);
            const Run b = drive(sendBound, requests, concurrency);
            const double cpu2 = ownCpuUs(), server2 = processCpuUs(serverPid);
            failures += a.failed + b.failed;
            const double bearerRate = requests * 1000.0 / a.elapsedMs;
            const double dpopRate = requests * 1000.0 / b.elapsedMs;
            bearerRates << bearerRate;
            dpopRates << dpopRate;
            dpopRatios << dpopRate / bearerRate;
            bearerCpu << (cpu1 - cpu0) / requests;
            dpopCpu << (cpu2 - cpu1) / requests;
            serverBearerCpu << (server1 - server0) / requests;
            serverDpopCpu << (server2 - server1) / requests;
            std::printf("%-6d %10.0f %10.0f %7.3f %12.1f %12.1f %12.1f %12.1f\n", round, bearerRate,
                        dpopRate, dpopRate / bearerRate, bearerCpu.last(), dpopCpu.last(),
                        serverBearerCpu.last(), serverDpopCpu.last());
        }
        std::printf("%-6s %10.0f %10.0f %7.3f %12.1f %12.1f %12.1f %12.1f\n\n", "median",
                    median(bearerRates), median(dpopRates), median(dpopRatios), median(bearerCpu),
                    median(dpopCpu), median(serverBearerCpu), median(serverDpopCpu));
    }

    std::printf("storm: %d GETs sent at once, %d rounds\n", storm, rounds);
    std::printf("%-6s %10s %11s %7s %10s %8s %8s\n", "round", "valid ms", "expired ms", "ratio",
                "refreshes", "401s", "replays");
    QList<double> stormRatios;
    bool oneRefreshEach = true;
    for (int round = 1; round <= rounds; ++round) {
        const Run valid = drive(sendAuth, storm, storm);
        const auto scenario
            = http.postJson(at(server, "/__admin/scenario"),
                            {{QStringLiteral("name"), QStringLiteral("expire-now")}});
        if (scenario.status != 200) {
            std::fprintf(stderr, "bench_net: expire-now refused: %s\n", scenario.body.constData());
            return 1;
        }
        const int refreshesBefore = session.refreshCount();
        const int replaysBefore = session.replayCount();
        const int unauthorizedBefore = unauthorizedAtServer(http, server);
        const Run expired = drive(sendAuth, storm, storm);
        const int refreshes = session.refreshCount() - refreshesBefore;
        const int replays = session.replayCount() - replaysBefore;
        const int unauthorized = unauthorizedAtServer(http, server) - unauthorizedBefore;
        failures += valid.failed + expired.failed;
        oneRefreshEach = oneRefreshEach && refreshes == 1;
        const double ratio = double(expired.elapsedMs) / valid.elapsedMs;
        stormRatios << ratio;
        std::printf("%-6d %10lld %11lld %7.2f %10d %8d %8d\n", round,
                    static_cast<long long>(valid.elapsedMs),
                    static_cast<long long>(expired.elapsedMs), ratio, refreshes, unauthorized,
                    replays);
    }
    std::printf("%-6s %10s %11s %7.2f\n\n", "median", "", "", median(stormRatios));
    std::printf("failed requests: %d\n", failures);

    front.reset(); // its connections to the server go first
    serverProcess.terminate();
    if (!serverProcess.waitForFinished(5000))
        serverProcess.kill();
    serverProcess.waitForFinished(2000);
    if (failures > 0 || !oneRefreshEach) {
        std::fprintf(stderr, "bench_net: %s\n",
                     failures > 0 ? "requests failed" : "a storm took other than one refresh");
        return 1;
    }
    return 0;
}
