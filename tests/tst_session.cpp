// The session's life cycle beyond a single refresh: the OAuth 2.0 dialect
// against the mock server and against a hand-written standards-compliant
// answer, a session started from a token obtained elsewhere, requests held
// for a re-login, and requests that wait out a short outage.
#include "capturingserver.h"
#include "sessionfixture.h"
#include "testserver.h"

#include <silentauth/jsonauthprotocol.h>
#include <silentauth/keychaintokenstore.h>
#include <silentauth/memorytokenstore.h>
#include <silentauth/oauth2protocol.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QUrlQuery>
#include <QtCore/QUuid>
#include <QtNetwork/QNetworkProxy>
#include <QtTest/QtTest>

using namespace SilentAuth;
using namespace SilentAuth::Test;
using Mock::MockServer;
using Mock::MockServerConfig;

namespace {

QByteArray httpResponse(int status, const QByteArray &json)
{
    return "HTTP/1.1 " + QByteArray::number(status) + " X\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + QByteArray::number(json.size()) + "\r\nConnection: close\r\n\r\n"
        + json;
}

QUrlQuery form(const QByteArray &body)
{
    QByteArray plain = body;
    plain.replace('+', ' ');
    return QUrlQuery(QString::fromUtf8(plain));
}

} // namespace

class TestSession : public QObject
{
    Q_OBJECT

private:
    static std::unique_ptr<OAuth2Protocol> oauth(const MockServer &server)
    {
        auto protocol = std::make_unique<OAuth2Protocol>(endpoint(server, "/oauth/token"),
                                                         QStringLiteral("silentauth-desktop"));
        protocol->setRevocationUrl(endpoint(server, "/oauth/revoke"));
        return protocol;
    }

private Q_SLOTS:
    void oauthClientAuthentication_data()
    {
        QTest::addColumn<QString>("clientId");
        QTest::addColumn<QString>("secret");
        QTest::addColumn<int>("method");
        QTest::newRow("public") << "silentauth-desktop" << QString() << 0;
        QTest::newRow("client_secret_basic")
            << "silentauth-service"
            << "service-secret" << int(OAuth2Protocol::ClientAuthentication::Basic);
        QTest::newRow("client_secret_post")
            << "silentauth-service"
            << "service-secret" << int(OAuth2Protocol::ClientAuthentication::Post);
    }

    // Sign in, silent refresh and replay, and RFC 7009 revocation on sign-out,
    // for each way an OAuth client authenticates.
    void oauthClientAuthentication()
    {
        QFETCH(QString, clientId);
        QFETCH(QString, secret);
        QFETCH(int, method);
        auto server = startServer();
        QVERIFY(server);
        auto protocol
            = std::make_unique<OAuth2Protocol>(endpoint(*server, "/oauth/token"), clientId);
        protocol->setClientSecret(secret, OAuth2Protocol::ClientAuthentication(method));
        protocol->setScope(QStringLiteral("profile board"));
        protocol->setRevocationUrl(endpoint(*server, "/oauth/revoke"));
        MemoryTokenStore store;
        auto client = makeClient(std::move(protocol), &store);
        QVERIFY(signIn(*client.session));
        QCOMPARE(client.session->username(), QStringLiteral("alice"));
        QVERIFY(client.session->accessTokenExpiry().isValid());
        QVERIFY(expireNow(*server));

        QStringList story; // what the session did, for a failure message
        connect(client.session.get(), &Session::activity, this,
                [&story](Session::Event event, const QString &detail) {
                    story << QString::fromLatin1(
                                 QMetaEnum::fromType<Session::Event>().valueToKey(int(event)))
                            + QLatin1Char(' ') + detail;
                });
        std::unique_ptr<QNetworkReply> reply(get(*client.manager, *server, "/profile"));
        QVERIFY(waitFinished(reply.get()));
        QVERIFY2(reply->error() == QNetworkReply::NoError,
                 qPrintable(story.join(QLatin1String(", ")) + QLatin1String(" → ")
                            + reply->errorString() + QLatin1Char(' ')
                            + reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toString()
                            + QLatin1Char(' ') + QString::fromUtf8(reply->readAll())));
        QCOMPARE(client.session->refreshCount(), 1);
        QCOMPARE(client.session->replayCount(), 1);
        QCOMPARE(stat(*server, "refreshes", "ok"), 1);

        QSignalSpy signedOut(client.session.get(), &Session::signedOut);
        client.session->signOut();
        QVERIFY(signedOut.wait(10000));
        QCOMPARE(stat(*server, "revocations"), 1);
        QCOMPARE(stat(*server, "blacklistSize"), 1);
        QCOMPARE(readStore(store).error, TokenStore::Error::NotFound);
    }

