// silentauth-cli as QA and the benchmarks use it: a real process against
// the mock server, its one JSON line of stats, its exit status.
#include "sessionfixture.h"
#include "testserver.h"

#include <silentauth/keychaintokenstore.h>
#include <silentauth/memorytokenstore.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QUuid>
#include <QtTest/QtTest>

#include <signal.h>

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
Run runCli(const QStringList &arguments, const QByteArray &input = {}, int timeoutMs = 60000,
           const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment())
{
    QProcess process;
    process.setProcessEnvironment(environment);
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

// A CLI process the test talks to while it runs: its stderr (--events) is
// collected as it comes, so the test can act at a given point of its run.
struct CliProcess
{
    QProcess process;
    QByteArray errors;

    void start(const QStringList &arguments)
    {
        QObject::connect(&process, &QProcess::readyReadStandardError,
                         [this] { errors += process.readAllStandardError(); });
        process.start(QStringLiteral(CLI_EXECUTABLE), arguments);
        process.closeWriteChannel();
    }

    // Waits for \a text in what the program wrote from \a from on.
    bool waitFor(const QByteArray &text, int timeoutMs, qsizetype from = 0)
    {
        return QTest::qWaitFor([&] { return errors.indexOf(text, from) >= 0; }, timeoutMs);
    }

    Run finish(int timeoutMs)
    {
        Run run;
        if (!QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, timeoutMs)) {
            process.kill();
            process.waitForFinished();
            return run;
        }
        run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        errors += process.readAllStandardError();
        run.errors = errors;
        const QList<QByteArray> lines = process.readAllStandardOutput().trimmed().split('\n');
        run.stats = QJsonDocument::fromJson(lines.last()).object();
        return run;
    }
};

QStringList keychain(const QString &account, const QStringList &more)
{
    return QStringList {QStringLiteral("--keychain"), QStringLiteral("--keychain-account"), account}
    + more;
}

QString newAccount()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

// A new keychain account in which the CLI signed alice in to \a server; empty if it failed.
QString accountSignedIn(MockServer &server)
{
    const QString account = newAccount();
    const Run run = runCli(
        keychain(account,
                 {QStringLiteral("-u"), QStringLiteral("alice"), QStringLiteral("--password"),
                  QStringLiteral("alice-password"), endpoint(server, "/profile").toString()}));
    return run.exitCode == 0 ? account : QString();
}

