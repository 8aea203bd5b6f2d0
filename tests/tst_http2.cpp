// The client over HTTP/2: a real HTTP/2 front (nghttpx, as many deployments
// put before an API) between the client and the mock server, speaking h2
// over TLS (negotiated with ALPN) and h2c (prior knowledge) to the client
// and HTTP/1.1 to the server. Everything a storm of expired requests does
// over HTTP/1.1 must hold when they are multiplexed on one connection:
// exactly one refresh, every request answered once, the replayed body byte
// for byte.
#include "http2front.h"
#include "sessionfixture.h"
#include "testserver.h"

#include <silentauth/jsonauthprotocol.h>
#include <silentauth/memorytokenstore.h>

#include <QtCore/QCryptographicHash>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

using namespace SilentAuth;
using namespace SilentAuth::Test;

namespace {

// What the echo service answers: the method, and the body's size and hash.
bool echoes(const QByteArray &answer, const QByteArray &verb, const QByteArray &body)
{
    const QJsonObject echo = QJsonDocument::fromJson(answer).object();
    return echo.value(QLatin1String("method")).toString() == QLatin1String(verb)
        && echo.value(QLatin1String("length")).toInteger() == body.size()
        && echo.value(QLatin1String("sha256")).toString()
        == QLatin1String(QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex());
}

} // namespace

