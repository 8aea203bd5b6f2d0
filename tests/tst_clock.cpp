// Expiry by the wall clock, not only by timers: a laptop that slept through
// its proactive refresh, a clock set forward or back. Through the session's
// clock seam against the in-process mock server, and as processes under
// libfaketime, whose wall clock jumps while the monotonic one does not, as
// across a suspend.
#include "mockprocess.h"
#include "sessionfixture.h"
#include "testserver.h"

#include <silentauth/memorytokenstore.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QProcess>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

using namespace SilentAuth;
using namespace SilentAuth::Test;

namespace {

// A wall clock the test moves.
struct MovableClock
{
    qint64 offsetSeconds = 0;
    std::function<QDateTime()> function()
    {
        return [this] { return QDateTime::currentDateTimeUtc().addSecs(offsetSeconds); };
    }
};

} // namespace

class TestClock : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The machine slept for two hours: the token expired meanwhile (the
    // server agrees), the proactive timer has not fired yet. The first
    // request renews first and goes out once, with the new token.
    void requestAfterASleepRenewsFirst()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        Client c = makeClient(*server, &store);
        MovableClock clock;
        c.session->setClock(clock.function());
        QVERIFY(signIn(*c.session));
        clock.offsetSeconds = 2 * 3600;
        QVERIFY(expireNow(*server));
        QNetworkReply *reply = get(*c.manager, *server, "/profile");
        QVERIFY(waitFinished(reply));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        delete reply;
        QCOMPARE(stat(*server, "unauthorizedTotal"), 0);
        QCOMPARE(stat(*server, "refreshes", "ok"), 1);
        QCOMPARE(c.session->replayCount(), 0);
        // The new token's expiry is read by the same (moved) clock: no loop.
        QVERIFY(c.session->accessTokenExpiry() > clock.function()().addSecs(3000));
        reply = get(*c.manager, *server, "/profile");
        QVERIFY(waitFinished(reply));
        delete reply;
        QCOMPARE(stat(*server, "refreshes", "ok"), 1);
    }

    // Idle, and the wall clock moved on further than the monotonic one: the
    // session notices within a few seconds and renews without a request.
    void idleSessionRenewsOnResume()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        Client c = makeClient(*server, &store);
        MovableClock clock;
        c.session->setClock(clock.function());
        QVERIFY(signIn(*c.session));
        clock.offsetSeconds = 2 * 3600;
        QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "refreshes", "ok"), 1, 8000);
        // The server has answered; the session takes the answer in a moment.
        QTRY_COMPARE_WITH_TIMEOUT(c.session->status(), Session::Status::SignedIn, 5000);
        QCOMPARE(c.session->refreshCount(), 1);
        QCOMPARE(stat(*server, "unauthorizedTotal"), 0);
    }

    // A clock set back: nothing is due early, nothing loops, nothing signs
    // out; the token is used as before.
    void clockSetBackChangesNothing()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        Client c = makeClient(*server, &store);
        MovableClock clock;
        c.session->setClock(clock.function());
        QVERIFY(signIn(*c.session));
        clock.offsetSeconds = -2 * 3600;
        QTest::qWait(6000); // past a check of the clocks
        QNetworkReply *reply = get(*c.manager, *server, "/profile");
        QVERIFY(waitFinished(reply));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        delete reply;
        QCOMPARE(stat(*server, "refreshes", "ok"), 0);
        QCOMPARE(c.session->status(), Session::Status::SignedIn);
    }

#ifdef CLI_EXECUTABLE
    // The mock server and silentauth-cli under libfaketime with one clock
    // file: the CLI signs in, stays idle, and while it does the wall clock of
    // both jumps two hours ahead (the monotonic clock does not, as across a
    // suspend). Its requests then go out with a renewed token: no 401.
    void processesAcrossAWallClockJump()
    {
        const QString faketime = QStandardPaths::findExecutable(QStringLiteral("faketime"));
        if (faketime.isEmpty())
            QFAIL("faketime is missing: scripts/install-deps installs it");
        QString library;
        for (const char *candidate : {"/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
                                      "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"}) {
            if (QFile::exists(QLatin1String(candidate)))
                library = QLatin1String(candidate);
        }
        QVERIFY2(!library.isEmpty(), "libfaketime.so.1 not found");
        QTemporaryDir dir;
        const QString clockFile = dir.filePath(QStringLiteral("clock"));
        auto setClock = [&clockFile](const QByteArray &spec) {
            QFile file(clockFile);
            return file.open(QIODevice::WriteOnly) && file.write(spec + '\n') > 0;
        };
        QVERIFY(setClock("+0"));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LD_PRELOAD"), library);
        env.insert(QStringLiteral("FAKETIME_TIMESTAMP_FILE"), clockFile);
        env.insert(QStringLiteral("FAKETIME_NO_CACHE"), QStringLiteral("1"));
        env.insert(QStringLiteral("FAKETIME_DONT_FAKE_MONOTONIC"), QStringLiteral("1"));
        // Under AddressSanitizer, libfaketime is preloaded before its runtime.
        // Once the clock is moved, libfaketime (0.9.10) makes every timed
        // wait on a monotonic condition return at once: QThread::wait(5 s) in
        // ~QNetworkAccessManager gives up on its HTTP thread and leaves it to
        // a deleteLater() that never runs, which LeakSanitizer reports at
        // exit. Leaks are checked in every other run of these programs.
        const QString asan = env.value(QStringLiteral("ASAN_OPTIONS"));
        env.insert(QStringLiteral("ASAN_OPTIONS"),
                   asan + (asan.isEmpty() ? QString() : QStringLiteral(":"))
                       + QStringLiteral("verify_asan_link_order=0:detect_leaks=0"));

        QProcess server;
        server.setProcessEnvironment(env);
        const QUrl url = startMockProcess(server, QStringLiteral(MOCK_SERVER_EXECUTABLE),
                                          {QStringLiteral("--port"), QStringLiteral("0"),
                                           QStringLiteral("--quiet"),
                                           QStringLiteral("--access-ttl"), QStringLiteral("1h")});
        QVERIFY(url.isValid());
        auto stop = qScopeGuard([&server] {
            server.terminate();
            server.waitForFinished(5000);
        });
        QUrl profile = url;
        profile.setPath(QStringLiteral("/profile"));
        QProcess cli;
        cli.setProcessEnvironment(env);
        cli.start(QStringLiteral(CLI_EXECUTABLE),
                  {QStringLiteral("-u"), QStringLiteral("alice"), QStringLiteral("--password"),
                   QStringLiteral("alice-password"), QStringLiteral("--idle"), QStringLiteral("4"),
                   QStringLiteral("-n"), QStringLiteral("5"), profile.toString()});
        QVERIFY(cli.waitForStarted(5000));
        QTest::qWait(2000); // signed in, idle
        QVERIFY(setClock("+2h"));
        QVERIFY(cli.waitForFinished(30000));
        const QJsonObject stats = QJsonDocument::fromJson(cli.readAllStandardOutput()).object();
        const QByteArray why
            = QJsonDocument(stats).toJson(QJsonDocument::Compact) + cli.readAllStandardError();
        QVERIFY2(cli.exitCode() == 0, why.constData());
        QVERIFY2(stats.value(QLatin1String("ok")).toInt() == 5, why.constData());
        QVERIFY2(stats.value(QLatin1String("unauthorized")).toInt() == 0, why.constData());
        QVERIFY2(stats.value(QLatin1String("refreshes")).toInt() == 1, why.constData());
    }
#endif
};

QTEST_GUILESS_MAIN(TestClock)
#include "tst_clock.moc"
