// Silent re-authentication end to end: the real mock server on a loopback
// port, the real Secret Service for keychain cases.
#include "capturingserver.h"
#include "httpclient.h"
#include "sessionfixture.h"
#include "testserver.h"

#include <silentauth/authnetworkaccessmanager.h>
#include <silentauth/jsonauthprotocol.h>
#include <silentauth/keychaintokenstore.h>
#include <silentauth/memorytokenstore.h>
#include <silentauth/session.h>

#include <QtCore/QBuffer>
#include <QtCore/QCryptographicHash>
#include <QtCore/QJsonDocument>
#include <QtCore/QPointer>
#include <QtCore/QUuid>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

using namespace SilentAuth;
using namespace SilentAuth::Test;
using Mock::MockServer;
using Mock::MockServerConfig;

namespace {

// A sequential device (like a pipe): QNetworkReply cannot rewind it. With
// a trickle size, its data arrives in pieces from the event loop, and
// readChannelFinished() says when the last one came.
class SequentialDevice : public QIODevice
{
public:
    explicit SequentialDevice(QByteArray data, qint64 trickle = 0)
        : m_data(std::move(data))
        , m_available(trickle > 0 ? 0 : m_data.size())
    {
        open(ReadOnly);
        if (trickle > 0) {
            connect(&m_timer, &QTimer::timeout, this, [this, trickle] {
                m_available = qMin<qint64>(m_data.size(), m_available + trickle);
                Q_EMIT readyRead();
                if (m_available == m_data.size()) {
                    m_timer.stop();
                    Q_EMIT readChannelFinished();
                }
            });
            m_timer.start(1);
        }
    }
    bool isSequential() const override { return true; }
    qint64 bytesAvailable() const override
    {
        return m_available - m_pos + QIODevice::bytesAvailable();
    }

protected:
    qint64 readData(char *out, qint64 max) override
    {
        const qint64 n = qMin(max, m_available - m_pos);
        if (n <= 0)
            return m_available == m_data.size() ? -1 : 0;
        memcpy(out, m_data.constData() + m_pos, size_t(n));
        m_pos += n;
        return n;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_data;
    qint64 m_available;
    qint64 m_pos = 0;
    QTimer m_timer;
};

} // namespace

class TestAuthNetworkAccessManager : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void expiredTokenRefreshesOnceAndReplays()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        QCOMPARE(client.session->status(), Session::Status::SignedIn);
        QCOMPARE(client.session->username(), QStringLiteral("alice"));
        QVERIFY(expireNow(*server));

