// The mock server's protocol, end to end over HTTP on a loopback port.
#include "httpclient.h"
#include "testserver.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QNetworkInterface>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

using namespace SilentAuth;
using namespace SilentAuth::Test;
using Mock::MockServer;
using Mock::MockServerConfig;

namespace {

// This process's resident memory (VmRSS), in KiB.
qint64 residentKb()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

} // namespace

class TestMockServer : public QObject
{
    Q_OBJECT

private:
    HttpClient http;

    QJsonObject login(MockServer &server, const QString &user = QStringLiteral("alice"),
                      const QString &password = QStringLiteral("alice-password"))
    {
        const auto result = http.postJson(
            endpoint(server, "/auth/login"),
            {{QStringLiteral("username"), user}, {QStringLiteral("password"), password}});
        return result.status == 200 ? result.json() : QJsonObject();
    }
    static QByteArray str(const QJsonObject &o, const char *key)
    {
        return o.value(QLatin1String(key)).toString().toUtf8();
    }
    HttpResult refresh(MockServer &server, const QByteArray &token)
    {
        return http.postJson(endpoint(server, "/auth/refresh"),
                             {{QStringLiteral("refreshToken"), QString::fromUtf8(token)}});
    }

private Q_SLOTS:
    void loginReturnsTheSeedShape()
    {
        auto server = startServer();
        QVERIFY(server);
        const auto result
            = http.postJson(endpoint(*server, "/auth/login"),
                            {{QStringLiteral("username"), QStringLiteral("alice")},
                             {QStringLiteral("password"), QStringLiteral("alice-password")}});
        QCOMPARE(result.status, 200);
        const auto body = result.json();
        QVERIFY(!str(body, "accessToken").isEmpty());
        QVERIFY(!str(body, "refreshToken").isEmpty());
        QCOMPARE(body.value(QLatin1String("tokenType")).toString(), QStringLiteral("Bearer"));
        QCOMPARE(body.value(QLatin1String("expiresIn")).toInt(), 3600);
        QVERIFY(qAbs(body.value(QLatin1String("refreshExpiresIn")).toInt() - 14 * 86400) <= 1);
        QCOMPARE(result.header("cache-control"), QByteArray("no-store"));
    }

