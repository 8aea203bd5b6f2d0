// The silentauth-mock-server executable as QA runs it.
#include "httpclient.h"
#include "mockprocess.h"

#include <QtCore/QProcess>
#include <QtTest/QtTest>

using namespace SilentAuth::Test;

class TestMockServerProcess : public QObject
{
    Q_OBJECT

private:
    HttpClient http;

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