    void oauthWrongClientSecretIsRejected()
    {
        auto server = startServer();
        QVERIFY(server);
        auto protocol = std::make_unique<OAuth2Protocol>(endpoint(*server, "/oauth/token"),
                                                         QStringLiteral("silentauth-service"));
        protocol->setClientSecret(QStringLiteral("wrong"));
        MemoryTokenStore store;
        auto client = makeClient(std::move(protocol), &store);
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        client.session->signIn(QStringLiteral("alice"), QStringLiteral("alice-password"));
        QVERIFY(errors.wait(10000));
        // invalid_client: a setting is wrong, not the user's password.
        QCOMPARE(errors.first().at(0).value<Session::Error>(), Session::Error::ConfigurationError);
        QVERIFY(errors.first().at(1).toString().contains(QLatin1String("invalid_client")));
        QCOMPARE(client.session->status(), Session::Status::SignedOut);
    }

    // What a server other than ours may legally send: "BEARER", expires_in
    // as a string, no refresh_token (keep the current one), extra fields.
    void oauthToleratesAnyCompliantServer()
    {
        CapturingServer idp(
            httpResponse(200,
                         "{\"access_token\":\"opaque-access-1\",\"token_type\":\"BEARER\","
                         "\"expires_in\":\"120\","
                         "\"scope\":\"read\",\"id_token\":\"x.y.z\",\"ext_expires_in\":3600}"));
        QVERIFY(idp.isListening());
        auto protocol
            = std::make_unique<OAuth2Protocol>(idp.url("/token"), QStringLiteral("app id/1"));
        protocol->setClientSecret(QStringLiteral("s3cr:t&"),
                                  OAuth2Protocol::ClientAuthentication::Basic);
        MemoryTokenStore store;
        auto client = makeClient(std::move(protocol), &store);

        QSignalSpy signedIn(client.session.get(), &Session::signedIn);
        client.session->restoreFrom("external-refresh-token");
        QVERIFY(signedIn.wait(10000));
        QCOMPARE(client.session->accessToken(), QByteArray("opaque-access-1"));
        const qint64 left
            = QDateTime::currentDateTimeUtc().secsTo(client.session->accessTokenExpiry());
        QVERIFY2(left > 100 && left <= 120, QByteArray::number(left));
        // No refresh_token in the answer: the one from elsewhere is kept and stored.
        QCOMPARE(readStore(store).token, QByteArray("external-refresh-token"));

        const QUrlQuery sent = form(idp.body());
        QCOMPARE(sent.queryItemValue(QStringLiteral("grant_type")),
                 QStringLiteral("refresh_token"));
        QCOMPARE(sent.queryItemValue(QStringLiteral("refresh_token")),
                 QStringLiteral("external-refresh-token"));
        QVERIFY(!sent.hasQueryItem(QStringLiteral("client_secret")));
        // RFC 6749 §2.3.1: id and secret form-encoded, then Basic.
        QVERIFY2(idp.received.contains("Authorization: Basic "
                                       + QByteArray("app+id%2F1:s3cr%3At%26").toBase64()),
                 idp.received.constData());
        QVERIFY(idp.received.contains("Content-Type: application/x-www-form-urlencoded"));
    }