bool setScenario(MockServer &server, const QString &name, const QJsonObject &parameters = {})
{
    QString error;
    if (!server.setScenario(name, parameters, &error)) {
        qWarning("setting the scenario failed: %s", qPrintable(error));
        return false;
    }
    return true;
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

    // The refresh token in a cookie of another name, as a backend may call it: the
    // session runs on it; told the wrong name, the sign-in is a clear error, not a wrong
    // password.
    void refreshCookieOfAnotherName()
    {
        Mock::MockServerConfig config;
        config.refreshTransport = Mock::MockServerConfig::RefreshTransport::Cookie;
        config.refreshCookieName = "rt";
        auto server = startServer(config);
        QVERIFY(server);
        const QStringList signIn {QStringLiteral("-u"),
                                  QStringLiteral("alice"),
                                  QStringLiteral("--password"),
                                  QStringLiteral("alice-password"),
                                  QStringLiteral("--refresh-transport"),
                                  QStringLiteral("cookie")};
        const Run run = runCli(signIn
                               + QStringList {QStringLiteral("--refresh-cookie"),
                                              QStringLiteral("rt"), QStringLiteral("--sign-out"),
                                              endpoint(*server, "/profile").toString()});
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(value(run, "ok"), 1);
        QCOMPARE(stat(*server, "logouts"), 1);

        const Run wrong = runCli(signIn + QStringList {endpoint(*server, "/profile").toString()});
        QCOMPARE(wrong.exitCode, 3);
        QCOMPARE(wrong.stats.value(QLatin1String("signInError")).toString(),
                 QStringLiteral("MalformedResponse"));
        QVERIFY(!wrong.errors.contains("username or password is wrong"));

        const Run bad
            = runCli(signIn
                     + QStringList {QStringLiteral("--refresh-cookie"), QStringLiteral("a;b"),
                                    endpoint(*server, "/profile").toString()});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY(bad.errors.contains("--refresh-cookie"));
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

    // Without a runtime directory (a cron job, su) Qt warns about where the
    // keychain entry's lock and stamp go: once, not at every refresh.
    void noRuntimeDirectoryWarnsOnce()
    {
        MockServerConfig config;
        config.accessTtl = std::chrono::seconds(1);
        auto server = startServer(config);
        QVERIFY(server);
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove(QStringLiteral("XDG_RUNTIME_DIR"));
        const Run run
            = runCli({QStringLiteral("--keychain"), QStringLiteral("--keychain-account"),
                      QUuid::createUuid().toString(QUuid::WithoutBraces), QStringLiteral("-u"),
                      QStringLiteral("alice"), QStringLiteral("--password"),
                      QStringLiteral("alice-password"), QStringLiteral("--duration"),
                      QStringLiteral("4"), QStringLiteral("--rate"), QStringLiteral("5"),
                      endpoint(*server, "/profile").toString()},
                     {}, 60000, environment);
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(value(run, "refreshes") >= 3, run.errors.constData());
        QCOMPARE(value(run, "failed"), 0);
        QVERIFY2(run.errors.count("XDG_RUNTIME_DIR") <= 1, run.errors.constData());
    }

    // A refresh token that cannot be one ends the program at once with a
    // message that says so; it never waits for a session that will not come.
    void unusableRefreshTokenExitsAtOnce_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QByteArray>("message");
        const QString url = QStringLiteral("http://127.0.0.1:1/profile");
        QTest::newRow("empty") << QStringList {QStringLiteral("--refresh-token"), QString(), url}
                               << QByteArray() << 2
                               << QByteArray("silentauth-cli: --refresh-token is empty");
        QTest::newRow("empty on stdin")
            << QStringList {QStringLiteral("--refresh-token"), QStringLiteral("-"), url}
            << QByteArray("\n") << 2 << QByteArray("silentauth-cli: no refresh token on stdin");
        QTest::newRow("control character")
            << QStringList {QStringLiteral("--refresh-token"), QStringLiteral("abc\tdef"), url}
            << QByteArray() << 3 << QByteArray("characters a token cannot contain");
    }

    void unusableRefreshTokenExitsAtOnce()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QByteArray, input);
        QFETCH(int, exitCode);
        QFETCH(QByteArray, message);
        QElapsedTimer clock;
        clock.start();
        const Run run = runCli(arguments, input, 10000);
        QVERIFY2(clock.elapsed() < 5000, QByteArray::number(clock.elapsed()));
        QCOMPARE(run.exitCode, exitCode);
        QVERIFY2(run.errors.contains(message), run.errors.constData());
    }

    // Restoring while the server cannot be reached: the program gives the
    // server --offline-wait to come back (none by default), then exits 3.
    void restoreGivesUpWhenTheServerStaysAway()
    {
        QElapsedTimer clock;
        clock.start();
        const Run run = runCli({QStringLiteral("--refresh-token"), QStringLiteral("abc"),
                                QStringLiteral("http://127.0.0.1:1/profile")},
                               {}, 10000);
        QVERIFY2(clock.elapsed() < 5000, QByteArray::number(clock.elapsed()));
        QCOMPARE(run.exitCode, 3);
        QCOMPARE(run.stats.value(QLatin1String("signInError")).toString(),
                 QStringLiteral("NetworkError"));
        QVERIFY(run.errors.contains("cannot be reached"));
    }

    // ... and when it comes back within --offline-wait, the run goes ahead:
    // the first restore answer is a 503, the retry a second later succeeds.
    void restoreRecoversWithinOfflineWait()
    {
        auto server = startServer();
        QVERIFY(server);
        const QString account = accountSignedIn(*server);
        QVERIFY(!account.isEmpty());
        const QString url = endpoint(*server, "/profile").toString();
        QVERIFY(setScenario(*server, QStringLiteral("refresh-unavailable"),
                            {{QStringLiteral("count"), 1}}));
        const Run run = runCli(keychain(account,
                                        {QStringLiteral("--offline-wait"), QStringLiteral("10000"),
                                         QStringLiteral("-n"), QStringLiteral("3"), url}));
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(value(run, "ok"), 3);
        QCOMPARE(value(run, "refreshes"), 1);
        QCOMPARE(run.stats.value(QLatin1String("status")).toString(), QStringLiteral("SignedIn"));
        QVERIFY(!run.stats.contains(QLatin1String("signInError")));
    }

    // The server rejects the stored refresh token, when the program restores
    // it or later, during the run. The program exits non-zero only after the
    // session has taken the token out of the keychain: the entry is gone the
    // moment it has exited, and the next program finds no stored session.
    void rejectedTokenIsRemovedBeforeExit_data()
    {
        QTest::addColumn<bool>("duringRun");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("status");
        QTest::newRow("on restore") << false << 3 << QStringLiteral("SignedOut");
        QTest::newRow("during the run") << true << 1 << QStringLiteral("Expired");
    }

    void rejectedTokenIsRemovedBeforeExit()
    {
        QFETCH(bool, duringRun);
        QFETCH(int, exitCode);
        QFETCH(QString, status);
        MockServerConfig config;
        config.accessTtl = std::chrono::seconds(2);
        auto server = startServer(config);
        QVERIFY(server);
        const QString account = accountSignedIn(*server);
        QVERIFY(!account.isEmpty());
        const QString url = endpoint(*server, "/profile").toString();

        CliProcess cli;
        if (!duringRun)
            QVERIFY(setScenario(*server, QStringLiteral("revoked-refresh")));
        cli.start(
            keychain(account,
                     {QStringLiteral("--events"), QStringLiteral("--duration"), QStringLiteral("3"),
                      QStringLiteral("--rate"), QStringLiteral("5"), url}));
        if (duringRun) {
            // Restored; the proactive refresh about a second later is rejected.
            QVERIFY2(cli.waitFor("SessionRestored", 10000), cli.errors.constData());
            QVERIFY(setScenario(*server, QStringLiteral("revoked-refresh")));
        }
        const Run run = cli.finish(30000);
        QCOMPARE(run.exitCode, exitCode);
        QCOMPARE(run.stats.value(QLatin1String("status")).toString(), status);
        QVERIFY2(run.errors.contains("SessionExpired"), run.errors.constData());
        KeychainTokenStore store(QStringLiteral("SilentAuth"), account);
        QCOMPARE(readStore(store).error, TokenStore::Error::NotFound);

        QVERIFY(setScenario(*server, QStringLiteral("normal")));
        const Run next = runCli(keychain(account, {url}));
        QCOMPARE(next.exitCode, 3);
        QCOMPARE(next.stats.value(QLatin1String("signInError")).toString(),
                 QStringLiteral("NoStoredSession"));
        QVERIFY2(next.errors.contains("There is no saved session"), next.errors.constData());
        QCOMPARE(stat(*server, "refreshes", "failed"), 1); // one attempt, then nothing to try
        QCOMPARE(stat(*server, "refreshes", "reuseDetected"), 0);
    }

    // The run ends while a refresh is on the wire: slow-refresh has rotated
    // the token on the server and holds the answer for 6 s. The program
    // waits for it and stores the new token before it exits; leaving at the
    // end of the run would leave a spent token in the keychain, and the next
    // program would be signed out for reusing it. (A request sent during a
    // refresh waits for it, which would hide the case: at 0.2 requests/s the
    // 1 s run sends none and ends on its first tick, 5 s in, while the
    // refresh that started between 0.8 s and 1.8 s is still held.)
    // The same when the program is told to end by a signal (SIGTERM, as a
    // logout or a service manager sends) during the refresh.
    void exitsAfterTheRefreshUnderWayIsStored_data()
    {
        QTest::addColumn<bool>("terminated");
        QTest::newRow("run ends") << false;
        QTest::newRow("SIGTERM") << true;
    }

    void exitsAfterTheRefreshUnderWayIsStored()
    {
        QFETCH(bool, terminated);
        MockServerConfig config;
        config.accessTtl = std::chrono::seconds(2);
        auto server = startServer(config);
        QVERIFY(server);
        const QString account = accountSignedIn(*server);
        QVERIFY(!account.isEmpty());

        CliProcess cli;
        cli.start(keychain(account,
                           {QStringLiteral("--events"), QStringLiteral("--duration"),
                            QString::number(terminated ? 60 : 1), QStringLiteral("--rate"),
                            QStringLiteral("0.2"), endpoint(*server, "/profile").toString()}));
        QVERIFY2(cli.waitFor("SessionRestored", 10000), cli.errors.constData());
        QVERIFY(setScenario(*server, QStringLiteral("slow-refresh"),
                            {{QStringLiteral("delayMs"), 6000}}));
        if (terminated) {
            QVERIFY2(cli.waitFor("RefreshStarted proactive", 10000), cli.errors.constData());
            QTest::qWait(500); // on the wire
            cli.process.terminate();
        }
        const Run run = cli.finish(30000);
        QCOMPARE(run.exitCode, 0);
        if (!terminated) // (a request sent during the refresh waits for it: none here)
            QCOMPARE(value(run, "requests"), 0);
        QVERIFY2(run.errors.contains("RefreshStarted proactive"), run.errors.constData());
        QCOMPARE(run.stats.value(QLatin1String("status")).toString(), QStringLiteral("SignedIn"));
        // Every token the server rotated reached the program.
        QCOMPARE(value(run, "refreshes"), stat(*server, "refreshes", "ok"));

        QVERIFY(setScenario(*server, QStringLiteral("normal")));
        const Run next = runCli(keychain(account, {endpoint(*server, "/profile").toString()}));
        QCOMPARE(next.exitCode, 0);
        QCOMPARE(value(next, "ok"), 1);
        QCOMPARE(stat(*server, "refreshes", "reuseDetected"), 0);
    }

    // A program stopped while its refresh is on the wire (SIGSTOP, a debugger,
    // a frozen cgroup) for longer than the request timeout finds, when it
    // goes on, both its timer overdue and the server's answer in its socket.
    // It takes the answer: giving up on it and asking again would present
    // the spent token, which the server takes for theft.
    void aStoppedProgramTakesTheAnswerWaitingForIt()
    {
        MockServerConfig config;
        config.accessTtl = std::chrono::seconds(2);
        auto server = startServer(config);
        QVERIFY(server);
        const QString account = accountSignedIn(*server);
        QVERIFY(!account.isEmpty());

        CliProcess cli;
        cli.start(keychain(account,
                           {QStringLiteral("--events"), QStringLiteral("--duration"),
                            QStringLiteral("60"), QStringLiteral("--rate"), QStringLiteral("0.2"),
                            QStringLiteral("--auth-timeout"), QStringLiteral("1500"),
                            endpoint(*server, "/profile").toString()}));
        QVERIFY2(cli.waitFor("SessionRestored", 10000), cli.errors.constData());
        const int rotated = stat(*server, "refreshes", "ok");
        QVERIFY(setScenario(*server, QStringLiteral("slow-refresh"),
                            {{QStringLiteral("delayMs"), 400}}));
        QVERIFY2(cli.waitFor("RefreshStarted proactive", 10000), cli.errors.constData());
        QTest::qWait(100); // on the wire, the answer 300 ms away
        const auto pid = pid_t(cli.process.processId());
        QCOMPARE(::kill(pid, SIGSTOP), 0);
        QTest::qWait(3000); // the answer came, and the timeout passed
        QCOMPARE(stat(*server, "refreshes", "ok"), rotated + 1);
        const qsizetype stopped = cli.errors.size();
        QCOMPARE(::kill(pid, SIGCONT), 0);
        QVERIFY(setScenario(*server, QStringLiteral("normal")));
        QVERIFY2(cli.waitFor("RefreshSucceeded", 5000, stopped), cli.errors.constData());
        QTest::qWait(500);
        cli.process.terminate();

        const Run run = cli.finish(30000);
        QCOMPARE(run.exitCode, 0);
        QCOMPARE(run.stats.value(QLatin1String("status")).toString(), QStringLiteral("SignedIn"));
        QCOMPARE(stat(*server, "refreshes", "reuseDetected"), 0);
        QCOMPARE(value(run, "refreshes"), stat(*server, "refreshes", "ok"));
        const Run next = runCli(keychain(account, {endpoint(*server, "/profile").toString()}));
        QCOMPARE(next.exitCode, 0);
        QCOMPARE(value(next, "ok"), 1);
        QCOMPARE(stat(*server, "refreshes", "reuseDetected"), 0);
    }

    // A program stopped in the middle of its refresh keeps the entry's lock.
    // A second program on the entry that waits for that lock longer than it
    // would wait for a working one must not refresh without it: the token in
    // the entry is the one the stopped program already spent. It stays
    // offline, says why, and takes the rotated token once the stopped
    // program goes on and stores it.
    void aProgramDoesNotRefreshPastAStoppedLockHolder()
    {
        MockServerConfig config;
        config.accessTtl = std::chrono::seconds(2);
        auto server = startServer(config);
        QVERIFY(server);
        const QString account = accountSignedIn(*server);
        QVERIFY(!account.isEmpty());
        const QStringList options {
            QStringLiteral("--events"), QStringLiteral("--duration"),
            QStringLiteral("40"),       QStringLiteral("--rate"),
            QStringLiteral("0.5"),      QStringLiteral("--auth-timeout"),
            QStringLiteral("1000"),     QStringLiteral("--offline-wait"),
            QStringLiteral("30000"),    endpoint(*server, "/profile").toString()};

        CliProcess holder;
        holder.start(keychain(account, options));
        QVERIFY2(holder.waitFor("SessionRestored", 10000), holder.errors.constData());
        const int rotated = stat(*server, "refreshes", "ok");
        QVERIFY(setScenario(*server, QStringLiteral("slow-refresh"),
                            {{QStringLiteral("delayMs"), 300}}));
        QVERIFY2(holder.waitFor("RefreshStarted proactive", 10000), holder.errors.constData());
        QTest::qWait(100);
        const auto pid = pid_t(holder.process.processId());
        QCOMPARE(::kill(pid, SIGSTOP), 0);
        // The server rotates the token; the answer waits in the stopped program's socket.
        QVERIFY(
            QTest::qWaitFor([&] { return stat(*server, "refreshes", "ok") == rotated + 1; }, 5000));
        QVERIFY(setScenario(*server, QStringLiteral("normal")));

        // Waits for the lock 5 × 1 s + 2 s, then is offline instead of going on.
        CliProcess other;
        other.start(keychain(account, options));
        QVERIFY2(other.waitFor("RefreshFailed", 15000), other.errors.constData());
        QVERIFY2(other.errors.contains("has not finished"), other.errors.constData());
        QTest::qWait(1500); // retries meanwhile find the lock still held
        QCOMPARE(stat(*server, "refreshes", "reuseDetected"), 0);
        QCOMPARE(stat(*server, "refreshes", "ok"), rotated + 1);

        const qsizetype stopped = holder.errors.size();
        QCOMPARE(::kill(pid, SIGCONT), 0);
        QVERIFY2(holder.waitFor("RefreshSucceeded", 5000, stopped), holder.errors.constData());
        QVERIFY2(other.waitFor("SessionRestored", 10000), other.errors.constData());
        QTest::qWait(3000); // both refresh on, one after the other
        holder.process.terminate();
        other.process.terminate();

        for (CliProcess *cli : {&holder, &other}) {
            const Run run = cli->finish(30000);
            QCOMPARE(run.exitCode, 0);
            QCOMPARE(run.stats.value(QLatin1String("status")).toString(),
                     QStringLiteral("SignedIn"));
        }
        QCOMPARE(stat(*server, "refreshes", "reuseDetected"), 0);
        const Run next = runCli(keychain(account, {endpoint(*server, "/profile").toString()}));
        QCOMPARE(next.exitCode, 0);
        QCOMPARE(value(next, "ok"), 1);
        QCOMPARE(stat(*server, "refreshes", "reuseDetected"), 0);
    }

    // A program restoring while another signs out: the restore's refresh is
    // on the wire (the program stopped there) when the other removes the
    // entry. The restoring program then finds the entry gone, ends, and
    // revokes the token its refresh brought before it exits: nobody holds it.
    void aRestoreThatFindsTheEntryGoneRevokesItsNewToken()
    {
        MockServerConfig config;
        config.accessTtl = std::chrono::seconds(30);
        auto server = startServer(config);
        QVERIFY(server);
        const QString account = accountSignedIn(*server);
        QVERIFY(!account.isEmpty());
        CliProcess leaving;
        leaving.start(
            keychain(account,
                     {QStringLiteral("--duration"), QStringLiteral("4"), QStringLiteral("--rate"),
                      QStringLiteral("2"), QStringLiteral("--auth-timeout"), QStringLiteral("1000"),
                      QStringLiteral("--sign-out"), endpoint(*server, "/profile").toString()}));
        QTest::qWait(1500);
        QVERIFY(setScenario(*server, QStringLiteral("slow-refresh"),
                            {{QStringLiteral("delayMs"), 1500}, {QStringLiteral("count"), 1}}));
        CliProcess restoring;
        restoring.start(keychain(
            account,
            {QStringLiteral("--events"), QStringLiteral("--duration"), QStringLiteral("200"),
             QStringLiteral("--rate"), QStringLiteral("2"), QStringLiteral("--offline-wait"),
             QStringLiteral("30000"), endpoint(*server, "/profile").toString()}));
        QVERIFY2(restoring.waitFor("RefreshStarted", 5000), restoring.errors.constData());
        QTest::qWait(300); // on the wire
        const auto pid = pid_t(restoring.process.processId());
        QCOMPARE(::kill(pid, SIGSTOP), 0);
        const Run left = leaving.finish(60000);
        QCOMPARE(left.exitCode, 0);
        QCOMPARE(::kill(pid, SIGCONT), 0);
        const Run run = restoring.finish(30000);
        QCOMPARE(run.exitCode, 3); // the user signed out
        QCOMPARE(stat(*server, "refreshes", "reuseDetected"), 0);
        QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "liveRefreshTokens"), 0, 3000);
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
