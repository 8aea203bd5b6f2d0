// DPoP (RFC 9449) at the mock server, end to end over HTTP on a loopback
// port: bound tokens, proofs refused for each reason, replay, nonces and
// their rotation, the modes, and the replay cache's bounds.
#include "dpoptestkey.h"
#include "httpclient.h"
#include "testserver.h"

#include "dpop.h"
#include "jwt.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QMessageAuthenticationCode>
#include <QtCore/QTemporaryDir>
#include <QtCore/QThread>
#include <QtCore/QUrlQuery>
#include <QtTest/QtTest>

using namespace SilentAuth;
using namespace SilentAuth::Test;
using Mock::MockServer;
using Mock::MockServerConfig;
using DpopMode = MockServerConfig::DpopMode;

namespace {

QByteArray str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString().toUtf8();
}

QJsonObject claimsOf(const QByteArray &token)
{
    QJsonObject claims;
    Mock::Jwt::decodeClaims(token, &claims);
    return claims;
}

QByteArray encoded(const QJsonObject &object)
{
    return DpopTestKey::base64url(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace

class TestMockDpop : public QObject
{
    Q_OBJECT

private:
    HttpClient http;

    static std::unique_ptr<MockServer> start(DpopMode mode, bool nonces = false,
                                             MockServerConfig config = {})
    {
        config.dpop = mode;
        config.dpopNonce = nonces;
        config.passwordIterations = 1000;
        return startServer(config);
    }

    static HttpClient::Headers withProof(const QByteArray &proof)
    {
        HttpClient::Headers headers;
        if (!proof.isNull())
            headers.append({QByteArray("DPoP"), proof});
        return headers;
    }

    HttpResult login(MockServer &server, const QByteArray &proof,
                     const QString &user = QStringLiteral("alice"))
    {
        return http.postJson(endpoint(server, "/auth/login"),
                             {{QStringLiteral("username"), user},
                              {QStringLiteral("password"), user + QStringLiteral("-password")}},
                             withProof(proof));
    }
    HttpResult refresh(MockServer &server, const QByteArray &refreshToken, const QByteArray &proof)
    {
        return http.postJson(endpoint(server, "/auth/refresh"),
                             {{QStringLiteral("refreshToken"), QString::fromLatin1(refreshToken)}},
                             withProof(proof));
    }
    HttpResult oauthToken(MockServer &server, const QByteArray &form, const QByteArray &proof)
    {
        return http.postForm(endpoint(server, "/oauth/token"), form, withProof(proof));
    }
    static QByteArray passwordForm()
    {
        return "grant_type=password&username=alice&password=alice-password"
               "&client_id=silentauth-desktop";
    }
    // GET /profile with a DPoP-bound token and a proof (null: none).
    HttpResult profile(MockServer &server, const QByteArray &token, const QByteArray &proof,
                       const QByteArray &scheme = "DPoP")
    {
        HttpClient::Headers headers = withProof(proof);
        headers.append({QByteArray("Authorization"), scheme + ' ' + token});
        return http.send("GET", endpoint(server, "/profile"), {}, headers);
    }
    // A bound access token for alice, by key.
    QByteArray boundToken(MockServer &server, const DpopTestKey &key,
                          QByteArray *refreshToken = nullptr)
    {
        const auto result = login(server, key.proof("POST", endpoint(server, "/auth/login")));
        if (refreshToken)
            *refreshToken = str(result.json(), "refreshToken");
        return result.status == 200 ? str(result.json(), "accessToken") : QByteArray();
    }
    static QJsonObject dpopStats(MockServer &server)
    {
        return server.stats().value(QLatin1String("dpop")).toObject();
    }
    static int rejected(MockServer &server, const char *reason)
    {
        return dpopStats(server)
            .value(QLatin1String("rejected"))
            .toObject()
            .value(QLatin1String(reason))
            .toInt(-1);
    }
    static QByteArray challenge(const HttpResult &result)
    {
        return result.header("www-authenticate");
    }

    // A proof that is wrong in one way.
    static QByteArray mutated(const DpopTestKey &key, const QString &mutation,
                              const QByteArray &method, const QUrl &url,
                              const QByteArray &accessToken)
    {
        QJsonObject header = key.header();
        QJsonObject claims = key.claims(method, url, accessToken);
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        if (mutation == QLatin1String("htm"))
            claims.insert(QStringLiteral("htm"),
                          method == "GET" ? QStringLiteral("POST") : QStringLiteral("GET"));
        else if (mutation == QLatin1String("htu")) {
            QUrl other = url;
            other.setPath(QStringLiteral("/somewhere/else"));
            claims.insert(QStringLiteral("htu"), other.toString());
        } else if (mutation == QLatin1String("htu-port")) {
            QUrl other = url;
            other.setPort(url.port() == 1 ? 2 : 1);
            claims.insert(QStringLiteral("htu"), other.toString());
        } else if (mutation == QLatin1String("old-iat"))
            claims.insert(QStringLiteral("iat"), now - 600);
        else if (mutation == QLatin1String("future-iat"))
            claims.insert(QStringLiteral("iat"), now + 600);
        else if (mutation == QLatin1String("ath"))
            claims.insert(QStringLiteral("ath"),
                          QString::fromLatin1(DpopTestKey::accessTokenHash("another token")));
        else if (mutation == QLatin1String("no-ath"))
            claims.remove(QStringLiteral("ath"));
        else if (mutation == QLatin1String("no-jti"))
            claims.remove(QStringLiteral("jti"));
        else if (mutation == QLatin1String("typ"))
            header.insert(QStringLiteral("typ"), QStringLiteral("JWT"));
        else if (mutation == QLatin1String("private-jwk"))
            header.insert(QStringLiteral("jwk"), key.privateJwk());
        else if (mutation == QLatin1String("alg-mismatch"))
            header.insert(QStringLiteral("alg"), QStringLiteral("RS256"));
        else if (mutation == QLatin1String("alg-none")) {
            header.insert(QStringLiteral("alg"), QStringLiteral("none"));
            return encoded(header) + '.' + encoded(claims) + '.';
        } else if (mutation == QLatin1String("hs256")) {
            // The classic confusion: an HMAC keyed with the public key.
            header.insert(QStringLiteral("alg"), QStringLiteral("HS256"));
            const QByteArray input = encoded(header) + '.' + encoded(claims);
            const QByteArray secret = QJsonDocument(key.publicJwk()).toJson(QJsonDocument::Compact);
            return input + '.'
                + DpopTestKey::base64url(
                       QMessageAuthenticationCode::hash(input, secret, QCryptographicHash::Sha256));
        } else if (mutation == QLatin1String("signature")) {
            // Signed by another key than the one in the header.
            const DpopTestKey other(key.type());
            return other.sign(header, claims);
        }
        return key.sign(header, claims);
    }

private Q_SLOTS:
    void dpopOffChangesNothing()
    {
        auto server = start(DpopMode::Off);
        QVERIFY(server);
        const DpopTestKey key;
        const auto result = login(*server, key.proof("POST", endpoint(*server, "/auth/login")));
        QCOMPARE(result.status, 200);
        QCOMPARE(str(result.json(), "tokenType"), QByteArray("Bearer"));
        QVERIFY(!claimsOf(str(result.json(), "accessToken")).contains(QLatin1String("cnf")));
        QVERIFY(result.header("dpop-nonce").isEmpty());
        const auto discovery
            = http.send("GET", endpoint(*server, "/.well-known/openid-configuration"));
        QVERIFY(!discovery.json().contains(QLatin1String("dpop_signing_alg_values_supported")));
        QVERIFY(!server->stats().contains(QLatin1String("dpop")));
        // Garbage in a DPoP header is ignored too.
        QCOMPARE(login(*server, "not-a-proof").status, 200);
        const auto missing = http.send("GET", endpoint(*server, "/profile"));
        QCOMPARE(challenge(missing), QByteArray("Bearer realm=\"silentauth\""));
    }

    void discoveryAdvertisesAlgorithms()
    {
        auto server = start(DpopMode::Optional);
        QVERIFY(server);
        for (const char *path :
             {"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"}) {
            const auto result = http.send("GET", endpoint(*server, path));
            QCOMPARE(result.status, 200);
            QCOMPARE(result.json().value(QLatin1String("dpop_signing_alg_values_supported")),
                     QJsonValue(QJsonArray {QStringLiteral("ES256"), QStringLiteral("RS256")}));
        }
    }

    void boundTokenFromLogin_data()
    {
        QTest::addColumn<bool>("rsa");
        QTest::addColumn<bool>("oauth");
        QTest::newRow("ES256, seed API") << false << false;
        QTest::newRow("RS256, seed API") << true << false;
        QTest::newRow("ES256, OAuth") << false << true;
        QTest::newRow("RS256, OAuth") << true << true;
    }
    void boundTokenFromLogin()
    {
        QFETCH(bool, rsa);
        QFETCH(bool, oauth);
        auto server = start(DpopMode::Optional);
        QVERIFY(server);
        const DpopTestKey key(rsa ? DpopTestKey::Type::Rsa : DpopTestKey::Type::Ec);
        QVERIFY(key.isValid());
        const HttpResult result = oauth
            ? oauthToken(*server, passwordForm(),
                         key.proof("POST", endpoint(*server, "/oauth/token")))
            : login(*server, key.proof("POST", endpoint(*server, "/auth/login")));
        QCOMPARE(result.status, 200);
        const QJsonObject body = result.json();
        QCOMPARE(str(body, oauth ? "token_type" : "tokenType"), QByteArray("DPoP"));
        const QByteArray token = str(body, oauth ? "access_token" : "accessToken");
        const QJsonObject cnf = claimsOf(token).value(QLatin1String("cnf")).toObject();
        QCOMPARE(str(cnf, "jkt"), key.thumbprint());
        QCOMPARE(Mock::Dpop::thumbprint(key.publicJwk()), key.thumbprint());

        const auto resource
            = profile(*server, token, key.proof("GET", endpoint(*server, "/profile"), token));
        QCOMPARE(resource.status, 200);
        QCOMPARE(str(resource.json(), "username"), QByteArray("alice"));
        QCOMPARE(dpopStats(*server).value(QLatin1String("accepted")).toInt(), 2);
        QCOMPARE(dpopStats(*server).value(QLatin1String("boundTokensIssued")).toInt(), 1);
        QCOMPARE(dpopStats(*server).value(QLatin1String("rejectedTotal")).toInt(), 0);
    }

    void refreshNeedsTheSameKey_data()
    {
        QTest::addColumn<bool>("oauth");
        QTest::newRow("seed API") << false;
        QTest::newRow("OAuth") << true;
    }
    void refreshNeedsTheSameKey()
    {
        QFETCH(bool, oauth);
        auto server = start(DpopMode::Optional);
        QVERIFY(server);
        const DpopTestKey key;
        const DpopTestKey thief;
        const QUrl tokenUrl = endpoint(*server, oauth ? "/oauth/token" : "/auth/refresh");
        QByteArray refreshToken;
        if (oauth) {
            const auto signIn = oauthToken(*server, passwordForm(),
                                           key.proof("POST", endpoint(*server, "/oauth/token")));
            QCOMPARE(signIn.status, 200);
            refreshToken = str(signIn.json(), "refresh_token");
        } else {
            QVERIFY(!boundToken(*server, key, &refreshToken).isEmpty());
        }
        QVERIFY(!refreshToken.isEmpty());
        auto refreshWith = [&](const QByteArray &proof) {
            return oauth ? oauthToken(*server,
                                      "grant_type=refresh_token&client_id=silentauth-desktop"
                                      "&refresh_token="
                                          + refreshToken,
                                      proof)
                         : refresh(*server, refreshToken, proof);
        };

        // A stolen refresh token without the key: refused, and nothing revoked.
        const auto stolen = refreshWith(thief.proof("POST", tokenUrl));
        QCOMPARE(stolen.status, oauth ? 400 : 401);
        QCOMPARE(str(stolen.json(), "error"), QByteArray("invalid_grant"));
        QCOMPARE(rejected(*server, "key_mismatch"), 1);
        const auto bare = refreshWith(QByteArray());
        QCOMPARE(bare.status, 400);
        QCOMPARE(str(bare.json(), "error"), QByteArray("invalid_dpop_proof"));
        QCOMPARE(rejected(*server, "proof_missing"), 1);
        QCOMPARE(server->stats()
                     .value(QLatin1String("refreshes"))
                     .toObject()
                     .value(QLatin1String("reuseDetected"))
                     .toInt(),
                 0);

        // The owner refreshes; the new pair is bound to the same key.
        const auto owned = refreshWith(key.proof("POST", tokenUrl));
        QCOMPARE(owned.status, 200);
        const QJsonObject body = owned.json();
        QCOMPARE(str(body, oauth ? "token_type" : "tokenType"), QByteArray("DPoP"));
        const QByteArray access = str(body, oauth ? "access_token" : "accessToken");
        QCOMPARE(str(claimsOf(access).value(QLatin1String("cnf")).toObject(), "jkt"),
                 key.thumbprint());
        refreshToken = str(body, oauth ? "refresh_token" : "refreshToken");
        QCOMPARE(refreshWith(thief.proof("POST", tokenUrl)).status, oauth ? 400 : 401);
        QCOMPARE(refreshWith(key.proof("POST", tokenUrl)).status, 200);
    }

    void bindingSurvivesRestart()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        MockServerConfig config;
        config.databaseFile = dir.filePath(QStringLiteral("mock.sqlite"));
        config.secret = "restart-secret";
        const DpopTestKey key;
        const DpopTestKey thief;
        QByteArray refreshToken;
        {
            auto server = start(DpopMode::Optional, false, config);
            QVERIFY(server);
            QVERIFY(!boundToken(*server, key, &refreshToken).isEmpty());
        }
        auto server = start(DpopMode::Optional, false, config);
        QVERIFY(server);
        const QUrl url = endpoint(*server, "/auth/refresh");
        QCOMPARE(refresh(*server, refreshToken, thief.proof("POST", url)).status, 401);
        QCOMPARE(refresh(*server, refreshToken, key.proof("POST", url)).status, 200);
    }

    void boundTokenNeedsItsKey()
    {
        auto server = start(DpopMode::Optional);
        QVERIFY(server);
        const DpopTestKey key;
        const DpopTestKey other;
        const QByteArray token = boundToken(*server, key);
        QVERIFY(!token.isEmpty());
        const QUrl url = endpoint(*server, "/profile");

        const auto asBearer = profile(*server, token, QByteArray(), "Bearer");
        QCOMPARE(asBearer.status, 401);
        QVERIFY(challenge(asBearer).startsWith("DPoP "));
        QVERIFY(challenge(asBearer).contains("error=\"invalid_token\""));
        QVERIFY(challenge(asBearer).contains("algs=\"ES256 RS256\""));
        QCOMPARE(rejected(*server, "bound_token_as_bearer"), 1);

        const auto otherKey = profile(*server, token, other.proof("GET", url, token));
        QCOMPARE(otherKey.status, 401);
        QVERIFY(challenge(otherKey).contains("error=\"invalid_token\""));
        QCOMPARE(rejected(*server, "key_mismatch"), 1);

        const auto noProof = profile(*server, token, QByteArray());
        QCOMPARE(noProof.status, 401);
        QVERIFY(challenge(noProof).contains("error=\"invalid_dpop_proof\""));
        QCOMPARE(rejected(*server, "proof_missing"), 1);

        QCOMPARE(profile(*server, token, key.proof("GET", url, token)).status, 200);
        QCOMPARE(server->stats()
                     .value(QLatin1String("unauthorized"))
                     .toObject()
                     .value(QLatin1String("dpop_bound_token_as_bearer"))
                     .toInt(),
                 1);
    }

    void badProofRefused_data()
    {
        QTest::addColumn<bool>("resource");
        QTest::addColumn<QString>("mutation");
        QTest::addColumn<QByteArray>("reason");
        auto row = [](const char *name, bool resource, const char *mutation, const char *reason) {
            QTest::newRow(name) << resource << QString::fromLatin1(mutation) << QByteArray(reason);
        };
        row("login: wrong htm", false, "htm", "htm_mismatch");
        row("login: wrong htu path", false, "htu", "htu_mismatch");
        row("login: wrong htu port", false, "htu-port", "htu_mismatch");
        row("login: old iat", false, "old-iat", "iat_out_of_window");
        row("login: future iat", false, "future-iat", "iat_out_of_window");
        row("login: alg none", false, "alg-none", "bad_alg");
        row("login: HS256", false, "hs256", "bad_alg");
        row("login: alg not the key's", false, "alg-mismatch", "bad_alg");
        row("login: typ JWT", false, "typ", "bad_typ");
        row("login: jwk with private key", false, "private-jwk", "bad_jwk");
        row("login: bad signature", false, "signature", "bad_signature");
        row("login: no jti", false, "no-jti", "malformed");
        row("resource: wrong htm", true, "htm", "htm_mismatch");
        row("resource: wrong htu", true, "htu", "htu_mismatch");
        row("resource: old iat", true, "old-iat", "iat_out_of_window");
        row("resource: wrong ath", true, "ath", "ath_mismatch");
        row("resource: no ath", true, "no-ath", "ath_mismatch");
        row("resource: alg none", true, "alg-none", "bad_alg");
        row("resource: HS256", true, "hs256", "bad_alg");
        row("resource: jwk with private key", true, "private-jwk", "bad_jwk");
        row("resource: bad signature", true, "signature", "bad_signature");
    }
    void badProofRefused()
    {
        QFETCH(bool, resource);
        QFETCH(QString, mutation);
        QFETCH(QByteArray, reason);
        auto server = start(DpopMode::Optional);
        QVERIFY(server);
        const DpopTestKey key;
        if (!resource) {
            const QUrl url = endpoint(*server, "/auth/login");
            const auto result = login(*server, mutated(key, mutation, "POST", url, {}));
            QCOMPARE(result.status, 400);
            QCOMPARE(str(result.json(), "error"), QByteArray("invalid_dpop_proof"));
            QVERIFY(!result.json().value(QLatin1String("message")).toString().isEmpty());
        } else {
            const QByteArray token = boundToken(*server, key);
            QVERIFY(!token.isEmpty());
            const QUrl url = endpoint(*server, "/profile");
            const auto result = profile(*server, token, mutated(key, mutation, "GET", url, token));
            QCOMPARE(result.status, 401);
            QVERIFY(challenge(result).startsWith("DPoP "));
            QVERIFY(challenge(result).contains("error=\"invalid_dpop_proof\""));
            QCOMPARE(str(result.json(), "error"), QByteArray("invalid_dpop_proof"));
        }
        QCOMPARE(rejected(*server, reason.constData()), 1);
        QCOMPARE(dpopStats(*server).value(QLatin1String("rejectedTotal")).toInt(), 1);
    }

    // The server keeps keys it has imported and checked, by thumbprint: a
    // proof with a known key still needs its own valid signature, and a key
    // made to look like a known one is a different key.
    void knownKeyIsStillChecked()
    {
        auto server = start(DpopMode::Optional);
        QVERIFY(server);
        const DpopTestKey key;
        const QUrl url = endpoint(*server, "/auth/login");
        QCOMPARE(login(*server, key.proof("POST", url)).status, 200);
        QCOMPARE(login(*server, mutated(key, QStringLiteral("signature"), "POST", url, {})).status,
                 400);
        QCOMPARE(rejected(*server, "bad_signature"), 1);
        const DpopTestKey other;
        QCOMPARE(
            login(*server, mutated(key, QStringLiteral("private-jwk"), "POST", url, {})).status,
            400);
        QCOMPARE(rejected(*server, "bad_jwk"), 1);
        QCOMPARE(login(*server, other.proof("POST", url)).status, 200);
        QCOMPARE(login(*server, key.proof("POST", url)).status, 200);
        QCOMPARE(dpopStats(*server).value(QLatin1String("rejectedTotal")).toInt(), 2);
    }

    void replayedProofRefused()
    {
        auto server = start(DpopMode::Optional);
        QVERIFY(server);
        const DpopTestKey key;
        const QByteArray proof = key.proof("POST", endpoint(*server, "/auth/login"));
        QCOMPARE(login(*server, proof).status, 200);
        const auto again = login(*server, proof);
        QCOMPARE(again.status, 400);
        QCOMPARE(str(again.json(), "error"), QByteArray("invalid_dpop_proof"));
        QCOMPARE(rejected(*server, "jti_replayed"), 1);

        const QByteArray token
            = str(login(*server, key.proof("POST", endpoint(*server, "/auth/login"))).json(),
                  "accessToken");
        const QByteArray resourceProof = key.proof("GET", endpoint(*server, "/profile"), token);
        QCOMPARE(profile(*server, token, resourceProof).status, 200);
        const auto replayed = profile(*server, token, resourceProof);
        QCOMPARE(replayed.status, 401);
        QVERIFY(challenge(replayed).contains("error=\"invalid_dpop_proof\""));
        QCOMPARE(rejected(*server, "jti_replayed"), 2);
    }

    // htu names the server the client meant (RFC 9449 §4.3 check 9,
    // §11.1): a proof and bound token made for another server are refused
    // here even when the replaying party sends that server's name as Host,
    // for a resource and for a token request alike.
    void proofForAnotherOriginRefused_data()
    {
        QTest::addColumn<bool>("resource");
        QTest::addColumn<QString>("origin"); // what the proof was made for; PORT: this server's
        auto row = [](const char *name, bool resource, const char *origin) {
            QTest::newRow(name) << resource << QString::fromLatin1(origin);
        };
        row("resource: other host", true, "http://api.other.example");
        row("resource: other host, this port", true, "http://api.other.example:PORT");
        row("resource: loopback, other port", true, "http://127.0.0.1:OTHER");
        row("token: other host", false, "http://evil.example");
        row("token: other host, this port", false, "http://evil.example:PORT");
        row("token: loopback, other port", false, "http://127.0.0.1:OTHER");
    }
    void proofForAnotherOriginRefused()
    {
        QFETCH(bool, resource);
        QFETCH(QString, origin);
        auto server = start(DpopMode::Required);
        QVERIFY(server);
        const QString port = QString::number(server->port());
        const QString otherPort = QString::number(server->port() == 1 ? 2 : server->port() - 1);
        origin.replace(QLatin1String("PORT"), port).replace(QLatin1String("OTHER"), otherPort);
        const DpopTestKey key;
        const QByteArray token = resource ? boundToken(*server, key) : QByteArray();
        const char *path = resource ? "/profile" : "/auth/login";
        if (resource)
            QVERIFY(!token.isEmpty());
        // What the client sent to the other server, replayed here with its Host.
        QUrl captured(origin);
        captured.setPath(QString::fromLatin1(path));
        const QByteArray proof = key.proof(resource ? "GET" : "POST", captured, token);
        HttpClient::Headers headers = withProof(proof);
        headers.append({QByteArray("Host"), captured.authority().toLatin1()});
        HttpResult result;
        if (resource) {
            headers.append({QByteArray("Authorization"), "DPoP " + token});
            result = http.send("GET", endpoint(*server, path), {}, headers);
            QCOMPARE(result.status, 401);
            QVERIFY(challenge(result).contains("error=\"invalid_dpop_proof\""));
        } else {
            result = http.postJson(endpoint(*server, path),
                                   {{QStringLiteral("username"), QStringLiteral("alice")},
                                    {QStringLiteral("password"), QStringLiteral("alice-password")}},
                                   headers);
            QCOMPARE(result.status, 400);
        }
        QCOMPARE(str(result.json(), "error"), QByteArray("invalid_dpop_proof"));
        QCOMPARE(rejected(*server, "htu_mismatch"), 1);
        QCOMPARE(dpopStats(*server).value(QLatin1String("rejectedTotal")).toInt(), 1);
    }

    // The names a server on 127.0.0.1 answers to: a client that sends to
    // localhost makes its proofs for localhost, and they are good here.
    void proofForLocalhostAccepted()
    {
        auto server = start(DpopMode::Required);
        QVERIFY(server);
        QUrl local = server->url();
        local.setHost(QStringLiteral("localhost"));
        const DpopTestKey key;
        local.setPath(QStringLiteral("/auth/login"));
        auto result
            = http.postJson(local,
                            {{QStringLiteral("username"), QStringLiteral("alice")},
                             {QStringLiteral("password"), QStringLiteral("alice-password")}},
                            withProof(key.proof("POST", local)));
        QCOMPARE(result.status, 200);
        const QByteArray token = str(result.json(), "accessToken");
        QVERIFY(!token.isEmpty());
        local.setPath(QStringLiteral("/profile"));
        HttpClient::Headers headers = withProof(key.proof("GET", local, token));
        headers.append({QByteArray("Authorization"), "DPoP " + token});
        QCOMPARE(http.send("GET", local, {}, headers).status, 200);
        // 127.0.0.1 and localhost are both this server: either name is good
        // whichever one the request went to.
        headers = withProof(key.proof("GET", endpoint(*server, "/profile"), token));
        headers.append({QByteArray("Authorization"), "DPoP " + token});
        QCOMPARE(http.send("GET", local, {}, headers).status, 200);
        QCOMPARE(dpopStats(*server).value(QLatin1String("rejectedTotal")).toInt(), 0);
        QVERIFY(dpopStats(*server)
                    .value(QLatin1String("htuBases"))
                    .toArray()
                    .contains(server->url().scheme() + QStringLiteral("://localhost:")
                              + QString::number(server->port())));
    }

    // Behind a reverse proxy the server is configured with its public name
    // (--issuer): proofs name the URLs discovery advertises (the issuer, its
    // path included, then the route), whatever the proxy sends as Host; the
    // listening address and the issuer's bare origin are not this server's
    // names then.
    void issuerIsTheOnlyOrigin()
    {
        MockServerConfig config;
        config.issuer = QStringLiteral("https://Auth.example.test:443/tenant/");
        auto server = start(DpopMode::Optional, false, config);
        QVERIFY(server);
        QCOMPARE(dpopStats(*server).value(QLatin1String("htuBases")).toArray(),
                 QJsonArray {QStringLiteral("https://auth.example.test/tenant")});
        const DpopTestKey key;
        const auto body
            = QJsonObject {{QStringLiteral("username"), QStringLiteral("alice")},
                           {QStringLiteral("password"), QStringLiteral("alice-password")}};
        auto loginAs = [&](const char *htu, const QByteArray &host) {
            HttpClient::Headers headers
                = withProof(key.proof("POST", QUrl(QString::fromLatin1(htu))));
            if (!host.isEmpty())
                headers.append({QByteArray("Host"), host});
            return http.postJson(endpoint(*server, "/auth/login"), body, headers).status;
        };
        QCOMPARE(loginAs("https://auth.example.test/tenant/auth/login", "auth.example.test"), 200);
        QCOMPARE(loginAs("https://auth.example.test/tenant/auth/login", {}), 200);
        QCOMPARE(loginAs("https://auth.example.test/auth/login", "auth.example.test"), 400);
        QCOMPARE(loginAs("http://auth.example.test/tenant/auth/login", "auth.example.test"), 400);
        QCOMPARE(login(*server, key.proof("POST", endpoint(*server, "/auth/login"))).status, 400);
        QCOMPARE(rejected(*server, "htu_mismatch"), 3);
    }

    // On ::1 the server answers to [::1] and localhost.
    void ipv6LoopbackOrigins()
    {
        MockServerConfig config;
        config.address = QHostAddress::LocalHostIPv6;
        auto server = start(DpopMode::Optional, false, config);
        if (!server)
            QSKIP("No IPv6 loopback here");
        const DpopTestKey key;
        const QString scheme = server->url().scheme();
        const QString port = QString::number(server->port());
        QCOMPARE(dpopStats(*server).value(QLatin1String("htuBases")).toArray(),
                 (QJsonArray {scheme + QStringLiteral("://[::1]:") + port,
                              scheme + QStringLiteral("://localhost:") + port}));
        const QUrl url = endpoint(*server, "/auth/login");
        QCOMPARE(login(*server, key.proof("POST", url)).status, 200);
        QUrl local = url;
        local.setHost(QStringLiteral("localhost"));
        QCOMPARE(login(*server, key.proof("POST", local)).status, 200);
        QUrl v4 = url;
        v4.setHost(QStringLiteral("127.0.0.1"));
        QCOMPARE(login(*server, key.proof("POST", v4)).status, 400);
        QCOMPARE(rejected(*server, "htu_mismatch"), 1);
    }

    void nonceChallenge()
    {
        auto server = start(DpopMode::Optional, true);
        QVERIFY(server);
        const DpopTestKey key;
        const QUrl loginUrl = endpoint(*server, "/auth/login");
        const auto first = login(*server, key.proof("POST", loginUrl));
        QCOMPARE(first.status, 400);
        QCOMPARE(str(first.json(), "error"), QByteArray("use_dpop_nonce"));
        const QByteArray nonce = first.header("dpop-nonce");
        QVERIFY(!nonce.isEmpty());
        QCOMPARE(rejected(*server, "nonce_missing"), 1);

        const auto second = login(*server, key.proof("POST", loginUrl, {}, nonce));
        QCOMPARE(second.status, 200);
        QCOMPARE(second.header("dpop-nonce"), nonce);
        const QByteArray token = str(second.json(), "accessToken");

        const QUrl url = endpoint(*server, "/profile");
        const auto noNonce = profile(*server, token, key.proof("GET", url, token));
        QCOMPARE(noNonce.status, 401);
        QVERIFY(challenge(noNonce).contains("error=\"use_dpop_nonce\""));
        QCOMPARE(noNonce.header("dpop-nonce"), nonce);
        const auto madeUp = profile(*server, token, key.proof("GET", url, token, "made-up"));
        QCOMPARE(madeUp.status, 401);
        QVERIFY(challenge(madeUp).contains("error=\"use_dpop_nonce\""));
        QCOMPARE(rejected(*server, "nonce_stale"), 1);
        QCOMPARE(profile(*server, token, key.proof("GET", url, token, nonce)).status, 200);

        // Every answer carries the nonce, and the OAuth endpoint challenges too.
        QCOMPARE(http.send("GET", endpoint(*server, "/health")).header("dpop-nonce"), nonce);
        const auto oauth = oauthToken(*server, passwordForm(),
                                      key.proof("POST", endpoint(*server, "/oauth/token")));
        QCOMPARE(oauth.status, 400);
        QCOMPARE(str(oauth.json(), "error"), QByteArray("use_dpop_nonce"));
        QCOMPARE(oauth.header("dpop-nonce"), nonce);
    }

    void nonceRotatesWithGrace()
    {
        MockServerConfig config;
        config.dpopNonceRotate = std::chrono::seconds(2);
        config.dpopNonceGrace = std::chrono::seconds(1);
        auto server = start(DpopMode::Optional, true, config);
        QVERIFY(server);
        const DpopTestKey key;
        const QUrl loginUrl = endpoint(*server, "/auth/login");
        const QByteArray old = http.send("GET", endpoint(*server, "/health")).header("dpop-nonce");
        QVERIFY(!old.isEmpty());
        QByteArray current = old;
        QElapsedTimer waited;
        waited.start();
        while (current == old && waited.elapsed() < 5000) {
            QTest::qWait(100);
            current = http.send("GET", endpoint(*server, "/health")).header("dpop-nonce");
        }
        QVERIFY(current != old);
        QVERIFY2(waited.elapsed() >= 1500, "rotated sooner than the period");
        // Within the grace, the replaced nonce still works.
        QCOMPARE(login(*server, key.proof("POST", loginUrl, {}, old)).status, 200);
        QTest::qWait(1300);
        const auto stale = login(*server, key.proof("POST", loginUrl, {}, old));
        QCOMPARE(stale.status, 400);
        QCOMPARE(str(stale.json(), "error"), QByteArray("use_dpop_nonce"));
        QCOMPARE(stale.header("dpop-nonce"), current);
        QCOMPARE(login(*server, key.proof("POST", loginUrl, {}, current)).status, 200);
        QVERIFY(dpopStats(*server).value(QLatin1String("nonceRotations")).toInt() >= 1);
    }

    void nonceRotationScenario()
    {
        auto server = start(DpopMode::Optional, true);
        QVERIFY(server);
        const DpopTestKey key;
        const QUrl loginUrl = endpoint(*server, "/auth/login");
        const QByteArray first
            = http.send("GET", endpoint(*server, "/health")).header("dpop-nonce");
        QString error;
        QVERIFY2(server->setScenario(QStringLiteral("dpop-nonce-rotation"), {}, &error),
                 qPrintable(error));
        // Rotated at once, without grace: the old nonce meets a challenge.
        const auto challenged = login(*server, key.proof("POST", loginUrl, {}, first));
        QCOMPARE(challenged.status, 400);
        QCOMPARE(str(challenged.json(), "error"), QByteArray("use_dpop_nonce"));
        const QByteArray second = challenged.header("dpop-nonce");
        QVERIFY(!second.isEmpty() && second != first);
        QCOMPARE(login(*server, key.proof("POST", loginUrl, {}, second)).status, 200);

        // every: 3 rotates again before every third request.
        QVERIFY2(server->setScenario(QStringLiteral("dpop-nonce-rotation"),
                                     {{QStringLiteral("every"), 3}}, &error),
                 qPrintable(error));
        QByteArray nonce = http.send("GET", endpoint(*server, "/health")).header("dpop-nonce");
        QCOMPARE(login(*server, key.proof("POST", loginUrl, {}, nonce)).status, 200); // 2nd
        const auto third = login(*server, key.proof("POST", loginUrl, {}, nonce));
        QCOMPARE(third.status, 400);
        QCOMPARE(str(third.json(), "error"), QByteArray("use_dpop_nonce"));
        nonce = third.header("dpop-nonce");
        QCOMPARE(login(*server, key.proof("POST", loginUrl, {}, nonce)).status, 200);

        // It needs nonces.
        auto plain = start(DpopMode::Optional, false);
        QVERIFY(plain);
        QVERIFY(!plain->setScenario(QStringLiteral("dpop-nonce-rotation"), {}, &error));
        QVERIFY(error.contains(QLatin1String("--dpop-nonce")));
    }

    void replayedProofScenario()
    {
        auto server = start(DpopMode::Optional);
        QVERIFY(server);
        QString error;
        QVERIFY2(server->setScenario(QStringLiteral("dpop-replayed-proof"),
                                     {{QStringLiteral("count"), 1}}, &error),
                 qPrintable(error));
        const DpopTestKey key;
        const QUrl loginUrl = endpoint(*server, "/auth/login");
        const auto refused = login(*server, key.proof("POST", loginUrl));
        QCOMPARE(refused.status, 400);
        QCOMPARE(str(refused.json(), "error"), QByteArray("invalid_dpop_proof"));
        QCOMPARE(rejected(*server, "jti_replayed"), 1);
        // A new proof goes through.
        const auto next = login(*server, key.proof("POST", loginUrl));
        QCOMPARE(next.status, 200);
        const QByteArray token = str(next.json(), "accessToken");

        QVERIFY(server->setScenario(QStringLiteral("dpop-replayed-proof"), {}, &error));
        const QUrl url = endpoint(*server, "/profile");
        const auto resource = profile(*server, token, key.proof("GET", url, token));
        QCOMPARE(resource.status, 401);
        QVERIFY(challenge(resource).contains("error=\"invalid_dpop_proof\""));
        QCOMPARE(profile(*server, token, key.proof("GET", url, token)).status, 200);
        QCOMPARE(rejected(*server, "jti_replayed"), 2);

        auto off = start(DpopMode::Off);
        QVERIFY(off);
        QVERIFY(!off->setScenario(QStringLiteral("dpop-replayed-proof"), {}, &error));
    }

    void requiredModeRefusesProoflessLogin()
    {
        auto server = start(DpopMode::Required);
        QVERIFY(server);
        const auto seed = login(*server, QByteArray());
        QCOMPARE(seed.status, 400);
        QCOMPARE(str(seed.json(), "error"), QByteArray("invalid_dpop_proof"));
        const auto oauth = oauthToken(*server, passwordForm(), QByteArray());
        QCOMPARE(oauth.status, 400);
        QCOMPARE(str(oauth.json(), "error"), QByteArray("invalid_dpop_proof"));
        QVERIFY(!oauth.json().value(QLatin1String("error_description")).toString().isEmpty());
        QCOMPARE(rejected(*server, "proof_missing"), 2);
        QCOMPARE(server->stats()
                     .value(QLatin1String("logins"))
                     .toObject()
                     .value(QLatin1String("ok"))
                     .toInt(),
                 0);
        const DpopTestKey key;
        const auto withKey = login(*server, key.proof("POST", endpoint(*server, "/auth/login")));
        QCOMPARE(withKey.status, 200);
        QCOMPARE(str(withKey.json(), "tokenType"), QByteArray("DPoP"));
        QCOMPARE(dpopStats(*server).value(QLatin1String("mode")).toString(),
                 QStringLiteral("required"));
    }

    void optionalModeKeepsBearer()
    {
        auto server = start(DpopMode::Optional, true);
        QVERIFY(server);
        const auto result = login(*server, QByteArray());
        QCOMPARE(result.status, 200);
        QCOMPARE(str(result.json(), "tokenType"), QByteArray("Bearer"));
        const QByteArray token = str(result.json(), "accessToken");
        QVERIFY(!claimsOf(token).contains(QLatin1String("cnf")));
        QCOMPARE(profile(*server, token, QByteArray(), "Bearer").status, 200);
        const auto refreshed = refresh(*server, str(result.json(), "refreshToken"), QByteArray());
        QCOMPARE(refreshed.status, 200);
        QCOMPARE(str(refreshed.json(), "tokenType"), QByteArray("Bearer"));
        // An unbound token cannot be dressed up as a DPoP one.
        const DpopTestKey key;
        const auto dressed
            = profile(*server, token, key.proof("GET", endpoint(*server, "/profile"), token));
        QCOMPARE(dressed.status, 401);
        QVERIFY(challenge(dressed).contains("error=\"invalid_token\""));
        // No token: both schemes are offered.
        const auto missing = http.send("GET", endpoint(*server, "/profile"));
        QCOMPARE(missing.status, 401);
        QVERIFY(challenge(missing).contains("Bearer realm=\"silentauth\""));
        QVERIFY(challenge(missing).contains("DPoP realm=\"silentauth\", algs=\"ES256 RS256\""));
    }

    void expiredBoundTokenGetsDpopChallenge()
    {
        auto server = start(DpopMode::Optional);
        QVERIFY(server);
        const DpopTestKey key;
        const QByteArray token = boundToken(*server, key);
        QString error;
        QVERIFY(server->setScenario(QStringLiteral("expire-now"), {}, &error));
        const auto result
            = profile(*server, token, key.proof("GET", endpoint(*server, "/profile"), token));
        QCOMPARE(result.status, 401);
        QVERIFY(challenge(result).startsWith("DPoP "));
        QVERIFY(challenge(result).contains("error=\"invalid_token\""));
    }

    void replayCacheBoundedAndExpires()
    {
        MockServerConfig config;
        config.dpopReplayCacheSize = 3;
        config.dpopProofWindow = std::chrono::seconds(2);
        auto server = start(DpopMode::Optional, false, config);
        QVERIFY(server);
        const DpopTestKey key;
        const QUrl url = endpoint(*server, "/auth/login");
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        auto proofAt = [&](qint64 iat) {
            QJsonObject claims = key.claims("POST", url);
            claims.insert(QStringLiteral("iat"), iat);
            return key.sign(key.header(), claims);
        };
        const QByteArray first = proofAt(now);
        QCOMPARE(login(*server, first).status, 200);
        QCOMPARE(login(*server, proofAt(now)).status, 200);
        QCOMPARE(login(*server, proofAt(now)).status, 200);
        QCOMPARE(dpopStats(*server).value(QLatin1String("jtiCached")).toInt(), 3);
        // Full of proofs that expire no later than this one: refused.
        const auto full = login(*server, proofAt(now));
        QCOMPARE(full.status, 400);
        QCOMPARE(rejected(*server, "replay_cache_full"), 1);
        // A newer proof makes room; the cache stays at its bound.
        QCOMPARE(login(*server, proofAt(now + 1)).status, 200);
        QCOMPARE(dpopStats(*server).value(QLatin1String("jtiCached")).toInt(), 3);
        QCOMPARE(dpopStats(*server).value(QLatin1String("jtiEvicted")).toInt(), 1);
        // An evicted proof cannot come back.
        QCOMPARE(login(*server, first).status, 400);
        // Entries go once their iat leaves the window.
        QTRY_COMPARE_WITH_TIMEOUT(dpopStats(*server).value(QLatin1String("jtiCached")).toInt(), 0,
                                  8000);
    }

    // The fuzzer's seeds were signed by another implementation (Python's
    // cryptography): the server verifies them, ES256 and RS256 alike.
    void proofsFromAnotherSigner_data()
    {
        QTest::addColumn<QString>("seed");
        QTest::addColumn<bool>("resource");
        QTest::addColumn<QByteArray>("reason");
        QTest::newRow("ES256") << QStringLiteral("es256-token") << false << QByteArray("none");
        QTest::newRow("RS256, htu with a query")
            << QStringLiteral("rs256-token") << false << QByteArray("none");
        QTest::newRow("ES256 resource, htu to normalize")
            << QStringLiteral("es256-resource") << true << QByteArray("none");
        QTest::newRow("no nonce") << QStringLiteral("es256-no-nonce") << false
                                  << QByteArray("nonce_missing");
        QTest::newRow("alg none") << QStringLiteral("alg-none") << false << QByteArray("bad_alg");
        QTest::newRow("private jwk")
            << QStringLiteral("private-jwk") << false << QByteArray("bad_jwk");
    }
    void proofsFromAnotherSigner()
    {
        QFETCH(QString, seed);
        QFETCH(bool, resource);
        QFETCH(QByteArray, reason);
        const QString path = QFINDTESTDATA(QStringLiteral("fuzz/corpus/fuzz_dpop_proof/") + seed);
        QFile file(path);
        QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(path));
        Mock::Dpop::Expected expected;
        expected.method = resource ? "GET" : "POST";
        expected.urls = {Mock::Dpop::normalizedUrl(
            QUrl(resource ? QStringLiteral("http://127.0.0.1:8080/profile")
                          : QStringLiteral("http://127.0.0.1:8080/auth/login")))};
        expected.nowSecs = 1700000000;
        if (resource)
            expected.accessToken = "fuzz-access-token";
        else
            expected.nonces = {"fuzz-nonce"};
        const auto proof = Mock::Dpop::verify(file.readAll().trimmed(), expected);
        QCOMPARE(Mock::Dpop::reasonName(proof.rejection), reason);
        if (proof.ok())
            QCOMPARE(proof.jkt.size(), 43); // base64url of 32 bytes
    }

    void normalizedUrls_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("normalized");
        auto row = [](const char *input, const char *normalized) {
            QTest::newRow(input) << QString::fromLatin1(input) << QString::fromLatin1(normalized);
        };
        row("HTTP://Example.COM:80/a/./b/../c?q=1#f", "http://example.com/a/c");
        row("https://example.com:443", "https://example.com/");
        row("https://example.com:8443/%7Euser", "https://example.com:8443/~user");
        row("http://127.0.0.1:1234/profile", "http://127.0.0.1:1234/profile");
        row("http://h/a/b/..", "http://h/a/");
        row("http://h/../../x", "http://h/x");
        row("ftp://example.com/", "");
        row("/relative", "");
    }
    void normalizedUrls()
    {
        QFETCH(QString, input);
        QFETCH(QString, normalized);
        QCOMPARE(Mock::Dpop::normalizedUrl(QUrl(input)), normalized);
    }
};

QTEST_GUILESS_MAIN(TestMockDpop)
#include "tst_mockdpop.moc"