    void oauthRejectsUnusableAnswers_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("error");
        QTest::newRow("mac token type")
            << 200 << QByteArray("{\"access_token\":\"a\",\"token_type\":\"mac\"}")
            << int(Session::Error::MalformedResponse);
        QTest::newRow("no access_token") << 200 << QByteArray("{\"token_type\":\"Bearer\"}")
                                         << int(Session::Error::MalformedResponse);
        QTest::newRow("html") << 200 << QByteArray("<html>gateway</html>")
                              << int(Session::Error::MalformedResponse);
        QTest::newRow("invalid_grant")
            << 400 << QByteArray("{\"error\":\"invalid_grant\",\"error_description\":\"bad\"}")
            << int(Session::Error::InvalidCredentials);
        QTest::newRow("temporarily down")
            << 503 << QByteArray("{}") << int(Session::Error::NetworkError);
    }

    void oauthRejectsUnusableAnswers()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, body);
        QFETCH(int, error);
        CapturingServer idp(httpResponse(status, body));
        MemoryTokenStore store;
        auto client = makeClient(
            std::make_unique<OAuth2Protocol>(idp.url("/token"), QStringLiteral("app")), &store);
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        client.session->signIn(QStringLiteral("alice"), QStringLiteral("pw"));
        QVERIFY(errors.wait(10000));
        QCOMPARE(int(errors.first().at(0).value<Session::Error>()), error);
        QCOMPARE(client.session->status(), Session::Status::SignedOut);
        QVERIFY(client.session->accessToken().isEmpty());
        const QUrlQuery sent = form(idp.body());
        QCOMPARE(sent.queryItemValue(QStringLiteral("grant_type")), QStringLiteral("password"));
        QCOMPARE(sent.queryItemValue(QStringLiteral("client_id")), QStringLiteral("app"));
    }

    // Each error comes with the answer behind it, for a Details view: the status, the
    // server's error code and words; why no answer came; nothing when no server was asked.
    void eachErrorNamesTheAnswerBehindIt()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        Session *session = client.session.get();
        QList<Session::ServerAnswer> answers; // as seen by a slot connected to the signal
        QList<Session::Error> kinds;
        connect(session, &Session::errorOccurred, session,
                [&](Session::Error error, const QString &) {
                    kinds.append(error);
                    answers.append(session->lastServerAnswer());
                });

        session->signIn(QStringLiteral("alice"), QStringLiteral("wrong"));
        QTRY_COMPARE_WITH_TIMEOUT(kinds.size(), 1, 10000);
        QCOMPARE(kinds.last(), Session::Error::InvalidCredentials);
        QCOMPARE(answers.last().httpStatus, 401);
        QCOMPARE(answers.last().error, QStringLiteral("invalid_credentials"));
        QCOMPARE(answers.last().message, QStringLiteral("Wrong username or password"));

        // The refresh token refused: the session ends with the refusal as its answer.
        QVERIFY(signIn(*session));
        QVERIFY(
            expireThen(*server, QStringLiteral("revoked-refresh"), {{QStringLiteral("count"), 1}}));
        session->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(kinds.size(), 2, 10000);
        QCOMPARE(kinds.last(), Session::Error::SessionExpired);
        QCOMPARE(answers.last().httpStatus, 401);
        QCOMPARE(answers.last().error, QStringLiteral("invalid_grant"));
        QVERIFY(!answers.last().message.isEmpty());

        // Nothing stored: no server was asked, so no answer is named (not the last one).
        MemoryTokenStore empty;
        session->setTokenStore(&empty);
        session->restore();
        QTRY_COMPARE_WITH_TIMEOUT(kinds.size(), 3, 10000);
        QCOMPARE(kinds.last(), Session::Error::NoStoredSession);
        QCOMPARE(answers.last().httpStatus, 0);
        QVERIFY(answers.last().error.isEmpty());
        QVERIFY(answers.last().message.isEmpty());

        // No server at all: no status, and why.
        server.reset();
        session->signIn(QStringLiteral("alice"), QStringLiteral("alice-password"));
        QTRY_COMPARE_WITH_TIMEOUT(kinds.size(), 4, 15000);
        QCOMPARE(kinds.last(), Session::Error::NetworkError);
        QCOMPARE(answers.last().httpStatus, 0);
        QVERIFY2(answers.last().message.contains(QLatin1String("refused"), Qt::CaseInsensitive),
                 qPrintable(answers.last().message));
    }

    // A server that repeats the password in its refusal gets nothing of it shown: not in
    // the message, not in the answer kept for Details.
    void aServerRepeatingThePasswordGetsItNotShown_data()
    {
        QTest::addColumn<int>("status");
        QTest::addColumn<QByteArray>("error");
        QTest::addColumn<QByteArray>("said"); // the message, repeating the password somehow
        QTest::newRow("refused") << 401 << QByteArray("invalid_credentials")
                                 << QByteArray("no S3cret pw! here");
        QTest::newRow("misconfigured")
            << 400 << QByteArray("invalid_client S3cret pw!") << QByteArray("no");
        QTest::newRow("percent-encoded")
            << 401 << QByteArray("invalid_credentials") << QByteArray("wrong: S3cret%20pw%21");
        QTest::newRow("form-encoded")
            << 401 << QByteArray("invalid_credentials") << QByteArray("wrong: S3cret+pw%21");
        QTest::newRow("upper case")
            << 401 << QByteArray("invalid_credentials") << QByteArray("wrong: S3CRET PW!");
    }

    void aServerRepeatingThePasswordGetsItNotShown()
    {
        QFETCH(int, status);
        QFETCH(QByteArray, error);
        QFETCH(QByteArray, said);
        const QString secret = QStringLiteral("S3cret pw!");
        CapturingServer idp(
            httpResponse(status, "{\"error\":\"" + error + "\",\"message\":\"" + said + "\"}"));
        MemoryTokenStore store;
        auto client = makeClient(std::make_unique<JsonAuthProtocol>(idp.url("/")), &store);
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        client.session->signIn(QStringLiteral("alice"), secret);
        QVERIFY(errors.wait(10000));
        const QString message = errors.first().at(1).toString();
        QVERIFY2(!message.contains(QLatin1String("S3cret"), Qt::CaseInsensitive),
                 qPrintable(message));
        const Session::ServerAnswer answer = client.session->lastServerAnswer();
        QCOMPARE(answer.httpStatus, status);
        for (const QString &text : {answer.error, answer.message})
            QVERIFY2(!text.contains(QLatin1String("S3cret"), Qt::CaseInsensitive),
                     qPrintable(text));
        QVERIFY2((answer.message + answer.error).contains(QLatin1String("not shown")),
                 qPrintable(answer.message));
    }

    // A refusal of the refresh token that repeats it is not shown either: the answer is
    // checked while the session still holds the token it is ending.
    void aRefusalRepeatingTheRefreshTokenGetsItNotShown()
    {
        const QByteArray refresh = "RT-abcdefghijklmnopqrstuvwxyz0123456789";
        CapturingServer idp(httpResponse(200,
                                         "{\"accessToken\":\"a-1\",\"refreshToken\":\"" + refresh
                                             + "\",\"expiresIn\":3600}"));
        // The refresh: refused, with (part of) the token in the words.
        idp.responses.append(httpResponse(200,
                                          "{\"accessToken\":\"a-1\",\"refreshToken\":\"" + refresh
                                              + "\",\"expiresIn\":3600}"));
        idp.responses.append(httpResponse(
            401,
            "{\"error\":\"invalid_grant\",\"message\":\"revoked: " + refresh.mid(3, 20) + "\"}"));
        MemoryTokenStore store;
        auto client = makeClient(std::make_unique<JsonAuthProtocol>(idp.url("/")), &store);
        QVERIFY(signIn(*client.session));
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        client.session->refresh();
        QVERIFY(errors.wait(10000));
        QCOMPARE(errors.last().at(0).value<Session::Error>(), Session::Error::SessionExpired);
        const Session::ServerAnswer answer = client.session->lastServerAnswer();
        QCOMPARE(answer.httpStatus, 401);
        QCOMPARE(answer.error, QStringLiteral("invalid_grant"));
        QVERIFY2(!answer.message.contains(QString::fromLatin1(refresh.mid(3, 20))),
                 qPrintable(answer.message));
        QVERIFY2(answer.message.contains(QLatin1String("not shown")), qPrintable(answer.message));
    }

    // Without a revocation endpoint, sign-out is local only and sends nothing.
    void oauthSignOutWithoutRevocationEndpointIsLocal()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client
            = makeClient(std::make_unique<OAuth2Protocol>(endpoint(*server, "/oauth/token"),
                                                          QStringLiteral("silentauth-desktop")),
                         &store);
        QVERIFY(signIn(*client.session));
        QSignalSpy signedOut(client.session.get(), &Session::signedOut);
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        client.session->signOut();
        QVERIFY(signedOut.wait(10000));
        QCOMPARE(stat(*server, "revocations"), 0);
        // Said, not silent: the token stays valid at the server.
        QCOMPARE(errors.count(), 1);
        QCOMPARE(errors.first().at(0).value<Session::Error>(), Session::Error::RevocationFailed);
        QCOMPARE(client.session->status(), Session::Status::SignedOut);
        QCOMPARE(readStore(store).error, TokenStore::Error::NotFound);
    }

    // A refresh token from elsewhere (here: another client's sign-in) starts a
    // session with no password, and ends up in the real keychain.
    void restoreFromExternalTokenStoresItInTheKeychain()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore elsewhere;
        auto other = makeClient(*server, &elsewhere);
        QVERIFY(signIn(*other.session, QStringLiteral("bob")));
        // The token, without what the store keeps beside it (a refresh cookie's lifetime).
        const QByteArray external = readStore(elsewhere).token.split('\n').constFirst();
        QVERIFY(!external.isEmpty());

        KeychainTokenStore keychain(QStringLiteral("SilentAuthTest"),
                                    QUuid::createUuid().toString(QUuid::WithoutBraces));
        auto client = makeClient(*server, &keychain);
        QSignalSpy signedIn(client.session.get(), &Session::signedIn);
        client.session->restoreFrom(external);
        QVERIFY(signedIn.wait(10000));
        QCOMPARE(client.session->username(), QStringLiteral("bob"));
        const auto stored = readStore(keychain);
        QCOMPARE(stored.error, TokenStore::Error::NoError);
        QVERIFY(!stored.token.isEmpty());
        QVERIFY(stored.token != external); // the server rotated it
        std::unique_ptr<QNetworkReply> reply(get(*client.manager, *server, "/profile"));
        QVERIFY(waitFinished(reply.get()));
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        keychain.remove([](const TokenStore::Result &) {});
    }

    void restoreFromRejectedTokenSignsOut()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        client.session->restoreFrom("not-a-token");
        QVERIFY(errors.wait(10000));
        QCOMPARE(client.session->status(), Session::Status::SignedOut);
        QCOMPARE(readStore(store).error, TokenStore::Error::NotFound);
    }

    // A store destroyed while the keychain still works on a call: no callback,
    // no crash when the Secret Service answers later.
    void keychainStoreDestroyedMidCall()
    {
        bool called = false;
        {
            KeychainTokenStore keychain(QStringLiteral("SilentAuthTest"),
                                        QUuid::createUuid().toString(QUuid::WithoutBraces));
            keychain.write("x", [&called](const TokenStore::Result &) { called = true; });
            keychain.read([&called](const TokenStore::Result &) { called = true; });
        }
        QTest::qWait(1000);
        QVERIFY(!called);
    }

    // The re-login hook: requests waiting when the refresh token is rejected
    // are held, the hook runs, and a sign-in as the same user sends them on.
    void heldRequestsGoOutAfterReLogin()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        int hookCalls = 0;
        Session *session = client.session.get();
        client.session->setReauthenticationHandler([&hookCalls, session] {
            ++hookCalls;
            QCOMPARE(session->status(), Session::Status::Expired);
            QCOMPARE(session->username(), QStringLiteral("alice"));
        });
        QVERIFY(signIn(*client.session));
        QVERIFY(
            expireThen(*server, QStringLiteral("revoked-refresh"), {{QStringLiteral("count"), 1}}));

        QNetworkRequest post(endpoint(*server, "/echo"));
        post.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("text/plain"));
        const QByteArray draft("a draft the user wrote while the session ran out");
        std::unique_ptr<QNetworkReply> first(client.manager->post(post, draft));
        std::unique_ptr<QNetworkReply> second(get(*client.manager, *server, "/boards"));
        QTRY_COMPARE_WITH_TIMEOUT(hookCalls, 1, 10000);
        QVERIFY(client.session->isHoldingRequests());
        // Issued while expired: held as well, not sent.
        std::unique_ptr<QNetworkReply> third(get(*client.manager, *server, "/profile"));
        QTest::qWait(200);
        QVERIFY(!first->isFinished());
        QVERIFY(!second->isFinished());
        QVERIFY(!third->isFinished());

        // A wrong password keeps them held.
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        client.session->signIn(QStringLiteral("alice"), QStringLiteral("wrong"));
        QVERIFY(errors.wait(10000));
        QCOMPARE(client.session->status(), Session::Status::Expired);
        QVERIFY(client.session->isHoldingRequests());

        QVERIFY(signIn(*client.session));
        for (auto *reply : {first.get(), second.get(), third.get()}) {
            QVERIFY(waitFinished(reply));
            QCOMPARE(reply->error(), QNetworkReply::NoError);
        }
        const auto echo = QJsonDocument::fromJson(first->readAll()).object();
        QCOMPARE(echo[QLatin1String("length")].toInt(), draft.size());
        QCOMPARE(echo[QLatin1String("method")].toString(), QStringLiteral("POST"));
        QCOMPARE(hookCalls, 1);
        QVERIFY(!client.session->isHoldingRequests());
    }

    void heldRequestsFail_data()
    {
        QTest::addColumn<QString>("how");
        QTest::newRow("another user signs in") << "other-user";
        QTest::newRow("abandoned") << "abandon";
        QTest::newRow("signed out") << "sign-out";
        QTest::newRow("timeout") << "timeout";
    }

    void heldRequestsFail()
    {
        QFETCH(QString, how);
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        bool hooked = false;
        client.session->setReauthenticationHandler([&hooked] { hooked = true; });
        client.session->setReauthenticationTimeout(std::chrono::milliseconds(500));
        QVERIFY(signIn(*client.session));
        QVERIFY(
            expireThen(*server, QStringLiteral("revoked-refresh"), {{QStringLiteral("count"), 1}}));
        std::unique_ptr<QNetworkReply> reply(get(*client.manager, *server, "/boards"));
        QTRY_VERIFY_WITH_TIMEOUT(hooked, 10000);
        if (how == QLatin1String("other-user"))
            QVERIFY(signIn(*client.session, QStringLiteral("bob")));
        else if (how == QLatin1String("abandon"))
            client.session->abandonReauthentication();
        else if (how == QLatin1String("sign-out"))
            client.session->signOut();
        QVERIFY(waitFinished(reply.get(), 5000));
        QCOMPARE(reply->error(), QNetworkReply::AuthenticationRequiredError);
        QVERIFY(!client.session->isHoldingRequests());
        // The request never went out with someone else's token.
        QCOMPARE(stat(*server, "routes", "GET /boards"), 1);
    }

    // Observers see the silent re-authentication step by step, and no token.
    void eventsTellTheStoryWithoutTokens()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QSignalSpy events(client.session.get(), &Session::activity);
        QVERIFY(signIn(*client.session));
        const QByteArray oldAccess = client.session->accessToken();
        QVERIFY(expireNow(*server));
        std::unique_ptr<QNetworkReply> reply(get(*client.manager, *server, "/profile"));
        QVERIFY(waitFinished(reply.get()));
        QCOMPARE(reply->error(), QNetworkReply::NoError);

        QList<Session::Event> kinds;
        QString details;
        for (const auto &args : events) {
            kinds.append(args.at(0).value<Session::Event>());
            details += args.at(1).toString() + QLatin1Char('\n');
        }
        using E = Session::Event;
        const QList<E> expected {E::SignedIn,       E::RequestSent,      E::Unauthorized,
                                 E::RefreshStarted, E::RefreshSucceeded, E::Replayed,
                                 E::RequestSent};
        QCOMPARE(kinds, expected);
        QCOMPARE(events.at(1).at(1).toString(), QStringLiteral("GET /profile"));
        QVERIFY(!details.contains(QString::fromLatin1(oldAccess)));
        QVERIFY(!details.contains(QString::fromLatin1(client.session->accessToken())));
        QVERIFY(!details.contains(QString::fromLatin1(readStore(store).token)));
    }

    // The refresh answer is lost after the server rotated the token. With a
    // grace window the retry gets the current pair and nobody notices;
    // without one the server sees reuse, revokes the family, and the session
    // ends cleanly (expired, not a hang or a loop).
    void lostRefreshResponse_data()
    {
        QTest::addColumn<int>("graceSeconds");
        QTest::addColumn<bool>("survives");
        QTest::newRow("with grace") << 30 << true;
        QTest::newRow("without grace") << 0 << false;
    }

    void lostRefreshResponse()
    {
        QFETCH(int, graceSeconds);
        QFETCH(bool, survives);
        MockServerConfig config;
        config.reuseGrace = std::chrono::seconds(graceSeconds);
        auto server = startServer(config);
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        client.session->setOfflineWait(std::chrono::seconds(10));
        QVERIFY(signIn(*client.session));
        QVERIFY(expireThen(*server, QStringLiteral("lost-refresh-response"),
                           {{QStringLiteral("count"), 1}}));
        std::unique_ptr<QNetworkReply> reply(get(*client.manager, *server, "/profile"));
        QVERIFY(waitFinished(reply.get(), 15000));
        if (survives) {
            QCOMPARE(reply->error(), QNetworkReply::NoError);
            QCOMPARE(client.session->status(), Session::Status::SignedIn);
            QVERIFY(stat(*server, "refreshes", "graceReplays") >= 1);
            QCOMPARE(stat(*server, "refreshes", "reuseDetected"), 0);
        } else {
            QCOMPARE(reply->error(), QNetworkReply::AuthenticationRequiredError);
            QCOMPARE(client.session->status(), Session::Status::Expired);
            QCOMPARE(stat(*server, "refreshes", "reuseDetected"), 1);
        }
    }

    // The split backend: auth, profile and board services on three ports.
    void microservices()
    {
        MockServerConfig base;
        base.secret = "shared-secret-for-the-three-services";
        MockServerConfig authConfig = base, profileConfig = base, boardConfig = base;
        authConfig.services = {QStringLiteral("auth")};
        profileConfig.services = {QStringLiteral("profile")};
        boardConfig.services = {QStringLiteral("board")};
        auto auth = startServer(authConfig);
        auto profile = startServer(profileConfig);
        auto board = startServer(boardConfig);
        QVERIFY(auth && profile && board);
        MemoryTokenStore store;
        auto client = makeClient(*auth, &store);
        client.manager->addAllowedOrigin(profile->url());
        client.manager->addAllowedOrigin(board->url());
        QVERIFY(signIn(*client.session));
        QVERIFY(expireNow(*profile));
        QVERIFY(expireNow(*board));
        std::unique_ptr<QNetworkReply> p(get(*client.manager, *profile, "/profile"));
        std::unique_ptr<QNetworkReply> b(get(*client.manager, *board, "/boards"));
        QVERIFY(waitFinished(p.get()));
        QVERIFY(waitFinished(b.get()));
        QCOMPARE(p->error(), QNetworkReply::NoError);
        QCOMPARE(b->error(), QNetworkReply::NoError);
        // Both services rejected the old token; one refresh at the auth service served both.
        QCOMPARE(stat(*auth, "refreshes", "ok"), 1);
        QCOMPARE(stat(*profile, "unauthorizedTotal"), 1);
        QCOMPARE(stat(*board, "unauthorizedTotal"), 1);
        // The auth service never sees a resource call, the others never a password.
        QCOMPARE(stat(*auth, "routes", "GET /profile"), 0);
        QCOMPARE(stat(*profile, "logins", "ok"), 0);
    }

    // With an offline wait, requests ride out a short outage instead of failing.
    // Behind a hotel portal the token endpoint answers an HTML page: not the
    // server's verdict on the token. The refresh is transient, the token and
    // the session are kept, and once through the portal the refresh works.
    void captivePortalIsTransient()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        const QByteArray token = readStore(store).token;
        QVERIFY(server->setScenario(QStringLiteral("captive-portal"), {}, nullptr));
        QSignalSpy finished(client.session.get(), &Session::refreshFinished);
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        client.session->refresh();
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().at(0).toBool(), false);
        QCOMPARE(errors.constLast().at(0).value<Session::Error>(),
                 Session::Error::MalformedResponse);
        QCOMPARE(client.session->status(), Session::Status::Offline);
        QCOMPARE(readStore(store).token, token);
        QVERIFY(server->setScenario(QStringLiteral("normal"), {}, nullptr));
        client.session->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(client.session->status(), Session::Status::SignedIn, 10000);
        QCOMPARE(stat(*server, "refreshes", "ok"), 1);
        QCOMPARE(stat(*server, "refreshes", "reuseDetected"), 0);
    }

    // A portal that sends the token request elsewhere: the redirect is not
    // followed, and it is transient too.
    void tokenEndpointRedirectedElsewhereIsTransient()
    {
        CapturingServer portal(httpResponse(200, "{}"));
        CapturingServer auth(httpResponse(
            200, "{\"accessToken\":\"a1\",\"refreshToken\":\"r1\",\"expiresIn\":3600}"));
        MemoryTokenStore store;
        auto client = makeClient(std::make_unique<JsonAuthProtocol>(auth.url("")), &store);
        QVERIFY(signIn(*client.session));
        auth.responses.append("HTTP/1.1 302 Found\r\nLocation: " + portal.url("/login").toEncoded()
                              + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        QSignalSpy finished(client.session.get(), &Session::refreshFinished);
        client.session->refresh();
        QVERIFY(finished.wait(10000));
        QCOMPARE(finished.first().at(0).toBool(), false);
        QCOMPARE(client.session->status(), Session::Status::Offline);
        QCOMPARE(readStore(store).token, QByteArray("r1"));
        QVERIFY(portal.received.isEmpty());
    }

    // A proxy that wants credentials answers 407: that is the proxy's
    // business, never the token's. No refresh, the caller sees the proxy's
    // error, and the session stays signed in.
    void proxyAuthenticationNeverRefreshes()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        CapturingServer proxy(
            "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic "
            "realm=\"proxy\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        client.manager->setProxy(QNetworkProxy(QNetworkProxy::HttpProxy,
                                               QStringLiteral("127.0.0.1"), proxy.serverPort()));
        std::unique_ptr<QNetworkReply> reply(get(*client.manager, *server, "/profile"));
        QVERIFY(waitFinished(reply.get()));
        QCOMPARE(reply->error(), QNetworkReply::ProxyAuthenticationRequiredError);
        QVERIFY(!proxy.received.isEmpty());
        QCOMPARE(client.session->refreshCount(), 0);
        QCOMPARE(stat(*server, "refreshes", "ok") + stat(*server, "refreshes", "failed"), 0);
        QCOMPARE(client.session->status(), Session::Status::SignedIn);
    }

    void offlineWaitRidesOutAShortOutage()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        client.session->setOfflineWait(std::chrono::seconds(10));
        QVERIFY(signIn(*client.session));
        QVERIFY(expireThen(*server, QStringLiteral("refresh-unavailable"),
                           {{QStringLiteral("count"), 2}}));
        QSignalSpy statuses(client.session.get(), &Session::statusChanged);
        std::unique_ptr<QNetworkReply> reply(get(*client.manager, *server, "/profile"));
        QVERIFY(waitFinished(reply.get(), 15000));
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QCOMPARE(stat(*server, "refreshes", "failed"), 2);
        QCOMPARE(stat(*server, "refreshes", "ok"), 1);
        bool wentOffline = false;
        for (const auto &args : statuses)
            wentOffline |= args.at(0).value<Session::Status>() == Session::Status::Offline;
        QVERIFY(wentOffline);
        QCOMPARE(client.session->status(), Session::Status::SignedIn);
    }

    void offlineWaitGivesUpAtTheDeadline()
    {
        auto server = startServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        client.session->setOfflineWait(std::chrono::milliseconds(1500));
        QVERIFY(signIn(*client.session));
        QVERIFY(expireThen(*server, QStringLiteral("refresh-unavailable")));
        QElapsedTimer timer;
        timer.start();
        std::unique_ptr<QNetworkReply> reply(get(*client.manager, *server, "/profile"));
        QVERIFY(waitFinished(reply.get(), 10000));
        QCOMPARE(reply->error(), QNetworkReply::TemporaryNetworkFailureError);
        QVERIFY2(timer.elapsed() >= 1400, QByteArray::number(timer.elapsed()));
        QCOMPARE(client.session->status(), Session::Status::Offline);
    }
};

QTEST_GUILESS_MAIN(TestSession)
#include "tst_session.moc"
