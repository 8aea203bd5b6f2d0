// The mock server's protocol, end to end over HTTP on a loopback port.
#include "httpclient.h"
#include "testserver.h"

#include "authorization.h"
#include "exchange.h"
#include "signingkeys.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtCore/QUrlQuery>
#include <QtNetwork/QNetworkInterface>
#include <QtNetwork/QSslSocket>
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

    // Browser sign-in. The browser is a client that does not follow the
    // 303 back to the application, so the test reads where it points.
    HttpClient browser;
    using Params = QList<QPair<QString, QString>>;
    // RFC 7636 Appendix B: this verifier's S256 challenge is
    // E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM.
    const QByteArray verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

    static Params authorizeParams(const QString &redirectUri
                                  = QStringLiteral("http://127.0.0.1:53682/callback"))
    {
        return {{QStringLiteral("response_type"), QStringLiteral("code")},
                {QStringLiteral("client_id"), QStringLiteral("silentauth-desktop")},
                {QStringLiteral("redirect_uri"), redirectUri},
                {QStringLiteral("state"), QStringLiteral("st-123")},
                {QStringLiteral("code_challenge"),
                 QStringLiteral("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")},
                {QStringLiteral("code_challenge_method"), QStringLiteral("S256")},
                {QStringLiteral("scope"), QStringLiteral("openid profile")},
                {QStringLiteral("nonce"), QStringLiteral("n-456")}};
    }
    // params with name set to value; a null value leaves it out.
    static Params with(Params params, const QString &name, const QString &value)
    {
        bool found = false;
        for (auto it = params.begin(); it != params.end();) {
            if (it->first == name) {
                if (value.isNull() || found) {
                    it = params.erase(it);
                    continue;
                }
                it->second = value;
                found = true;
            }
            ++it;
        }
        if (!found && !value.isNull())
            params.append({name, value});
        return params;
    }
    static QString redirectOf(const Params &params)
    {
        for (const auto &param : params) {
            if (param.first == QLatin1String("redirect_uri"))
                return param.second;
        }
        return {};
    }
    // What the sign-in page posts when alice signs in and allows.
    static Params signInFields(Params params)
    {
        params.append({QStringLiteral("username"), QStringLiteral("alice")});
        params.append({QStringLiteral("password"), QStringLiteral("alice-password")});
        params.append({QStringLiteral("decision"), QStringLiteral("allow")});
        return params;
    }
    static QByteArray encode(const Params &params)
    {
        QByteArrayList items;
        for (const auto &param : params)
            items.append(QUrl::toPercentEncoding(param.first) + '='
                         + QUrl::toPercentEncoding(param.second));
        return items.join('&');
    }
    HttpResult authorizeGet(const MockServer &server, const Params &params)
    {
        QUrl url = endpoint(server, "/oauth/authorize");
        url.setQuery(QString::fromLatin1(encode(params)));
        return browser.send("GET", url);
    }
    HttpResult authorizePost(const MockServer &server, const Params &fields)
    {
        return browser.postForm(endpoint(server, "/oauth/authorize"), encode(fields));
    }
    // The hidden fields of the sign-in form, read the way a headless
    // stand-in for the browser reads them.
    static Params hiddenFields(const QByteArray &html)
    {
        static const QRegularExpression input(
            QStringLiteral("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">"));
        auto unescape = [](QString text) {
            return text.replace(QLatin1String("&quot;"), QLatin1String("\""))
                .replace(QLatin1String("&lt;"), QLatin1String("<"))
                .replace(QLatin1String("&gt;"), QLatin1String(">"))
                .replace(QLatin1String("&#39;"), QLatin1String("'"))
                .replace(QLatin1String("&amp;"), QLatin1String("&"));
        };
        Params fields;
        auto matches = input.globalMatch(QString::fromUtf8(html));
        while (matches.hasNext()) {
            const auto match = matches.next();
            fields.append({unescape(match.captured(1)), unescape(match.captured(2))});
        }
        return fields;
    }
    static QUrlQuery redirectQuery(const HttpResult &result)
    {
        return QUrlQuery(QUrl(QString::fromUtf8(result.header("location"))));
    }
    // The page, then alice allowing: the code, or empty.
    QByteArray signIn(const MockServer &server, const Params &params = authorizeParams())
    {
        const auto page = authorizeGet(server, params);
        if (page.status != 200)
            return {};
        const auto redirect = authorizePost(server, signInFields(hiddenFields(page.body)));
        return redirectQuery(redirect)
            .queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded)
            .toLatin1();
    }
    HttpResult exchange(const MockServer &server, const QByteArray &code,
                        const QByteArray &codeVerifier, const QString &redirectUri)
    {
        return http.postForm(endpoint(server, "/oauth/token"),
                             "grant_type=authorization_code&client_id=silentauth-desktop&code="
                                 + QUrl::toPercentEncoding(QString::fromLatin1(code))
                                 + "&redirect_uri=" + QUrl::toPercentEncoding(redirectUri)
                                 + "&code_verifier=" + codeVerifier);
    }
    static QJsonObject jwtPart(const QByteArray &token, int index)
    {
        return QJsonDocument::fromJson(QByteArray::fromBase64(token.split('.').value(index),
                                                              QByteArray::Base64UrlEncoding))
            .object();
    }

public:
    TestMockServer() { browser.manager().setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy); }

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
        for (const char *expected :
             {"normal", "expire-now", "slow-refresh", "refresh-unavailable", "refresh-drop",
              "lost-refresh-response", "revoked-refresh", "malformed-refresh", "flaky-resources",
              "clock-skew", "deny-consent", "slow-consent", "rotate-signing-key"})
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

    void browserSignInLogRedactsSecrets()
    {
        auto server = startServer();
        QVERIFY(server);
        QStringList lines;
        connect(server.get(), &MockServer::requestLogged, this,
                [&](const QString &line) { lines.append(line); });
        const QByteArray code = signIn(*server);
        const auto tokens = exchange(*server, code, verifier, redirectOf(authorizeParams()));
        QCOMPARE(tokens.status, 200);
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines[0].startsWith(QLatin1String("GET /oauth/authorize 200 ")),
                 qPrintable(lines[0]));
        QVERIFY2(lines[1].startsWith(QLatin1String("POST /oauth/authorize 303 ")),
                 qPrintable(lines[1]));
        QVERIFY2(lines[2].startsWith(QLatin1String("POST /oauth/token 200 ")),
                 qPrintable(lines[2]));
        for (const auto &line : std::as_const(lines)) {
            for (const QByteArray &secret :
                 {code, QByteArray("alice-password"), verifier, QByteArray("st-123"),
                  str(tokens.json(), "access_token"), str(tokens.json(), "id_token")})
                QVERIFY2(!line.contains(QString::fromLatin1(secret)), qPrintable(line));
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
        QTest::addColumn<bool>("tls");
        QTest::newRow("path") << QByteArray("/echo") << false;
        QTest::newRow("path-and-query") << QByteArray("/echo?access_token=secret") << false;
        QTest::newRow("path-and-query over TLS") << QByteArray("/echo?access_token=secret") << true;
    }

    void oversizedBodyIsRefusedWhileArriving()
    {
        QFETCH(QByteArray, target);
        QFETCH(bool, tls);
        QTemporaryDir certificates;
        MockServerConfig config; // 1 MiB body limit
        if (tls)
            config.tlsSelfSignedDir = certificates.path();
        auto server = startServer(config);
        QVERIFY(server);
        QStringList log;
        connect(server.get(), &MockServer::requestLogged, this,
                [&log](const QString &line) { log << line; });
        const qint64 rssBefore = residentKb();
        QSslSocket socket;
        if (tls) {
            // Not waitForEncrypted(): the server runs in this thread's event loop.
            socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server->port());
            QTRY_VERIFY_WITH_TIMEOUT(socket.isEncrypted(), 5000);
        } else {
            socket.connectToHost(QHostAddress::LocalHost, server->port());
        }
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
    // Browser sign-in: discovery, the authorization endpoint and its page,
    // the code exchange, ID tokens.

    void discoveryDocument()
    {
        auto server = startServer();
        QVERIFY(server);
        const auto oidc = http.send("GET", endpoint(*server, "/.well-known/openid-configuration"));
        const auto rfc8414
            = http.send("GET", endpoint(*server, "/.well-known/oauth-authorization-server"));
        QCOMPARE(oidc.status, 200);
        QCOMPARE(rfc8414.status, 200);
        QCOMPARE(oidc.body, rfc8414.body);
        QCOMPARE(oidc.header("content-type"), QByteArray("application/json"));
        const auto d = oidc.json();
        const QString issuer = server->url().toString();
        QVERIFY(!issuer.endsWith(QLatin1Char('/')));
        QCOMPARE(server->issuer(), issuer);
        auto text = [&](const char *key) { return d.value(QLatin1String(key)).toString(); };
        auto list = [&](const char *key) {
            QStringList values;
            for (const auto &value : d.value(QLatin1String(key)).toArray())
                values.append(value.toString());
            return values;
        };
        QCOMPARE(text("issuer"), issuer);
        QCOMPARE(text("authorization_endpoint"), issuer + QLatin1String("/oauth/authorize"));
        QCOMPARE(text("token_endpoint"), issuer + QLatin1String("/oauth/token"));
        QCOMPARE(text("revocation_endpoint"), issuer + QLatin1String("/oauth/revoke"));
        QCOMPARE(text("jwks_uri"), issuer + QLatin1String("/oauth/jwks"));
        QCOMPARE(list("response_types_supported"), QStringList {QStringLiteral("code")});
        QCOMPARE(text("device_authorization_endpoint"),
                 issuer + QLatin1String("/oauth/device_authorization"));
        QCOMPARE(list("grant_types_supported"),
                 (QStringList {QStringLiteral("authorization_code"),
                               QStringLiteral("refresh_token"), QStringLiteral("password"),
                               QStringLiteral("urn:ietf:params:oauth:grant-type:device_code")}));
        QCOMPARE(list("code_challenge_methods_supported"), QStringList {QStringLiteral("S256")});
        QCOMPARE(d.value(QLatin1String("authorization_response_iss_parameter_supported")),
                 QJsonValue(true));
        QCOMPARE(list("token_endpoint_auth_methods_supported"),
                 (QStringList {QStringLiteral("none"), QStringLiteral("client_secret_basic"),
                               QStringLiteral("client_secret_post")}));
        QVERIFY(list("scopes_supported").contains(QStringLiteral("openid")));
        QVERIFY(list("scopes_supported").contains(QStringLiteral("profile")));
        QCOMPARE(list("subject_types_supported"), QStringList {QStringLiteral("public")});
        QCOMPARE(list("id_token_signing_alg_values_supported"),
                 QStringList {QStringLiteral("RS256")});
        // Every endpoint it names answers.
        QCOMPARE(http.send("GET", QUrl(text("jwks_uri"))).status, 200);
        QCOMPARE(browser.send("GET", QUrl(text("authorization_endpoint"))).status, 400);
    }

    void discoveryUsesTheConfiguredIssuer()
    {
        MockServerConfig config;
        config.issuer = QStringLiteral("https://id.example.test/tenant/");
        auto server = startServer(config);
        QVERIFY(server);
        QCOMPARE(server->issuer(), QStringLiteral("https://id.example.test/tenant"));
        const auto d
            = http.send("GET", endpoint(*server, "/.well-known/openid-configuration")).json();
        QCOMPARE(d.value(QLatin1String("issuer")).toString(),
                 QStringLiteral("https://id.example.test/tenant"));
        QCOMPARE(d.value(QLatin1String("token_endpoint")).toString(),
                 QStringLiteral("https://id.example.test/tenant/oauth/token"));
        // The redirect names the configured issuer too (RFC 9207).
        const auto redirect = authorizePost(*server, signInFields(authorizeParams()));
        QCOMPARE(redirect.status, 303);
        QCOMPARE(redirectQuery(redirect).queryItemValue(QStringLiteral("iss"), QUrl::FullyDecoded),
                 QStringLiteral("https://id.example.test/tenant"));

        for (const char *bad : {"ftp://id.example.test", "https://id.example.test/?x=1",
                                "https://id.example.test/#f", "not a url", "https://u@host"}) {
            MockServerConfig wrong;
            wrong.issuer = QString::fromLatin1(bad);
            wrong.port = 0;
            MockServer refused(wrong);
            QString error;
            QVERIFY2(!refused.start(&error), bad);
            QVERIFY2(error.contains(QLatin1String("issuer")), qPrintable(error));
        }
    }

    void issuerOnIpv6Loopback()
    {
        MockServerConfig config;
        config.address = QHostAddress::LocalHostIPv6;
        config.port = 0;
        config.logRequests = false;
        MockServer server(config);
        if (!server.start())
            QSKIP("No IPv6 loopback here");
        QCOMPARE(server.issuer(), QStringLiteral("http://[::1]:%1").arg(server.port()));
    }

    void browserSignInEndToEnd()
    {
        auto server = startServer();
        QVERIFY(server);
        const QString redirectUri = QStringLiteral("http://127.0.0.1:53682/callback");
        const auto page = authorizeGet(*server, authorizeParams(redirectUri));
        QCOMPARE(page.status, 200);
        QVERIFY2(page.header("content-type").startsWith("text/html"), page.header("content-type"));
        QCOMPARE(page.header("cache-control"), QByteArray("no-store"));
        QVERIFY(page.body.contains("<html lang=\"en\">"));
        // The form's exact shape, as a headless stand-in for the browser reads it.
        QVERIFY(page.body.contains("<form method=\"post\" action=\"/oauth/authorize\">"));
        QVERIFY(page.body.contains("<input name=\"username\">"));
        QVERIFY(page.body.contains("<input name=\"password\" type=\"password\">"));
        QVERIFY(page.body.contains("<button type=\"submit\" name=\"decision\" value=\"allow\">"));
        QVERIFY(page.body.contains("<button type=\"submit\" name=\"decision\" value=\"deny\">"));
        const Params hidden = hiddenFields(page.body);
        QCOMPARE(hidden, authorizeParams(redirectUri));

        const auto redirect = authorizePost(*server, signInFields(hidden));
        QCOMPARE(redirect.status, 303);
        QVERIFY(redirect.body.isEmpty());
        const QUrl location(QString::fromUtf8(redirect.header("location")), QUrl::StrictMode);
        QVERIFY(location.isValid());
        QCOMPARE(location.adjusted(QUrl::RemoveQuery), QUrl(redirectUri));
        const QUrlQuery query(location);
        const QString code = query.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
        QVERIFY2(code.size() >= 43, qPrintable(code)); // at least 256 bits, base64url
        QCOMPARE(query.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded),
                 QStringLiteral("st-123"));
        QCOMPARE(query.queryItemValue(QStringLiteral("iss"), QUrl::FullyDecoded), server->issuer());
        QVERIFY(!query.hasQueryItem(QStringLiteral("error")));

        const auto tokens = exchange(*server, code.toLatin1(), verifier, redirectUri);
        QCOMPARE(tokens.status, 200);
        QCOMPARE(tokens.header("cache-control"), QByteArray("no-store"));
        const auto body = tokens.json();
        QCOMPARE(body.value(QLatin1String("token_type")).toString(), QStringLiteral("Bearer"));
        QCOMPARE(body.value(QLatin1String("expires_in")).toInt(), 3600);
        QCOMPARE(body.value(QLatin1String("scope")).toString(), QStringLiteral("openid profile"));
        const auto profile
            = http.getBearer(endpoint(*server, "/profile"), str(body, "access_token"));
        QCOMPARE(profile.status, 200);
        QCOMPARE(profile.json().value(QLatin1String("username")).toString(),
                 QStringLiteral("alice"));

        // The normal refresh grant works afterwards, with rotation.
        const QByteArray refreshToken = str(body, "refresh_token");
        const auto refreshed = http.postForm(
            endpoint(*server, "/oauth/token"),
            "grant_type=refresh_token&client_id=silentauth-desktop&refresh_token=" + refreshToken);
        QCOMPARE(refreshed.status, 200);
        QVERIFY(!str(refreshed.json(), "refresh_token").isEmpty());
        QVERIFY(str(refreshed.json(), "refresh_token") != refreshToken);
        QCOMPARE(refreshed.json().value(QLatin1String("scope")).toString(),
                 QStringLiteral("openid profile"));
        QCOMPARE(
            http.getBearer(endpoint(*server, "/profile"), str(refreshed.json(), "access_token"))
                .status,
            200);

        const auto stats = server->stats()[QLatin1String("authorizations")].toObject();
        QCOMPARE(stats.value(QLatin1String("issued")).toInt(), 1);
        QCOMPARE(stats.value(QLatin1String("exchanged")).toInt(), 1);
        QCOMPARE(stats.value(QLatin1String("denied")).toInt(), 0);
        QCOMPARE(stats.value(QLatin1String("failed")).toInt(), 0);
        QCOMPARE(stats.value(QLatin1String("pkceFailed")).toInt(), 0);
        QCOMPARE(stats.value(QLatin1String("codeReuse")).toInt(), 0);
        QCOMPARE(server->stats()[QLatin1String("logins")][QLatin1String("ok")].toInt(), 1);
    }

    void confidentialClientUsesTheCodeFlow()
    {
        auto server = startServer();
        QVERIFY(server);
        const Params params = with(authorizeParams(), QStringLiteral("client_id"),
                                   QStringLiteral("silentauth-service"));
        const QByteArray code = signIn(*server, params);
        QVERIFY(!code.isEmpty());
        const QByteArray form = "grant_type=authorization_code&code=" + code + "&redirect_uri="
            + QUrl::toPercentEncoding(redirectOf(params)) + "&code_verifier=" + verifier;
        // Without its secret it is refused as today; the code stays good.
        auto result = http.postForm(endpoint(*server, "/oauth/token"),
                                    form + "&client_id=silentauth-service");
        QCOMPARE(result.status, 401);
        QCOMPARE(result.json().value(QLatin1String("error")).toString(),
                 QStringLiteral("invalid_client"));
        result = http.postForm(
            endpoint(*server, "/oauth/token"), form,
            {{"Authorization",
              "Basic " + QByteArray("silentauth-service:service-secret").toBase64()}});
        QCOMPARE(result.status, 200);
        QVERIFY(!str(result.json(), "access_token").isEmpty());
    }

    void authorizeRefusesWithoutRedirect_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("value"); // null: left out
        const struct
        {
            const char *row, *name, *value;
        } cases[] = {
            {"unknown-client", "client_id", "someone-else"},
            {"no-client", "client_id", nullptr},
            {"no-redirect", "redirect_uri", nullptr},
            {"localhost", "redirect_uri", "http://localhost:53682/callback"},
            {"https", "redirect_uri", "https://127.0.0.1:53682/callback"},
            {"other-host", "redirect_uri", "http://example.com:53682/callback"},
            {"fragment", "redirect_uri", "http://127.0.0.1:53682/callback#top"},
            {"suffix-host", "redirect_uri", "http://127.0.0.1.example.com/callback"},
            {"user-info", "redirect_uri", "http://user@127.0.0.1:53682/callback"},
            {"short-ipv4", "redirect_uri", "http://127.1:53682/callback"},
            {"other-loopback", "redirect_uri", "http://127.0.0.2:53682/callback"},
            {"ipv6-any", "redirect_uri", "http://[::]:53682/callback"},
            {"port-zero", "redirect_uri", "http://127.0.0.1:0/callback"},
            {"port-too-big", "redirect_uri", "http://127.0.0.1:70000/callback"},
            {"backslash", "redirect_uri", "http://127.0.0.1:53682\\@example.com/"},
            {"space", "redirect_uri", "http://127.0.0.1:53682/call back"},
            {"relative", "redirect_uri", "/callback"},
            {"custom-scheme", "redirect_uri", "com.example.app:/callback"},
            {"upper-case-scheme", "redirect_uri", "HTTP://127.0.0.1:53682/callback"},
        };
        for (const QByteArray &method : {QByteArray("GET"), QByteArray("POST")}) {
            for (const auto &c : cases)
                QTest::addRow("%s-%s", method.constData(), c.row)
                    << method << QString::fromLatin1(c.name)
                    << (c.value ? QString::fromLatin1(c.value) : QString());
        }
    }

    void authorizeRefusesWithoutRedirect()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, name);
        QFETCH(QString, value);
        auto server = startServer();
        QVERIFY(server);
        const Params params = with(authorizeParams(), name, value);
        const auto result = method == "GET" ? authorizeGet(*server, params)
                                            : authorizePost(*server, signInFields(params));
        QCOMPARE(result.status, 400);
        QVERIFY(result.header("location").isEmpty());
        QVERIFY(result.header("content-type").startsWith("text/html"));
        QVERIFY(result.body.contains("<html lang=\"en\">"));
        QVERIFY(!result.body.contains("<form"));
        QCOMPARE(server->stats()[QLatin1String("authorizations")][QLatin1String("issued")].toInt(),
                 0);
    }

    void authorizeAcceptsAnyLoopbackPort_data()
    {
        QTest::addColumn<QString>("redirectUri");
        QTest::newRow("port-1") << QStringLiteral("http://127.0.0.1:1/x");
        QTest::newRow("port-65535") << QStringLiteral("http://127.0.0.1:65535/a/b/c");
        QTest::newRow("ipv6") << QStringLiteral("http://[::1]:8080/callback");
        QTest::newRow("no-port") << QStringLiteral("http://127.0.0.1/callback");
        QTest::newRow("with-query") << QStringLiteral("http://127.0.0.1:4000/cb?client=1");
    }

    void authorizeAcceptsAnyLoopbackPort()
    {
        QFETCH(QString, redirectUri);
        auto server = startServer();
        QVERIFY(server);
        QCOMPARE(authorizeGet(*server, authorizeParams(redirectUri)).status, 200);
        const auto redirect = authorizePost(*server, signInFields(authorizeParams(redirectUri)));
        QCOMPARE(redirect.status, 303);
        const QByteArray location = redirect.header("location");
        QVERIFY2(
            location.startsWith(redirectUri.toUtf8()
                                + (redirectUri.contains(QLatin1Char('?')) ? "&code=" : "?code=")),
            location);
        const QString code = redirectQuery(redirect).queryItemValue(QStringLiteral("code"));
        QCOMPARE(exchange(*server, code.toLatin1(), verifier, redirectUri).status, 200);
    }

    // With redirect URIs registered, a loopback one is taken on any port when it is
    // otherwise one of them (RFC 8252 §7.3), and refused (a page, no redirect) when not.
    void registeredRedirectUrisTakeAnyPort_data()
    {
        QTest::addColumn<QString>("redirectUri");
        QTest::addColumn<bool>("taken");
        QTest::newRow("registered, another port")
            << QStringLiteral("http://127.0.0.1:53682/callback") << true;
        QTest::newRow("registered, no port") << QStringLiteral("http://127.0.0.1/callback") << true;
        QTest::newRow("ipv6 registered") << QStringLiteral("http://[::1]:4000/native") << true;
        QTest::newRow("another path") << QStringLiteral("http://127.0.0.1:53682/other") << false;
        QTest::newRow("path below") << QStringLiteral("http://127.0.0.1:53682/callback/x") << false;
        QTest::newRow("with a query")
            << QStringLiteral("http://127.0.0.1:53682/callback?a=1") << false;
        QTest::newRow("ipv6, path of ipv4 only")
            << QStringLiteral("http://[::1]:53682/callback") << false;
    }

    void registeredRedirectUrisTakeAnyPort()
    {
        QFETCH(QString, redirectUri);
        QFETCH(bool, taken);
        MockServerConfig config;
        config.redirectUris = {QStringLiteral("http://127.0.0.1:1/callback"),
                               QStringLiteral("http://[::1]/native")};
        auto server = startServer(config);
        QVERIFY(server);
        const auto page = authorizeGet(*server, authorizeParams(redirectUri));
        const auto redirect = authorizePost(*server, signInFields(authorizeParams(redirectUri)));
        if (taken) {
            QCOMPARE(page.status, 200);
            QCOMPARE(redirect.status, 303);
            QVERIFY(redirect.header("location").startsWith(redirectUri.toUtf8()));
        } else {
            QCOMPARE(page.status, 400);
            QVERIFY(page.body.contains("not registered"));
            QCOMPARE(redirect.status, 400);
            QVERIFY(redirect.header("location").isEmpty());
        }
    }

    void authorizeErrorsRedirect_data()
    {
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("value"); // null: left out
        QTest::addColumn<QString>("error");
        const struct
        {
            const char *row, *name, *value, *error;
        } cases[] = {
            {"token-response", "response_type", "token", "unsupported_response_type"},
            {"id-token-response", "response_type", "id_token", "unsupported_response_type"},
            {"no-response-type", "response_type", nullptr, "invalid_request"},
            {"no-challenge", "code_challenge", nullptr, "invalid_request"},
            {"plain", "code_challenge_method", "plain", "invalid_request"},
            {"no-method", "code_challenge_method", nullptr, "invalid_request"},
            {"short-challenge", "code_challenge", "abc", "invalid_request"},
        };
        for (const QByteArray &method : {QByteArray("GET"), QByteArray("POST")}) {
            for (const auto &c : cases)
                QTest::addRow("%s-%s", method.constData(), c.row)
                    << method << QString::fromLatin1(c.name)
                    << (c.value ? QString::fromLatin1(c.value) : QString())
                    << QString::fromLatin1(c.error);
            QTest::addRow("%s-repeated-state", method.constData())
                << method << QStringLiteral("state+") << QStringLiteral("again")
                << QStringLiteral("invalid_request");
        }
    }

    void authorizeErrorsRedirect()
    {
        QFETCH(QByteArray, method);
        QFETCH(QString, name);
        QFETCH(QString, value);
        QFETCH(QString, error);
        auto server = startServer();
        QVERIFY(server);
        Params params = authorizeParams();
        if (name.endsWith(QLatin1Char('+')))
            params.append({name.chopped(1), value}); // a second time
        else
            params = with(params, name, value);
        const auto result = method == "GET" ? authorizeGet(*server, params)
                                            : authorizePost(*server, signInFields(params));
        QCOMPARE(result.status, 303);
        QVERIFY2(result.header("location").startsWith("http://127.0.0.1:53682/callback?"),
                 result.header("location"));
        const QUrlQuery query = redirectQuery(result);
        QCOMPARE(query.queryItemValue(QStringLiteral("error")), error);
        QVERIFY(!query.queryItemValue(QStringLiteral("error_description")).isEmpty());
        QCOMPARE(query.queryItemValue(QStringLiteral("state")), QStringLiteral("st-123"));
        QCOMPARE(query.queryItemValue(QStringLiteral("iss"), QUrl::FullyDecoded), server->issuer());
        QVERIFY(!query.hasQueryItem(QStringLiteral("code")));
        QCOMPARE(server->stats()[QLatin1String("authorizations")][QLatin1String("issued")].toInt(),
                 0);
    }

    void signInPageEscapesHostileValues()
    {
        auto server = startServer();
        QVERIFY(server);
        const QString hostile = QStringLiteral("\"><script>alert(1)</script>&amp; 'x' é+%20");
        Params params = with(authorizeParams(), QStringLiteral("state"), hostile);
        params = with(params, QStringLiteral("nonce"), QStringLiteral("<b>n</b>"));
        const auto page = authorizeGet(*server, params);
        QCOMPARE(page.status, 200);
        QVERIFY(!page.body.contains("<script>"));
        QVERIFY(!page.body.contains("<b>n</b>"));
        QVERIFY(page.body.contains("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&amp;amp;"));
        QVERIFY(page.header("content-security-policy").contains("default-src 'none'"));
        // The form carries the values back unchanged...
        const Params hidden = hiddenFields(page.body);
        QCOMPARE(hidden, params);
        // ...and the redirect percent-encodes them.
        const auto redirect = authorizePost(*server, signInFields(hidden));
        QCOMPARE(redirect.status, 303);
        const QByteArray location = redirect.header("location");
        for (const char c : {'"', '<', '>', ' ', '\''})
            QVERIFY2(!location.contains(c), location);
        QCOMPARE(
            redirectQuery(redirect).queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded),
            hostile);
    }

    void denyRedirectsAccessDenied()
    {
        auto server = startServer();
        QVERIFY(server);
        Params fields = signInFields(authorizeParams());
        fields = with(fields, QStringLiteral("decision"), QStringLiteral("deny"));
        const auto result = authorizePost(*server, fields);
        QCOMPARE(result.status, 303);
        const QUrlQuery query = redirectQuery(result);
        QCOMPARE(query.queryItemValue(QStringLiteral("error")), QStringLiteral("access_denied"));
        QCOMPARE(query.queryItemValue(QStringLiteral("state")), QStringLiteral("st-123"));
        QCOMPARE(query.queryItemValue(QStringLiteral("iss"), QUrl::FullyDecoded), server->issuer());
        QVERIFY(!query.hasQueryItem(QStringLiteral("code")));
        const auto stats = server->stats()[QLatin1String("authorizations")].toObject();
        QCOMPARE(stats.value(QLatin1String("denied")).toInt(), 1);
        QCOMPARE(stats.value(QLatin1String("issued")).toInt(), 0);

        // Neither button: the page again, nothing decided.
        fields = with(fields, QStringLiteral("decision"), QString());
        const auto undecided = authorizePost(*server, fields);
        QCOMPARE(undecided.status, 400);
        QVERIFY(undecided.header("location").isEmpty());
        QVERIFY(undecided.body.contains("<form method=\"post\" action=\"/oauth/authorize\">"));
    }

    void wrongPasswordShowsThePageAgain()
    {
        auto server = startServer();
        QVERIFY(server);
        const Params wrong = with(signInFields(authorizeParams()), QStringLiteral("password"),
                                  QStringLiteral("not-the-password"));
        const auto result = authorizePost(*server, wrong);
        QCOMPARE(result.status, 200);
        QVERIFY(result.header("location").isEmpty());
        QVERIFY(result.body.contains("role=\"alert\""));
        QVERIFY(result.body.contains("Wrong username or password"));
        QCOMPARE(hiddenFields(result.body), authorizeParams());
        QCOMPARE(server->stats()[QLatin1String("logins")][QLatin1String("failed")].toInt(), 1);
        QCOMPARE(server->stats()[QLatin1String("authorizations")][QLatin1String("issued")].toInt(),
                 0);
        // An unknown user is answered the same way.
        const auto unknown = authorizePost(
            *server, with(wrong, QStringLiteral("username"), QStringLiteral("nobody")));
        QCOMPARE(unknown.status, 200);
        QVERIFY(unknown.body.contains("Wrong username or password"));

        // It counts toward the login throttle, which then holds the page too.
        for (int i = 0; i < 4; ++i)
            QCOMPARE(authorizePost(*server, wrong).status, 200);
        const auto throttled = authorizePost(*server, signInFields(authorizeParams()));
        QCOMPARE(throttled.status, 429);
        QVERIFY(throttled.header("location").isEmpty());
        QVERIFY(throttled.header("retry-after").toInt() >= 1);
        QVERIFY(throttled.body.contains("Too many failed sign-in attempts"));
        QCOMPARE(server->stats()[QLatin1String("logins")][QLatin1String("throttled")].toInt(), 1);
    }

    void formPostNeedsFormEncoding()
    {
        auto server = startServer();
        QVERIFY(server);
        const auto result = browser.send("POST", endpoint(*server, "/oauth/authorize"),
                                         encode(signInFields(authorizeParams())),
                                         {{"Content-Type", "text/plain"}});
        QCOMPARE(result.status, 400);
        QVERIFY(result.header("location").isEmpty());
    }

    void codeExchangeRejections_data()
    {
        QTest::addColumn<QByteArray>("form"); // CODE and REDIRECT are filled in
        QTest::addColumn<QByteArray>("basic");
        QTest::addColumn<bool>("pkce");
        const QByteArray base = "grant_type=authorization_code&client_id=silentauth-desktop";
        const QByteArray good = "&code=CODE&redirect_uri=REDIRECT";
        QTest::newRow("pkce-mismatch")
            << base + good + "&code_verifier=" + QByteArray(43, 'a') << QByteArray() << true;
        QTest::newRow("verifier-is-the-challenge")
            << base + good + "&code_verifier=" + Mock::Pkce::s256(verifier) << QByteArray() << true;
        QTest::newRow("verifier-too-short")
            << base + good + "&code_verifier=" + verifier.left(42) << QByteArray() << true;
        QTest::newRow("verifier-too-long")
            << base + good + "&code_verifier=" + QByteArray(129, 'a') << QByteArray() << true;
        QTest::newRow("verifier-bad-character")
            << base + good + "&code_verifier=" + verifier.left(42) + "%2B" << QByteArray() << true;
        QTest::newRow("no-verifier") << base + good << QByteArray() << true;
        QTest::newRow("other-redirect") << base
                + "&code=CODE&redirect_uri=http%3A%2F%2F127.0.0.1%3A53683%2Fcallback"
                  "&code_verifier="
                + verifier << QByteArray()
                                        << false;
        QTest::newRow("redirect-with-slash")
            << base + "&code=CODE&redirect_uri=REDIRECT%2F&code_verifier=" + verifier
            << QByteArray() << false;
        QTest::newRow("no-redirect")
            << base + "&code=CODE&code_verifier=" + verifier << QByteArray() << false;
        QTest::newRow("other-client")
            << "grant_type=authorization_code" + good + "&code_verifier=" + verifier
            << QByteArray("silentauth-service:service-secret") << false;
        QTest::newRow("unknown-code") << base + "&code=" + QByteArray(43, 'x')
                + "&redirect_uri=REDIRECT&code_verifier=" + verifier
                                      << QByteArray() << false;
    }

    void codeExchangeRejections()
    {
        QFETCH(QByteArray, form);
        QFETCH(QByteArray, basic);
        QFETCH(bool, pkce);
        auto server = startServer();
        QVERIFY(server);
        const QByteArray code = signIn(*server);
        QVERIFY(!code.isEmpty());
        form.replace("CODE", code)
            .replace("REDIRECT", QUrl::toPercentEncoding(redirectOf(authorizeParams())));
        HttpClient::Headers headers;
        if (!basic.isEmpty())
            headers.append({"Authorization", "Basic " + basic.toBase64()});
        const auto result = http.postForm(endpoint(*server, "/oauth/token"), form, headers);
        QCOMPARE(result.status, 400);
        QCOMPARE(result.json().value(QLatin1String("error")).toString(),
                 QStringLiteral("invalid_grant"));
        QVERIFY(result.json().contains(QLatin1String("error_description")));
        auto stats = server->stats()[QLatin1String("authorizations")].toObject();
        QCOMPARE(stats.value(QLatin1String("failed")).toInt(), 1);
        QCOMPARE(stats.value(QLatin1String("pkceFailed")).toInt(), pkce ? 1 : 0);
        QCOMPARE(stats.value(QLatin1String("exchanged")).toInt(), 0);
        // A failed attempt does not spend the code for its rightful client.
        QCOMPARE(exchange(*server, code, verifier, redirectOf(authorizeParams())).status, 200);
    }

    void codeExchangeNeedsACode()
    {
        auto server = startServer();
        QVERIFY(server);
        const auto result = http.postForm(endpoint(*server, "/oauth/token"),
                                          "grant_type=authorization_code&client_id=silentauth-"
                                          "desktop&redirect_uri=x&code_verifier="
                                              + verifier);
        QCOMPARE(result.status, 400);
        QCOMPARE(result.json().value(QLatin1String("error")).toString(),
                 QStringLiteral("invalid_request"));
    }

    void codeExpires()
    {
        MockServerConfig config;
        config.authorizationCodeTtl = std::chrono::seconds(1);
        auto server = startServer(config);
        QVERIFY(server);
        const QByteArray code = signIn(*server);
        QVERIFY(!code.isEmpty());
        QTest::qWait(1100);
        const auto result = exchange(*server, code, verifier, redirectOf(authorizeParams()));
        QCOMPARE(result.status, 400);
        QCOMPARE(result.json().value(QLatin1String("error")).toString(),
                 QStringLiteral("invalid_grant"));
        QCOMPARE(server->stats()[QLatin1String("authorizations")][QLatin1String("failed")].toInt(),
                 1);
    }

    void codeReuseRevokesItsTokens()
    {
        auto server = startServer();
        QVERIFY(server);
        const QString redirectUri = redirectOf(authorizeParams());
        const QByteArray code = signIn(*server);
        const auto first = exchange(*server, code, verifier, redirectUri);
        QCOMPARE(first.status, 200);
        const QByteArray issued = str(first.json(), "refresh_token");
        // Rotated once: the whole family goes, not only the first token.
        const auto rotated = http.postForm(
            endpoint(*server, "/oauth/token"),
            "grant_type=refresh_token&client_id=silentauth-desktop&refresh_token=" + issued);
        QCOMPARE(rotated.status, 200);
        const QByteArray current = str(rotated.json(), "refresh_token");
        const int liveBefore = server->stats()[QLatin1String("liveRefreshTokens")].toInt();
        QCOMPARE(liveBefore, 1);

        const auto second = exchange(*server, code, verifier, redirectUri);
        QCOMPARE(second.status, 400);
        QCOMPARE(second.json().value(QLatin1String("error")).toString(),
                 QStringLiteral("invalid_grant"));
        for (const QByteArray &token : {issued, current}) {
            const auto refreshed = http.postForm(
                endpoint(*server, "/oauth/token"),
                "grant_type=refresh_token&client_id=silentauth-desktop&refresh_token=" + token);
            QCOMPARE(refreshed.status, 400);
            QCOMPARE(refreshed.json().value(QLatin1String("error")).toString(),
                     QStringLiteral("invalid_grant"));
        }
        const auto stats = server->stats();
        QCOMPARE(stats[QLatin1String("liveRefreshTokens")].toInt(), 0);
        const auto authorizations = stats[QLatin1String("authorizations")].toObject();
        QCOMPARE(authorizations.value(QLatin1String("codeReuse")).toInt(), 1);
        QCOMPARE(authorizations.value(QLatin1String("failed")).toInt(), 1);
        QCOMPARE(authorizations.value(QLatin1String("exchanged")).toInt(), 1);
    }

    void browserSignInTokensStayWithTheirClientAndScope()
    {
        auto server = startServer();
        QVERIFY(server);
        const auto tokens
            = exchange(*server, signIn(*server), verifier, redirectOf(authorizeParams()));
        QCOMPARE(tokens.status, 200);
        const QByteArray token = str(tokens.json(), "refresh_token");
        const QByteArray grant = "grant_type=refresh_token&refresh_token=" + token;
        // Another client cannot use it (RFC 6749 §6).
        auto result = http.postForm(
            endpoint(*server, "/oauth/token"), grant,
            {{"Authorization",
              "Basic " + QByteArray("silentauth-service:service-secret").toBase64()}});
        QCOMPARE(result.status, 400);
        QCOMPARE(result.json().value(QLatin1String("error")).toString(),
                 QStringLiteral("invalid_grant"));
        // A refresh cannot widen the scope, but may narrow it.
        result = http.postForm(endpoint(*server, "/oauth/token"),
                               grant + "&client_id=silentauth-desktop&scope=openid+profile+board");
        QCOMPARE(result.status, 400);
        QCOMPARE(result.json().value(QLatin1String("error")).toString(),
                 QStringLiteral("invalid_scope"));
        result = http.postForm(endpoint(*server, "/oauth/token"),
                               grant + "&client_id=silentauth-desktop&scope=profile");
        QCOMPARE(result.status, 200);
        QCOMPARE(result.json().value(QLatin1String("scope")).toString(), QStringLiteral("profile"));
        QVERIFY(!result.json().contains(QLatin1String("id_token")));
        // The rotated token keeps the scope of the sign-in.
        result
            = http.postForm(endpoint(*server, "/oauth/token"),
                            "grant_type=refresh_token&client_id=silentauth-desktop&refresh_token="
                                + str(result.json(), "refresh_token"));
        QCOMPARE(result.status, 200);
        QCOMPARE(result.json().value(QLatin1String("scope")).toString(),
                 QStringLiteral("openid profile"));
    }

    void resetForgetsCodes()
    {
        auto server = startServer();
        QVERIFY(server);
        const QByteArray code = signIn(*server);
        QVERIFY(!code.isEmpty());
        server->reset();
        QCOMPARE(exchange(*server, code, verifier, redirectOf(authorizeParams())).status, 400);
    }

    void authorizeWithoutSocketReadsTheQuery()
    {
        auto server = startServer();
        QVERIFY(server);
        Mock::Request request;
        request.method = "GET";
        request.path
            = QStringLiteral("/oauth/authorize?") + QString::fromLatin1(encode(authorizeParams()));
        request.remote = QHostAddress::LocalHost;
        const auto reply = server->handle(request);
        QCOMPARE(reply.status, 200);
        QCOMPARE(hiddenFields(reply.body), authorizeParams());
    }

    void denyConsentScenario()
    {
        auto server = startServer();
        QVERIFY(server);
        QCOMPARE(http.postJson(endpoint(*server, "/__admin/scenario"),
                               {{QStringLiteral("name"), QStringLiteral("deny-consent")}})
                     .status,
                 200);
        // The page still shows; whatever is submitted is declined.
        QCOMPARE(authorizeGet(*server, authorizeParams()).status, 200);
        const auto result = authorizePost(*server, signInFields(authorizeParams()));
        QCOMPARE(result.status, 303);
        const QUrlQuery query = redirectQuery(result);
        QCOMPARE(query.queryItemValue(QStringLiteral("error")), QStringLiteral("access_denied"));
        QCOMPARE(query.queryItemValue(QStringLiteral("state")), QStringLiteral("st-123"));
        QVERIFY(!query.hasQueryItem(QStringLiteral("code")));
        const auto wrong = authorizePost(*server,
                                         with(signInFields(authorizeParams()),
                                              QStringLiteral("password"), QStringLiteral("wrong")));
        QCOMPARE(redirectQuery(wrong).queryItemValue(QStringLiteral("error")),
                 QStringLiteral("access_denied"));
        const auto stats = server->stats()[QLatin1String("authorizations")].toObject();
        QCOMPARE(stats.value(QLatin1String("denied")).toInt(), 2);
        QCOMPARE(stats.value(QLatin1String("issued")).toInt(), 0);
        // Invalid requests are still refused first.
        QCOMPARE(authorizePost(*server,
                               signInFields(with(authorizeParams(), QStringLiteral("redirect_uri"),
                                                 QStringLiteral("http://localhost/"))))
                     .status,
                 400);
    }

    void slowConsentScenario()
    {
        auto server = startServer();
        QVERIFY(server);
        QCOMPARE(http.postJson(endpoint(*server, "/__admin/scenario"),
                               {{QStringLiteral("name"), QStringLiteral("slow-consent")},
                                {QStringLiteral("delayMs"), 700}})
                     .status,
                 200);
        QVERIFY(authorizeGet(*server, authorizeParams()).elapsedMs < 650);
        const auto result = authorizePost(*server, signInFields(authorizeParams()));
        QCOMPARE(result.status, 303);
        QVERIFY2(result.elapsedMs >= 650, QByteArray::number(result.elapsedMs));
        const QString code = redirectQuery(result).queryItemValue(QStringLiteral("code"));
        QCOMPARE(exchange(*server, code.toLatin1(), verifier, redirectOf(authorizeParams())).status,
                 200);
        // The default delay is 3 s; the parameter is checked like the others.
        QCOMPARE(http.postJson(endpoint(*server, "/__admin/scenario"),
                               {{QStringLiteral("name"), QStringLiteral("slow-consent")},
                                {QStringLiteral("count"), 1}})
                     .status,
                 400);
    }

    void idTokenOnCodeExchangeAndRefresh()
    {
        auto server = startServer();
        QVERIFY(server);
        const qint64 before = QDateTime::currentSecsSinceEpoch();
        const auto tokens
            = exchange(*server, signIn(*server), verifier, redirectOf(authorizeParams()));
        QCOMPARE(tokens.status, 200);
        const QByteArray idToken = str(tokens.json(), "id_token");
        QVERIFY(!idToken.isEmpty());

        const auto jwks = http.send("GET", endpoint(*server, "/oauth/jwks"));
        QCOMPARE(jwks.status, 200);
        const auto keys = jwks.json().value(QLatin1String("keys")).toArray();
        QCOMPARE(keys.size(), 1);
        const QJsonObject jwk = keys.first().toObject();
        QCOMPARE(jwk.value(QLatin1String("kty")).toString(), QStringLiteral("RSA"));
        QCOMPARE(jwk.value(QLatin1String("use")).toString(), QStringLiteral("sig"));
        QCOMPARE(jwk.value(QLatin1String("alg")).toString(), QStringLiteral("RS256"));
        QCOMPARE(jwk.value(QLatin1String("e")).toString(), QStringLiteral("AQAB"));
        const QByteArray n = jwk.value(QLatin1String("n")).toString().toLatin1();
        QVERIFY(!n.contains('=') && !n.contains('+') && !n.contains('/'));
        const auto modulus = QByteArray::fromBase64Encoding(
            n, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
        QVERIFY(modulus);
        QCOMPARE(modulus.decoded.size(), 256); // RSA-2048
        QVERIFY(quint8(modulus.decoded.at(0)) >= 0x80); // no leading zero byte
        // kid is the key's RFC 7638 thumbprint.
        const QByteArray thumbprint = QCryptographicHash::hash(
            "{\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"" + n + "\"}", QCryptographicHash::Sha256);
        QCOMPARE(
            jwk.value(QLatin1String("kid")).toString().toLatin1(),
            thumbprint.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));

        const QJsonObject header = jwtPart(idToken, 0);
        QCOMPARE(header.value(QLatin1String("alg")).toString(), QStringLiteral("RS256"));
        QCOMPARE(header.value(QLatin1String("kid")), jwk.value(QLatin1String("kid")));
        QJsonObject claims;
        QString error;
        QVERIFY2(Mock::SigningKeys::verify(idToken, jwk, &claims, &error), qPrintable(error));
        QCOMPARE(claims.value(QLatin1String("iss")).toString(), server->issuer());
        QCOMPARE(claims.value(QLatin1String("sub")).toString(), QStringLiteral("alice"));
        QCOMPARE(claims.value(QLatin1String("aud")).toString(),
                 QStringLiteral("silentauth-desktop"));
        QCOMPARE(claims.value(QLatin1String("azp")).toString(),
                 QStringLiteral("silentauth-desktop"));
        QCOMPARE(claims.value(QLatin1String("nonce")).toString(), QStringLiteral("n-456"));
        QCOMPARE(claims.value(QLatin1String("name")).toString(), QStringLiteral("Alice Example"));
        QCOMPARE(claims.value(QLatin1String("preferred_username")).toString(),
                 QStringLiteral("alice"));
        const qint64 iat = qint64(claims.value(QLatin1String("iat")).toDouble());
        QVERIFY(iat >= before && iat <= QDateTime::currentSecsSinceEpoch());
        QCOMPARE(qint64(claims.value(QLatin1String("exp")).toDouble()) - iat, 3600);

        // A tampered token does not verify.
        QByteArray tampered = idToken;
        const qsizetype dot = tampered.indexOf('.');
        tampered[dot + 5] = tampered[dot + 5] == 'A' ? 'B' : 'A';
        QVERIFY(!Mock::SigningKeys::verify(tampered, jwk, &claims));

        // Refresh answers a new ID token for the same sign-in.
        const auto refreshed
            = http.postForm(endpoint(*server, "/oauth/token"),
                            "grant_type=refresh_token&client_id=silentauth-desktop&refresh_token="
                                + str(tokens.json(), "refresh_token"));
        QCOMPARE(refreshed.status, 200);
        const QByteArray renewed = str(refreshed.json(), "id_token");
        QVERIFY(!renewed.isEmpty());
        QVERIFY(Mock::SigningKeys::verify(renewed, jwk, &claims));
        QCOMPARE(claims.value(QLatin1String("sub")).toString(), QStringLiteral("alice"));
        QCOMPARE(claims.value(QLatin1String("aud")).toString(),
                 QStringLiteral("silentauth-desktop"));
        QCOMPARE(claims.value(QLatin1String("nonce")).toString(), QStringLiteral("n-456"));
        QCOMPARE(claims.value(QLatin1String("iss")).toString(), server->issuer());
    }

    void noIdTokenWithoutOpenid()
    {
        auto server = startServer();
        QVERIFY(server);
        const Params params
            = with(authorizeParams(), QStringLiteral("scope"), QStringLiteral("profile"));
        const auto tokens
            = exchange(*server, signIn(*server, params), verifier, redirectOf(params));
        QCOMPARE(tokens.status, 200);
        QVERIFY(!tokens.json().contains(QLatin1String("id_token")));
        const auto refreshed
            = http.postForm(endpoint(*server, "/oauth/token"),
                            "grant_type=refresh_token&client_id=silentauth-desktop&refresh_token="
                                + str(tokens.json(), "refresh_token"));
        QCOMPARE(refreshed.status, 200);
        QVERIFY(!refreshed.json().contains(QLatin1String("id_token")));
        // The password grant answers one when asked for openid, for its client.
        const auto password = http.postForm(endpoint(*server, "/oauth/token"),
                                            "grant_type=password&username=bob&password=bob-"
                                            "password&client_id=silentauth-desktop&scope=openid");
        QCOMPARE(password.status, 200);
        const auto claims = jwtPart(str(password.json(), "id_token"), 1);
        QCOMPARE(claims.value(QLatin1String("sub")).toString(), QStringLiteral("bob"));
        QCOMPARE(claims.value(QLatin1String("aud")).toString(),
                 QStringLiteral("silentauth-desktop"));
        QVERIFY(!claims.contains(QLatin1String("nonce")));
    }

    void rotateSigningKeyScenario()
    {
        auto server = startServer();
        QVERIFY(server);
        const auto tokens
            = exchange(*server, signIn(*server), verifier, redirectOf(authorizeParams()));
        const QByteArray oldToken = str(tokens.json(), "id_token");
        const QJsonValue oldKid = jwtPart(oldToken, 0).value(QLatin1String("kid"));
        QCOMPARE(http.postJson(endpoint(*server, "/__admin/scenario"),
                               {{QStringLiteral("name"), QStringLiteral("rotate-signing-key")}})
                     .status,
                 200);
        const auto keys = http.send("GET", endpoint(*server, "/oauth/jwks"))
                              .json()
                              .value(QLatin1String("keys"))
                              .toArray();
        QCOMPARE(keys.size(), 2);
        const QJsonObject newKey = keys.at(0).toObject();
        const QJsonObject oldKey = keys.at(1).toObject();
        QVERIFY(newKey.value(QLatin1String("kid")) != oldKid);
        QCOMPARE(oldKey.value(QLatin1String("kid")), oldKid);
        QVERIFY(newKey.value(QLatin1String("n")) != oldKey.value(QLatin1String("n")));
        // Tokens signed before still verify with the old key...
        QJsonObject claims;
        QVERIFY(Mock::SigningKeys::verify(oldToken, oldKey, &claims));
        // ...and new ones are signed with the new key.
        const auto refreshed
            = http.postForm(endpoint(*server, "/oauth/token"),
                            "grant_type=refresh_token&client_id=silentauth-desktop&refresh_token="
                                + str(tokens.json(), "refresh_token"));
        QCOMPARE(refreshed.status, 200);
        const QByteArray newToken = str(refreshed.json(), "id_token");
        QCOMPARE(jwtPart(newToken, 0).value(QLatin1String("kid")),
                 newKey.value(QLatin1String("kid")));
        QVERIFY(Mock::SigningKeys::verify(newToken, newKey, &claims));
        QVERIFY(!Mock::SigningKeys::verify(newToken, oldKey, &claims));

        // Rotating again keeps a bounded number of old keys.
        QString error;
        for (int i = 0; i < Mock::SigningKeys::keysKept; ++i)
            QVERIFY(server->setScenario(QStringLiteral("rotate-signing-key"), {}, &error));
        const auto many = http.send("GET", endpoint(*server, "/oauth/jwks"))
                              .json()
                              .value(QLatin1String("keys"))
                              .toArray();
        QCOMPARE(many.size(), Mock::SigningKeys::keysKept);
    }

    // OpenID Connect Core §5.3: what an access token says about its user.
    void userinfoEndpoint()
    {
        MockServerConfig config;
        config.profileInIdToken = false;
        auto server = startServer(config);
        QVERIFY(server);
        QCOMPARE(http.send("GET", endpoint(*server, "/.well-known/openid-configuration"))
                     .json()
                     .value(QLatin1String("userinfo_endpoint"))
                     .toString(),
                 server->url().toString() + QLatin1String("/oauth/userinfo"));
        const auto tokens
            = exchange(*server, signIn(*server), verifier, redirectOf(authorizeParams()));
        QCOMPARE(tokens.status, 200);
        // Only the claims OpenID Connect requires in the ID token...
        const QJsonObject claims = jwtPart(str(tokens.json(), "id_token"), 1);
        QCOMPARE(claims.value(QLatin1String("sub")).toString(), QStringLiteral("alice"));
        QVERIFY(!claims.contains(QLatin1String("name")));
        QVERIFY(!claims.contains(QLatin1String("preferred_username")));
        // ...the profile at the userinfo endpoint, for the profile scope.
        const auto profile = http.getBearer(endpoint(*server, "/oauth/userinfo"),
                                            str(tokens.json(), "access_token"));
        QCOMPARE(profile.status, 200);
        QCOMPARE(profile.header("cache-control"), QByteArray("no-store"));
        QCOMPARE(profile.json(),
                 (QJsonObject {{QStringLiteral("sub"), QStringLiteral("alice")},
                               {QStringLiteral("name"), QStringLiteral("Alice Example")},
                               {QStringLiteral("preferred_username"), QStringLiteral("alice")}}));
        Params openidOnly = authorizeParams();
        for (auto &item : openidOnly) {
            if (item.first == QLatin1String("scope"))
                item.second = QStringLiteral("openid");
        }
        const auto bare
            = exchange(*server, signIn(*server, openidOnly), verifier, redirectOf(openidOnly));
        QCOMPARE(
            http.getBearer(endpoint(*server, "/oauth/userinfo"), str(bare.json(), "access_token"))
                .json(),
            (QJsonObject {{QStringLiteral("sub"), QStringLiteral("alice")}}));
        // Without a token, or with one not issued for openid.
        QCOMPARE(http.send("GET", endpoint(*server, "/oauth/userinfo")).status, 401);
        const auto seed
            = http.postJson(endpoint(*server, "/auth/login"),
                            {{QStringLiteral("username"), QStringLiteral("alice")},
                             {QStringLiteral("password"), QStringLiteral("alice-password")}});
        const auto refused
            = http.getBearer(endpoint(*server, "/oauth/userinfo"), str(seed.json(), "accessToken"));
        QCOMPARE(refused.status, 403);
        QVERIFY(refused.header("www-authenticate").contains("insufficient_scope"));
    }

    // One TLS handshake with \a server, the event loop running: the socket's
    // error (UnknownSocketError once encrypted), and in *errors the
    // certificate problems it saw.
    static QAbstractSocket::SocketError handshake(const MockServer &server,
                                                  const QSslConfiguration &configuration,
                                                  QList<QSslError> *errors = nullptr)
    {
        QSslSocket socket;
        socket.setSslConfiguration(configuration);
        QList<QSslError> seen;
        QObject::connect(&socket, &QSslSocket::sslErrors,
                         [&seen](const QList<QSslError> &e) { seen += e; });
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server.port());
        (void)QTest::qWaitFor(
            [&socket] {
                return socket.isEncrypted() || socket.state() == QAbstractSocket::UnconnectedState;
            },
            5000);
        if (errors)
            *errors = seen;
        return socket.isEncrypted() ? QAbstractSocket::UnknownSocketError : socket.error();
    }

    // HTTPS with a CA of the server's own: TLS 1.2 and later only, a
    // certificate for the loopback names, and a scenario that serves an
    // expired one.
    void httpsWithItsOwnCa()
    {
        QTemporaryDir certificates;
        MockServerConfig config;
        config.tlsSelfSignedDir = certificates.path();
        auto server = startServer(config); // trusts the CA from here on
        QVERIFY(server);
        QCOMPARE(server->url().scheme(), QStringLiteral("https"));
        QCOMPARE(server->caCertificateFile(), certificates.filePath(QStringLiteral("ca.pem")));
        QCOMPARE(server->issuer(), server->url().toString());
        for (const char *host : {"127.0.0.1", "localhost"}) {
            QUrl url = endpoint(*server, "/health");
            url.setHost(QLatin1String(host));
            const auto health = http.send("GET", url);
            QVERIFY2(health.status == 200, qPrintable(QString::number(int(health.error))));
        }
        // TLS 1.1 is refused.
        QSslConfiguration tls11 = QSslConfiguration::defaultConfiguration();
        QT_WARNING_PUSH
        QT_WARNING_DISABLE_DEPRECATED // what an outdated client offers
            tls11.setProtocol(QSsl::TlsV1_1);
        QT_WARNING_POP
        QCOMPARE(handshake(*server, tls11), QAbstractSocket::SslHandshakeFailedError);
        // A client that does not trust the CA sees why, never a silent pass.
        QSslConfiguration bare = QSslConfiguration::defaultConfiguration();
        bare.setCaCertificates({});
        QList<QSslError> errors;
        QCOMPARE(handshake(*server, bare, &errors), QAbstractSocket::SslHandshakeFailedError);
        QVERIFY(!errors.isEmpty());
        QCOMPARE(handshake(*server, QSslConfiguration::defaultConfiguration()),
                 QAbstractSocket::UnknownSocketError); // encrypted: no error

        QString error;
        QVERIFY2(server->setScenario(QStringLiteral("tls-expired-cert"),
                                     {{QStringLiteral("count"), 1}}, &error),
                 qPrintable(error));
        QCOMPARE(handshake(*server, QSslConfiguration::defaultConfiguration(), &errors),
                 QAbstractSocket::SslHandshakeFailedError);
        bool expired = false;
        for (const QSslError &e : std::as_const(errors))
            expired = expired || e.error() == QSslError::CertificateExpired;
        QVERIFY(expired);
        QCOMPARE(server->stats().value(QLatin1String("tlsExpiredServed")).toInt(), 1);
        // count 1: the next connection gets the good one again.
        QCOMPARE(http.send("GET", endpoint(*server, "/health")).status, 200);
    }

    void tlsExpiredCertNeedsTheServersOwnCa()
    {
        auto server = startServer();
        QVERIFY(server);
        QString error;
        QVERIFY(!server->setScenario(QStringLiteral("tls-expired-cert"), {}, &error));
        QVERIFY(error.contains(QLatin1String("--tls-self-signed")));
    }

    // Behind a hotel portal: every route answers its HTML page; the admin
    // routes still work, and the scenario ends like any other.
    void captivePortalScenario()
    {
        auto server = startServer();
        QVERIFY(server);
        QVERIFY(server->setScenario(QStringLiteral("captive-portal"), {}, nullptr));
        for (const char *path : {"/auth/refresh", "/oauth/token", "/profile", "/health"}) {
            const auto page = http.send("POST", endpoint(*server, path), "{}");
            QCOMPARE(page.status, 200);
            QVERIFY(page.header("content-type").startsWith("text/html"));
            QVERIFY(page.body.contains("Guest Wi-Fi"));
        }
        QCOMPARE(http.send("GET", endpoint(*server, "/__admin/stats")).status, 200);
        QVERIFY(server->setScenario(QStringLiteral("normal"), {}, nullptr));
        QCOMPARE(http.send("GET", endpoint(*server, "/health")).json(),
                 (QJsonObject {{QStringLiteral("status"), QStringLiteral("ok")}}));
    }

    // Device sign-in (RFC 8628), as the device and the user's browser see it.
    void deviceAuthorizationAnswer()
    {
        auto server = startServer();
        QVERIFY(server);
        const auto issued = http.postForm(endpoint(*server, "/oauth/device_authorization"),
                                          "client_id=silentauth-desktop&scope=openid+profile");
        QCOMPARE(issued.status, 200);
        QCOMPARE(issued.header("cache-control"), QByteArray("no-store"));
        const QJsonObject d = issued.json();
        const QString page = server->url().toString() + QLatin1String("/oauth/device");
        const QString userCode = d.value(QLatin1String("user_code")).toString();
        QVERIFY(
            QRegularExpression(QStringLiteral("^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]"
                                              "{4}$"))
                .match(userCode)
                .hasMatch());
        QVERIFY(str(d, "device_code").size() >= 43);
        QCOMPARE(d.value(QLatin1String("verification_uri")).toString(), page);
        QCOMPARE(d.value(QLatin1String("verification_uri_complete")).toString(),
                 page + QLatin1String("?user_code=") + userCode);
        QCOMPARE(d.value(QLatin1String("expires_in")).toInt(), 600);
        QCOMPARE(d.value(QLatin1String("interval")).toInt(), 5);
        // The page with the code filled in, escaped.
        const auto shown = browser.send("GET", QUrl(page + QLatin1String("?user_code=%22%3E<b>")));
        QCOMPARE(shown.status, 200);
        QVERIFY(shown.body.contains("value=\"&quot;&gt;&lt;b&gt;\""));
        // Unknown clients get no code.
        const auto unknown
            = http.postForm(endpoint(*server, "/oauth/device_authorization"), "client_id=somebody");
        QCOMPARE(unknown.status, 401);
        QCOMPARE(
            server->stats()[QLatin1String("deviceAuthorizations")][QLatin1String("issued")].toInt(),
            1);
    }

    void devicePollingRules()
    {
        MockServerConfig config;
        config.devicePollInterval = std::chrono::seconds(1);
        auto server = startServer(config);
        QVERIFY(server);
        const QJsonObject d = http.postForm(endpoint(*server, "/oauth/device_authorization"),
                                            "client_id=silentauth-desktop")
                                  .json();
        const QByteArray deviceCode = str(d, "device_code");
        auto poll = [&](const QByteArray &client = "silentauth-desktop") {
            return http
                .postForm(endpoint(*server, "/oauth/token"),
                          "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"
                          "&client_id="
                              + client + "&device_code=" + deviceCode)
                .json()
                .value(QLatin1String("error"))
                .toString();
        };
        QCOMPARE(poll(), QStringLiteral("authorization_pending"));
        // Too soon: slow down, and the interval is now 6 s (1 + 5).
        QCOMPARE(poll(), QStringLiteral("slow_down"));
        // Another client's poll with this code is refused.
        QCOMPARE(poll("silentauth-service&client_secret=service-secret"),
                 QStringLiteral("invalid_grant"));
        // A wrong code on the page changes nothing; the right one signs in.
        QCOMPARE(browser
                     .postForm(endpoint(*server, "/oauth/device"),
                               "user_code=BBBB-BBBB&username=alice&password=alice-password"
                               "&decision=allow")
                     .status,
                 400);
        const auto wrongPassword = browser.postForm(
            endpoint(*server, "/oauth/device"),
            "user_code=" + str(d, "user_code") + "&username=alice&password=x&decision=allow");
        QCOMPARE(wrongPassword.status, 200);
        QVERIFY(wrongPassword.body.contains("Wrong username or password"));
        QCOMPARE(browser
                     .postForm(endpoint(*server, "/oauth/device"),
                               "user_code=" + str(d, "user_code")
                                   + "&username=alice&password=alice-password&decision=allow")
                     .status,
                 200);
        QTest::qWait(6100);
        const auto tokens
            = http.postForm(endpoint(*server, "/oauth/token"),
                            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"
                            "&client_id=silentauth-desktop&device_code="
                                + deviceCode);
        QCOMPARE(tokens.status, 200);
        QVERIFY(!str(tokens.json(), "refresh_token").isEmpty());
        // One exchange per code; the code cannot be entered again.
        QCOMPARE(poll(), QStringLiteral("invalid_grant"));
        QCOMPARE(browser
                     .postForm(endpoint(*server, "/oauth/device"),
                               "user_code=" + str(d, "user_code")
                                   + "&username=alice&password=alice-password&decision=allow")
                     .status,
                 400);
        const QJsonObject stats = server->stats()[QLatin1String("deviceAuthorizations")].toObject();
        QCOMPARE(stats.value(QLatin1String("approved")).toInt(), 1);
        QCOMPARE(stats.value(QLatin1String("exchanged")).toInt(), 1);
        QCOMPARE(stats.value(QLatin1String("tooFast")).toInt(), 1);
        QCOMPARE(stats.value(QLatin1String("slowDowns")).toInt(), 1);
    }

    void deviceCodeExpires()
    {
        MockServerConfig config;
        config.deviceCodeTtl = std::chrono::seconds(1);
        auto server = startServer(config);
        QVERIFY(server);
        const QJsonObject d = http.postForm(endpoint(*server, "/oauth/device_authorization"),
                                            "client_id=silentauth-desktop")
                                  .json();
        QTest::qWait(1100);
        const auto polled
            = http.postForm(endpoint(*server, "/oauth/token"),
                            "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"
                            "&client_id=silentauth-desktop&device_code="
                                + str(d, "device_code"));
        QCOMPARE(polled.status, 400);
        QCOMPARE(polled.json().value(QLatin1String("error")).toString(),
                 QStringLiteral("expired_token"));
        // Too late to enter it, too.
        QCOMPARE(browser
                     .postForm(endpoint(*server, "/oauth/device"),
                               "user_code=" + str(d, "user_code")
                                   + "&username=alice&password=alice-password&decision=allow")
                     .status,
                 400);
    }
};

QTEST_GUILESS_MAIN(TestMockServer)
#include "tst_mockserver.moc"