        std::unique_ptr<QNetworkReply> reply(get(*client.manager, *server, "/profile"));
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.count(), 1);
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QCOMPARE(QJsonDocument::fromJson(reply->readAll())[QLatin1String("username")].toString(),
                 QStringLiteral("alice"));
        QCOMPARE(client.session->refreshCount(), 1);
        QCOMPARE(client.session->replayCount(), 1);
        QCOMPARE(stat(*server, "refreshes", "ok"), 1);
        QCOMPARE(stat(*server, "unauthorized", "expired"), 1);
    }

    void concurrentExpiredRequestsShareOneRefresh_data()
    {
        QTest::addColumn<int>("window");
        QTest::newRow("default window") << 0;
        QTest::newRow("window of 6") << 6;
        QTest::newRow("window of 1") << 1;
    }

    void concurrentExpiredRequestsShareOneRefresh()
    {
        QFETCH(int, window);
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QCOMPARE(client.manager->requestWindow(), 12);
        if (window > 0)
            client.manager->setRequestWindow(window);
        else
            window = 12;
        QVERIFY(signIn(*client.session));
        QVERIFY(expireNow(*server));

        constexpr int count = 200;
        std::vector<std::unique_ptr<QNetworkReply>> replies;
        int finished = 0;
        for (int i = 0; i < count; ++i) {
            replies.emplace_back(get(*client.manager, *server, "/profile"));
            connect(replies.back().get(), &QNetworkReply::finished, this,
                    [&finished] { ++finished; });
        }
        QTRY_COMPARE_WITH_TIMEOUT(finished, count, 30000);
        int ok = 0;
        for (const auto &reply : replies)
            ok += reply->error() == QNetworkReply::NoError
                && reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200;
        QCOMPARE(ok, count);
        QCOMPARE(stat(*server, "refreshes", "ok"), 1);
        QCOMPARE(client.session->refreshCount(), 1);
        // Only the requests already handed to QNetworkAccessManager (the
        // window: by default twelve per HTTP/1.1 origin, a request on each of
        // its six connections and one behind it) went out with the old token;
        // the rest waited for the refresh and went out once, with the new one.
        const int rejected = stat(*server, "unauthorizedTotal");
        qInfo("%d requests, window %d, %d answered 401, %d replayed", count, window, rejected,
              client.session->replayCount());
        QVERIFY2(rejected >= 1 && rejected <= window, qPrintable(QString::number(rejected)));
        QCOMPARE(client.session->replayCount(), rejected);
        QCOMPARE(stat(*server, "routes", "GET /profile"), count + rejected);
    }

    // The manager goes away with requests in every state: queued, waiting
    // for a refresh, in flight. Nothing is touched after it is gone.
    void managerDestroyedWithRequestsInFlight()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        QVERIFY(expireThen(*server, QStringLiteral("slow-refresh"),
                           {{QStringLiteral("delayMs"), 500}}));
        QList<QPointer<QNetworkReply>> replies;
        for (int i = 0; i < 20; ++i)
            replies << get(*client.manager, *server, "/profile");
        QTest::qWait(100); // some answered 401, a refresh is under way, the rest queued
        QVERIFY(client.session->isRefreshing());
        client.manager.reset();
        for (const auto &reply : replies)
            QVERIFY(reply.isNull());
        QSignalSpy refreshed(client.session.get(), &Session::refreshFinished);
        QVERIFY(refreshed.wait(5000));
        QCOMPARE(client.session->status(), Session::Status::SignedIn);
    }

    void concurrentExpiredPostsAreNotTakenBack()
    {
        // A POST may already be on the wire when the first 401 arrives, so it
        // is never withdrawn: each one that was sent is answered 401 and
        // replayed with its body, or waited for the refresh before going out.
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        QVERIFY(expireNow(*server));
        constexpr int count = 40;
        std::vector<std::unique_ptr<QNetworkReply>> replies;
        for (int i = 0; i < count; ++i) {
            QNetworkRequest request(endpoint(*server, "/boards"));
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
            const QByteArray body
                = "{\"title\":\"storm " + QByteArray::number(i) + "\",\"body\":\"x\"}";
            replies.emplace_back(client.manager->post(request, body));
        }
        for (const auto &reply : replies)
            QVERIFY(waitFinished(reply.get(), 30000));
        for (const auto &reply : replies)
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 201);
        QCOMPARE(client.session->refreshCount(), 1);
        QVERIFY(client.session->replayCount() > 0); // some did go out with the old token
        QCOMPARE(client.session->replayCount(), stat(*server, "unauthorizedTotal"));
        // Every POST reached the server once with its body, plus once per 401.
        QCOMPARE(stat(*server, "routes", "POST /boards"),
                 count + stat(*server, "unauthorizedTotal"));
    }

    void bodiesAreReplayedByteForByte_data()
    {
        QTest::addColumn<QByteArray>("verb");
        QTest::addColumn<int>("size");
        QTest::addColumn<bool>("sequential");
        QTest::addColumn<int>("trickle"); // sequential bodies arriving in pieces of this size
        QTest::newRow("POST") << QByteArray("POST") << 1000 << false << 0;
        QTest::newRow("PUT") << QByteArray("PUT") << 64 * 1024 << false << 0;
        QTest::newRow("PATCH") << QByteArray("PATCH") << 10 << false << 0;
        QTest::newRow("DELETE") << QByteArray("DELETE") << 300 << false << 0;
        QTest::newRow("POST-sequential") << QByteArray("POST") << 100 * 1024 << true << 0;
        QTest::newRow("PUT-sequential-20MB") << QByteArray("PUT") << 20 * 1024 * 1024 << true << 0;
        QTest::newRow("POST-trickled") << QByteArray("POST") << 300 * 1000 << true << 7000;
        QTest::newRow("PUT-trickled-9MB-spooled")
            << QByteArray("PUT") << 9 * 1024 * 1024 << true << 512 * 1024;
    }

    void bodiesAreReplayedByteForByte()
    {
        QFETCH(QByteArray, verb);
        QFETCH(int, size);
        QFETCH(bool, sequential);
        QFETCH(int, trickle);
        MockServerConfig config;
        config.maxBodyBytes = 32 * 1024 * 1024;
        auto server = startServer(config);
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        QVERIFY(expireNow(*server));

        QByteArray body(size, Qt::Uninitialized);
        for (int i = 0; i < size; ++i)
            body[i] = char((quint32(i) * 131u + 7u) & 0xffu);
        std::unique_ptr<QIODevice> device;
        if (sequential) {
            device = std::make_unique<SequentialDevice>(body, trickle);
        } else {
            auto buffer = std::make_unique<QBuffer>();
            buffer->setData(body);
            buffer->open(QIODevice::ReadOnly);
            device = std::move(buffer);
        }
        QNetworkRequest request(endpoint(*server, "/echo"));
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArray("application/octet-stream"));
        std::unique_ptr<QNetworkReply> reply(
            client.manager->sendCustomRequest(request, verb, device.get()));
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        QVERIFY(finished.wait(30000));
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        const auto echo = QJsonDocument::fromJson(reply->readAll()).object();
        QCOMPARE(echo[QLatin1String("method")].toString().toLatin1(), verb);
        QCOMPARE(echo[QLatin1String("length")].toInt(), size);
        QCOMPARE(echo[QLatin1String("sha256")].toString().toLatin1(),
                 QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex());
        QCOMPARE(echo[QLatin1String("contentType")].toString(),
                 QStringLiteral("application/octet-stream"));
        QCOMPARE(client.session->replayCount(), 1);
        QCOMPARE(stat(*server, "refreshes", "ok"), 1);
    }

    void replayAnswered401FailsWithoutLooping()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        // From now on every token is issued already expired.
        QString error;
        QVERIFY(server->setScenario(QStringLiteral("clock-skew"),
                                    {{QStringLiteral("seconds"), -7200}}, &error));
        QVERIFY(expireThen(*server, QStringLiteral("clock-skew"),
                           {{QStringLiteral("seconds"), -7200}}));
        std::unique_ptr<QNetworkReply> reply(get(*client.manager, *server, "/profile"));
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        QVERIFY(finished.wait(10000));
        QTest::qWait(300); // a loop would show up as more traffic
        QCOMPARE(finished.count(), 1);
        QCOMPARE(reply->error(), QNetworkReply::AuthenticationRequiredError);
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 401);
        QCOMPARE(stat(*server, "refreshes", "ok"), 1);
        QCOMPARE(stat(*server, "routes", "GET /profile"), 2);
    }

    void revokedRefreshExpiresAndReleasesEveryWaiter()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        QVERIFY(expireThen(*server, QStringLiteral("revoked-refresh")));
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        std::vector<std::unique_ptr<QNetworkReply>> replies;
        int finished = 0;
        for (int i = 0; i < 20; ++i) {
            replies.emplace_back(get(*client.manager, *server, "/boards"));
            connect(replies.back().get(), &QNetworkReply::finished, this,
                    [&finished] { ++finished; });
        }
        QTRY_COMPARE_WITH_TIMEOUT(finished, 20, 10000);
        for (const auto &reply : replies)
            QCOMPARE(reply->error(), QNetworkReply::AuthenticationRequiredError);
        QCOMPARE(client.session->status(), Session::Status::Expired);
        QVERIFY(client.session->accessToken().isEmpty());
        QCOMPARE(stat(*server, "refreshes", "failed"), 1);
        QVERIFY(!errors.isEmpty());
        QCOMPARE(errors.last().at(0).value<Session::Error>(), Session::Error::SessionExpired);
    }

    void transientRefreshFailureGoesOfflineAndRecovers_data()
    {
        QTest::addColumn<QString>("scenario");
        QTest::addColumn<int>("count");
        QTest::newRow("503") << QStringLiteral("refresh-unavailable") << 1;
        // Qt resends a request once by itself when a reused connection was
        // closed without an answer, so one drop can go unnoticed: drop two.
        QTest::newRow("connection dropped") << QStringLiteral("refresh-drop") << 2;
        QTest::newRow("not JSON") << QStringLiteral("malformed-refresh") << 1;
    }

    void transientRefreshFailureGoesOfflineAndRecovers()
    {
        QFETCH(QString, scenario);
        QFETCH(int, count);
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        const QByteArray storedBefore = readStore(store).token;
        QVERIFY(expireThen(*server, scenario, {{QStringLiteral("count"), count}}));
        std::unique_ptr<QNetworkReply> reply(get(*client.manager, *server, "/profile"));
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        QVERIFY(finished.wait(10000));
        QCOMPARE(reply->error(), QNetworkReply::TemporaryNetworkFailureError);
        QCOMPARE(client.session->status(), Session::Status::Offline);
        // Not signed out: the refresh token was kept and the retry succeeds.
        QCOMPARE(readStore(store).token, storedBefore);
        QTRY_COMPARE_WITH_TIMEOUT(client.session->status(), Session::Status::SignedIn, 8000);
        QCOMPARE(client.session->refreshCount(), 1);
        std::unique_ptr<QNetworkReply> again(get(*client.manager, *server, "/profile"));
        QSignalSpy againFinished(again.get(), &QNetworkReply::finished);
        QVERIFY(againFinished.wait(10000));
        QCOMPARE(again->error(), QNetworkReply::NoError);
    }

    // A 500 is the server's problem, not the token's: it reaches the caller
    // as it is, and nothing is refreshed or replayed.
    void serverErrorsPassThroughWithoutRefreshing()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        QString error;
        QVERIFY(server->setScenario(QStringLiteral("flaky-resources"),
                                    {{QStringLiteral("failureRate"), 0.5}}, &error));
        constexpr int count = 100;
        int ok = 0;
        int serverErrors = 0;
        for (int i = 0; i < count; ++i) {
            std::unique_ptr<QNetworkReply> reply(get(*client.manager, *server, "/profile"));
            QVERIFY(waitFinished(reply.get()));
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            ok += status == 200;
            serverErrors += status == 500 && reply->error() == QNetworkReply::InternalServerError;
        }
        QCOMPARE(ok + serverErrors, count);
        QVERIFY2(serverErrors > 20 && serverErrors < 80, qPrintable(QString::number(serverErrors)));
        QCOMPARE(client.session->refreshCount(), 0);
        QCOMPARE(client.session->replayCount(), 0);
        QCOMPARE(client.session->status(), Session::Status::SignedIn);
    }

    // A 401 that asks for another scheme, or a Bearer 401 about the request
    // itself, is not fixed by a new token: it reaches the caller untouched.
    void unauthorizedForAnotherReasonIsNotRefreshed_data()
    {
        QTest::addColumn<QByteArray>("challenge");
        QTest::newRow("basic") << QByteArray("Basic realm=\"files\"");
        QTest::newRow("invalid_request") << QByteArray("Bearer error=\"invalid_request\"");
    }

    void unauthorizedForAnotherReasonIsNotRefreshed()
    {
        QFETCH(QByteArray, challenge);
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        CapturingServer api("HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: " + challenge
                            + "\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope");
        client.manager->addAllowedOrigin(api.url());
        std::unique_ptr<QNetworkReply> reply(
            client.manager->get(QNetworkRequest(api.url("/files"))));
        QVERIFY(waitFinished(reply.get()));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 401);
        QCOMPARE(reply->rawHeader("WWW-Authenticate"), challenge);
        QCOMPARE(reply->readAll(), QByteArray("nope"));
        QCOMPARE(api.received.count("GET /files"), 1);
        QCOMPARE(client.session->refreshCount(), 0);
        QCOMPARE(stat(*server, "refreshes", "ok") + stat(*server, "refreshes", "failed"), 0);
    }

    // 403 insufficient_scope: a new token would not have more scope; never refresh.
    void insufficientScopeIsNeverRefreshed()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        CapturingServer api("HTTP/1.1 403 Forbidden\r\nWWW-Authenticate: Bearer "
                            "error=\"insufficient_scope\", scope=\"admin\"\r\n"
                            "Content-Length: 0\r\nConnection: close\r\n\r\n");
        client.manager->addAllowedOrigin(api.url());
        std::unique_ptr<QNetworkReply> reply(
            client.manager->get(QNetworkRequest(api.url("/admin"))));
        QVERIFY(waitFinished(reply.get()));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 403);
        QCOMPARE(reply->error(), QNetworkReply::ContentAccessDenied);
        QVERIFY(reply->rawHeader("WWW-Authenticate").contains("insufficient_scope"));
        QCOMPARE(api.received.count("GET /admin"), 1);
        QCOMPARE(client.session->refreshCount(), 0);
        QCOMPARE(stat(*server, "refreshes", "ok") + stat(*server, "refreshes", "failed"), 0);
    }

    void tokenStaysWithinAllowedOrigins()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        const QByteArray token = client.session->accessToken();

        CapturingServer elsewhere("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        CapturingServer redirector("HTTP/1.1 307 Temporary Redirect\r\nLocation: "
                                   + elsewhere.url("/landing").toEncoded()
                                   + "\r\nContent-Length: 0\r\n\r\n");
        client.manager->addAllowedOrigin(redirector.url());

        // Not allow-listed: no token.
        std::unique_ptr<QNetworkReply> direct(
            client.manager->get(QNetworkRequest(elsewhere.url("/direct"))));
        QSignalSpy directDone(direct.get(), &QNetworkReply::finished);
        QVERIFY(directDone.wait(5000));
        QVERIFY(elsewhere.received.contains("GET /direct"));
        QVERIFY(!elsewhere.received.contains(token));
        QVERIFY(!elsewhere.received.toLower().contains("authorization"));
        elsewhere.received.clear();

        // Allow-listed origin that redirects elsewhere: the token stays behind.
        std::unique_ptr<QNetworkReply> redirected(
            client.manager->get(QNetworkRequest(redirector.url("/start"))));
        QSignalSpy redirectedDone(redirected.get(), &QNetworkReply::finished);
        QVERIFY(redirectedDone.wait(5000));
        QCOMPARE(redirected->error(), QNetworkReply::NoError);
        QCOMPARE(redirected->readAll(), QByteArray("ok"));
        QVERIFY(redirector.received.contains("Authorization: Bearer " + token));
        QVERIFY(elsewhere.received.contains("GET /landing"));
        QVERIFY(!elsewhere.received.contains(token));
        QVERIFY(!elsewhere.received.toLower().contains("authorization"));
    }

    void optOutAttributes()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        QNetworkRequest request(endpoint(*server, "/profile"));
        request.setAttribute(
            QNetworkRequest::Attribute(AuthNetworkAccessManager::NoAuthenticationAttribute), true);
        std::unique_ptr<QNetworkReply> reply(client.manager->get(request));
        QSignalSpy done(reply.get(), &QNetworkReply::finished);
        QVERIFY(done.wait(5000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 401);
        QCOMPARE(stat(*server, "unauthorized", "missing"), 1);
        QCOMPARE(stat(*server, "refreshes", "ok"), 0);

        QVERIFY(expireNow(*server));
        QNetworkRequest noRefresh(endpoint(*server, "/profile"));
        noRefresh.setAttribute(
            QNetworkRequest::Attribute(AuthNetworkAccessManager::NoRefreshAttribute), true);
        reply.reset(client.manager->get(noRefresh));
        QSignalSpy done2(reply.get(), &QNetworkReply::finished);
        QVERIFY(done2.wait(5000));
        QCOMPARE(reply->error(), QNetworkReply::AuthenticationRequiredError);
        QCOMPARE(stat(*server, "refreshes", "ok"), 0);
    }

    void abortWhileWaitingForRefresh()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        QVERIFY(expireThen(*server, QStringLiteral("slow-refresh"),
                           {{QStringLiteral("delayMs"), 500}}));
        std::unique_ptr<QNetworkReply> reply(get(*client.manager, *server, "/profile"));
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        QTRY_VERIFY_WITH_TIMEOUT(client.session->isRefreshing(), 5000);
        reply->abort();
        QCOMPARE(finished.count(), 1);
        QCOMPARE(reply->error(), QNetworkReply::OperationCanceledError);
        QTRY_COMPARE_WITH_TIMEOUT(client.session->status(), Session::Status::SignedIn, 5000);
        QTest::qWait(100);
        QCOMPARE(finished.count(), 1);
    }

    void wrongPasswordAndUnreachableServer()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        client.session->signIn(QStringLiteral("alice"), QStringLiteral("wrong"));
        QVERIFY(errors.wait(5000));
        QCOMPARE(errors.last().at(0).value<Session::Error>(), Session::Error::InvalidCredentials);
        QCOMPARE(client.session->status(), Session::Status::SignedOut);

        const quint16 port = server->port();
        server.reset();
        Session offline(std::make_unique<JsonAuthProtocol>(
                            QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port))),
                        &store);
        QSignalSpy offlineErrors(&offline, &Session::errorOccurred);
        offline.signIn(QStringLiteral("alice"), QStringLiteral("alice-password"));
        QVERIFY(offlineErrors.wait(5000));
        QCOMPARE(offlineErrors.last().at(0).value<Session::Error>(), Session::Error::NetworkError);
        QCOMPARE(offline.status(), Session::Status::SignedOut);
    }

    void keychainRotationRestoreAndSignOut()
    {
        auto server = startServer();
        QVERIFY(server);
        const QString service = QStringLiteral("SilentAuthTest-")
            + QUuid::createUuid().toString(QUuid::WithoutBraces);
        KeychainTokenStore store(service);
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));

        auto readStore = [&store]() -> QByteArray {
            QByteArray token;
            bool done = false;
            store.read([&](const TokenStore::Result &r) {
                token = r.token;
                done = true;
            });
            QElapsedTimer timer;
            timer.start();
            while (!done && timer.elapsed() < 10000)
                QTest::qWait(10);
            return done ? token : QByteArray("keychain read timed out");
        };
        const QByteArray first = readStore();
        QVERIFY(!first.isEmpty());

        QSignalSpy refreshed(client.session.get(), &Session::refreshFinished);
        client.session->refresh();
        QVERIFY(refreshed.wait(5000));
        const QByteArray rotated = readStore();
        QVERIFY(!rotated.isEmpty());
        QVERIFY(rotated != first);

        // A new process: only the keychain carries the session across.
        KeychainTokenStore secondStore(service);
        auto second = makeClient(*server, &secondStore);
        QSignalSpy restored(second.session.get(), &Session::signedIn);
        second.session->restore();
        QCOMPARE(second.session->status(), Session::Status::Restoring);
        QVERIFY(restored.wait(10000));
        QCOMPARE(second.session->username(), QStringLiteral("alice"));
        std::unique_ptr<QNetworkReply> reply(get(*second.manager, *server, "/profile"));
        QSignalSpy done(reply.get(), &QNetworkReply::finished);
        QVERIFY(done.wait(5000));
        QCOMPARE(reply->error(), QNetworkReply::NoError);

        QSignalSpy signedOut(second.session.get(), &Session::signedOut);
        second.session->signOut();
        QVERIFY(signedOut.wait(10000));
        QCOMPARE(second.session->status(), Session::Status::SignedOut);
        QVERIFY(second.session->accessToken().isEmpty());
        QCOMPARE(stat(*server, "blacklistSize"), 1);
        QCOMPARE(readStore(), QByteArray());
    }

    void restoreWithoutStoredToken()
    {
        auto server = startServer();
        QVERIFY(server);
        KeychainTokenStore store(QStringLiteral("SilentAuthTest-empty-")
                                 + QUuid::createUuid().toString());
        auto client = makeClient(*server, &store);
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        client.session->restore();
        QVERIFY(errors.wait(10000));
        QCOMPARE(errors.last().at(0).value<Session::Error>(), Session::Error::NoStoredSession);
        QCOMPARE(client.session->status(), Session::Status::SignedOut);
    }

    void proactiveRefreshAvoids401s()
    {
        MockServerConfig config;
        config.accessTtl = std::chrono::seconds(2);
        auto server = startServer(config);
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        client.session->setProactiveLead(std::chrono::milliseconds(500));
        QVERIFY(signIn(*client.session));
        QElapsedTimer timer;
        timer.start();
        int ok = 0;
        int sent = 0;
        while (timer.elapsed() < 7000) {
            std::unique_ptr<QNetworkReply> reply(get(*client.manager, *server, "/profile"));
            QSignalSpy done(reply.get(), &QNetworkReply::finished);
            QVERIFY(done.wait(5000));
            ++sent;
            ok += reply->error() == QNetworkReply::NoError;
            QTest::qWait(100);
        }
        QCOMPARE(ok, sent);
        QCOMPARE(stat(*server, "unauthorizedTotal"), 0);
        QVERIFY2(client.session->refreshCount() >= 3,
                 QByteArray::number(client.session->refreshCount()));
    }
};

QTEST_GUILESS_MAIN(TestAuthNetworkAccessManager)
#include "tst_authnetworkaccessmanager.moc"
