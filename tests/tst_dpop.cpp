// DPoP (RFC 9449) in the client, end to end against the mock server: tokens
// bound to the session's key, a fresh proof for every send (replays and
// resends included), nonces answered with one resend, the key kept with the
// refresh token, and what an attacker holding a copied token or proof gets.
#include "dpoptestkey.h"
#include "httpclient.h"
#include "rawserver.h"
#include "sessionfixture.h"
#include "testserver.h"

#include <silentauth/jsonauthprotocol.h>
#include <silentauth/keychaintokenstore.h>
#include <silentauth/memorytokenstore.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QUuid>
#include <QtNetwork/QNetworkProxy>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

using namespace SilentAuth;
using namespace SilentAuth::Test;
using Mock::MockServer;
using Mock::MockServerConfig;

namespace {

MockServerConfig dpopServer(MockServerConfig::DpopMode mode, bool nonces = false)
{
    MockServerConfig config;
    config.dpop = mode;
    config.dpopNonce = nonces;
    return config;
}

QJsonObject dpopStats(const MockServer &server)
{
    return server.stats().value(QLatin1String("dpop")).toObject();
}

int rejected(const MockServer &server, const char *reason)
{
    return dpopStats(server)
        .value(QLatin1String("rejected"))
        .toObject()
        .value(QLatin1String(reason))
        .toInt();
}

// The claims of a JWS or JWT, unverified.
QJsonObject payloadOf(const QByteArray &compact)
{
    const QList<QByteArray> parts = compact.split('.');
    if (parts.size() != 3)
        return {};
    return QJsonDocument::fromJson(
               QByteArray::fromBase64(parts.at(1), QByteArray::Base64UrlEncoding))
        .object();
}

QJsonObject headerOf(const QByteArray &compact)
{
    return QJsonDocument::fromJson(
               QByteArray::fromBase64(compact.split('.').value(0), QByteArray::Base64UrlEncoding))
        .object();
}

bool signInWithKey(Session &session)
{
    session.setProofOfPossession(true);
    return signIn(session);
}

// GETs \a path \a count times at once; the number answered 200.
int storm(AuthNetworkAccessManager &manager, const MockServer &server, const char *path, int count)
{
    QList<QNetworkReply *> replies;
    for (int i = 0; i < count; ++i)
        replies.append(get(manager, server, path));
    int ok = 0;
    for (QNetworkReply *reply : std::as_const(replies)) {
        if (waitFinished(reply, 30000)
            && reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200)
            ++ok;
        reply->deleteLater();
    }
    return ok;
}

// One request written by hand to \a server, with any Host header: what an
// attacker who copied a request would send. The HTTP status, 0 if none.
int rawRequest(const MockServer &server, const QByteArray &host, const QByteArray &path,
               const QByteArray &authorization, const QByteArray &proof)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, quint16(server.url().port()));
    QByteArray request = "GET " + path + " HTTP/1.1\r\nHost: " + host
        + "\r\nConnection: close\r\nAuthorization: " + authorization + "\r\n";
    if (!proof.isEmpty())
        request += "DPoP: " + proof + "\r\n";
    request += "\r\n";
    QByteArray answer;
    QObject::connect(&socket, &QTcpSocket::connected, [&] { socket.write(request); });
    QObject::connect(&socket, &QTcpSocket::readyRead, [&] { answer += socket.readAll(); });
    if (!QTest::qWaitFor([&] { return socket.state() == QAbstractSocket::UnconnectedState; },
                         10000))
        return 0;
    answer += socket.readAll();
    const QList<QByteArray> statusLine = answer.left(answer.indexOf("\r\n")).split(' ');
    return statusLine.size() >= 2 ? statusLine.at(1).toInt() : 0;
}

QString freshService()
{
    return QStringLiteral("SilentAuthTest-") + QUuid::createUuid().toString(QUuid::Id128);
}

RawResponse withNonce(RawResponse response, const QByteArray &nonce)
{
    response.headers.append(qMakePair(QByteArray("DPoP-Nonce"), nonce));
    return response;
}

} // namespace