    void loginFailures_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("error");
        QTest::newRow("wrong-password") << QByteArray(R"({"username":"alice","password":"x"})")
                                        << 401 << QStringLiteral("invalid_credentials");
        QTest::newRow("unknown-user") << QByteArray(R"({"username":"zed","password":"x"})") << 401
                                      << QStringLiteral("invalid_credentials");
        QTest::newRow("not-json") << QByteArray("{username:") << 400
                                  << QStringLiteral("invalid_json");
        QTest::newRow("array") << QByteArray("[]") << 400 << QStringLiteral("invalid_json");
        QTest::newRow("missing-password")
            << QByteArray(R"({"username":"alice"})") << 400 << QStringLiteral("invalid_request");
        QTest::newRow("number-username") << QByteArray(R"({"username":1,"password":"x"})") << 400
                                         << QStringLiteral("invalid_request");
        QTest::newRow("garbage-bytes")
            << QByteArray("\x00\xff\xfe garbage", 12) << 400 << QStringLiteral("invalid_json");
    }

    void loginFailures()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        QFETCH(QString, error);
        auto server = startServer();
        QVERIFY(server);
        const auto result = http.send("POST", endpoint(*server, "/auth/login"), body,
                                      {{"Content-Type", "application/json"}});
        QCOMPARE(result.status, status);
        QCOMPARE(result.json().value(QLatin1String("error")).toString(), error);
        QVERIFY(result.json().contains(QLatin1String("message")));
    }

    void loginIsThrottledAfterFiveFailures()
    {
        auto server = startServer();
        QVERIFY(server);
        for (int i = 0; i < 5; ++i)
            QVERIFY(login(*server, QStringLiteral("alice"), QStringLiteral("wrong")).isEmpty());
        const auto result
            = http.postJson(endpoint(*server, "/auth/login"),
                            {{QStringLiteral("username"), QStringLiteral("alice")},
                             {QStringLiteral("password"), QStringLiteral("alice-password")}});
        QCOMPARE(result.status, 429);
        QCOMPARE(result.json().value(QLatin1String("error")).toString(),
                 QStringLiteral("too_many_attempts"));
        const int retryAfter = result.header("retry-after").toInt();
        QVERIFY2(retryAfter >= 1 && retryAfter <= 60, result.header("retry-after"));
        // Another user is not affected.
        QVERIFY(!login(*server, QStringLiteral("bob"), QStringLiteral("bob-password")).isEmpty());
        QCOMPARE(server->stats()[QLatin1String("logins")][QLatin1String("throttled")].toInt(), 1);
    }

    void throttleWindowExpires()
    {
        MockServerConfig config;
        config.loginAttemptWindow = std::chrono::seconds(1);
        auto server = startServer(config);
        QVERIFY(server);
        for (int i = 0; i < 5; ++i)
            login(*server, QStringLiteral("alice"), QStringLiteral("wrong"));
        QVERIFY(login(*server).isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!login(*server).isEmpty(), 3000);
    }

    void protectedRoutesChallenge_data()
    {
        QTest::addColumn<QByteArray>("authorization");
        QTest::addColumn<QByteArray>("reason");
        QTest::addColumn<bool>("hasError");
        QTest::newRow("missing") << QByteArray() << QByteArray("missing") << false;
        QTest::newRow("not-bearer")
            << QByteArray("Basic YWxpY2U6eA==") << QByteArray("missing") << false;
        QTest::newRow("garbage") << QByteArray("Bearer abc") << QByteArray("malformed") << true;
        QTest::newRow("alg-none") << QByteArray(
            "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSIsImV4"
            "cCI6OTk5OTk5OTk5OSwidHlwIjoiYWNjZXNzIn0.")
                                  << QByteArray("bad_algorithm") << true;
    }

    void protectedRoutesChallenge()
    {
        QFETCH(QByteArray, authorization);
        QFETCH(QByteArray, reason);
        QFETCH(bool, hasError);
        auto server = startServer();
        QVERIFY(server);
        HttpClient::Headers headers;
        if (!authorization.isEmpty())
            headers.append(qMakePair(QByteArray("Authorization"), authorization));
        const auto result = http.send("GET", endpoint(*server, "/profile"), {}, headers);
        QCOMPARE(result.status, 401);
        const QByteArray challenge = result.header("www-authenticate");
        QVERIFY2(challenge.startsWith("Bearer realm=\"silentauth\""), challenge);
        QCOMPARE(challenge.contains("error=\"invalid_token\""), hasError);
        QCOMPARE(challenge.contains("error_description="), hasError);
        QVERIFY(result.json().contains(QLatin1String("error")));
        QCOMPARE(server->stats()[QLatin1String("unauthorized")][QLatin1String(reason)].toInt(), 1);
    }

    void tokensAreCheckedForTypeSignatureAndExpiry()
    {
        MockServerConfig config;
        config.accessTtl = std::chrono::seconds(1);
        auto server = startServer(config);
        QVERIFY(server);
        const auto tokens = login(*server);
        const QByteArray access = str(tokens, "accessToken");
        QCOMPARE(http.getBearer(endpoint(*server, "/profile"), access).status, 200);

        // A refresh token is not an access token.
        auto result = http.getBearer(endpoint(*server, "/profile"), str(tokens, "refreshToken"));
        QCOMPARE(result.status, 401);
        QVERIFY(result.header("www-authenticate").contains("refresh token"));

        // A token signed by another server.
        MockServerConfig other;
        other.secret = "another secret";
        auto otherServer = startServer(other);
        QVERIFY(otherServer);
        result = http.getBearer(endpoint(*server, "/profile"),
                                str(login(*otherServer), "accessToken"));
        QCOMPARE(result.status, 401);
        QVERIFY(result.header("www-authenticate").contains("signature"));

        QTRY_COMPARE_WITH_TIMEOUT(http.getBearer(endpoint(*server, "/profile"), access).status, 401,
                                  3000);
        QVERIFY(http.getBearer(endpoint(*server, "/profile"), access)
                    .header("www-authenticate")
                    .contains("expired"));
        QCOMPARE(server->stats()[QLatin1String("unauthorized")][QLatin1String("expired")].toInt()
                     >= 1,
                 true);
    }

    void refreshRotatesAndDetectsReuse()
    {
        auto server = startServer();
        QVERIFY(server);
        const QByteArray first = str(login(*server), "refreshToken");
        auto result = refresh(*server, first);
        QCOMPARE(result.status, 200);
        const QByteArray second = str(result.json(), "refreshToken");
        QVERIFY(!second.isEmpty());
        QVERIFY(second != first);
        QCOMPARE(
            http.getBearer(endpoint(*server, "/profile"), str(result.json(), "accessToken")).status,
            200);

        // Presenting the rotated token again revokes the whole family.
        result = refresh(*server, first);
        QCOMPARE(result.status, 401);
        QCOMPARE(result.json().value(QLatin1String("error")).toString(),
                 QStringLiteral("invalid_grant"));
        QCOMPARE(refresh(*server, second).status, 401);
        const auto stats = server->stats();
        QCOMPARE(stats[QLatin1String("refreshes")][QLatin1String("reuseDetected")].toInt(), 1);
        QCOMPARE(stats[QLatin1String("liveRefreshTokens")].toInt(), 0);
        QCOMPARE(stats[QLatin1String("blacklistSize")].toInt(), 2);
    }

    void reuseGraceGivesTheCurrentPair()
    {
        MockServerConfig config;
        config.reuseGrace = std::chrono::seconds(30);
        auto server = startServer(config);
        QVERIFY(server);
        const QByteArray first = str(login(*server), "refreshToken");
        const QByteArray second = str(refresh(*server, first).json(), "refreshToken");
        QVERIFY(!second.isEmpty());
        // The answer to the first refresh was "lost": retrying with the
        // old token inside the window gives the same current refresh token.
        const auto retry = refresh(*server, first);
        QCOMPARE(retry.status, 200);
        QCOMPARE(str(retry.json(), "refreshToken"), second);
        QCOMPARE(
            http.getBearer(endpoint(*server, "/profile"), str(retry.json(), "accessToken")).status,
            200);
        QCOMPARE(refresh(*server, second).status, 200);
        QCOMPARE(server->stats()[QLatin1String("refreshes")][QLatin1String("graceReplays")].toInt(),
                 1);
    }

    void graceWindowEnds()
    {
        MockServerConfig config;
        config.reuseGrace = std::chrono::seconds(1);
        auto server = startServer(config);
        QVERIFY(server);
        const QByteArray first = str(login(*server), "refreshToken");
        QCOMPARE(refresh(*server, first).status, 200);
        QTest::qWait(2100);
        QCOMPARE(refresh(*server, first).status, 401);
        QCOMPARE(
            server->stats()[QLatin1String("refreshes")][QLatin1String("reuseDetected")].toInt(), 1);
    }

    void refreshWithoutRotationKeepsTheToken()
    {
        MockServerConfig config;
        config.rotateRefreshTokens = false;
        auto server = startServer(config);
        QVERIFY(server);
        const QByteArray token = str(login(*server), "refreshToken");
        for (int i = 0; i < 3; ++i) {
            const auto result = refresh(*server, token);
            QCOMPARE(result.status, 200);
            QCOMPARE(str(result.json(), "refreshToken"), token);
        }
    }

    void refreshRejects_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("status");
        QTest::newRow("garbage-token") << QByteArray(R"({"refreshToken":"abc"})") << 401;
        QTest::newRow("empty-token") << QByteArray(R"({"refreshToken":""})") << 400;
        QTest::newRow("number-token") << QByteArray(R"({"refreshToken":5})") << 400;
        QTest::newRow("not-json") << QByteArray("refreshToken=abc") << 400;
    }

    void refreshRejects()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, status);
        auto server = startServer();
        QVERIFY(server);
        QCOMPARE(http.send("POST", endpoint(*server, "/auth/refresh"), body).status, status);
    }

    void accessTokenIsNotARefreshToken()
    {
        auto server = startServer();
        QVERIFY(server);
        const auto result = refresh(*server, str(login(*server), "accessToken"));
        QCOMPARE(result.status, 401);
        QCOMPARE(result.json().value(QLatin1String("error")).toString(),
                 QStringLiteral("invalid_grant"));
    }

    void logoutBlacklistsAndIsIdempotent()
    {
        auto server = startServer();
        QVERIFY(server);
        const QByteArray token = str(login(*server), "refreshToken");
        const QJsonObject body {{QStringLiteral("refreshToken"), QString::fromUtf8(token)}};
        auto result = http.postJson(endpoint(*server, "/auth/logout"), body);
        QCOMPARE(result.status, 200);
        QVERIFY(result.json().contains(QLatin1String("msg")));
        QCOMPARE(server->stats()[QLatin1String("blacklistSize")].toInt(), 1);
        QCOMPARE(refresh(*server, token).status, 401);
        QCOMPARE(http.postJson(endpoint(*server, "/auth/logout"), body).status, 200);
        QCOMPARE(server->stats()[QLatin1String("blacklistSize")].toInt(), 1);
        result = http.postJson(endpoint(*server, "/auth/logout"),
                               {{QStringLiteral("refreshToken"), QStringLiteral("x.y.z")}});
        QCOMPARE(result.status, 400);
    }

    void blacklistIsPurgedOnSchedule()
    {
        MockServerConfig config;
        config.blacklistRetention = std::chrono::milliseconds(300);
        config.cleanupInterval = std::chrono::milliseconds(100);
        auto server = startServer(config);
        QVERIFY(server);
        const QByteArray token = str(login(*server), "refreshToken");
        http.postJson(endpoint(*server, "/auth/logout"),
                      {{QStringLiteral("refreshToken"), QString::fromUtf8(token)}});
        QCOMPARE(server->stats()[QLatin1String("blacklistSize")].toInt(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(server->stats()[QLatin1String("blacklistSize")].toInt(), 0, 3000);
        QCOMPARE(server->stats()[QLatin1String("blacklistPurged")].toInt(), 1);
        // Purged from the blacklist, but still gone from the store: rejected.
        QCOMPARE(refresh(*server, token).status, 401);
    }

    void oauthClientAuthentication_data()
    {
        QTest::addColumn<QByteArray>("form");
        QTest::addColumn<QByteArray>("basic");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("error");
        const QByteArray grant = "grant_type=password&username=alice&password=alice-password";
        QTest::newRow("public-client")
            << grant + "&client_id=silentauth-desktop" << QByteArray() << 200 << QString();
        QTest::newRow("client-secret-post")
            << grant + "&client_id=silentauth-service&client_secret=service-secret" << QByteArray()
            << 200 << QString();
        QTest::newRow("client-secret-basic")
            << grant << QByteArray("silentauth-service:service-secret") << 200 << QString();
        QTest::newRow("wrong-secret") << grant << QByteArray("silentauth-service:nope") << 401
                                      << QStringLiteral("invalid_client");
        QTest::newRow("confidential-without-secret")
            << grant + "&client_id=silentauth-service" << QByteArray() << 401
            << QStringLiteral("invalid_client");
        QTest::newRow("no-client")
            << grant << QByteArray() << 401 << QStringLiteral("invalid_client");
        QTest::newRow("two-methods") << grant + "&client_secret=service-secret"
                                     << QByteArray("silentauth-service:service-secret") << 400
                                     << QStringLiteral("invalid_request");
        QTest::newRow("wrong-password")
            << QByteArray("grant_type=password&username=alice&password=x&client_id="
                          "silentauth-desktop")
            << QByteArray() << 400 << QStringLiteral("invalid_grant");
        QTest::newRow("unsupported-grant")
            << QByteArray("grant_type=client_credentials&client_id=silentauth-desktop")
            << QByteArray() << 400 << QStringLiteral("unsupported_grant_type");
        QTest::newRow("no-grant") << QByteArray("client_id=silentauth-desktop") << QByteArray()
                                  << 400 << QStringLiteral("invalid_request");
    }

    void oauthClientAuthentication()
    {
        QFETCH(QByteArray, form);
        QFETCH(QByteArray, basic);
        QFETCH(int, status);
        QFETCH(QString, error);
        auto server = startServer();
        QVERIFY(server);
        HttpClient::Headers headers;
        if (!basic.isEmpty())
            headers.append(qMakePair(QByteArray("Authorization"), "Basic " + basic.toBase64()));
        const auto result = http.postForm(endpoint(*server, "/oauth/token"), form, headers);
        QCOMPARE(result.status, status);
        const auto body = result.json();
        if (status == 200) {
            QCOMPARE(body.value(QLatin1String("token_type")).toString(), QStringLiteral("Bearer"));
            QCOMPARE(body.value(QLatin1String("expires_in")).toInt(), 3600);
            QVERIFY(!str(body, "refresh_token").isEmpty());
            QCOMPARE(
                http.getBearer(endpoint(*server, "/profile"), str(body, "access_token")).status,
                200);
        } else {
            QCOMPARE(body.value(QLatin1String("error")).toString(), error);
            QVERIFY(body.contains(QLatin1String("error_description")));
        }
        QCOMPARE(result.header("cache-control"), QByteArray("no-store"));
    }

    void oauthRefreshGrantAndRevocation()
    {
        auto server = startServer();
        QVERIFY(server);
        const QByteArray client = "&client_id=silentauth-desktop";
        auto result = http.postForm(endpoint(*server, "/oauth/token"),
                                    "grant_type=password&username=bob&password=bob-password"
                                    "&scope=profile+board"
                                        + client);
        QCOMPARE(result.status, 200);
        QCOMPARE(result.json().value(QLatin1String("scope")).toString(),
                 QStringLiteral("profile board"));
        const QByteArray refreshToken = str(result.json(), "refresh_token");
        result = http.postForm(endpoint(*server, "/oauth/token"),
                               "grant_type=refresh_token&refresh_token=" + refreshToken + client);
        QCOMPARE(result.status, 200);
        const QByteArray rotated = str(result.json(), "refresh_token");
        QVERIFY(!rotated.isEmpty() && rotated != refreshToken);

        result = http.postForm(endpoint(*server, "/oauth/revoke"), "token=" + rotated + client);
        QCOMPARE(result.status, 200);
        result = http.postForm(endpoint(*server, "/oauth/token"),
                               "grant_type=refresh_token&refresh_token=" + rotated + client);
        QCOMPARE(result.status, 400);
        QCOMPARE(result.json().value(QLatin1String("error")).toString(),
                 QStringLiteral("invalid_grant"));
        // RFC 7009: an unknown token is still answered 200.
        QCOMPARE(
            http.postForm(endpoint(*server, "/oauth/revoke"), "token=nonsense" + client).status,
            200);
        QCOMPARE(http.postForm(endpoint(*server, "/oauth/revoke"), "token=x").status, 401);
        QCOMPARE(server->stats()[QLatin1String("revocations")].toInt(), 1);
    }

    void oauthWithoutRotationOmitsRefreshToken()
    {
        MockServerConfig config;
        config.rotateRefreshTokens = false;
        auto server = startServer(config);
        QVERIFY(server);
        const QByteArray client = "&client_id=silentauth-desktop";
        auto result
            = http.postForm(endpoint(*server, "/oauth/token"),
                            "grant_type=password&username=bob&password=bob-password" + client);
        const QByteArray token = str(result.json(), "refresh_token");
        result = http.postForm(endpoint(*server, "/oauth/token"),
                               "grant_type=refresh_token&refresh_token=" + token + client);
        QCOMPARE(result.status, 200);
        QVERIFY(!result.json().contains(QLatin1String("refresh_token")));
        QVERIFY(!str(result.json(), "access_token").isEmpty());
    }

    void oauthNeedsFormEncoding()
    {
        auto server = startServer();
        QVERIFY(server);
        const auto result
            = http.postJson(endpoint(*server, "/oauth/token"),
                            {{QStringLiteral("grant_type"), QStringLiteral("password")}});
        QCOMPARE(result.status, 400);
        QCOMPARE(result.json().value(QLatin1String("error")).toString(),
                 QStringLiteral("invalid_request"));
    }

    void profileReadAndEdit()
    {
        auto server = startServer();
        QVERIFY(server);
        const QByteArray token = str(login(*server), "accessToken");
        const HttpClient::Headers auth {{"Authorization", "Bearer " + token}};
        auto result = http.send("GET", endpoint(*server, "/profile"), {}, auth);
        QCOMPARE(result.status, 200);
        QCOMPARE(result.json().value(QLatin1String("username")).toString(),
                 QStringLiteral("alice"));
        QCOMPARE(result.json().value(QLatin1String("displayName")).toString(),
                 QStringLiteral("Alice Example"));
        result = http.send("PATCH", endpoint(*server, "/profile"),
                           R"({"displayName":"  Alice K.  "})", auth);
        QCOMPARE(result.status, 200);
        QCOMPARE(result.json().value(QLatin1String("displayName")).toString(),
                 QStringLiteral("Alice K."));
        QCOMPARE(http.send("GET", endpoint(*server, "/profile"), {}, auth)
                     .json()
                     .value(QLatin1String("displayName"))
                     .toString(),
                 QStringLiteral("Alice K."));
        QCOMPARE(
            http.send("PATCH", endpoint(*server, "/profile"), R"({"displayName":""})", auth).status,
            400);
        QCOMPARE(http.send("PATCH", endpoint(*server, "/profile"), "nope", auth).status, 400);
    }

    void boardCrud()
    {
        auto server = startServer();
        QVERIFY(server);
        const HttpClient::Headers alice {
            {"Authorization", "Bearer " + str(login(*server), "accessToken")}};
        const HttpClient::Headers bob {
            {"Authorization",
             "Bearer "
                 + str(login(*server, QStringLiteral("bob"), QStringLiteral("bob-password")),
                       "accessToken")}};
        QCOMPARE(http.send("GET", endpoint(*server, "/boards"), {}, alice)
                     .json()[QLatin1String("items")]
                     .toArray()
                     .size(),
                 0);
        auto result = http.send("POST", endpoint(*server, "/boards"),
                                R"({"title":"Hello","body":"First post"})", alice);
        QCOMPARE(result.status, 201);
        const int id = result.json().value(QLatin1String("id")).toInt();
        QCOMPARE(result.header("location"), "/boards/" + QByteArray::number(id));
        QCOMPARE(result.json().value(QLatin1String("author")).toString(), QStringLiteral("alice"));
        http.send("POST", endpoint(*server, "/boards"), R"({"title":"Second"})", bob);

        result = http.send("GET", endpoint(*server, "/boards"), {}, bob);
        const auto items = result.json()[QLatin1String("items")].toArray();
        QCOMPARE(items.size(), 2);
        QCOMPARE(items.first()[QLatin1String("title")].toString(), QStringLiteral("Second"));

        QUrl postUrl = endpoint(*server, "/boards");
        postUrl.setPath(QStringLiteral("/boards/%1").arg(id));
        QCOMPARE(http.send("GET", postUrl, {}, bob).json()[QLatin1String("body")].toString(),
                 QStringLiteral("First post"));
        QCOMPARE(http.send("PUT", postUrl, R"({"title":"Mine now"})", bob).status, 403);
        result = http.send("PUT", postUrl, R"({"title":"Hello again","body":"Edited"})", alice);
        QCOMPARE(result.status, 200);
        QCOMPARE(result.json()[QLatin1String("title")].toString(), QStringLiteral("Hello again"));
        QCOMPARE(http.send("PUT", postUrl, R"({"title":""})", alice).status, 400);
        QCOMPARE(http.send("DELETE", postUrl, {}, bob).status, 403);
        QCOMPARE(http.send("DELETE", postUrl, {}, alice).status, 200);
        QCOMPARE(http.send("GET", postUrl, {}, alice).status, 404);
        postUrl.setPath(QStringLiteral("/boards/abc"));
        QCOMPARE(http.send("GET", postUrl, {}, alice).status, 404);
    }

    void echoReportsTheBody()
    {
        auto server = startServer();
        QVERIFY(server);
        const QByteArray body = QByteArray("binary\x00\x01\x02 body", 15);
        const auto result
            = http.send("PUT", endpoint(*server, "/echo"), body,
                        {{"Authorization", "Bearer " + str(login(*server), "accessToken")},
                         {"Content-Type", "application/octet-stream"}});
        QCOMPARE(result.status, 200);
        const auto json = result.json();
        QCOMPARE(json[QLatin1String("method")].toString(), QStringLiteral("PUT"));
        QCOMPARE(json[QLatin1String("length")].toInt(), 15);
        QCOMPARE(json[QLatin1String("sha256")].toString().toLatin1(),
                 QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex());
    }

    void routingErrorsHaveJsonBodies()
    {
        MockServerConfig config;
        config.maxBodyBytes = 1000;
        auto server = startServer(config);
        QVERIFY(server);
        auto result = http.send("GET", endpoint(*server, "/nowhere"));
        QCOMPARE(result.status, 404);
        QCOMPARE(result.json()[QLatin1String("error")].toString(), QStringLiteral("not_found"));
        result = http.send("GET", endpoint(*server, "/auth/login"));
        QCOMPARE(result.status, 405);
        QCOMPARE(result.header("allow"), QByteArray("POST"));
        QCOMPARE(result.json()[QLatin1String("error")].toString(),
                 QStringLiteral("method_not_allowed"));
        result = http.send("POST", endpoint(*server, "/auth/login"), QByteArray(2000, 'x'));
        QCOMPARE(result.status, 413);
        QCOMPARE(result.json()[QLatin1String("error")].toString(),
                 QStringLiteral("payload_too_large"));
        QCOMPARE(http.send("GET", endpoint(*server, "/health")).status, 200);
    }

    void adminGuard()
    {
        MockServerConfig config;
        config.adminToken = "let-me-in";
        auto server = startServer(config);
        QVERIFY(server);
        QCOMPARE(http.send("GET", endpoint(*server, "/__admin/stats")).status, 403);
        QCOMPARE(
            http.send("GET", endpoint(*server, "/__admin/stats"), {}, {{"X-Admin-Token", "wrong"}})
                .status,
            403);
        QCOMPARE(http.send("GET", endpoint(*server, "/__admin/stats"), {},
                           {{"X-Admin-Token", "let-me-in"}})
                     .status,
                 200);
    }

    void adminIsLoopbackOnlyWithoutToken()
    {
        QHostAddress external;
        for (const auto &address : QNetworkInterface::allAddresses()) {
            if (address.protocol() == QAbstractSocket::IPv4Protocol && !address.isLoopback()) {
                external = address;
                break;
            }
        }
        if (external.isNull())
            QSKIP("This machine has no non-loopback IPv4 address to connect from");
        MockServerConfig config;
        config.address = external;
        auto server = startServer(config);
        QVERIFY(server);
        const auto result = http.send("GET", endpoint(*server, "/__admin/stats"));
        QCOMPARE(result.status, 403);
        QCOMPARE(http.send("GET", endpoint(*server, "/health")).status, 200);
    }

    void adminRoutes()
    {
        auto server = startServer();
        QVERIFY(server);
        auto result = http.send("GET", endpoint(*server, "/__admin/scenarios"));
        QCOMPARE(result.status, 200);
        const auto list = result.json()[QLatin1String("scenarios")].toArray();
        QStringList names;
        for (const auto &entry : list) {
            names.append(entry[QLatin1String("name")].toString());
            QVERIFY(!entry[QLatin1String("description")].toString().isEmpty());
        }
        for (const char *expected : {"normal", "expire-now", "slow-refresh", "refresh-unavailable",
                                     "refresh-drop", "lost-refresh-response", "revoked-refresh",
                                     "malformed-refresh", "flaky-resources", "clock-skew"})
            QVERIFY2(names.contains(QLatin1String(expected)), expected);

        result = http.postJson(endpoint(*server, "/__admin/scenario"),
                               {{QStringLiteral("name"), QStringLiteral("slow-refresh")},
                                {QStringLiteral("delayMs"), 10}});
        QCOMPARE(result.status, 200);
        QCOMPARE(server->scenario(), QStringLiteral("slow-refresh"));
        result = http.postJson(endpoint(*server, "/__admin/scenario"),
                               {{QStringLiteral("name"), QStringLiteral("no-such")}});
        QCOMPARE(result.status, 400);
        result = http.postJson(endpoint(*server, "/__admin/scenario"),
                               {{QStringLiteral("name"), QStringLiteral("slow-refresh")},
                                {QStringLiteral("bogus"), 1}});
        QCOMPARE(result.status, 400);

        login(*server);
        QCOMPARE(http.send("GET", endpoint(*server, "/__admin/stats"))
                     .json()[QLatin1String("logins")][QLatin1String("ok")]
                     .toInt(),
                 1);
        QCOMPARE(http.send("POST", endpoint(*server, "/__admin/reset"), "").status, 200);
        const auto stats = http.send("GET", endpoint(*server, "/__admin/stats")).json();
        QCOMPARE(stats[QLatin1String("logins")][QLatin1String("ok")].toInt(), 0);
        QCOMPARE(stats[QLatin1String("liveRefreshTokens")].toInt(), 0);
        QCOMPARE(stats[QLatin1String("scenario")].toString(), QStringLiteral("normal"));
    }

    void persistsAcrossRestart()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        MockServerConfig config;
        config.databaseFile = dir.filePath(QStringLiteral("mock.sqlite"));
        QByteArray refreshToken;
        {
            auto server = startServer(config);
            QVERIFY(server);
            const auto tokens = login(*server);
            refreshToken = str(tokens, "refreshToken");
            const QByteArray loggedOut = str(login(*server), "refreshToken");
            http.postJson(endpoint(*server, "/auth/logout"),
                          {{QStringLiteral("refreshToken"), QString::fromUtf8(loggedOut)}});
            QCOMPARE(http.send("POST", endpoint(*server, "/boards"), R"({"title":"Kept"})",
                               {{"Authorization", "Bearer " + str(tokens, "accessToken")}})
                         .status,
                     201);
        }
        auto server = startServer(config);
        QVERIFY(server);
        QCOMPARE(server->stats()[QLatin1String("blacklistSize")].toInt(), 1);
        const auto result = refresh(*server, refreshToken);
        QCOMPARE(result.status, 200);
        const auto posts
            = http.send("GET", endpoint(*server, "/boards"), {},
                        {{"Authorization", "Bearer " + str(result.json(), "accessToken")}});
        QCOMPARE(posts.json()[QLatin1String("items")].toArray().size(), 1);
    }

    void microservicesShareTheSecret()
    {
        MockServerConfig base;
        base.secret = "shared-secret";
        auto make = [&](const char *service) {
            MockServerConfig config = base;
            config.services = {QString::fromLatin1(service)};
            return startServer(config);
        };
        auto auth = make("auth");
        auto profile = make("profile");
        auto board = make("board");
        QVERIFY(auth && profile && board);
        const QByteArray token = str(login(*auth), "accessToken");
        QVERIFY(!token.isEmpty());
        QCOMPARE(http.getBearer(endpoint(*profile, "/profile"), token).status, 200);
        QCOMPARE(http.getBearer(endpoint(*board, "/boards"), token).status, 200);
        QCOMPARE(http.getBearer(endpoint(*auth, "/profile"), token).status, 404);
        QCOMPARE(http.getBearer(endpoint(*profile, "/boards"), token).status, 404);
        QCOMPARE(http.postJson(endpoint(*board, "/auth/login"), {}).status, 404);
    }

    void requestLogRedactsTokens()
    {
        auto server = startServer();
        QVERIFY(server);
        QStringList lines;
        connect(server.get(), &MockServer::requestLogged, this,
                [&](const QString &line) { lines.append(line); });
        const auto tokens = login(*server);
        http.getBearer(endpoint(*server, "/profile"), "garbage");
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines[0].startsWith(QLatin1String("POST /auth/login 200 ")), qPrintable(lines[0]));
        QVERIFY2(lines[1].startsWith(QLatin1String("GET /profile 401 ")), qPrintable(lines[1]));
        QVERIFY2(lines[1].endsWith(QLatin1String("reason=malformed")), qPrintable(lines[1]));
        for (const auto &line : lines) {
            QVERIFY(!line.contains(QString::fromUtf8(str(tokens, "accessToken"))));
            QVERIFY(!line.contains(QString::fromUtf8(str(tokens, "refreshToken"))));
        }
    }

    void survivesGarbageOnTheWire_data()
    {
        QTest::addColumn<QByteArray>("garbage");
        QTest::newRow("tls-hello")
            << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
        QTest::newRow("bad-version") << QByteArray("GET / HTTP/9.9\r\n\r\n");
        QTest::newRow("not-http") << QByteArray("NOT HTTP AT ALL\r\n\r\n");
        QTest::newRow("truncated-body")
            << QByteArray("POST /auth/login HTTP/1.1\r\nContent-Length: 99999\r\n\r\nshort");
        QTest::newRow("huge-header-line")
            << "GET /health HTTP/1.1\r\nX: " + QByteArray(200000, 'A');
        QTest::newRow("binary") << QByteArray(4096, '\xff');
    }

    void survivesGarbageOnTheWire()
    {
        QFETCH(QByteArray, garbage);
        auto server = startServer();
        QVERIFY(server);
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, server->port());
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::ConnectedState, 3000);
        socket.write(garbage);
        // Give the server (same thread) time to read and react.
        QTRY_COMPARE_WITH_TIMEOUT(socket.bytesToWrite(), qint64(0), 3000);
        QTest::qWait(100);
        socket.abort();
        QCOMPARE(http.send("GET", endpoint(*server, "/health")).status, 200);
    }

    // A body far over the limit is refused while it arrives: the client gets
    // a 413 and the server's memory does not grow with what it is sent (Qt
    // HttpServer alone would hold all of it, twice, before answering).
    void oversizedBodyIsRefusedWhileArriving_data()
    {
        QTest::addColumn<QByteArray>("target");
        QTest::newRow("path") << QByteArray("/echo");
        QTest::newRow("path-and-query") << QByteArray("/echo?access_token=secret");
    }

    void oversizedBodyIsRefusedWhileArriving()
    {
        QFETCH(QByteArray, target);
        auto server = startServer(); // 1 MiB body limit
        QVERIFY(server);
        QStringList log;
        connect(server.get(), &MockServer::requestLogged, this,
                [&log](const QString &line) { log << line; });
        const qint64 rssBefore = residentKb();
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, server->port());
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::ConnectedState, 3000);
        socket.write("POST " + target
                     + " HTTP/1.1\r\nHost: localhost\r\n"
                       "Content-Type: application/octet-stream\r\n"
                       "Content-Length: 4000000000\r\n\r\n");
        const QByteArray chunk(256 * 1024, 'x');
        constexpr qint64 giveUpAfter = 512LL * 1024 * 1024;
        qint64 sent = 0;
        QByteArray answer;
        QElapsedTimer clock;
        clock.start();
        while (answer.isEmpty() && sent < giveUpAfter && clock.elapsed() < 20000
               && socket.state() == QAbstractSocket::ConnectedState) {
            if (socket.bytesToWrite() < chunk.size()) {
                socket.write(chunk);
                sent += chunk.size();
            }
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
            answer += socket.readAll();
        }
        const qint64 rssGrowthKb = residentKb() - rssBefore;
        QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("\r\n\r\n"), 3000);
        qInfo("sent %lld MiB before the answer; resident memory grew by %lld MiB", sent >> 20,
              rssGrowthKb >> 10);
        QVERIFY2(answer.startsWith("HTTP/1.1 413 "), answer.left(200).constData());
        QVERIFY(answer.contains("Connection: close"));
        QVERIFY(answer.contains("payload_too_large"));
        QVERIFY(sent < giveUpAfter);
        QVERIFY2(rssGrowthKb < 64 * 1024, qPrintable(QString::number(rssGrowthKb)));
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 3000);
        QCOMPARE(http.send("GET", endpoint(*server, "/health")).status, 200);
        QTRY_VERIFY(!log.filter(QStringLiteral("413")).isEmpty());
        const QString line = log.filter(QStringLiteral("413")).constFirst();
        QVERIFY2(line.startsWith(QLatin1String("POST /echo 413 ")), qPrintable(line));
        QVERIFY(line.contains(QLatin1String("refused while arriving")));
        QVERIFY(!line.contains(QLatin1String("secret")));
    }

    // Connections that say nothing are closed after the idle timeout; one
    // that waits for a delayed answer is not, and gets its answer.
    void idleConnectionsAreClosed()
    {
        MockServerConfig config;
        config.idleTimeout = std::chrono::milliseconds(300);
        config.scenario = QStringLiteral("slow-refresh");
        config.scenarioParameters = {{QStringLiteral("delayMs"), 1500}};
        auto server = startServer(config);
        QVERIFY(server);
        const QByteArray refreshToken = str(login(*server), "refreshToken");
        std::vector<std::unique_ptr<QTcpSocket>> idle;
        for (int i = 0; i < 50; ++i) {
            idle.push_back(std::make_unique<QTcpSocket>());
            idle.back()->connectToHost(QHostAddress::LocalHost, server->port());
        }
        QTcpSocket waiting;
        waiting.connectToHost(QHostAddress::LocalHost, server->port());
        QVERIFY(waiting.waitForConnected(3000));
        const QByteArray body = "{\"refreshToken\":\"" + refreshToken + "\"}";
        waiting.write("POST /auth/refresh HTTP/1.1\r\nHost: localhost\r\n"
                      "Content-Type: application/json\r\nContent-Length: "
                      + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(idle.begin(), idle.end(),
                                             [](const auto &socket) {
                                                 return socket->state()
                                                     == QAbstractSocket::UnconnectedState;
                                             }),
                                 3000);
        QCOMPARE(waiting.state(), QAbstractSocket::ConnectedState);
        QByteArray answer;
        QTRY_VERIFY_WITH_TIMEOUT((answer += waiting.readAll()).contains("refreshToken"), 3000);
        QVERIFY2(answer.startsWith("HTTP/1.1 200 "), answer.constData());
        // Idle again after its answer: closed in turn.
        QTRY_COMPARE_WITH_TIMEOUT(waiting.state(), QAbstractSocket::UnconnectedState, 3000);
        QCOMPARE(http.send("GET", endpoint(*server, "/health")).status, 200);
    }

    // Many idle connections and clients that send a byte at a time: normal
    // clients are still answered, and the slow ones too once they are done.
    void idleAndSlowClientsDoNotStarveOthers()
    {
        auto server = startServer();
        QVERIFY(server);
        std::vector<std::unique_ptr<QTcpSocket>> idle;
        for (int i = 0; i < 200; ++i) {
            idle.push_back(std::make_unique<QTcpSocket>());
            idle.back()->connectToHost(QHostAddress::LocalHost, server->port());
        }
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(idle.begin(), idle.end(),
                                             [](const auto &socket) {
                                                 return socket->state()
                                                     == QAbstractSocket::ConnectedState;
                                             }),
                                 10000);
        const QByteArray request = "GET /health HTTP/1.1\r\nHost: localhost\r\n"
                                   "Connection: close\r\n\r\n";
        std::vector<std::unique_ptr<QTcpSocket>> slow;
        for (int i = 0; i < 5; ++i) {
            slow.push_back(std::make_unique<QTcpSocket>());
            slow.back()->connectToHost(QHostAddress::LocalHost, server->port());
        }
        int sent = 0;
        QTimer drip;
        connect(&drip, &QTimer::timeout, this, [&] {
            if (sent == request.size())
                return drip.stop();
            for (const auto &socket : slow)
                socket->write(request.mid(sent, 1));
            ++sent;
        });
        drip.start(5);
        int answered = 0;
        while (drip.isActive()) {
            const auto result = http.send("GET", endpoint(*server, "/health"), {}, {}, 3000);
            QCOMPARE(result.status, 200);
            ++answered;
        }
        QVERIFY(answered >= 5); // served all along, not only after the slow ones
        QVERIFY(!login(*server).isEmpty());
        for (const auto &socket : slow)
            QTRY_VERIFY_WITH_TIMEOUT(socket->peek(12).startsWith("HTTP/1.1 200"), 5000);
    }
};

QTEST_GUILESS_MAIN(TestMockServer)
#include "tst_mockserver.moc"