class TestHttp2 : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<Mock::MockServer> m_server;
    std::unique_ptr<Mock::MockServer> m_certificates; // makes the CA and certificate, then idles
    QTemporaryDir m_tlsDir;
    std::unique_ptr<Http2Front> m_front;

    Client client(const QUrl &base, MemoryTokenStore *store)
    {
        Client c = makeClient(std::make_unique<JsonAuthProtocol>(base), store);
        return c;
    }

    struct Storm
    {
        int ok = 0;
        int http2 = 0;
        int finishedTwice = 0;
    };

    // \a count requests made at once through \a manager; waits for all.
    Storm storm(AuthNetworkAccessManager &manager, const std::function<QNetworkRequest()> &request,
                int count, const QByteArray &verb = "GET",
                const std::function<QByteArray(int)> &body = {})
    {
        Storm result;
        std::vector<std::unique_ptr<QNetworkReply>> replies;
        std::vector<int> finished(count, 0);
        for (int i = 0; i < count; ++i) {
            QNetworkReply *reply = verb == "GET"
                ? manager.get(request())
                : manager.sendCustomRequest(request(), verb, body(i));
            replies.emplace_back(reply);
            QObject::connect(reply, &QNetworkReply::finished, reply,
                             [&finished, i] { ++finished[i]; });
        }
        for (const auto &reply : replies)
            waitFinished(reply.get(), 60000);
        QTest::qWait(50); // anything emitted twice would come now
        for (int i = 0; i < count; ++i) {
            QNetworkReply *reply = replies[i].get();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (reply->error() == QNetworkReply::NoError && (status == 200 || status == 201)) {
                if (!body || echoes(reply->readAll(), verb, body(i)))
                    ++result.ok;
            }
            result.http2 += reply->attribute(QNetworkRequest::Http2WasUsedAttribute).toBool();
            result.finishedTwice += finished[i] > 1;
        }
        return result;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tlsDir.isValid());
        Mock::MockServerConfig tls;
        tls.tlsSelfSignedDir = m_tlsDir.path();
        m_certificates = startServer(tls); // also trusts its CA for this process
        QVERIFY(m_certificates);
        m_server = startServer();
        QVERIFY(m_server);
        m_front = std::make_unique<Http2Front>();
        QVERIFY2(m_front->start(quint16(m_server->url().port()),
                                m_tlsDir.filePath(QStringLiteral("server-key.pem")),
                                m_tlsDir.filePath(QStringLiteral("server.pem"))),
                 "nghttpx did not start");
    }

    void cleanupTestCase() { m_front.reset(); }

    void init() { QVERIFY(m_server->setScenario(QStringLiteral("normal"), {}, nullptr)); }

    // ALPN picks h2 over TLS; the token endpoint and the API both go
    // through the front, and the reply says which protocol it used.
    void signsInAndRequestsOverH2()
    {
        MemoryTokenStore store;
        Client c = client(m_front->tlsUrl(), &store);
        QVERIFY(signIn(*c.session));
        std::unique_ptr<QNetworkReply> reply(
            c.manager->get(QNetworkRequest(m_front->tlsUrl("/profile"))));
        QVERIFY(waitFinished(reply.get()));
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QVERIFY(reply->attribute(QNetworkRequest::Http2WasUsedAttribute).toBool());
        QVERIFY(reply->attribute(QNetworkRequest::ConnectionEncryptedAttribute).toBool());
        QVERIFY(reply->readAll().contains("alice"));

        // The session's own token requests go over HTTP/1.1: Qt 6.4 holds a
        // POST's body on HTTP/2 for the peer's delayed acknowledgement
        // (about 40 ms each behind a front like this one).
        c.session->refresh();
        QSignalSpy refreshed(c.session.get(), &Session::refreshFinished);
        QVERIFY(refreshed.wait(10000));
        QTRY_VERIFY(m_front->accessLog().contains(QStringLiteral("http/1.1 POST /auth/refresh")));
        const QStringList log = m_front->accessLog();
        QVERIFY2(log.contains(QStringLiteral("http/1.1 POST /auth/login")),
                 qPrintable(log.join(QLatin1Char('|'))));
        QVERIFY2(log.contains(QStringLiteral("h2 GET /profile")),
                 qPrintable(log.join(QLatin1Char('|'))));
        for (const QString &line : log)
            QVERIFY2(!line.startsWith(QLatin1String("h2 POST /auth")), qPrintable(line));
    }

    // h2c with prior knowledge (QNetworkRequest::Http2DirectAttribute):
    // an expired token is refreshed once and the request replayed on the
    // same multiplexed connection.
    void expiredTokenOverH2c()
    {
        MemoryTokenStore store;
        Client c = client(m_front->clearUrl(), &store);
        QVERIFY(signIn(*c.session));
        QVERIFY(expireNow(*m_server));
        const int unauthorizedBefore = stat(*m_server, "unauthorizedTotal");
        QNetworkRequest request(m_front->clearUrl("/profile"));
        request.setAttribute(QNetworkRequest::Http2DirectAttribute, true);
        std::unique_ptr<QNetworkReply> reply(c.manager->get(request));
        QVERIFY(waitFinished(reply.get()));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QVERIFY(reply->attribute(QNetworkRequest::Http2WasUsedAttribute).toBool());
        QCOMPARE(c.session->refreshCount(), 1);
        QCOMPARE(c.session->replayCount(), 1);
        QCOMPARE(stat(*m_server, "unauthorizedTotal") - unauthorizedBefore, 1);
    }

    // 500 requests with an expired token, multiplexed on one h2 connection:
    // the front takes 100 streams at once, so up to 100 are on the wire when
    // the first 401 comes back. Exactly one refresh, every request answered
    // once with 200, only those on the wire answered 401 and replayed.
    void stormOf500OnOneConnection()
    {
        MemoryTokenStore store;
        Client c = client(m_front->tlsUrl(), &store);
        QVERIFY(signIn(*c.session));
        const auto request = [this] { return QNetworkRequest(m_front->tlsUrl("/profile")); };
        // Warm: the connection is up and the manager knows it is HTTP/2.
        const Storm warm = storm(*c.manager, request, 20);
        QCOMPARE(warm.ok, 20);
        QCOMPARE(warm.http2, 20);

        QVERIFY(expireNow(*m_server));
        const int unauthorizedBefore = stat(*m_server, "unauthorizedTotal");
        const int routedBefore = stat(*m_server, "routes", "GET /profile");
        const Storm expired = storm(*c.manager, request, 500);
        const int unauthorized = stat(*m_server, "unauthorizedTotal") - unauthorizedBefore;
        qInfo("h2 storm: 500 requests, %d answered 401, %d replayed, %d refresh(es)", unauthorized,
              c.session->replayCount(), c.session->refreshCount());
        QCOMPARE(expired.ok, 500);
        QCOMPARE(expired.http2, 500);
        QCOMPARE(expired.finishedTwice, 0);
        QCOMPARE(c.session->refreshCount(), 1);
        QVERIFY2(unauthorized >= 1 && unauthorized <= 100,
                 qPrintable(QString::number(unauthorized)));
        QCOMPARE(c.session->replayCount(), unauthorized);
        QCOMPARE(stat(*m_server, "routes", "GET /profile") - routedBefore, 500 + unauthorized);
    }

    // PUTs with bodies over h2: each one that met the expired token is
    // replayed with its method and body, byte for byte (the echo service
    // answers the method, size and SHA-256 of what it received).
    void bodiesReplayedOverH2()
    {
        MemoryTokenStore store;
        Client c = client(m_front->tlsUrl(), &store);
        QVERIFY(signIn(*c.session));
        QVERIFY(storm(
                    *c.manager, [this] { return QNetworkRequest(m_front->tlsUrl("/profile")); }, 5)
                    .ok
                == 5);
        QVERIFY(expireNow(*m_server));
        const auto request = [this] {
            QNetworkRequest r(m_front->tlsUrl("/echo"));
            r.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/octet-stream"));
            return r;
        };
        const auto body = [](int i) {
            QByteArray bytes(2000 + i, Qt::Uninitialized);
            for (int k = 0; k < bytes.size(); ++k)
                bytes[k] = char((k * 31 + i) & 0xff);
            return bytes;
        };
        const Storm puts = storm(*c.manager, request, 60, "PUT", body);
        QCOMPARE(puts.ok, 60);
        QCOMPARE(puts.http2, 60);
        QCOMPARE(c.session->refreshCount(), 1);
        QVERIFY(c.session->replayCount() >= 1);
    }
};

QTEST_GUILESS_MAIN(TestHttp2)
#include "tst_http2.moc"