class TestDpop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void signInBindsTheTokens_data()
    {
        QTest::addColumn<bool>("required");
        QTest::newRow("optional") << false;
        QTest::newRow("required") << true;
    }
    void signInBindsTheTokens()
    {
        QFETCH(bool, required);
        const auto mode = required ? MockServerConfig::DpopMode::Required
                                   : MockServerConfig::DpopMode::Optional;
        auto server = startServer(dpopServer(mode));
        QVERIFY(server);
        MemoryTokenStore store;
        Client client = makeClient(*server, &store);
        QVERIFY(signInWithKey(*client.session));
        QVERIFY(client.session->isAccessTokenBound());
        const QJsonObject claims = payloadOf(client.session->accessToken());
        QVERIFY(!claims.value(QLatin1String("cnf"))
                     .toObject()
                     .value(QLatin1String("jkt"))
                     .toString()
                     .isEmpty());
        QCOMPARE(storm(*client.manager, *server, "/profile", 20), 20);
        // The key is kept beside the refresh token.
        QVERIFY(readStore(store).token.contains("\ndpop-es256 "));
        const QJsonObject stats = dpopStats(*server);
        QCOMPARE(stats.value(QLatin1String("accepted")).toInt(), 21);
        QCOMPARE(stats.value(QLatin1String("rejectedTotal")).toInt(), 0);
        QCOMPARE(client.session->nonceResendCount(), 0);
    }

    // A server without DPoP: the proof is ignored, the tokens are bearer
    // tokens, and the session keeps no key.
    void bearerWhenTheServerHasNoDpop()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        Client client = makeClient(*server, &store);
        QVERIFY(signInWithKey(*client.session));
        QVERIFY(!client.session->isAccessTokenBound());
        QCOMPARE(storm(*client.manager, *server, "/profile", 5), 5);
        QVERIFY(!readStore(store).token.contains('\n'));
        QVERIFY(expireNow(*server));
        QCOMPARE(storm(*client.manager, *server, "/profile", 5), 5);
        QCOMPARE(client.session->refreshCount(), 1);
    }

    // A DPoP answer to a sign-in sent without a proof is refused: the token
    // is bound to a key this program does not have.
    void dpopTokenRefusedWhenOff()
    {
        RawServer backend;
        QVERIFY(backend.start());
        backend.route("/auth/login",
                      RawResponse::ok("{\"accessToken\":\"a1\",\"refreshToken\":\"r1\","
                                      "\"tokenType\":\"DPoP\",\"expiresIn\":3600}",
                                      "application/json"));
        MemoryTokenStore store;
        Client client = makeClient(std::make_unique<JsonAuthProtocol>(backend.url()), &store);
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        client.session->signIn(QStringLiteral("alice"), QStringLiteral("alice-password"));
        QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, 10000);
        QCOMPARE(errors.at(0).at(0).value<Session::Error>(), Session::Error::MalformedResponse);
        QCOMPARE(client.session->status(), Session::Status::SignedOut);
        QVERIFY(!backend.requests().constFirst().hasHeader("DPoP"));
    }

    // A refresh on the wire when the user signs out, answered use_dpop_nonce
    // after it: not sent again, since from then on no request carries a token.
    void noNonceResendAfterSignOut()
    {
        RawServer backend;
        QVERIFY(backend.start());
        backend.route("/auth/login",
                      RawResponse::ok("{\"accessToken\":\"a1\",\"refreshToken\":\"r1\","
                                      "\"tokenType\":\"DPoP\",\"expiresIn\":3600}",
                                      "application/json"));
        RawResponse challenge
            = withNonce(RawResponse::status(400, "{\"error\":\"use_dpop_nonce\"}"), "n-1");
        challenge.headers.append(
            qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
        challenge.trickleBytes = 1;
        challenge.trickleIntervalMs = 30; // the answer takes most of a second
        backend.route("/auth/refresh", challenge);
        backend.route("/auth/logout", RawResponse::status(204));
        MemoryTokenStore store;
        Client client = makeClient(std::make_unique<JsonAuthProtocol>(backend.url()), &store);
        QVERIFY(signInWithKey(*client.session));
        QVERIFY(client.session->isAccessTokenBound());
        client.session->refresh();
        QTRY_VERIFY(std::any_of(backend.requests().cbegin(), backend.requests().cend(),
                                [](const RawRequest &r) { return r.path() == "/auth/refresh"; }));
        client.session->signOut();
        QTest::qWait(1500); // the challenge has arrived and was not answered
        int refreshes = 0;
        for (const RawRequest &request : backend.requests())
            refreshes += request.path() == "/auth/refresh";
        QCOMPARE(refreshes, 1);
        QCOMPARE(client.session->nonceResendCount(), 0);
    }

    // 500 requests with an expired token: one refresh, each request answered
    // once, each replay with a proof of its own.
    void stormAfterExpiry()
    {
        auto server = startServer(dpopServer(MockServerConfig::DpopMode::Required));
        QVERIFY(server);
        MemoryTokenStore store;
        Client client = makeClient(*server, &store);
        QVERIFY(signInWithKey(*client.session));
        QVERIFY(expireNow(*server));
        QElapsedTimer clock;
        clock.start();
        QCOMPARE(storm(*client.manager, *server, "/boards", 500), 500);
        qInfo("500 expired DPoP requests answered in %lld ms", clock.elapsed());
        QCOMPARE(client.session->refreshCount(), 1);
        QVERIFY(client.session->isAccessTokenBound());
        QCOMPARE(stat(*server, "routes", "GET /boards"), 500 + client.session->replayCount());
        QCOMPARE(rejected(*server, "jti_replayed"), 0);
        QCOMPARE(dpopStats(*server).value(QLatin1String("rejectedTotal")).toInt(), 0);
    }

    // The server's nonce: the first token request without it is sent once
    // more, and every later proof carries it.
    void nonceAnsweredWithOneResend()
    {
        auto server = startServer(dpopServer(MockServerConfig::DpopMode::Optional, true));
        QVERIFY(server);
        MemoryTokenStore store;
        Client client = makeClient(*server, &store);
        QVERIFY(signInWithKey(*client.session));
        QVERIFY(client.session->isAccessTokenBound());
        QCOMPARE(client.session->nonceResendCount(), 1);
        QCOMPARE(rejected(*server, "nonce_missing"), 1);
        QCOMPARE(storm(*client.manager, *server, "/profile", 20), 20);
        QVERIFY(expireNow(*server));
        QCOMPARE(storm(*client.manager, *server, "/profile", 20), 20);
        QCOMPARE(client.session->refreshCount(), 1);
        QCOMPARE(client.session->nonceResendCount(), 1);
        QCOMPARE(dpopStats(*server).value(QLatin1String("rejectedTotal")).toInt(), 1);
    }

    // The nonce replaced while 300 requests are under way: those sent with
    // the old one are sent once more, none fails, nothing refreshes.
    void nonceRotationMidStorm()
    {
        auto server = startServer(dpopServer(MockServerConfig::DpopMode::Optional, true));
        QVERIFY(server);
        MemoryTokenStore store;
        Client client = makeClient(*server, &store);
        QVERIFY(signInWithKey(*client.session));
        const int resendsBefore = client.session->nonceResendCount();
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 300; ++i)
            replies.append(get(*client.manager, *server, "/boards"));
        QTRY_VERIFY_WITH_TIMEOUT(replies.at(60)->isFinished(), 20000);
        QString error;
        QVERIFY(server->setScenario(QStringLiteral("dpop-nonce-rotation"), {}, &error));
        int ok = 0;
        for (QNetworkReply *reply : std::as_const(replies)) {
            QVERIFY(waitFinished(reply, 30000));
            ok += reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200;
            reply->deleteLater();
        }
        QCOMPARE(ok, 300);
        const int resends = client.session->nonceResendCount() - resendsBefore;
        qInfo("%d requests resent for the rotated nonce", resends);
        QVERIFY(resends >= 1);
        QCOMPARE(rejected(*server, "nonce_stale"), resends);
        QCOMPARE(client.session->refreshCount(), 0);
        QCOMPARE(client.session->replayCount(), 0);
    }

    // A proof copied off the wire works once, for whoever sends it first; a
    // second time it is refused.
    void replayedProofRefused()
    {
        auto server = startServer(dpopServer(MockServerConfig::DpopMode::Optional));
        QVERIFY(server);
        MemoryTokenStore store;
        Client client = makeClient(*server, &store);
        QVERIFY(signInWithKey(*client.session));
        // The attacker's vantage point: a proxy on the way to the server, which
        // sees the request (and answers it itself).
        RawServer spy;
        QVERIFY(spy.start());
        client.manager->setProxy(QNetworkProxy(
            QNetworkProxy::HttpProxy, QStringLiteral("127.0.0.1"), quint16(spy.url().port())));
        QNetworkReply *reply = get(*client.manager, *server, "/profile");
        QVERIFY(waitFinished(reply));
        reply->deleteLater();
        client.manager->setProxy(QNetworkProxy(QNetworkProxy::NoProxy));
        QVERIFY(!spy.requests().isEmpty());
        const RawRequest captured = spy.requests().constFirst();
        const QByteArray authorization = captured.header("Authorization");
        const QByteArray proof = captured.header("DPoP");
        QVERIFY(authorization.startsWith("DPoP "));
        QCOMPARE(headerOf(proof).value(QLatin1String("typ")).toString(),
                 QStringLiteral("dpop+jwt"));
        QCOMPARE(headerOf(proof).value(QLatin1String("alg")).toString(), QStringLiteral("ES256"));
        QVERIFY(
            !headerOf(proof).value(QLatin1String("jwk")).toObject().contains(QLatin1String("d")));
        QCOMPARE(payloadOf(proof).value(QLatin1String("htu")).toString(),
                 endpoint(*server, "/profile").toString());
        // The proof names the server's URL: sent once it is taken, sent again
        // it is a replay.
        const QByteArray host = server->url().authority().toLatin1();
        QCOMPARE(rawRequest(*server, host, "/profile", authorization, proof), 200);
        QCOMPARE(rawRequest(*server, host, "/profile", authorization, proof), 401);
        QCOMPARE(rejected(*server, "jti_replayed"), 1);
        // The session itself never sends a proof twice.
        QCOMPARE(storm(*client.manager, *server, "/profile", 10), 10);
        QCOMPARE(rejected(*server, "jti_replayed"), 1);
    }

    // Copied tokens without the key are useless at the server.
    void stolenTokensUseless()
    {
        auto server = startServer(dpopServer(MockServerConfig::DpopMode::Optional));
        QVERIFY(server);
        MemoryTokenStore store;
        Client client = makeClient(*server, &store);
        QVERIFY(signInWithKey(*client.session));
        const QByteArray access = client.session->accessToken();
        const QByteArray entry = readStore(store).token;
        const QByteArray refresh = entry.left(entry.indexOf('\n'));
        HttpClient http;
        // The access token as a bearer token, and with a proof by another key.
        QCOMPARE(http.getBearer(endpoint(*server, "/profile"), access).status, 401);
        DpopTestKey thief;
        const QUrl profile = endpoint(*server, "/profile");
        QCOMPARE(http.send("GET", profile, {},
                           {{"Authorization", "DPoP " + access},
                            {"DPoP", thief.proof("GET", profile, access)}})
                     .status,
                 401);
        QCOMPARE(rejected(*server, "bound_token_as_bearer"), 1);
        QCOMPARE(rejected(*server, "key_mismatch"), 1);
        // The refresh token without a proof, and with another key's proof.
        const QUrl refreshUrl = endpoint(*server, "/auth/refresh");
        const QJsonObject body {{QStringLiteral("refreshToken"), QString::fromLatin1(refresh)}};
        QCOMPARE(http.postJson(refreshUrl, body).status, 400);
        QCOMPARE(
            http.postJson(refreshUrl, body, {{"DPoP", thief.proof("POST", refreshUrl)}}).status,
            401);
        // The owner still refreshes with it.
        QSignalSpy refreshed(client.session.get(), &Session::refreshFinished);
        client.session->refresh();
        QVERIFY(refreshed.wait(10000));
        QCOMPARE(refreshed.at(0).at(0).toBool(), true);
        QVERIFY(client.session->isAccessTokenBound());
        QCOMPARE(storm(*client.manager, *server, "/profile", 3), 3);
    }

    // The key comes back with the refresh token after a restart; sign-out forgets both.
    void keySurvivesRestart_data()
    {
        QTest::addColumn<bool>("keychain");
        QTest::newRow("memory") << false;
        QTest::newRow("keychain") << true;
    }
    void keySurvivesRestart()
    {
        QFETCH(bool, keychain);
        auto server = startServer(dpopServer(MockServerConfig::DpopMode::Required));
        QVERIFY(server);
        std::unique_ptr<TokenStore> store;
        if (keychain)
            store = std::make_unique<KeychainTokenStore>(freshService());
        else
            store = std::make_unique<MemoryTokenStore>();
        {
            Client first = makeClient(*server, store.get());
            QVERIFY(signInWithKey(*first.session));
            QCOMPARE(storm(*first.manager, *server, "/profile", 2), 2);
        }
        const TokenStore::Result entry = readStore(*store);
        QCOMPARE(entry.error, TokenStore::Error::NoError);
        QVERIFY(entry.token.contains("\ndpop-es256 "));
        Client second = makeClient(*server, store.get());
        second.session->setProofOfPossession(true);
        QSignalSpy restored(second.session.get(), &Session::signedIn);
        second.session->restore();
        QVERIFY(restored.wait(10000));
        QVERIFY(second.session->isAccessTokenBound());
        QCOMPARE(storm(*second.manager, *server, "/profile", 5), 5);
        QCOMPARE(dpopStats(*server).value(QLatin1String("rejectedTotal")).toInt(), 0);
        QSignalSpy signedOut(second.session.get(), &Session::signedOut);
        second.session->signOut();
        QVERIFY(signedOut.wait(10000));
        QCOMPARE(readStore(*store).error, TokenStore::Error::NotFound);
    }

    // An entry an earlier version wrote (no key) still restores, as bearer.
    void entryWithoutKeyRestores()
    {
        auto server = startServer(dpopServer(MockServerConfig::DpopMode::Optional));
        QVERIFY(server);
        MemoryTokenStore store;
        {
            Client old = makeClient(*server, &store);
            QVERIFY(signIn(*old.session));
        }
        QVERIFY(!readStore(store).token.contains('\n'));
        Client client = makeClient(*server, &store);
        client.session->setProofOfPossession(true);
        QSignalSpy restored(client.session.get(), &Session::signedIn);
        client.session->restore();
        QVERIFY(restored.wait(10000));
        QVERIFY(!client.session->isAccessTokenBound());
        QCOMPARE(storm(*client.manager, *server, "/profile", 3), 3);
    }

    // A DPoP-Nonce a proof cannot carry is not taken; a good one is.
    void unusableNonceIgnored_data()
    {
        QTest::addColumn<QByteArray>("nonce");
        QTest::newRow("control character") << QByteArray("bad\x01nonce");
        QTest::newRow("quote") << QByteArray("bad\"nonce");
        QTest::newRow("over 512 bytes") << QByteArray(513, 'n');
    }
    void unusableNonceIgnored()
    {
        QFETCH(QByteArray, nonce);
        auto server = startServer(dpopServer(MockServerConfig::DpopMode::Optional));
        QVERIFY(server);
        MemoryTokenStore store;
        Client client = makeClient(*server, &store);
        QVERIFY(signInWithKey(*client.session));
        RawServer api;
        QVERIFY(api.start());
        client.manager->addAllowedOrigin(api.url());
        api.route("/bad", withNonce(RawResponse::ok("{}"), nonce));
        api.route("/good", withNonce(RawResponse::ok("{}"), QByteArray(512, 'g')));
        api.route("/next", RawResponse::ok("{}"));
        for (const char *path : {"/bad", "/next", "/good", "/next"}) {
            QNetworkReply *reply = client.manager->get(QNetworkRequest(api.url(path)));
            QVERIFY(waitFinished(reply));
            QCOMPARE(reply->error(), QNetworkReply::NoError);
            reply->deleteLater();
        }
        QCOMPARE(api.requests().size(), 4);
        const auto nonceSent = [&api](int i) {
            return payloadOf(api.requests().at(i).header("DPoP")).value(QLatin1String("nonce"));
        };
        QVERIFY(nonceSent(1).isUndefined());
        QCOMPARE(nonceSent(3).toString(), QString(512, QLatin1Char('g')));
        // Each origin has its own: the auth server's requests never saw it.
        QCOMPARE(client.session->nonceResendCount(), 0);
    }

    // A server that asks for a nonce forever: one resend per request, then
    // its answer reaches the caller.
    void endlessNonceChallengeResentOnce()
    {
        auto server = startServer(dpopServer(MockServerConfig::DpopMode::Optional));
        QVERIFY(server);
        MemoryTokenStore store;
        Client client = makeClient(*server, &store);
        QVERIFY(signInWithKey(*client.session));
        RawServer api;
        QVERIFY(api.start());
        client.manager->addAllowedOrigin(api.url());
        RawResponse challenge = RawResponse::status(401, "{\"error\":\"use_dpop_nonce\"}");
        challenge.headers.append(
            qMakePair(QByteArray("WWW-Authenticate"), QByteArray("DPoP error=\"use_dpop_nonce\"")));
        api.route("/always", withNonce(challenge, "n-1"));
        QNetworkReply *reply = client.manager->get(QNetworkRequest(api.url("/always")));
        QVERIFY(waitFinished(reply));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 401);
        QCOMPARE(reply->error(), QNetworkReply::AuthenticationRequiredError);
        reply->deleteLater();
        QCOMPARE(api.requests().size(), 2);
        QCOMPARE(client.session->nonceResendCount(), 1);
        QCOMPARE(client.session->refreshCount(), 0);
        const QJsonObject first = payloadOf(api.requests().at(0).header("DPoP"));
        const QJsonObject second = payloadOf(api.requests().at(1).header("DPoP"));
        QVERIFY(!first.contains(QLatin1String("nonce")));
        QCOMPARE(second.value(QLatin1String("nonce")).toString(), QStringLiteral("n-1"));
        QVERIFY(first.value(QLatin1String("jti")) != second.value(QLatin1String("jti")));
        QCOMPARE(second.value(QLatin1String("htm")).toString(), QStringLiteral("GET"));
        QCOMPARE(second.value(QLatin1String("htu")).toString(), api.url("/always").toString());
        QCOMPARE(second.value(QLatin1String("ath")).toString(),
                 QString::fromLatin1(DpopTestKey::accessTokenHash(client.session->accessToken())));
        QVERIFY(!second.value(QLatin1String("iat")).isUndefined());
    }

