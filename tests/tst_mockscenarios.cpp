// Each QA scenario of the mock server, seen from a plain HTTP client. With
// SILENTAUTH_REFRESH_TRANSPORT=cookie (the suite's second run) the refresh token
// travels in the seed API's HttpOnly cookie instead of the JSON bodies.
#include "httpclient.h"
#include "testserver.h"

#include <QtCore/QJsonDocument>
#include <QtNetwork/QNetworkCookie>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

using namespace SilentAuth;
using namespace SilentAuth::Test;
using Mock::MockServer;
using Mock::MockServerConfig;

class TestMockScenarios : public QObject
{
    Q_OBJECT

private:
    HttpClient http;

    static QByteArray str(const QJsonObject &o, const char *key)
    {
        return o.value(QLatin1String(key)).toString().toUtf8();
    }
    static bool cookieTransport()
    {
        return qEnvironmentVariable("SILENTAUTH_REFRESH_TRANSPORT") == QLatin1String("cookie");
    }
    // The refresh token a sign-in or refresh answer carries, as the transport has it.
    static QByteArray refreshTokenOf(const HttpResult &answer)
    {
        if (!cookieTransport())
            return str(answer.json(), "refreshToken");
        for (const QNetworkCookie &cookie :
             QNetworkCookie::parseCookies(answer.header("set-cookie")))
            if (cookie.name() == "refreshToken")
                return cookie.value();
        return {};
    }
    // How a refresh request carries \a token: its body, and its headers.
    static QPair<QByteArray, HttpClient::Headers> carrying(const QByteArray &token)
    {
        if (cookieTransport())
            return {QByteArrayLiteral("{}"), {{"Cookie", "refreshToken=" + token}}};
        return {"{\"refreshToken\":\"" + token + "\"}", {}};
    }
    HttpResult signIn(MockServer &server)
    {
        return http.postJson(endpoint(server, "/auth/login"),
                             {{QStringLiteral("username"), QStringLiteral("alice")},
                              {QStringLiteral("password"), QStringLiteral("alice-password")}});
    }
    QJsonObject login(MockServer &server) { return signIn(server).json(); }
    QByteArray loginRefreshToken(MockServer &server) { return refreshTokenOf(signIn(server)); }
    bool setScenario(MockServer &server, const QJsonObject &scenario)
    {
        return http.postJson(endpoint(server, "/__admin/scenario"), scenario).status == 200;
    }
    HttpResult refresh(MockServer &server, const QByteArray &token)
    {
        if (token.isEmpty()) { // no token came: nothing to refresh with, no status to compare
            qWarning("no refresh token");
            return {};
        }
        const auto [body, headers] = carrying(token);
        return http.send("POST", endpoint(server, "/auth/refresh"), body,
                         headers + HttpClient::Headers {{"Content-Type", "application/json"}});
    }
    // A refresh over a raw socket, so no client-side retry hides a dropped
    // connection. The server runs in this thread, so the wait spins the
    // event loop instead of blocking. Returns what the server wrote.
    static QByteArray rawRefresh(MockServer &server, const QByteArray &token, bool *closed)
    {
        QTcpSocket socket;
        QByteArray received;
        QObject::connect(&socket, &QTcpSocket::readyRead, [&] { received += socket.readAll(); });
        socket.connectToHost(QHostAddress::LocalHost, server.port());
        const auto [body, headers] = carrying(token);
        QByteArray head
            = "POST /auth/refresh HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
        for (const auto &header : headers)
            head += header.first + ": " + header.second + "\r\n";
        socket.write(head + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n"
                     + body);
        QElapsedTimer timer;
        timer.start();
        while (socket.state() != QAbstractSocket::UnconnectedState && timer.elapsed() < 3000
               && !received.contains("\r\n\r\n"))
            QTest::qWait(10);
        *closed = socket.state() == QAbstractSocket::UnconnectedState;
        return received;
    }

private Q_SLOTS:
    void normal()
    {
        auto server = startServer();
        QVERIFY(server);
        QCOMPARE(server->scenario(), QStringLiteral("normal"));
        QCOMPARE(refresh(*server, loginRefreshToken(*server)).status, 200);
    }

    void expireNow()
    {
        auto server = startServer();
        QVERIFY(server);
        const HttpResult answer = signIn(*server);
        const QJsonObject tokens = answer.json();
        QCOMPARE(http.getBearer(endpoint(*server, "/profile"), str(tokens, "accessToken")).status,
                 200);
        QVERIFY(setScenario(*server, {{QStringLiteral("name"), QStringLiteral("expire-now")}}));
        const auto rejected
            = http.getBearer(endpoint(*server, "/profile"), str(tokens, "accessToken"));
        QCOMPARE(rejected.status, 401);
        QVERIFY(rejected.header("www-authenticate").contains("expired"));
        // Tokens issued afterwards work.
        const auto renewed = refresh(*server, refreshTokenOf(answer));
        QCOMPARE(renewed.status, 200);
        QCOMPARE(http.getBearer(endpoint(*server, "/profile"), str(renewed.json(), "accessToken"))
                     .status,
                 200);
    }

