// Several programs, one keychain entry: one sign-in, then N silentauth-cli
// processes restore that same entry and run a steady load against one
// silentauth-mock-server with 2 s access tokens, refresh-token rotation and
// no reuse grace window. A refresh with a token another process has already
// rotated is reuse to the server, which revokes the whole token family; so
// every process stays signed in only if the processes serialise their
// refreshes and adopt the token another one stored (DESIGN.md, hard part 14).
//
// SILENTAUTH_MULTIPROCESS_SECONDS sets the length of the run (default 40).
// The 10-minute goal is run by hand, outside CTest's time limit:
//   SILENTAUTH_MULTIPROCESS_SECONDS=600 scripts/with-keyring
//       build/tests/tst_multiprocess 'sharedEntryStaysSignedIn:5 processes'
#include "httpclient.h"
#include "mockprocess.h"
#include "sessionfixture.h"

#include <silentauth/accounttokenstore.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QUuid>
#include <QtTest/QtTest>

#include <memory>
#include <vector>

using namespace SilentAuth;
using namespace SilentAuth::Test;

namespace {

int runSeconds()
{
    bool ok = false;
    const int seconds = qEnvironmentVariableIntValue("SILENTAUTH_MULTIPROCESS_SECONDS", &ok);
    return ok && seconds > 0 ? seconds : 40;
}

constexpr int accessTtlSeconds = 2;
constexpr int ratePerProcess = 10;

struct Run
{
    int exitCode = -1;
    QJsonObject stats;
    QByteArray errors;

    int value(const char *key) const { return stats.value(QLatin1String(key)).toInt(-1); }
    QByteArray describe(int index) const
    {
        return QByteArray("process ") + QByteArray::number(index) + ": exit "
            + QByteArray::number(exitCode) + ' '
            + QJsonDocument(stats).toJson(QJsonDocument::Compact) + ' ' + errors.left(600);
    }
};

Run collect(QProcess &process)
{
    Run run;
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.errors = process.readAllStandardError();
    const QList<QByteArray> lines = process.readAllStandardOutput().trimmed().split('\n');
    run.stats = QJsonDocument::fromJson(lines.last()).object();
    return run;
}

// Runs the CLI to its end; the event loop keeps every other process's pipes drained.
Run runCli(const QStringList &arguments, const QByteArray &input = {}, int timeoutMs = 60000)
{
    QProcess process;
    process.start(QStringLiteral(CLI_EXECUTABLE), arguments);
    process.write(input);
    process.closeWriteChannel();
    if (!QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return {};
    }
    return collect(process);
}

} // namespace

class TestMultiProcess : public QObject
{
    Q_OBJECT

private:
    HttpClient http;

    static QUrl at(const QUrl &server, const char *path)
    {
        QUrl url = server;
        url.setPath(QString::fromLatin1(path));
        return url;
    }

private Q_SLOTS:
    void sharedEntryStaysSignedIn_data()
    {
        QTest::addColumn<int>("processes");
        QTest::addColumn<bool>("dpop");
        QTest::newRow("2 processes") << 2 << false;
        QTest::newRow("5 processes") << 5 << false;
        // The DPoP key lives beside the token in the entry: every process
        // proves with the key the family is bound to.
        QTest::newRow("2 processes, DPoP") << 2 << true;
    }

