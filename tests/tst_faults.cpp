// Faults from outside the client: the server process killed in the middle of
// a refresh and started again, and a keychain daemon that is not there.
#include "httpclient.h"
#include "mockprocess.h"

#include <silentauth/authnetworkaccessmanager.h>
#include <silentauth/jsonauthprotocol.h>
#include <silentauth/memorytokenstore.h>
#include <silentauth/session.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QNetworkReply>
#include <QtTest/QtTest>

using namespace SilentAuth;
using namespace SilentAuth::Test;

class TestFaults : public QObject
{
    Q_OBJECT

private:
    HttpClient http;

    QUrl at(const QUrl &server, const char *path)
    {
        QUrl url = server;
        url.setPath(QString::fromLatin1(path));
        return url;
    }

private Q_SLOTS:
    // The refresh is on the wire (slow-refresh holds its answer) when the
    // server dies. It comes back on the same port with the same database.
    // The session goes offline, keeps its refresh token, and every waiting
    // request (a POST with a body among them) gets its real answer.
    void serverKilledMidRefreshAndRestarted()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString db = dir.filePath(QStringLiteral("server.sqlite"));
        // The rotation happened before the answer was lost: the grace window
        // lets the retry with the previous token get the current pair.
        const QStringList common {QStringLiteral("--db"), db, QStringLiteral("--reuse-grace"),
                                  QStringLiteral("60"), QStringLiteral("--quiet")};
        QProcess first;
        const QUrl server = startMockProcess(
            first, QStringLiteral(MOCK_SERVER_EXECUTABLE),
            QStringList {QStringLiteral("--port"), QStringLiteral("0")} + common);
        QVERIFY(server.isValid());

        MemoryTokenStore store;
        Session session(std::make_unique<JsonAuthProtocol>(server), &store);
        session.setOfflineWait(std::chrono::seconds(30));
        AuthNetworkAccessManager manager(&session);
        session.signIn(QStringLiteral("alice"), QStringLiteral("alice-password"));
        QTRY_COMPARE(session.status(), Session::Status::SignedIn);

        QCOMPARE(http.postJson(at(server, "/__admin/scenario"),
                               {{QStringLiteral("name"), QStringLiteral("expire-now")}})
                     .status,
                 200);
        QCOMPARE(http.postJson(at(server, "/__admin/scenario"),
                               {{QStringLiteral("name"), QStringLiteral("slow-refresh")},
                                {QStringLiteral("delayMs"), 5000}})
                     .status,
                 200);
        std::vector<std::unique_ptr<QNetworkReply>> replies;
        for (int i = 0; i < 4; ++i)
            replies.emplace_back(manager.get(QNetworkRequest(at(server, "/profile"))));
        QNetworkRequest post(at(server, "/boards"));
        post.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        replies.emplace_back(
            manager.post(post, QByteArray("{\"title\":\"survives\",\"body\":\"x\"}")));
        QTRY_VERIFY_WITH_TIMEOUT(session.isRefreshing(), 5000);
        QTest::qWait(300); // the refresh request has reached the server

        first.kill();
        QVERIFY(first.waitForFinished(5000));
        QTRY_COMPARE_WITH_TIMEOUT(session.status(), Session::Status::Offline, 10000);
        QCOMPARE(readStored(store).isEmpty(), false);

        QProcess second;
        const QUrl again = startMockProcess(
            second, QStringLiteral(MOCK_SERVER_EXECUTABLE),
            QStringList {QStringLiteral("--port"), QString::number(server.port())} + common);
        QCOMPARE(again, server);

        for (const auto &reply : replies)
            QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 30000);
        for (const auto &reply : replies) {
            QCOMPARE(reply->error(), QNetworkReply::NoError);
            QVERIFY(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() / 100 == 2);
        }
        QCOMPARE(session.status(), Session::Status::SignedIn);
        const QJsonObject posts
            = http.getBearer(at(server, "/boards"), session.accessToken()).json();
        QCOMPARE(posts[QLatin1String("items")].toArray().size(), 1); // sent once, not twice
        second.terminate();
        second.waitForFinished(5000);
    }

    // No Secret Service on the bus: a clear message, and the session works
    // for this run.
    void keychainDaemonAbsent()
    {
        QProcess server;
        const QUrl url = startMockProcess(
            server, QStringLiteral(MOCK_SERVER_EXECUTABLE),
            {QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--quiet")});
        QVERIFY(url.isValid());
        QProcess cli;
        auto environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"),
                           QStringLiteral("unix:path=/nonexistent/silentauth-no-bus"));
        cli.setProcessEnvironment(environment);
        cli.start(QStringLiteral(CLI_EXECUTABLE),
                  {QStringLiteral("--keychain"), QStringLiteral("-u"), QStringLiteral("bob"),
                   QStringLiteral("--password"), QStringLiteral("bob-password"),
                   QStringLiteral("-n"), QStringLiteral("3"), at(url, "/profile").toString()});
        QVERIFY(cli.waitForFinished(30000));
        const QByteArray err = cli.readAllStandardError();
        const auto stats = QJsonDocument::fromJson(cli.readAllStandardOutput()).object();
        QCOMPARE(cli.exitCode(), 0);
        QCOMPARE(stats[QLatin1String("ok")].toInt(), 3);
        QVERIFY2(err.contains("keychain"), err.constData());
        QVERIFY2(err.contains("until you quit"), err.constData());
        server.terminate();
        server.waitForFinished(5000);
    }

private:
    static QByteArray readStored(TokenStore &store)
    {
        QByteArray token;
        bool done = false;
        store.read([&](const TokenStore::Result &r) {
            token = r.token;
            done = true;
        });
        for (int i = 0; i < 500 && !done; ++i)
            QTest::qWait(10);
        return token;
    }
};

QTEST_GUILESS_MAIN(TestFaults)
#include "tst_faults.moc"