    void slowRefresh()
    {
        auto server = startServer();
        QVERIFY(server);
        const QByteArray token = loginRefreshToken(*server);
        QVERIFY(setScenario(*server,
                            {{QStringLiteral("name"), QStringLiteral("slow-refresh")},
                             {QStringLiteral("delayMs"), 700}}));
        const auto result = refresh(*server, token);
        QCOMPARE(result.status, 200);
        QVERIFY2(result.elapsedMs >= 650, QByteArray::number(result.elapsedMs));
        // Only refresh is slow.
        QVERIFY(http.send("GET", endpoint(*server, "/health")).elapsedMs < 650);
    }

    void refreshUnavailable()
    {
        auto server = startServer();
        QVERIFY(server);
        const QByteArray token = loginRefreshToken(*server);
        QVERIFY(setScenario(*server,
                            {{QStringLiteral("name"), QStringLiteral("refresh-unavailable")},
                             {QStringLiteral("count"), 2}}));
        for (int i = 0; i < 2; ++i) {
            const auto result = refresh(*server, token);
            QCOMPARE(result.status, 503);
            QCOMPARE(result.header("retry-after"), QByteArray("1"));
            QCOMPARE(result.json()[QLatin1String("error")].toString(),
                     QStringLiteral("temporarily_unavailable"));
        }
        // count exhausted: the server is back, and the token was kept.
        QCOMPARE(refresh(*server, token).status, 200);
    }

    void refreshDrop()
    {
        auto server = startServer();
        QVERIFY(server);
        const QByteArray token = loginRefreshToken(*server);
        QVERIFY(setScenario(*server,
                            {{QStringLiteral("name"), QStringLiteral("refresh-drop")},
                             {QStringLiteral("count"), 1}}));
        bool closed = false;
        QCOMPARE(rawRefresh(*server, token, &closed), QByteArray());
        QVERIFY(closed);
        // Nothing was rotated: the same token still works.
        QCOMPARE(refresh(*server, token).status, 200);
        QCOMPARE(
            server->stats()[QLatin1String("refreshes")][QLatin1String("reuseDetected")].toInt(), 0);
    }

    void lostRefreshResponse()
    {
        auto server = startServer();
        QVERIFY(server);
        const QByteArray token = loginRefreshToken(*server);
        QVERIFY(setScenario(*server,
                            {{QStringLiteral("name"), QStringLiteral("lost-refresh-response")},
                             {QStringLiteral("count"), 1}}));
        bool closed = false;
        QCOMPARE(rawRefresh(*server, token, &closed), QByteArray());
        QVERIFY(closed);
        // The server rotated: without a grace window the retry is reuse.
        const auto retry = refresh(*server, token);
        QCOMPARE(retry.status, 401);
        QCOMPARE(
            server->stats()[QLatin1String("refreshes")][QLatin1String("reuseDetected")].toInt(), 1);
    }

    void lostRefreshResponseWithGrace()
    {
        MockServerConfig config;
        config.reuseGrace = std::chrono::seconds(10);
        auto server = startServer(config);
        QVERIFY(server);
        const QByteArray token = loginRefreshToken(*server);
        QVERIFY(setScenario(*server,
                            {{QStringLiteral("name"), QStringLiteral("lost-refresh-response")},
                             {QStringLiteral("count"), 1}}));
        bool closed = false;
        QCOMPARE(rawRefresh(*server, token, &closed), QByteArray());
        QVERIFY(closed);
        const auto retry = refresh(*server, token);
        QCOMPARE(retry.status, 200);
        QCOMPARE(refresh(*server, refreshTokenOf(retry)).status, 200);
    }

    void revokedRefresh()
    {
        auto server = startServer();
        QVERIFY(server);
        const QByteArray token = loginRefreshToken(*server);
        QVERIFY(
            setScenario(*server, {{QStringLiteral("name"), QStringLiteral("revoked-refresh")}}));
        const auto result = refresh(*server, token);
        QCOMPARE(result.status, 401);
        QCOMPARE(result.json()[QLatin1String("error")].toString(), QStringLiteral("invalid_grant"));
        // The OAuth endpoint answers the RFC 6749 way.
        const auto oauth = http.postForm(endpoint(*server, "/oauth/token"),
                                         "grant_type=refresh_token&client_id=silentauth-desktop"
                                         "&refresh_token="
                                             + token);
        QCOMPARE(oauth.status, 400);
        QCOMPARE(oauth.json()[QLatin1String("error")].toString(), QStringLiteral("invalid_grant"));
    }