    void sharedEntryStaysSignedIn()
    {
        QFETCH(int, processes);
        QFETCH(bool, dpop);
        const int seconds = runSeconds();

        // Rotation is on unless --no-rotate; no grace: a reused token is reuse.
        QProcess server;
        QStringList serverArguments {QStringLiteral("--port"),
                                     QStringLiteral("0"),
                                     QStringLiteral("--quiet"),
                                     QStringLiteral("--access-ttl"),
                                     QStringLiteral("%1s").arg(accessTtlSeconds),
                                     QStringLiteral("--reuse-grace"),
                                     QStringLiteral("0")};
        if (dpop)
            serverArguments << QStringLiteral("--dpop") << QStringLiteral("required");
        const QUrl url
            = startMockProcess(server, QStringLiteral(MOCK_SERVER_EXECUTABLE), serverArguments);
        QVERIFY(url.isValid());
        auto stopServer = qScopeGuard([&server] {
            server.terminate();
            server.waitForFinished(5000);
        });
        const QString profile = at(url, "/profile").toString();
        const QString account = QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QStringList entry = QStringList {QStringLiteral("--keychain"),
                                               QStringLiteral("--keychain-account"), account}
            + (dpop ? QStringList {QStringLiteral("--dpop")} : QStringList {});

        const Run signIn
            = runCli(entry
                         + QStringList {QStringLiteral("-u"), QStringLiteral("alice"),
                                        QStringLiteral("--password"), QStringLiteral("-"), profile},
                     "alice-password\n");
        QVERIFY2(signIn.exitCode == 0, signIn.describe(0).constData());

        std::vector<std::unique_ptr<QProcess>> clients;
        for (int i = 0; i < processes; ++i) {
            auto process = std::make_unique<QProcess>();
            process->start(QStringLiteral(CLI_EXECUTABLE),
                           entry
                               + QStringList {QStringLiteral("--duration"),
                                              QString::number(seconds), QStringLiteral("--rate"),
                                              QString::number(ratePerProcess), QStringLiteral("-c"),
                                              QStringLiteral("4"), profile});
            process->closeWriteChannel();
            clients.push_back(std::move(process));
        }
        const bool allDone = QTest::qWaitFor(
            [&] {
                return std::all_of(clients.begin(), clients.end(), [](const auto &p) {
                    return p->state() == QProcess::NotRunning;
                });
            },
            (seconds + 60) * 1000);
        if (!allDone) {
            for (const auto &process : clients) {
                process->kill();
                process->waitForFinished();
            }
            QFAIL("a process did not finish within a minute after the run");
        }

        // A refresh takes about one tenth of the token's lifetime ahead of
        // expiry, so a process refreshes about every 1.8 s. Far fewer means it
        // did not renew its own access token; far more, a refresh loop.
        const double expected = seconds / (accessTtlSeconds * 0.9);
        int refreshes = 0;
        int requests = 0;
        for (int i = 0; i < processes; ++i) {
            const Run run = collect(*clients[i]);
            const QByteArray why = run.describe(i + 1);
            qInfo("process %d: %d requests, %d failed, %d refreshes, %d 401s caught, %d replays",
                  i + 1, run.value("requests"), run.value("failed"), run.value("refreshes"),
                  run.value("unauthorized"), run.value("replays"));
            QVERIFY2(run.exitCode == 0, why.constData());
            QVERIFY2(run.value("failed") == 0, why.constData());
            QVERIFY2(run.value("ok") > 0 && run.value("ok") == run.value("requests"),
                     why.constData());
            QVERIFY2(run.stats.value(QLatin1String("status")).toString()
                         == QLatin1String("SignedIn"),
                     why.constData());
            QVERIFY2(run.value("refreshes") >= expected / 2
                         && run.value("refreshes") <= expected * 2,
                     why.constData());
            refreshes += run.value("refreshes");
            requests += run.value("requests");
        }

        const QJsonObject stats = http.send("GET", at(url, "/__admin/stats")).json();
        const QJsonObject refreshStats = stats.value(QLatin1String("refreshes")).toObject();
        const QByteArray serverWhy = QJsonDocument(stats).toJson(QJsonDocument::Compact);
        qInfo("%d processes, %d s: %d requests; server: %d refreshes, %d failed, %d reuse "
              "detected, %d 401s sent",
              processes, seconds, requests, refreshStats[QLatin1String("ok")].toInt(),
              refreshStats[QLatin1String("failed")].toInt(),
              refreshStats[QLatin1String("reuseDetected")].toInt(),
              stats[QLatin1String("unauthorizedTotal")].toInt());
        QVERIFY2(!stats.isEmpty(), "no answer from /__admin/stats");
        QCOMPARE(stats[QLatin1String("logins")][QLatin1String("ok")].toInt(), 1);
        // A reuse detection revokes the family: that is the failure this test is about.
        QCOMPARE(refreshStats[QLatin1String("reuseDetected")].toInt(), 0);
        QCOMPARE(refreshStats[QLatin1String("failed")].toInt(), 0);
        QCOMPARE(refreshStats[QLatin1String("graceReplays")].toInt(), 0);
        // Every token the server rotated reached a process and was kept.
        QVERIFY2(refreshStats[QLatin1String("ok")].toInt() == refreshes, serverWhy.constData());
        if (dpop) {
            // Every request and refresh carried a valid proof of the one key.
            const QJsonObject proofs = stats.value(QLatin1String("dpop")).toObject();
            QVERIFY2(proofs.value(QLatin1String("accepted")).toInt() >= requests + refreshes,
                     serverWhy.constData());
            // The one refusal expected: each process's first token request,
            // made before it had the server's nonce (answered by one resend).
            const QJsonObject rejected = proofs.value(QLatin1String("rejected")).toObject();
            QVERIFY2(rejected.value(QLatin1String("nonce_missing")).toInt() <= processes + 1,
                     serverWhy.constData());
            QVERIFY2(proofs.value(QLatin1String("rejectedTotal")).toInt()
                         == rejected.value(QLatin1String("nonce_missing")).toInt(),
                     serverWhy.constData());
        }

        // The entry is still there, and it still works: the next program
        // restores from it without a password.
        const auto store = AccountTokenStore::keychain(QStringLiteral("SilentAuth"), account);
        // The accounts of this server, as silentauth-cli's session selects them.
        QUrl issuer = url;
        issuer.setPath(QString());
        store->selectAccount({issuer.toString(QUrl::FullyEncoded), {}, {}});
        QCOMPARE(store->selectedAccount().subject, QString());
        const TokenStore::Result stored = readStore(*store);
        QCOMPARE(store->selectedAccount().subject, QStringLiteral("alice"));
        QCOMPARE(stored.error, TokenStore::Error::NoError);
        QVERIFY(!stored.token.isEmpty());
        const Run after = runCli(entry + QStringList {profile});
        QVERIFY2(after.exitCode == 0 && after.value("ok") == 1, after.describe(0).constData());
        const QJsonObject end = http.send("GET", at(url, "/__admin/stats")).json();
        QCOMPARE(end[QLatin1String("refreshes")][QLatin1String("reuseDetected")].toInt(), 0);
        QCOMPARE(end[QLatin1String("logins")][QLatin1String("ok")].toInt(), 1);
    }
};

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // QtTest ends a test function after 5 minutes; a long run needs its
    // length and time to start and check.
    if (!qEnvironmentVariableIsSet("QTEST_FUNCTION_TIMEOUT"))
        qputenv("QTEST_FUNCTION_TIMEOUT", QByteArray::number((runSeconds() + 300) * 1000));
    TestMultiProcess test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_multiprocess.moc"
