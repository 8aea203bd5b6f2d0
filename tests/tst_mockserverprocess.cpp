// The silentauth-mock-server executable as QA runs it.
#include "httpclient.h"
#include "mockprocess.h"

#include <QtCore/QProcess>
#include <QtTest/QtTest>

#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace SilentAuth::Test;

class TestMockServerProcess : public QObject
{
    Q_OBJECT

private:
    HttpClient http;

    // User and system CPU time of a process, in clock ticks.
    static qint64 cpuTicks(qint64 pid)
    {
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            return -1;
        const QByteArray line = stat.readAll();
        // Fields after the command name (which may hold spaces): utime and
        // stime are the 12th and 13th.
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        return fields.value(11).toLongLong() + fields.value(12).toLongLong();
    }

    // Starts the server; returns its URL from the first line of stdout.
    static QUrl start(QProcess &process, const QStringList &arguments)
    {
        return startMockProcess(process, QStringLiteral(MOCK_SERVER_EXECUTABLE), arguments);
    }

private Q_SLOTS:
    void printsItsAddressAndServes()
    {
        QProcess process;
        const QUrl url = start(process,
                               {QStringLiteral("--port"), QStringLiteral("0"),
                                QStringLiteral("--access-ttl"), QStringLiteral("30s")});
        QVERIFY(url.isValid());
        QCOMPARE(url.host(), QStringLiteral("127.0.0.1"));
        QVERIFY(url.port() > 0);
        QUrl login = url;
        login.setPath(QStringLiteral("/auth/login"));
        const auto result
            = http.postJson(login,
                            {{QStringLiteral("username"), QStringLiteral("bob")},
                             {QStringLiteral("password"), QStringLiteral("bob-password")}});
        QCOMPARE(result.status, 200);
        QCOMPARE(result.json()[QLatin1String("expiresIn")].toInt(), 30);
        process.terminate();
        QVERIFY(process.waitForFinished(5000));
        const QByteArray log = process.readAllStandardError();
        QVERIFY2(log.contains("POST /auth/login 200"), log);
        QVERIFY(!log.contains(result.json()[QLatin1String("accessToken")].toString().toLatin1()));
    }

    // A Secure refresh cookie over plain http: said at start, once, as fit for loopback
    // tests only; the cookie has the configured name.
    void cookieOverPlainHttpIsSaidToBeForTestsOnly()
    {
        QProcess process;
        const QUrl url = start(process,
                               {QStringLiteral("--port"), QStringLiteral("0"),
                                QStringLiteral("--refresh-transport"), QStringLiteral("cookie"),
                                QStringLiteral("--refresh-cookie"), QStringLiteral("rt")});
        QVERIFY(url.isValid());
        QUrl login = url;
        login.setPath(QStringLiteral("/auth/login"));
        const auto result
            = http.postJson(login,
                            {{QStringLiteral("username"), QStringLiteral("bob")},
                             {QStringLiteral("password"), QStringLiteral("bob-password")}});
        QCOMPARE(result.status, 200);
        QVERIFY2(result.header("set-cookie").startsWith("rt="), result.header("set-cookie"));
        process.terminate();
        QVERIFY(process.waitForFinished(5000));
        const QByteArray log = process.readAllStandardError();
        QCOMPARE(log.count("plain http: for tests on loopback only"), 1);
    }