#ifdef CLI_EXECUTABLE
    // silentauth-cli --dpop against a server that requires it.
    void cliWithDpop()
    {
        MockServerConfig config = dpopServer(MockServerConfig::DpopMode::Required, true);
        auto server = startServer(config);
        QVERIFY(server);
        const auto run = [&server](bool dpop) {
            QStringList arguments {QStringLiteral("-u"),
                                   QStringLiteral("alice"),
                                   QStringLiteral("--password"),
                                   QStringLiteral("alice-password"),
                                   QStringLiteral("-n"),
                                   QStringLiteral("40"),
                                   QStringLiteral("-c"),
                                   QStringLiteral("8"),
                                   endpoint(*server, "/boards").toString()};
            if (dpop)
                arguments.prepend(QStringLiteral("--dpop"));
            QProcess process;
            process.start(QStringLiteral(CLI_EXECUTABLE), arguments);
            process.closeWriteChannel();
            if (!QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, 60000)) {
                process.kill();
                process.waitForFinished();
                return qMakePair(-1, QJsonObject());
            }
            const QList<QByteArray> lines = process.readAllStandardOutput().trimmed().split('\n');
            return qMakePair(process.exitCode(), QJsonDocument::fromJson(lines.last()).object());
        };
        const auto withKey = run(true);
        QCOMPARE(withKey.first, 0);
        QCOMPARE(withKey.second.value(QLatin1String("ok")).toInt(), 40);
        QCOMPARE(stat(*server, "routes", "GET /boards"), 40);
        QCOMPARE(rejected(*server, "jti_replayed"), 0);
        // Without a key the server refuses the sign-in.
        QCOMPARE(run(false).first, 3);
    }
#endif
};

QTEST_GUILESS_MAIN(TestDpop)
#include "tst_dpop.moc"