    void malformedRefresh()
    {
        auto server = startServer();
        QVERIFY(server);
        const QByteArray token = loginRefreshToken(*server);
        QVERIFY(
            setScenario(*server, {{QStringLiteral("name"), QStringLiteral("malformed-refresh")}}));
        const auto result = refresh(*server, token);
        QCOMPARE(result.status, 200);
        QJsonParseError error;
        QJsonDocument::fromJson(result.body, &error);
        QVERIFY(error.error != QJsonParseError::NoError);
    }

    void flakyResources_data()
    {
        QTest::addColumn<double>("rate");
        QTest::addColumn<int>("expectedFailures");
        QTest::newRow("always") << 1.0 << 20;
        QTest::newRow("never") << 0.0 << 0;
    }

    void flakyResources()
    {
        QFETCH(double, rate);
        QFETCH(int, expectedFailures);
        auto server = startServer();
        QVERIFY(server);
        const QByteArray token = str(login(*server), "accessToken");
        QVERIFY(setScenario(*server,
                            {{QStringLiteral("name"), QStringLiteral("flaky-resources")},
                             {QStringLiteral("failureRate"), rate}}));
        int failures = 0;
        for (int i = 0; i < 20; ++i) {
            const auto result = http.getBearer(endpoint(*server, "/profile"), token);
            QVERIFY(result.status == 200 || result.status == 500);
            failures += result.status == 500;
        }
        QCOMPARE(failures, expectedFailures);
        // Auth is never flaky.
        QCOMPARE(http.send("GET", endpoint(*server, "/health")).status, 200);
        QVERIFY(!str(login(*server), "accessToken").isEmpty());
    }

    void clockSkew()
    {
        auto server = startServer();
        QVERIFY(server);
        QVERIFY(setScenario(*server,
                            {{QStringLiteral("name"), QStringLiteral("clock-skew")},
                             {QStringLiteral("seconds"), -3598}}));
        const auto tokens = login(*server);
        QCOMPARE(tokens[QLatin1String("expiresIn")].toInt(), 3600);
        const auto payload = QJsonDocument::fromJson(
                                 QByteArray::fromBase64(str(tokens, "accessToken").split('.')[1],
                                                        QByteArray::Base64UrlEncoding))
                                 .object();
        const qint64 exp = qint64(payload[QLatin1String("exp")].toDouble());
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QVERIFY2(exp - now <= 3 && exp - now >= 0, QByteArray::number(exp - now));
        // The token dies within seconds although expiresIn said an hour.
        QTRY_COMPARE_WITH_TIMEOUT(
            http.getBearer(endpoint(*server, "/profile"), str(tokens, "accessToken")).status, 401,
            5000);
    }

    void scenarioAtStart()
    {
        MockServerConfig config;
        config.scenario = QStringLiteral("refresh-unavailable");
        auto server = startServer(config);
        QVERIFY(server);
        QCOMPARE(refresh(*server, loginRefreshToken(*server)).status, 503);
        config.scenario = QStringLiteral("bogus");
        Mock::MockServer bad(config);
        QString error;
        QVERIFY(!bad.start(&error));
        QVERIFY(error.contains(QLatin1String("bogus")));
    }

    void delayedAnswerToAVanishedClient()
    {
        auto server = startServer();
        QVERIFY(server);
        QStringList lines;
        connect(server.get(), &MockServer::requestLogged, this,
                [&](const QString &line) { lines.append(line); });
        const QByteArray token = loginRefreshToken(*server);
        QVERIFY(setScenario(*server,
                            {{QStringLiteral("name"), QStringLiteral("slow-refresh")},
                             {QStringLiteral("delayMs"), 300}}));
        for (int i = 0; i < 10; ++i) {
            QNetworkRequest request(endpoint(*server, "/auth/refresh"));
            request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
            const auto [body, headers] = carrying(token);
            for (const auto &header : headers)
                request.setRawHeader(header.first, header.second);
            QNetworkReply *reply = http.manager().post(request, body);
            QTimer::singleShot(50, reply, &QNetworkReply::abort);
            connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
        }
        // Every refresh that reached the server (QNAM sends at most six at
        // once per host) found its client gone when the answer was due.
        QTest::qWait(150); // every client has aborted; no answer is due yet
        const int received
            = server->stats()[QLatin1String("routes")][QLatin1String("POST /auth/refresh")].toInt();
        QVERIFY(received >= 1);
        QTRY_COMPARE_WITH_TIMEOUT(lines.filter(QStringLiteral("client gone")).size(), received,
                                  3000);
        QCOMPARE(lines.filter(QStringLiteral("POST /auth/refresh 200")).size(), 0);
        QCOMPARE(http.send("GET", endpoint(*server, "/health")).status, 200);
    }
};

QTEST_GUILESS_MAIN(TestMockScenarios)
#include "tst_mockscenarios.moc"