    // With only 64 file descriptors, enough connections use them all and accept()
    // fails. The server must neither spin nor stop accepting for good (what
    // QTcpServer in Qt 6.4 does, depending on the first error it saw), and
    // take connections again once some have closed.
    void acceptsAgainAfterRunningOutOfDescriptors()
    {
#ifdef SILENTAUTH_SANITIZED_BUILD
        QSKIP("The sanitizer runtimes need free file descriptors themselves (UBSan checks "
              "memory through a pipe) and report errors that are not there without them.");
#endif
        QProcess process;
        const QUrl url = startMockProcess(
            process, QStringLiteral("/bin/sh"),
            {QStringLiteral("-c"), QStringLiteral("ulimit -n 64 && exec \"$0\" \"$@\""),
             QStringLiteral(MOCK_SERVER_EXECUTABLE), QStringLiteral("--port"), QStringLiteral("0"),
             QStringLiteral("--quiet")});
        QVERIFY(url.isValid());
        QUrl health = url;
        health.setPath(QStringLiteral("/health"));
        // A crowd of plain sockets arriving ten at a time until the server says
        // accept() failed (however fast it takes them, e.g. under sanitizers).
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_port = htons(quint16(url.port()));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        std::vector<int> hogs;
        QByteArray log;
        QElapsedTimer full;
        full.start();
        while (!log.contains("cannot accept connections") && hogs.size() < 400
               && full.elapsed() < 20000) {
            for (int i = 0; i < 10; ++i) {
                const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
                if (fd < 0)
                    break;
                ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address);
                hogs.push_back(fd);
            }
            process.waitForReadyRead(100);
            log += process.readAllStandardError();
        }
        QVERIFY2(log.contains("cannot accept connections"), log.constData());
        // No answer while full, and no busy loop either: the server waits.
        const qint64 cpuBefore = cpuTicks(process.processId());
        QCOMPARE(http.send("GET", health, {}, {}, 1000).status, 0);
        const qint64 cpuWhileFull = cpuTicks(process.processId()) - cpuBefore;
        QVERIFY2(cpuWhileFull < 30, qPrintable(QStringLiteral("%1 ticks").arg(cpuWhileFull)));
        for (const int fd : hogs)
            ::close(fd);
        QElapsedTimer clock;
        clock.start();
        int status = 0;
        while (clock.elapsed() < 5000
               && (status = http.send("GET", health, {}, {}, 1000).status) != 200)
            QTest::qWait(100);
        QCOMPARE(status, 200);
        process.terminate();
        QVERIFY(process.waitForFinished(5000));
        log += process.readAllStandardError();
        QVERIFY2(log.contains("accepting connections again"), log.constData());
    }

    void listsScenarios()
    {
        QProcess process;
        process.start(QStringLiteral(MOCK_SERVER_EXECUTABLE), {QStringLiteral("--list-scenarios")});
        QVERIFY(process.waitForFinished(5000));
        QCOMPARE(process.exitCode(), 0);
        const QByteArray out = process.readAllStandardOutput();
        QVERIFY(out.contains("lost-refresh-response"));
        QVERIFY(out.contains("delayMs"));
    }

    void rejectsBadArguments_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("ttl") << QStringList {QStringLiteral("--access-ttl"), QStringLiteral("soon")}
                             << QByteArray("--access-ttl");
        QTest::newRow("service") << QStringList {QStringLiteral("--services"),
                                                 QStringLiteral("mail")}
                                 << QByteArray("Unknown service mail");
        QTest::newRow("scenario") << QStringList {QStringLiteral("--scenario"),
                                                  QStringLiteral("nope")}
                                  << QByteArray("Unknown scenario nope");
        QTest::newRow("users") << QStringList {QStringLiteral("--users"),
                                               QStringLiteral("/nonexistent.json")}
                               << QByteArray("Cannot read users file");
        QTest::newRow("refresh transport")
            << QStringList {QStringLiteral("--refresh-transport"), QStringLiteral("header")}
            << QByteArray("--refresh-transport");
        QTest::newRow("redirect uri")
            << QStringList {QStringLiteral("--redirect-uri"), QStringLiteral("http://localhost/cb")}
            << QByteArray("--redirect-uri");
        QTest::newRow("refresh cookie name")
            << QStringList {QStringLiteral("--refresh-cookie"), QStringLiteral("a b")}
            << QByteArray("--refresh-cookie");
    }

    void rejectsBadArguments()
    {
        QFETCH(QStringList, arguments);
        QFETCH(QByteArray, message);
        QProcess process;
        process.start(QStringLiteral(MOCK_SERVER_EXECUTABLE),
                      QStringList {QStringLiteral("--port"), QStringLiteral("0")} + arguments);
        QVERIFY(process.waitForFinished(5000));
        QCOMPARE(process.exitCode(), 2);
        const QByteArray err = process.readAllStandardError();
        QVERIFY2(err.contains(message), err);
    }

    void usersFileAddsUsers()
    {
        QTemporaryFile file;
        QVERIFY(file.open());
        file.write(R"([{"username":"carol","password":"carol-password","displayName":"Carol"}])");
        file.close();
        QProcess process;
        const QUrl url = start(process,
                               {QStringLiteral("--port"), QStringLiteral("0"),
                                QStringLiteral("--users"), file.fileName()});
        QVERIFY(url.isValid());
        QUrl login = url;
        login.setPath(QStringLiteral("/auth/login"));
        QCOMPARE(http.postJson(login,
                               {{QStringLiteral("username"), QStringLiteral("carol")},
                                {QStringLiteral("password"), QStringLiteral("carol-password")}})
                     .status,
                 200);
        process.terminate();
        process.waitForFinished(5000);
    }
};

QTEST_GUILESS_MAIN(TestMockServerProcess)
#include "tst_mockserverprocess.moc"
