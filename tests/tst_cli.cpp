// silentauth-cli as QA and the benchmarks use it: a real process against
// the mock server, its one JSON line of stats, its exit status.
#include "sessionfixture.h"
#include "testserver.h"

#include <silentauth/memorytokenstore.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QUuid>
#include <QtTest/QtTest>

using namespace SilentAuth;
using namespace SilentAuth::Test;
using SilentAuth::Mock::MockServer;
using SilentAuth::Mock::MockServerConfig;

namespace {

struct Run
{
    int exitCode = -1;
    QJsonObject stats;
    QByteArray errors;
};

// Runs the CLI without blocking the event loop the in-process server needs.
Run runCli(const QStringList &arguments, const QByteArray &input = {}, int timeoutMs = 60000)
{
    QProcess process;
    process.start(QStringLiteral(CLI_EXECUTABLE), arguments);
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    QElapsedTimer clock;
    clock.start();
    while (process.state() != QProcess::NotRunning && clock.elapsed() < timeoutMs)
        QTest::qWait(20);
    Run run;
    if (process.state() != QProcess::NotRunning) {
        process.kill();
        process.waitForFinished();
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.errors = process.readAllStandardError();
    const QList<QByteArray> lines = process.readAllStandardOutput().trimmed().split('\n');
    run.stats = QJsonDocument::fromJson(lines.last()).object();
    return run;
}

int value(const Run &run, const char *key)
{
    return run.stats.value(QLatin1String(key)).toInt(-1);
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void signInRunSignOut()
    {
        auto server = startServer();
        QVERIFY(server);
        const Run run
            = runCli({QStringLiteral("-u"), QStringLiteral("alice"), QStringLiteral("--password"),
                      QStringLiteral("alice-password"), QStringLiteral("-n"), QStringLiteral("300"),
                      QStringLiteral("-c"), QStringLiteral("30"), QStringLiteral("--sign-out"),
                      endpoint(*server, "/boards").toString()});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(value(run, "requests"), 300);
        QCOMPARE(value(run, "ok"), 300);
        QCOMPARE(value(run, "failed"), 0);
        QCOMPARE(value(run, "unauthorized"), 0);
        QCOMPARE(run.stats.value(QLatin1String("status")).toString(), QStringLiteral("SignedOut"));
        QCOMPARE(stat(*server, "logouts"), 1);
        QCOMPARE(stat(*server, "routes", "GET /boards"), 300);
    }

    void postsTheBodyGiven()
    {
        auto server = startServer();
        QVERIFY(server);
        const Run run = runCli({QStringLiteral("-u"), QStringLiteral("bob"),
                                QStringLiteral("--password"), QStringLiteral("-"),
                                QStringLiteral("-X"), QStringLiteral("PUT"), QStringLiteral("-d"),
                                QStringLiteral("{\"x\":1}"), endpoint(*server, "/echo").toString()},
                               "bob-password\n");
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(value(run, "ok"), 1);
        QCOMPARE(stat(*server, "routes", "PUT /echo"), 1);
    }

    void wrongPasswordExitsThree()
    {
        auto server = startServer();
        QVERIFY(server);
        const Run run
            = runCli({QStringLiteral("-u"), QStringLiteral("alice"), QStringLiteral("--password"),
                      QStringLiteral("nope"), endpoint(*server, "/profile").toString()});
        QCOMPARE(run.exitCode, 3);
        QCOMPARE(run.stats.value(QLatin1String("signInError")).toString(),
                 QStringLiteral("InvalidCredentials"));
        QVERIFY(run.errors.contains("username or password is wrong"));
        QVERIFY(!run.errors.contains("nope"));
    }

    void badUsageExitsTwo_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("no url") << QStringList {QStringLiteral("-u"), QStringLiteral("alice")};
        QTest::newRow("no credentials") << QStringList {QStringLiteral("http://127.0.0.1:1/")};
        QTest::newRow("bad count")
            << QStringList {QStringLiteral("-n"), QStringLiteral("many"), QStringLiteral("-u"),
                            QStringLiteral("a"), QStringLiteral("http://127.0.0.1:1/")};
        QTest::newRow("oauth2 without token url") << QStringList {
            QStringLiteral("--protocol"), QStringLiteral("oauth2"), QStringLiteral("-u"),
            QStringLiteral("a"), QStringLiteral("http://127.0.0.1:1/")};
    }

    void badUsageExitsTwo()
    {
        QFETCH(QStringList, arguments);
        const Run run = runCli(arguments);
        QCOMPARE(run.exitCode, 2);
        QVERIFY(run.errors.startsWith("silentauth-cli: "));
    }

    void unreachableServerFailsClearly()
    {
        const Run run
            = runCli({QStringLiteral("-u"), QStringLiteral("alice"), QStringLiteral("--password"),
                      QStringLiteral("x"), QStringLiteral("http://127.0.0.1:1/profile")});
        QCOMPARE(run.exitCode, 3);
        QCOMPARE(run.stats.value(QLatin1String("signInError")).toString(),
                 QStringLiteral("NetworkError"));
        QVERIFY(run.errors.contains("cannot be reached"));
    }

    // A refresh token obtained elsewhere, handed over on stdin (never argv,
    // where other users could see it).
    void refreshTokenOnStdin()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session, QStringLiteral("bob")));
        const QByteArray token = readStore(store).token;
        QVERIFY(!token.isEmpty());
        const Run run = runCli({QStringLiteral("--refresh-token"), QStringLiteral("-"),
                                endpoint(*server, "/profile").toString()},
                               token + '\n');
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(value(run, "ok"), 1);
        QCOMPARE(value(run, "refreshes"), 1);
        QCOMPARE(stat(*server, "logins", "ok"), 1);
        QVERIFY(!run.errors.contains(token));
    }

    // OAuth 2.0 with a confidential client (client_secret_post).
    void oauthConfidentialClient()
    {
        auto server = startServer();
        QVERIFY(server);
        const Run first
            = runCli({QStringLiteral("--protocol"), QStringLiteral("oauth2"),
                      QStringLiteral("--token-url"), endpoint(*server, "/oauth/token").toString(),
                      QStringLiteral("--client-id"), QStringLiteral("silentauth-service"),
                      QStringLiteral("--client-secret"), QStringLiteral("service-secret"),
                      QStringLiteral("--client-auth"), QStringLiteral("post"), QStringLiteral("-u"),
                      QStringLiteral("alice"), QStringLiteral("--password"),
                      QStringLiteral("alice-password"), endpoint(*server, "/profile").toString()});
        QCOMPARE(first.exitCode, 0);
        QCOMPARE(value(first, "ok"), 1);
        QCOMPARE(stat(*server, "logins", "ok"), 1);
    }

    // The keychain keeps the session between two processes: the second one
    // restores silently, no password.
    void keychainRestoresAcrossProcesses()
    {
        auto server = startServer();
        QVERIFY(server);
        const QString account = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString url = endpoint(*server, "/profile").toString();
        const Run first
            = runCli({QStringLiteral("--keychain"), QStringLiteral("--keychain-account"), account,
                      QStringLiteral("-u"), QStringLiteral("alice"), QStringLiteral("--password"),
                      QStringLiteral("alice-password"), url});
        QCOMPARE(first.exitCode, 0);
        const Run second = runCli(
            {QStringLiteral("--keychain"), QStringLiteral("--keychain-account"), account, url});
        QCOMPARE(second.exitCode, 0);
        QCOMPARE(value(second, "ok"), 1);
        QCOMPARE(value(second, "refreshes"), 1);
        QCOMPARE(stat(*server, "logins", "ok"), 1);
        // Rotated on restore; the third process needs the token the second stored.
        const Run third
            = runCli({QStringLiteral("--keychain"), QStringLiteral("--keychain-account"), account,
                      QStringLiteral("--sign-out"), url});
        QCOMPARE(third.exitCode, 0);
        QCOMPARE(stat(*server, "refreshes", "reuseDetected"), 0);
        const Run fourth = runCli(
            {QStringLiteral("--keychain"), QStringLiteral("--keychain-account"), account, url});
        QCOMPARE(fourth.exitCode, 3);
        QCOMPARE(fourth.stats.value(QLatin1String("signInError")).toString(),
                 QStringLiteral("NoStoredSession"));
    }

    // A steady session with a 2 s access token: 30 s at 20 requests/s sees no
    // 401 at all, because every refresh happens ahead of expiry.
    void proactiveRefreshMeansNo401()
    {
        MockServerConfig config;
        config.accessTtl = std::chrono::seconds(2);
        auto server = startServer(config);
        QVERIFY(server);
        const Run run = runCli(
            {QStringLiteral("-u"), QStringLiteral("alice"), QStringLiteral("--password"),
             QStringLiteral("alice-password"), QStringLiteral("--duration"), QStringLiteral("30"),
             QStringLiteral("--rate"), QStringLiteral("20"), QStringLiteral("-c"),
             QStringLiteral("10"), endpoint(*server, "/profile").toString()},
            {}, 90000);
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(value(run, "failed"), 0);
        QCOMPARE(value(run, "unauthorized"), 0);
        QCOMPARE(stat(*server, "unauthorizedTotal"), 0);
        QVERIFY2(value(run, "ok") >= 500, QByteArray::number(value(run, "ok")));
        // 30 s of 2 s tokens: about one refresh every 1.8 s.
        const int refreshes = value(run, "refreshes");
        QVERIFY2(refreshes >= 14 && refreshes <= 30, QByteArray::number(refreshes));
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
