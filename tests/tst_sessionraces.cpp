// The session as a racing caller, a slow or dying store and a hostile server
// see it: every operation at the worst moment, and seeded random schedules
// with invariants checked after every step.
#include "capturingserver.h"
#include "rawserver.h"
#include "sessionfixture.h"
#include "testserver.h"

#include <silentauth/authnetworkaccessmanager.h>
#include <silentauth/jsonauthprotocol.h>
#include <silentauth/memorytokenstore.h>
#include <silentauth/oauth2protocol.h>
#include <silentauth/session.h>

#include "sessionstate_p.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QPointer>
#include <QtCore/QRandomGenerator>
#include <QtNetwork/QNetworkReply>
#include <QtTest/QtTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace SilentAuth;
using namespace SilentAuth::Test;
using Mock::MockServer;
using Mock::MockServerConfig;

namespace {

// A keychain that takes its time, counts what it is asked, and can die in
// the middle of a write (it then never answers).
class SlowStore : public TokenStore
{
public:
    int latencyMs = 0;
    int readLatencyMs = -1; // reads only, when set
    bool inOrder = false; // answers in the order asked, as one keychain daemon does
    QRandomGenerator *jitter = nullptr; // latency drawn from 0..latencyMs when set
    bool dieOnWrite = false;
    bool failRemove = false;
    QString entry; // sharedEntryId(): sessions on one entry coordinate like processes
    bool halted = false; // the process has ended: calls still under way never land
    QByteArray token;
    int reads = 0, writes = 0, removes = 0;

    QString sharedEntryId() const override { return entry; }
    void read(Callback done) override
    {
        ++reads;
        // What the entry held when asked, as a real keychain answers.
        later(
            [this, done, held = token] {
                Result r;
                r.token = held;
                if (held.isEmpty())
                    r.error = Error::NotFound;
                done(r);
            },
            readLatencyMs);
    }
    void write(const QByteArray &value, Callback done) override
    {
        ++writes;
        if (dieOnWrite) {
            QTimer::singleShot(latencyMs / 2, this, &QObject::deleteLater);
            return;
        }
        later([this, value, done] {
            token = value;
            done({});
        });
    }
    void remove(Callback done) override
    {
        ++removes;
        later([this, done] {
            if (failRemove) {
                done({Error::Unavailable, {}, QStringLiteral("the keychain is locked")});
                return;
            }
            token.clear();
            done({});
        });
    }

private:
    QElapsedTimer clock;
    qint64 lastAnswerAt = 0;

    void later(std::function<void()> f, int latency = -1)
    {
        const auto unlessHalted = [this, f = std::move(f)] {
            if (!halted)
                f();
        };
        qint64 ms = latency >= 0 ? latency
            : jitter             ? int(jitter->bounded(latencyMs + 1))
                                 : latencyMs;
        if (inOrder) {
            if (!clock.isValid())
                clock.start();
            ms = qMax(ms, lastAnswerAt - clock.elapsed() + 1);
            lastAnswerAt = clock.elapsed() + ms;
        }
        QTimer::singleShot(int(ms), this, unlessHalted);
    }
};

std::unique_ptr<MockServer> rotatingServer(std::chrono::seconds accessTtl
                                           = std::chrono::seconds(3600))
{
    MockServerConfig config;
    config.rotateRefreshTokens = true;
    config.reuseGrace = std::chrono::seconds(0);
    config.accessTtl = accessTtl;
    config.loginAttemptLimit = 1000000;
    config.passwordIterations = 1;
    return startServer(config);
}

QString stampPath(const QString &entry)
{
    return sharedEntryFile(entry, ".stamp");
}

QString uniqueEntry()
{
    return QStringLiteral("test:%1:").arg(QCoreApplication::applicationPid())
        + QString::number(QRandomGenerator::global()->generate());
}

// Two sessions on one store, as two processes on one entry: FIRST signs in,
// SECOND restores from what it stored.
bool signInThenRestore(Session &first, Session &second)
{
    if (!signIn(first))
        return false;
    QSignalSpy restored(&second, &Session::signedIn);
    second.restore();
    return restored.wait(5000);
}

// Refreshes now and tells whether it succeeded.
bool refreshes(Session &session)
{
    QSignalSpy refreshed(&session, &Session::refreshFinished);
    session.refresh();
    return refreshed.wait(5000) && refreshed.last().at(0).toBool();
}

// Signs out and tells whether signedOut() came within \a timeoutMs.
bool signsOut(Session &session, int timeoutMs = 5000)
{
    QSignalSpy signedOut(&session, &Session::signedOut);
    session.signOut();
    return signedOut.wait(timeoutMs);
}

// Restores from the store and tells whether the session is signed in.
bool restores(Session &session)
{
    QSignalSpy restored(&session, &Session::signedIn);
    session.restore();
    return restored.wait(5000);
}

// Two sessions on one shared entry of a SlowStore, as two processes: FIRST
// signed in as alice, SECOND restored from what it stored. Null on failure.
struct TwoProcesses
{
    std::unique_ptr<MockServer> server;
    SlowStore store;
    Client first;
    Client second;
};

std::unique_ptr<TwoProcesses> twoProcesses()
{
    auto processes = std::make_unique<TwoProcesses>();
    processes->server = rotatingServer();
    if (!processes->server)
        return nullptr;
    processes->store.entry = uniqueEntry();
    processes->first = makeClient(*processes->server, &processes->store);
    processes->second = makeClient(*processes->server, &processes->store);
    if (!signInThenRestore(*processes->first.session, *processes->second.session))
        return nullptr;
    return processes;
}

int reuse(const MockServer &server)
{
    return stat(server, "refreshes", "reuseDetected");
}

int refreshesAtServer(const MockServer &server)
{
    return stat(server, "refreshes", "ok") + stat(server, "refreshes", "failed");
}

// An OAuth token endpoint that answers every request with \a body.
QByteArray tokenAnswer(const QByteArray &body, const char *status = "200 OK")
{
    return "HTTP/1.1 " + QByteArray(status)
        + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

int requestCount(const CapturingServer &server)
{
    return int(server.received.count("HTTP/1.1\r\n"));
}

QByteArray unsignedJwt(const QJsonObject &claims)
{
    const QByteArray header
        = QByteArray(R"({"alg":"none","typ":"JWT"})")
              .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    const QByteArray payload
        = QJsonDocument(claims)
              .toJson(QJsonDocument::Compact)
              .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    return header + '.' + payload + ".x";
}

// Signs out and expects exactly one error: \a error, its message naming \a detail.
void signOutReportsOnce(Session &session, Session::Error error, const char *detail)
{
    QSignalSpy errors(&session, &Session::errorOccurred);
    QSignalSpy signedOut(&session, &Session::signedOut);
    session.signOut();
    QVERIFY(signedOut.wait(5000));
    QCOMPARE(errors.count(), 1);
    QCOMPARE(errors.first().at(0).value<Session::Error>(), error);
    QVERIFY2(errors.first().at(1).toString().contains(QLatin1String(detail)),
             qPrintable(errors.first().at(1).toString()));
}

// An empty answer with \a status and \a headers (each ending in CRLF).
QByteArray emptyAnswer(const char *status, const char *headers = "")
{
    return QByteArray("HTTP/1.1 ") + status + "\r\n" + headers
        + "Connection: close\r\nContent-Length: 0\r\n\r\n";
}

// A session restored from a refresh token against a token endpoint that
// answers every attempt with \a answer: offline after the first.
struct FailingRefresh
{
    explicit FailingRefresh(const QByteArray &answer)
        : idp(answer)
        , client(makeClient(
              std::make_unique<OAuth2Protocol>(idp.url("/token"), QStringLiteral("app")), &store))
    {
        client.session->restoreFrom("refresh-token-1");
    }
    // Offline after exactly one attempt.
    bool offline()
    {
        return QTest::qWaitFor(
                   [this] { return client.session->status() == Session::Status::Offline; }, 5000)
            && requestCount(idp) == 1;
    }

    CapturingServer idp;
    MemoryTokenStore store;
    Client client;
};

} // namespace

class TestSessionRaces : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Every row of the table, and that nothing else changes state.
    void transitionTable()
    {
        using S = Session::Status;
        using I = Internal::SessionInput;
        using Internal::transition;
        QCOMPARE(transition(S::SignedIn, I::SignInStarted), S::SigningIn);
        QCOMPARE(transition(S::SigningIn, I::SignInSucceeded), S::SignedIn);
        QCOMPARE(transition(S::SigningIn, I::SignInFailed), S::SignedOut);
        QCOMPARE(transition(S::SigningIn, I::SignInFailedWhileHeld), S::Expired);
        QCOMPARE(transition(S::SignedOut, I::RestoreStarted), S::Restoring);
        QCOMPARE(transition(S::Expired, I::RestoreStarted), S::Restoring);
        QCOMPARE(transition(S::SignedIn, I::RestoreStarted), S::SignedIn); // joins
        QCOMPARE(transition(S::SignedIn, I::RestoreFromStarted), S::Restoring);
        QCOMPARE(transition(S::Restoring, I::NothingStored), S::SignedOut);
        QCOMPARE(transition(S::SignedIn, I::RefreshStarted), S::Refreshing);
        QCOMPARE(transition(S::Offline, I::RefreshStarted), S::Refreshing);
        QCOMPARE(transition(S::Restoring, I::RefreshStarted), S::Restoring);
        QCOMPARE(transition(S::Offline, I::RestoreRetried), S::Restoring);
        QCOMPARE(transition(S::Restoring, I::RestoreRetried), S::Restoring);
        QCOMPARE(transition(S::SignedOut, I::RestoreRetried), S::SignedOut);
        QCOMPARE(transition(S::Refreshing, I::RefreshSucceeded), S::SignedIn);
        QCOMPARE(transition(S::Restoring, I::RefreshSucceeded), S::SignedIn);
        QCOMPARE(transition(S::Refreshing, I::RefreshTransient), S::Offline);
        QCOMPARE(transition(S::Restoring, I::RefreshTransient), S::Offline);
        QCOMPARE(transition(S::Refreshing, I::RefreshRejected), S::Expired);
        QCOMPARE(transition(S::Restoring, I::RefreshRejected), S::SignedOut);
        QCOMPARE(transition(S::Refreshing, I::RestoreRejected), S::SignedOut); // on a retry
        QCOMPARE(transition(S::Offline, I::RestoreRejected), S::SignedOut);
        QCOMPARE(transition(S::SignedOut, I::RestoreRejected), S::SignedOut);
        for (const S from : {S::SignedOut, S::SigningIn, S::Restoring, S::SignedIn, S::Refreshing,
                             S::Offline, S::Expired}) {
            QCOMPARE(transition(from, I::SignOutStarted), S::SignedOut);
            QCOMPARE(transition(from, I::SignInStarted), S::SigningIn);
        }
        // A late answer for an operation that is over changes nothing.
        QCOMPARE(transition(S::SignedOut, I::RefreshSucceeded), S::SignedOut);
        QCOMPARE(transition(S::SignedOut, I::SignInSucceeded), S::SignedOut);
        QCOMPARE(transition(S::SignedOut, I::RefreshRejected), S::SignedOut);
    }

    // A rotated refresh token is being written to a slow keychain when the
    // user signs out: sign-out wins, and the token the server just issued is
    // revoked too.
    void signOutWhileRotatedTokenIsWritten()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        SlowStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        store.latencyMs = 800;
        client.session->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "refreshes", "ok"), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(store.writes, 2, 5000); // the rotated token is on its way
        QSignalSpy signedOut(client.session.get(), &Session::signedOut);
        client.session->signOut();
        QCOMPARE(client.session->status(), Session::Status::SignedOut);
        QVERIFY(client.session->accessToken().isEmpty());
        QVERIFY(signedOut.wait(10000));
        QTest::qWait(1000); // the slow write has long answered
        QCOMPARE(client.session->status(), Session::Status::SignedOut);
        QVERIFY(client.session->accessToken().isEmpty());
        QVERIFY(store.token.isEmpty());
        QCOMPARE(stat(*server, "liveRefreshTokens"), 0);
        const int refreshes = refreshesAtServer(*server);
        QTest::qWait(500);
        QCOMPARE(refreshesAtServer(*server), refreshes); // no proactive refresh running
    }

    void signOutDuringRestoreReadEndsSignedOut()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        SlowStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        auto second = makeClient(*server, &store);
        store.latencyMs = 400;
        second.session->restore();
        QCOMPARE(second.session->status(), Session::Status::Restoring);
        second.session->signOut();
        QTest::qWait(1500);
        QCOMPARE(second.session->status(), Session::Status::SignedOut);
        QVERIFY(second.session->accessToken().isEmpty());
        QCOMPARE(reuse(*server), 0);
    }

    void restoreRacingSignInEndsAsTheSignIn()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        SlowStore store;
        {
            auto alice = makeClient(*server, &store);
            QVERIFY(signIn(*alice.session, QStringLiteral("alice")));
        }
        auto client = makeClient(*server, &store);
        store.latencyMs = 300;
        client.session->restore();
        client.session->signIn(QStringLiteral("bob"), QStringLiteral("bob-password"));
        QTRY_COMPARE_WITH_TIMEOUT(client.session->status(), Session::Status::SignedIn, 5000);
        QTest::qWait(800);
        QCOMPARE(client.session->identity(), QStringLiteral("bob"));
        QCOMPARE(client.session->status(), Session::Status::SignedIn);
    }

    // restore(); restore(); and restore() during a refresh: one refresh
    // request per refresh token, so reuse detection never fires.
    void repeatedRestoreJoinsTheFlight()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        SlowStore store;
        {
            auto first = makeClient(*server, &store);
            QVERIFY(signIn(*first.session));
        }
        auto client = makeClient(*server, &store);
        store.latencyMs = 100;
        client.session->restore();
        client.session->restore();
        client.session->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(client.session->status(), Session::Status::SignedIn, 5000);
        client.session->restore();
        client.session->refresh();
        client.session->restore();
        QTRY_VERIFY_WITH_TIMEOUT(!client.session->isRefreshing(), 5000);
        QTest::qWait(300);
        QCOMPARE(stat(*server, "refreshes", "ok"), 2);
        QCOMPARE(reuse(*server), 0);
        QCOMPARE(client.session->status(), Session::Status::SignedIn);
    }

    // signOut() or signIn() while a refresh is on the wire is not a network
    // failure: no Offline, no NetworkError, no retry later.
    void supersedingARefreshIsNotTransient_data()
    {
        QTest::addColumn<bool>("signInAgain");
        QTest::newRow("signOut") << false;
        QTest::newRow("signIn") << true;
    }
    void supersedingARefreshIsNotTransient()
    {
        QFETCH(bool, signInAgain);
        auto server = rotatingServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        QString error;
        QVERIFY(server->setScenario(QStringLiteral("slow-refresh"),
                                    {{QStringLiteral("delayMs"), 600}}, &error));
        QSignalSpy statuses(client.session.get(), &Session::statusChanged);
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        client.session->refresh();
        QTest::qWait(150);
        if (signInAgain)
            QVERIFY(signIn(*client.session, QStringLiteral("bob")));
        else
            client.session->signOut();
        QTest::qWait(2500);
        for (const auto &s : statuses)
            QVERIFY(s.at(0).value<Session::Status>() != Session::Status::Offline);
        for (const auto &e : errors)
            QVERIFY(e.at(0).value<Session::Error>() != Session::Error::NetworkError);
        QCOMPARE(client.session->status(),
                 signInAgain ? Session::Status::SignedIn : Session::Status::SignedOut);
    }

    // Opaque tokens carry no sub: the identity is the username signed in
    // with, and alice's held DELETE never goes out with bob's token.
    void heldRequestsNeverGoToAnotherUser()
    {
        CapturingServer api("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
        CapturingServer idp(tokenAnswer(R"({"error":"invalid_grant"})", "400 Bad Request"));
        idp.responses = {tokenAnswer(R"({"access_token":"opaque-alice","token_type":"Bearer",)"
                                     R"("refresh_token":"r1","expires_in":3600})"),
                         tokenAnswer(R"({"error":"invalid_grant"})", "400 Bad Request"),
                         tokenAnswer(R"({"access_token":"opaque-bob","token_type":"Bearer",)"
                                     R"("refresh_token":"r2","expires_in":3600})")};
        MemoryTokenStore store;
        auto client = makeClient(
            std::make_unique<OAuth2Protocol>(idp.url("/token"), QStringLiteral("app")), &store);
        client.manager->addAllowedOrigin(api.url());
        client.session->setReauthenticationHandler([] {});
        QVERIFY(signIn(*client.session, QStringLiteral("alice")));
        QCOMPARE(client.session->identity(), QStringLiteral("alice"));
        QNetworkReply *reply = client.manager->deleteResource(QNetworkRequest(api.url("/item/1")));
        QTRY_VERIFY_WITH_TIMEOUT(client.session->isHoldingRequests(), 5000);
        QVERIFY(signIn(*client.session, QStringLiteral("bob")));
        QCOMPARE(client.session->identity(), QStringLiteral("bob"));
        QVERIFY(waitFinished(reply));
        QCOMPARE(reply->error(), QNetworkReply::AuthenticationRequiredError);
        QCOMPARE(int(api.received.count("DELETE /item/1")), 1);
        QVERIFY(api.received.contains("Bearer opaque-alice"));
        QVERIFY(!api.received.contains("opaque-bob"));
        reply->deleteLater();
    }

    // Alice's session ended and her request is held. Meanwhile bob signed in
    // on the same entry (another program). A restore() brings bob's session
    // back, not alice's: her request is not released to his token, whether
    // her identity was verified (an ID token) or the tokens are opaque.
    void restoreAfterExpiryTakesNoIdentityFromTheLastUser_data()
    {
        QTest::addColumn<bool>("verified");
        QTest::newRow("password sign-in, opaque tokens") << false;
        QTest::newRow("verified identity") << true;
    }

    void restoreAfterExpiryTakesNoIdentityFromTheLastUser()
    {
        QFETCH(bool, verified);
        CapturingServer api("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
        CapturingServer idp(tokenAnswer(R"({"error":"invalid_grant"})", "400 Bad Request"));
        const QByteArray alice = tokenAnswer(R"({"access_token":"opaque-alice","token_type":)"
                                             R"("Bearer","refresh_token":"r1","expires_in":3600})");
        idp.responses = {tokenAnswer(R"({"error":"invalid_grant"})", "400 Bad Request"),
                         tokenAnswer(R"({"access_token":"opaque-bob","token_type":"Bearer",)"
                                     R"("refresh_token":"r2","expires_in":3600})"),
                         tokenAnswer(R"({"access_token":"opaque-bob-2","token_type":"Bearer",)"
                                     R"("refresh_token":"r3","expires_in":3600})")};
        if (!verified)
            idp.responses.prepend(alice);
        MemoryTokenStore store; // one entry, two programs
        const auto protocol = [&idp] {
            return std::make_unique<OAuth2Protocol>(idp.url("/token"), QStringLiteral("app"));
        };
        auto client = makeClient(protocol(), &store);
        client.manager->addAllowedOrigin(api.url());
        client.session->setReauthenticationHandler([] {});
        if (verified) {
            TokenResponse tokens;
            tokens.accessToken = "opaque-alice";
            tokens.refreshToken = "r1";
            tokens.expiresIn = 3600;
            client.session->signInWithTokens(tokens, QStringLiteral("alice"));
            QTRY_COMPARE_WITH_TIMEOUT(client.session->status(), Session::Status::SignedIn, 5000);
        } else {
            QVERIFY(signIn(*client.session, QStringLiteral("alice")));
        }
        QCOMPARE(client.session->identity(), QStringLiteral("alice"));
        QNetworkReply *reply = client.manager->deleteResource(QNetworkRequest(api.url("/item/1")));
        QTRY_VERIFY_WITH_TIMEOUT(client.session->isHoldingRequests(), 5000);
        QCOMPARE(client.session->status(), Session::Status::Expired);
        {
            auto other = makeClient(protocol(), &store);
            QVERIFY(signIn(*other.session, QStringLiteral("bob")));
        }
        QCOMPARE(readStore(store).token, QByteArray("r2"));
        QSignalSpy signedIn(client.session.get(), &Session::signedIn);
        client.session->restore();
        QVERIFY(waitFinished(reply, 10000));
        QCOMPARE(reply->error(), QNetworkReply::AuthenticationRequiredError);
        QVERIFY(signedIn.count() == 1 || signedIn.wait(5000));
        QVERIFY(client.session->identity() != QLatin1String("alice"));
        QVERIFY(!api.received.contains("opaque-bob"));
        QCOMPARE(int(api.received.count("DELETE /item/1")), 1);
        reply->deleteLater();
    }

    // A request made while alice is signed in belongs to alice, even when it
    // only starts once another sign-in has begun: it is never sent as bob.
    void requestBelongsToWhoeverWasSignedInWhenItWasMade()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session, QStringLiteral("alice")));
        QStringList log; // in the order the server answered
        const auto logging
            = connect(server.get(), &MockServer::requestLogged, this, [&log](const QString &line) {
                  log.append(line.section(QLatin1Char(' '), 0, 1));
              });
        auto stopLogging = qScopeGuard([logging] { disconnect(logging); });
        QNetworkReply *reply = get(*client.manager, *server, "/profile");
        client.session->signIn(QStringLiteral("bob"), QStringLiteral("bob-password"));
        QVERIFY(waitFinished(reply));
        QCOMPARE(reply->error(), QNetworkReply::AuthenticationRequiredError);
        // No server answered it: no HTTP status is made up.
        QVERIFY(!reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid());
        QTRY_COMPARE_WITH_TIMEOUT(client.session->status(), Session::Status::SignedIn, 5000);
        QCOMPARE(client.session->identity(), QStringLiteral("bob"));
        // Taken back before Qt sent it, or (Qt's network thread was quicker)
        // sent once, with alice's token: answered before bob's sign-in was,
        // so before bob had one.
        const auto sent = log.indexOf(QStringLiteral("GET /profile"));
        QVERIFY2(log.count(QStringLiteral("GET /profile")) <= 1, qPrintable(log.join(u',')));
        QVERIFY2(sent < 0 || sent < log.indexOf(QStringLiteral("POST /auth/login")),
                 qPrintable(log.join(u',')));
        reply->deleteLater();
    }

    // Requests made while a sign-in is under way wait for it: sent once
    // with the new token, or not at all when it fails.
    void requestsWaitForTheSignIn()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        client.session->signIn(QStringLiteral("alice"), QStringLiteral("alice-password"));
        QNetworkReply *ok = get(*client.manager, *server, "/profile");
        QVERIFY(waitFinished(ok));
        QCOMPARE(ok->error(), QNetworkReply::NoError);
        QCOMPARE(stat(*server, "unauthorizedTotal"), 0);
        QCOMPARE(stat(*server, "routes", "GET /profile"), 1);
        ok->deleteLater();

        client.session->signIn(QStringLiteral("bob"), QStringLiteral("wrong"));
        QNetworkReply *refused = get(*client.manager, *server, "/profile");
        QVERIFY(waitFinished(refused));
        QCOMPARE(refused->error(), QNetworkReply::AuthenticationRequiredError);
        QCOMPARE(stat(*server, "routes", "GET /profile"), 1); // never sent
        refused->deleteLater();
    }

    // A token endpoint that trickles its answer a byte at a time is not
    // waited for beyond the request timeout, and one that answers far more
    // than a token answer can be is cut off.
    void authAnswersAreBoundedInTimeAndSize_data()
    {
        QTest::addColumn<bool>("trickle");
        QTest::newRow("trickled") << true;
        QTest::newRow("huge") << false;
    }
    void authAnswersAreBoundedInTimeAndSize()
    {
        QFETCH(bool, trickle);
        RawServer idp;
        QVERIFY(idp.start());
        RawResponse answer = RawResponse::ok(
            trickle ? QByteArray(R"({"access_token":"a","token_type":"Bearer"})")
                    : QByteArray("{\"access_token\":\"a\",\"token_type\":\"Bearer\",\"padding\":\"")
                    + QByteArray(8 * 1024 * 1024, 'x') + "\"}",
            "application/json");
        if (trickle) {
            answer.trickleBytes = 1;
            answer.trickleIntervalMs = 300;
        }
        idp.route("/token", answer);
        MemoryTokenStore store;
        auto client = makeClient(
            std::make_unique<OAuth2Protocol>(idp.url("/token"), QStringLiteral("app")), &store);
        client.session->setRequestTimeout(std::chrono::milliseconds(1000));
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        QElapsedTimer clock;
        clock.start();
        client.session->signIn(QStringLiteral("alice"), QStringLiteral("pw"));
        QTRY_COMPARE_WITH_TIMEOUT(client.session->status(), Session::Status::SignedOut, 5000);
        QVERIFY2(clock.elapsed() < 3000, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(errors.count(), 1);
        QCOMPARE(errors.first().at(0).value<Session::Error>(),
                 trickle ? Session::Error::Timeout : Session::Error::MalformedResponse);
    }

    // POSTs still queued inside QNetworkAccessManager when the user signs
    // out never leave with the token.
    void queuedPostsDoNotLeaveAfterSignOut()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        QTcpServer silent; // accepts and never answers: Qt queues the rest
        QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
        QList<QTcpSocket *> held;
        QByteArray seen;
        connect(&silent, &QTcpServer::newConnection, this, [&] {
            while (QTcpSocket *socket = silent.nextPendingConnection()) {
                held.append(socket);
                connect(socket, &QTcpSocket::readyRead, this,
                        [&seen, socket] { seen += socket->readAll(); });
            }
        });
        const QUrl api(QStringLiteral("http://127.0.0.1:%1/items").arg(silent.serverPort()));
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        client.manager->addAllowedOrigin(api);
        QVERIFY(signIn(*client.session));
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 12; ++i)
            replies.append(client.manager->post(QNetworkRequest(api), QByteArray("x")));
        QTRY_VERIFY_WITH_TIMEOUT(held.size() >= 6, 5000); // six connections, the rest queued
        QTest::qWait(200);
        const int before = int(seen.count("POST /items"));
        client.session->signOut();
        int cancelled = 0;
        for (auto *reply : replies) {
            if (reply->isFinished() && reply->error() == QNetworkReply::AuthenticationRequiredError)
                ++cancelled;
        }
        // The connections free up: anything still queued would go out now.
        for (auto *socket : std::as_const(held))
            socket->write("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        QTest::qWait(500);
        QCOMPARE(int(seen.count("POST /items")), before); // nothing more went out
        QVERIFY2(cancelled >= 12 - before, qPrintable(QString::number(cancelled)));
        for (auto *reply : replies)
            reply->deleteLater();
        qDeleteAll(held);
    }

    void heldRequestsOfAliceFailWhenBobSignsIn()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        client.session->setReauthenticationHandler([] {});
        QVERIFY(signIn(*client.session, QStringLiteral("alice")));
        QVERIFY(
            expireThen(*server, QStringLiteral("revoked-refresh"), {{QStringLiteral("count"), 1}}));
        QNetworkRequest request(endpoint(*server, "/boards"));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
        QNetworkReply *reply
            = client.manager->post(request, QByteArray(R"({"title":"a","body":"b"})"));
        QTRY_VERIFY_WITH_TIMEOUT(client.session->isHoldingRequests(), 5000);
        QVERIFY(signIn(*client.session, QStringLiteral("bob")));
        QVERIFY(waitFinished(reply));
        QCOMPARE(reply->error(), QNetworkReply::AuthenticationRequiredError);
        QCOMPARE(stat(*server, "posts"), 0);
        reply->deleteLater();
    }

    // The session goes away while a request waits for it (offline wait):
    // the request finishes, nothing reads freed memory.
    void sessionDeletedWhileRequestsWait()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        client.session->setOfflineWait(std::chrono::seconds(30));
        QVERIFY(signIn(*client.session));
        QVERIFY(expireThen(*server, QStringLiteral("refresh-unavailable")));
        QNetworkReply *reply = get(*client.manager, *server, "/profile");
        QTRY_COMPARE_WITH_TIMEOUT(client.session->status(), Session::Status::Offline, 5000);
        QVERIFY(!reply->isFinished());
        QSignalSpy finished(reply, &QNetworkReply::finished);
        client.session.reset();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 2000);
        QCOMPARE(reply->error(), QNetworkReply::OperationCanceledError);
        QTest::qWait(100);
        QCOMPARE(finished.count(), 1);
        reply->deleteLater();
    }

    // The store dies in the middle of writing the rotated token: the refresh
    // ends (isRefreshing() false) and the waiting request is answered.
    void storeDiesDuringWrite()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        auto *store = new SlowStore;
        auto client = makeClient(*server, store);
        QVERIFY(signIn(*client.session));
        store->latencyMs = 200;
        store->dieOnWrite = true;
        QVERIFY(expireNow(*server));
        QNetworkReply *reply = get(*client.manager, *server, "/profile");
        QVERIFY(waitFinished(reply, 10000));
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QVERIFY(!client.session->isRefreshing());
        QCOMPARE(client.session->status(), Session::Status::SignedIn);
        reply->deleteLater();
    }

    // With the token endpoint down, 30 requests do not make 30 refreshes:
    // the session owns the backoff and every 401 joins it.
    void backoffIsOwnedByTheSession()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        QVERIFY(expireThen(*server, QStringLiteral("refresh-unavailable")));
        const int before = refreshesAtServer(*server);
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 30; ++i) {
            replies.append(get(*client.manager, *server, "/profile"));
            QTest::qWait(100);
        }
        for (auto *reply : replies) {
            QVERIFY(waitFinished(reply));
            reply->deleteLater();
        }
        // Retry-After: 1 and 1 s / 2 s backoff: about three attempts in 3 s.
        const int attempts = refreshesAtServer(*server) - before;
        qInfo("refresh attempts in 3 s with the endpoint down: %d", attempts);
        QVERIFY2(attempts <= 4, qPrintable(QString::number(attempts)));
    }

    // Requests waiting with offlineWait are released when the endpoint comes
    // back inside their wait.
    void offlineWaitSurvivesManyRequests()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        client.session->setOfflineWait(std::chrono::seconds(15));
        QVERIFY(signIn(*client.session));
        QVERIFY(expireThen(*server, QStringLiteral("refresh-unavailable"),
                           {{QStringLiteral("count"), 2}}));
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 20; ++i)
            replies.append(get(*client.manager, *server, "/profile"));
        for (auto *reply : replies) {
            QVERIFY(waitFinished(reply, 20000));
            QCOMPARE(reply->error(), QNetworkReply::NoError);
            reply->deleteLater();
        }
        QCOMPARE(stat(*server, "refreshes", "ok"), 1);
    }

    // A restore that only succeeds on a retry is still announced as one, and
    // errors for unusable input come from the event loop, not from the call.
    void restoreThroughARetryIsAnnounced()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        MemoryTokenStore store;
        {
            auto first = makeClient(*server, &store);
            QVERIFY(signIn(*first.session));
        }
        auto client = makeClient(*server, &store);
        QString error;
        QVERIFY(server->setScenario(QStringLiteral("refresh-unavailable"),
                                    {{QStringLiteral("count"), 1}}, &error));
        QSignalSpy signedIn(client.session.get(), &Session::signedIn);
        QSignalSpy events(client.session.get(), &Session::activity);
        client.session->restore();
        QVERIFY(signedIn.wait(10000));
        QCOMPARE(signedIn.count(), 1);
        QCOMPARE(client.session->status(), Session::Status::SignedIn);
        bool restored = false;
        for (const auto &e : events)
            restored
                = restored || e.at(0).value<Session::Event>() == Session::Event::SessionRestored;
        QVERIFY(restored);

        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        client.session->restoreFrom(QByteArray());
        QCOMPARE(errors.count(), 0); // not before the call returns
        QVERIFY(errors.wait(2000));
        QCOMPARE(errors.first().at(0).value<Session::Error>(), Session::Error::NoStoredSession);
    }

    // Retry-After on a refresh 503 is honoured.
    void retryAfterIsHonoured()
    {
        FailingRefresh f(emptyAnswer("503 Service Unavailable", "Retry-After: 3\r\n"));
        QVERIFY(f.offline());
        QTest::qWait(2000); // the 1 s backoff alone would have retried by now
        QCOMPARE(requestCount(f.idp), 1);
        QTRY_COMPARE_WITH_TIMEOUT(requestCount(f.idp), 2, 4000);
    }

    // A Retry-After too large for any clock is the longest wait (1 h), not none.
    void retryAfterBeyondAnyRangeIsTheLongestWait_data()
    {
        QTest::addColumn<QByteArray>("retryAfter");
        QTest::newRow("seconds beyond 32 bits") << QByteArray("99999999999");
        QTest::newRow("seconds beyond 64 bits") << QByteArray("99999999999999999999999");
        QTest::newRow("a date in 2099") << QByteArray("Wed, 21 Oct 2099 07:28:00 GMT");
    }

    void retryAfterBeyondAnyRangeIsTheLongestWait()
    {
        QFETCH(QByteArray, retryAfter);
        const QByteArray header = "Retry-After: " + retryAfter + "\r\n";
        FailingRefresh f(emptyAnswer("503 Service Unavailable", header.constData()));
        QVERIFY(f.offline());
        QTest::qWait(2500); // the 1 s backoff alone would have retried by now
        QCOMPARE(requestCount(f.idp), 1);
    }

    // Only on 503 (and 429) does Retry-After promise anything: a 500 that
    // sends one is retried on the session's own backoff.
    void retryAfterOnOtherStatusesIsNotAPromise()
    {
        FailingRefresh f(emptyAnswer("500 Internal Server Error", "Retry-After: 30\r\n"));
        QVERIFY(f.offline());
        QTRY_COMPARE_WITH_TIMEOUT(requestCount(f.idp), 2, 5000); // 1 s ±20 %, not 30 s
    }

    // Without a network nothing is tried: a retry due meanwhile waits for the
    // network, and the backoff does not grow; when it is back, the session
    // retries at once.
    void noRetriesWhileTheNetworkIsDown()
    {
        FailingRefresh f(emptyAnswer("503 Service Unavailable"));
        QVERIFY(f.offline());
        f.client.session->setNetworkReachable(false);
        QTest::qWait(3500); // retries at 1 s and 2 s would have gone by now
        QCOMPARE(requestCount(f.idp), 1);
        QCOMPARE(f.client.session->status(), Session::Status::Offline);
        QVERIFY(!f.client.session->isRefreshing());
        f.client.session->setNetworkReachable(true); // nothing else would retry now
        QTRY_COMPARE_WITH_TIMEOUT(requestCount(f.idp), 2, 2000);
        // Failed again: the next retry is the second step of the backoff
        // (2 s ±20 %), not a later one grown while the network was down.
        QTRY_COMPARE_WITH_TIMEOUT(requestCount(f.idp), 3, 4000);

        // Down before the failure: the retry it schedules waits as well.
        f.client.session->setNetworkReachable(false);
        QTest::qWait(4000);
        QCOMPARE(requestCount(f.idp), 3);
        f.client.session->setNetworkReachable(true);
        QTRY_COMPARE_WITH_TIMEOUT(requestCount(f.idp), 4, 2000);
        // Signed out while parked: coming back tries nothing.
        f.client.session->setNetworkReachable(false);
        QTest::qWait(300);
        f.client.session->signOut();
        const int beforeBack = requestCount(f.idp);
        f.client.session->setNetworkReachable(true);
        QTest::qWait(1500);
        QCOMPARE(requestCount(f.idp), beforeBack);
    }

    // Reports that the network is there, when it never went, retry nothing;
    // and a network that flaps never brings a retry before the server's
    // Retry-After.
    void networkReportsDoNotOverrideRetryAfter()
    {
        FailingRefresh f(emptyAnswer("503 Service Unavailable", "Retry-After: 3\r\n"));
        QVERIFY(f.offline());
        for (int i = 0; i < 5; ++i) {
            f.client.session->setNetworkReachable(true);
            QTest::qWait(100);
        }
        QCOMPARE(requestCount(f.idp), 1);
        for (int i = 0; i < 5; ++i) {
            f.client.session->setNetworkReachable(false);
            f.client.session->setNetworkReachable(true);
            QTest::qWait(100);
        }
        QTest::qWait(500); // about 1.6 s of the 3 s gone
        QCOMPARE(requestCount(f.idp), 1);
        QTRY_COMPARE_WITH_TIMEOUT(requestCount(f.idp), 2, 4000); // at the Retry-After
    }

    // The network goes while the 503 is on its way: the retry waits for the
    // network, and once it is back, still for the answer's Retry-After.
    void retryAfterHoldsWhenTheAnswerComesOffline()
    {
        RawServer idp;
        QVERIFY(idp.start());
        RawResponse busy = RawResponse::status(503, QByteArray(10, ' '));
        busy.headers.append(qMakePair(QByteArray("Retry-After"), QByteArray("3")));
        busy.trickleBytes = 1;
        busy.trickleIntervalMs = 50; // the answer takes half a second
        idp.route("/token", busy);
        MemoryTokenStore store;
        auto client = makeClient(
            std::make_unique<OAuth2Protocol>(idp.url("/token"), QStringLiteral("app")), &store);
        client.session->restoreFrom("refresh-token-1");
        QTRY_COMPARE(idp.requests().size(), 1);
        QVERIFY(client.session->isRefreshing());
        client.session->setNetworkReachable(false);
        QTRY_VERIFY_WITH_TIMEOUT(!client.session->isRefreshing(), 5000); // the 503 is in
        QCOMPARE(client.session->status(), Session::Status::Offline);
        client.session->setNetworkReachable(true);
        QTest::qWait(1500);
        QCOMPARE(idp.requests().size(), 1); // not before its Retry-After
        QTRY_COMPARE_WITH_TIMEOUT(idp.requests().size(), 2, 4000);
    }

    // The token a refresh just brought is rejected as well: one refresh, not
    // one per request, and every request ends with the 401.
    void newTokenAlsoRejectedRefreshesOnce()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        CapturingServer api(
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer error=\"invalid_token\"\r\n"
            "Content-Length: 0\r\n\r\n");
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        client.manager->addAllowedOrigin(api.url());
        QVERIFY(signIn(*client.session));
        QList<QNetworkReply *> replies;
        for (int i = 0; i < 20; ++i)
            replies.append(client.manager->get(QNetworkRequest(api.url("/thing"))));
        for (auto *reply : replies) {
            QVERIFY(waitFinished(reply));
            QCOMPARE(reply->error(), QNetworkReply::AuthenticationRequiredError);
            reply->deleteLater();
        }
        QCOMPARE(stat(*server, "refreshes", "ok"), 1);
        QVERIFY2(requestCount(api) <= 40, qPrintable(QString::number(requestCount(api))));
    }

    // Tokens that arrive already expired do not start a refresh loop.
    void expiredOnArrivalDoesNotLoop()
    {
        const QByteArray access = unsignedJwt(
            {{QStringLiteral("sub"), QStringLiteral("alice")},
             {QStringLiteral("exp"), double(QDateTime::currentSecsSinceEpoch() - 600)}});
        CapturingServer idp(tokenAnswer(R"({"access_token":")" + access
                                        + R"(","token_type":"Bearer","refresh_token":"r"})"));
        MemoryTokenStore store;
        auto client = makeClient(
            std::make_unique<OAuth2Protocol>(idp.url("/token"), QStringLiteral("app")), &store);
        QVERIFY(signIn(*client.session));
        QTest::qWait(3000);
        QCOMPARE(requestCount(idp), 1);
        QCOMPARE(client.session->refreshCount(), 0);
    }

    // CR/LF in a token from the server never reaches a header.
    void headerInjectionInTokenIsRefused()
    {
        CapturingServer idp(
            tokenAnswer(R"({"access_token":"abc\r\nX-Injected: yes","token_type":"Bearer"})"));
        MemoryTokenStore store;
        auto client = makeClient(
            std::make_unique<OAuth2Protocol>(idp.url("/token"), QStringLiteral("app")), &store);
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        client.session->signIn(QStringLiteral("alice"), QStringLiteral("pw"));
        QVERIFY(errors.wait(5000));
        QCOMPARE(errors.first().at(0).value<Session::Error>(), Session::Error::MalformedResponse);
        QCOMPARE(client.session->status(), Session::Status::SignedOut);
        QVERIFY(client.session->accessToken().isEmpty());
    }

    // OAuth errors that are about this client keep the stored token.
    void clientErrorsKeepTheStoredToken_data()
    {
        QTest::addColumn<QByteArray>("code");
        for (const char *code :
             {"invalid_client", "invalid_scope", "unauthorized_client", "unsupported_grant_type"})
            QTest::newRow(code) << QByteArray(code);
    }
    void clientErrorsKeepTheStoredToken()
    {
        QFETCH(QByteArray, code);
        CapturingServer idp(tokenAnswer(R"({"error":")" + code + R"("})", "400 Bad Request"));
        SlowStore store;
        store.token = "stored-refresh";
        auto client = makeClient(
            std::make_unique<OAuth2Protocol>(idp.url("/token"), QStringLiteral("app")), &store);
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        client.session->restore();
        QVERIFY(errors.wait(5000));
        QCOMPARE(errors.first().at(0).value<Session::Error>(), Session::Error::ConfigurationError);
        QVERIFY(!errors.first().at(1).toString().contains(QLatin1String("session has ended")));
        QCOMPARE(store.token, QByteArray("stored-refresh"));
        QCOMPARE(store.removes, 0);
    }

    // A revocation endpoint that answers 404 is reported.
    void failedRevocationIsReported()
    {
        CapturingServer idp(
            tokenAnswer(R"({"access_token":"a","token_type":"Bearer","refresh_token":"r"})"));
        CapturingServer revoke("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        auto protocol = std::make_unique<OAuth2Protocol>(idp.url("/token"), QStringLiteral("app"));
        protocol->setRevocationUrl(revoke.url("/revoke"));
        MemoryTokenStore store;
        auto client = makeClient(std::move(protocol), &store);
        QVERIFY(signIn(*client.session));
        signOutReportsOnce(*client.session, Session::Error::RevocationFailed, "404");
    }

    // A request waits out a transient failure (offline wait) when the user
    // signs out: it finishes at once, it does not wait for its deadline.
    void signOutEndsRequestsWaitingForARetry()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        client.session->setOfflineWait(std::chrono::seconds(60));
        QVERIFY(signIn(*client.session));
        QVERIFY(expireThen(*server, QStringLiteral("refresh-unavailable")));
        QNetworkReply *first = get(*client.manager, *server, "/profile");
        QTRY_COMPARE_WITH_TIMEOUT(client.session->status(), Session::Status::Offline, 5000);
        QNetworkReply *second = get(*client.manager, *server, "/profile"); // joins the retry
        QTest::qWait(200);
        QVERIFY(!first->isFinished());
        QVERIFY(!second->isFinished());
        client.session->signOut();
        QTRY_VERIFY_WITH_TIMEOUT(first->isFinished() && second->isFinished(), 2000);
        QCOMPARE(first->error(), QNetworkReply::AuthenticationRequiredError);
        QCOMPARE(second->error(), QNetworkReply::AuthenticationRequiredError);
        first->deleteLater();
        second->deleteLater();
    }

    // Without an offline wait a request fails as soon as the refresh cannot
    // be made, even when the session has a retry scheduled far ahead.
    void noOfflineWaitFailsAtOnceWhileARetryIsScheduled()
    {
        CapturingServer idp("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 30\r\nConnection: "
                            "close\r\nContent-Length: 0\r\n\r\n");
        CapturingServer api("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
        MemoryTokenStore store;
        auto client = makeClient(
            std::make_unique<OAuth2Protocol>(idp.url("/token"), QStringLiteral("app")), &store);
        client.manager->addAllowedOrigin(api.url());
        client.session->restoreFrom("refresh-token-1");
        QTRY_COMPARE_WITH_TIMEOUT(client.session->status(), Session::Status::Offline, 5000);
        QElapsedTimer timer;
        timer.start();
        QNetworkReply *reply = client.manager->get(QNetworkRequest(api.url("/thing")));
        QVERIFY(waitFinished(reply, 40000));
        QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(reply->error(), QNetworkReply::TemporaryNetworkFailureError);
        QCOMPARE(requestCount(idp), 1); // the retry stays where the server asked for it
        reply->deleteLater();
    }

    // Requests held for a re-login go out when the same user's session comes
    // back through restoreFrom() instead of signIn().
    void restoreReleasesRequestsHeldForTheSameUser()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        MemoryTokenStore other;
        QByteArray aliceToken;
        {
            auto elsewhere = makeClient(*server, &other);
            QVERIFY(signIn(*elsewhere.session, QStringLiteral("alice")));
            aliceToken = readStore(other).token;
        }
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        client.session->setReauthenticationHandler([] {});
        QVERIFY(signIn(*client.session, QStringLiteral("alice")));
        QVERIFY(
            expireThen(*server, QStringLiteral("revoked-refresh"), {{QStringLiteral("count"), 1}}));
        QNetworkReply *reply = get(*client.manager, *server, "/profile");
        QTRY_VERIFY_WITH_TIMEOUT(client.session->isHoldingRequests(), 5000);
        client.session->restoreFrom(aliceToken);
        QVERIFY(waitFinished(reply, 10000));
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QCOMPARE(client.session->status(), Session::Status::SignedIn);
        QVERIFY(!client.session->isHoldingRequests());
        reply->deleteLater();
    }

    // A token from elsewhere says nothing about who it belongs to (opaque):
    // the previous user's identity does not stick to it.
    void restoreFromForgetsThePreviousIdentity()
    {
        CapturingServer idp(tokenAnswer(R"({"access_token":"opaque-2","token_type":"Bearer",)"
                                        R"("refresh_token":"r2","expires_in":3600})"));
        idp.responses = {tokenAnswer(R"({"access_token":"opaque-1","token_type":"Bearer",)"
                                     R"("refresh_token":"r1","expires_in":3600})"),
                         tokenAnswer(R"({"error":"invalid_grant"})", "400 Bad Request")};
        MemoryTokenStore store;
        auto client = makeClient(
            std::make_unique<OAuth2Protocol>(idp.url("/token"), QStringLiteral("app")), &store);
        QVERIFY(signIn(*client.session, QStringLiteral("alice")));
        QCOMPARE(client.session->identity(), QStringLiteral("alice"));
        client.session->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(client.session->status(), Session::Status::Expired, 5000);
        QSignalSpy signedIn(client.session.get(), &Session::signedIn);
        client.session->restoreFrom("someone-elses-token");
        QVERIFY(signedIn.wait(5000));
        QVERIFY(client.session->identity() != QLatin1String("alice"));
        QVERIFY(client.session->username() != QLatin1String("alice"));
    }

    // A restore that goes through a retry and is then rejected ends like any
    // failed restore: signed out, nothing held, "no stored session".
    void restoreRejectedAfterARetryEndsSignedOut()
    {
        CapturingServer idp(tokenAnswer(R"({"error":"invalid_grant"})", "400 Bad Request"));
        idp.responses = {"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: "
                         "close\r\nContent-Length: 0\r\n\r\n"};
        SlowStore store;
        store.token = "stored-refresh";
        auto client = makeClient(
            std::make_unique<OAuth2Protocol>(idp.url("/token"), QStringLiteral("app")), &store);
        client.session->setReauthenticationHandler([] {});
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        client.session->restore();
        QTRY_COMPARE_WITH_TIMEOUT(requestCount(idp), 2, 8000);
        QTRY_COMPARE_WITH_TIMEOUT(client.session->status(), Session::Status::SignedOut, 5000);
        QVERIFY(!client.session->isHoldingRequests());
        QCOMPARE(errors.last().at(0).value<Session::Error>(), Session::Error::NoStoredSession);
        for (const auto &e : errors)
            QVERIFY(e.at(0).value<Session::Error>() != Session::Error::SessionExpired);
    }

    // Another process (a second session on the same store) rotated the token
    // since this one last refreshed. Signing out here revokes what the store
    // holds as well: no live refresh token is left behind.
    void signOutRevokesTheTokenAnotherProcessStored()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto first = makeClient(*server, &store);
        auto second = makeClient(*server, &store);
        QVERIFY(signInThenRestore(*first.session, *second.session));
        QVERIFY(!readStore(store).token.isEmpty());
        QVERIFY(signsOut(*first.session));
        QVERIFY(readStore(store).token.isEmpty());
        QCOMPARE(stat(*server, "liveRefreshTokens"), 0);
    }

    // Another process refreshed (spending the token this one holds) and then
    // signed out, removing the shared entry. This session ends without
    // presenting its spent token, which the server would take for theft.
    void anotherProcessSigningOutEndsThisSessionQuietly()
    {
        const auto processes = twoProcesses();
        QVERIFY(processes);
        auto &[server, store, first, second] = *processes;
        first.session->refresh(); // adopts the second's token and spends it
        QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "refreshes", "ok"), 2, 5000);
        QTRY_VERIFY(!first.session->isRefreshing());
        QVERIFY(signsOut(*first.session));
        QVERIFY(store.token.isEmpty());
        const int attempts = refreshesAtServer(*server);
        second.session->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(second.session->status(), Session::Status::Expired, 5000);
        QCOMPARE(refreshesAtServer(*server), attempts);
        QCOMPARE(reuse(*server), 0);
    }

    // Another process signs out, or signs in someone else, while this one's
    // refresh is on the wire. What the other did is not undone: the sign-out
    // waits for the refresh's lock and revokes the token it brought, so this
    // session ends at its next refresh and no live token is left; the new
    // token of the refresh is not written over the sign-in's, this session
    // follows the entry, and the other process's user stays theirs.
    void anotherProcessActingDuringARefreshIsNotUndone_data()
    {
        QTest::addColumn<bool>("signsInBob");
        QTest::newRow("signs out") << false;
        QTest::newRow("signs in as bob") << true;
    }

    void anotherProcessActingDuringARefreshIsNotUndone()
    {
        QFETCH(bool, signsInBob);
        const auto processes = twoProcesses();
        QVERIFY(processes);
        auto &[server, store, first, second] = *processes;
        QString error;
        QVERIFY(server->setScenario(QStringLiteral("slow-refresh"),
                                    {{QStringLiteral("delayMs"), 800}}, &error));
        second.session->refresh();
        QTest::qWait(300); // the refresh is on the wire
        if (signsInBob) {
            QVERIFY(signIn(*first.session, QStringLiteral("bob")));
        } else {
            QVERIFY(signsOut(*first.session));
            QVERIFY(store.token.isEmpty());
        }
        QTRY_VERIFY_WITH_TIMEOUT(!second.session->isRefreshing(), 8000);
        if (!signsInBob) {
            // The sign-out waited for the refresh's lock and revoked its new token.
            QTest::qWait(300);
            QVERIFY2(store.token.isEmpty(), "the entry holds a token after the sign-out");
            QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "liveRefreshTokens"), 0, 5000);
            second.session->refresh();
            QTRY_COMPARE_WITH_TIMEOUT(second.session->status(), Session::Status::Expired, 8000);
            QVERIFY(second.session->accessToken().isEmpty());
        } else {
            // The sign-in waited for the refresh's lock: alice's new token was
            // stored first, then bob's over it.
            QCOMPARE(second.session->status(), Session::Status::SignedIn);
            QCOMPARE(second.session->identity(), QStringLiteral("alice"));
            QCOMPARE(first.session->identity(), QStringLiteral("bob"));
            QVERIFY(server->setScenario(QStringLiteral("normal"), {}, &error));
            // The second process's next refresh takes what the entry holds: bob's.
            QVERIFY(refreshes(*second.session));
            QCOMPARE(second.session->identity(), QStringLiteral("bob"));
            // The first goes on as bob with the token the second rotated.
            QVERIFY(refreshes(*first.session));
            QCOMPARE(first.session->identity(), QStringLiteral("bob"));
            QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "liveRefreshTokens"), 1, 3000); // bob's
        }
        QCOMPARE(reuse(*server), 0);
    }

    // Another process signed someone else in; this one's next refresh finds
    // their token in the entry and goes on as them. The token it held (its
    // user's, live, now in nobody's hands) is revoked, not left on the server.
    void anotherUsersTokenInTheEntryRevokesTheOneHeld()
    {
        const auto processes = twoProcesses();
        QVERIFY(processes);
        auto &[server, store, first, second] = *processes;
        QVERIFY(signIn(*first.session, QStringLiteral("bob")));
        QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "liveRefreshTokens"), 2, 3000);
        QVERIFY(refreshes(*second.session));
        QCOMPARE(second.session->identity(), QStringLiteral("bob"));
        QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "liveRefreshTokens"), 1, 3000);
        QCOMPARE(reuse(*server), 0);
    }

    // A sign-in writes over the token the entry held (a program that has
    // ended left it there): that token is revoked, not left live on the
    // server in nobody's hands. Every session on the entry follows what it
    // holds, so nobody goes on with the one replaced.
    void aSignInRevokesTheTokenItReplacesInTheEntry_data()
    {
        QTest::addColumn<QString>("user");
        QTest::addColumn<bool>("lateRead");
        QTest::newRow("another user") << QStringLiteral("bob") << false;
        QTest::newRow("the same user") << QStringLiteral("alice") << false;
        // The keychain answers the read after its deadline (1 s + grace), then the write.
        QTest::newRow("another user, read answered late") << QStringLiteral("bob") << true;
    }

    void aSignInRevokesTheTokenItReplacesInTheEntry()
    {
        QFETCH(QString, user);
        QFETCH(bool, lateRead);
        auto server = rotatingServer();
        QVERIFY(server);
        SlowStore store;
        store.entry = uniqueEntry();
        {
            auto ended = makeClient(*server, &store);
            QVERIFY(signIn(*ended.session));
        }
        const QByteArray replaced = store.token;
        auto client = makeClient(*server, &store);
        if (lateRead) {
            client.session->setRequestTimeout(std::chrono::milliseconds(1000));
            store.readLatencyMs = 1400;
            store.inOrder = true;
        }
        QVERIFY(signIn(*client.session, user));
        store.readLatencyMs = -1;
        QVERIFY(!store.token.isEmpty() && store.token != replaced);
        QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "liveRefreshTokens"), 1, 3000);
        QCOMPARE(stat(*server, "logouts"), 1);
        QVERIFY(refreshes(*client.session)); // the one live is the one the entry holds
        QCOMPARE(client.session->identity(), user);
        QCOMPARE(reuse(*server), 0);
    }

    // Another process signed someone else in over this one's user, then
    // signed out: the entry is gone. This session ends without presenting its
    // token, and revokes it: the sign-out revoked the other user's token, and
    // this one would otherwise stay live with nobody holding it.
    void anEntryGoneAfterAnotherUserLeavesNoLiveToken()
    {
        const auto processes = twoProcesses();
        QVERIFY(processes);
        auto &[server, store, first, second] = *processes;
        QVERIFY(signIn(*first.session, QStringLiteral("bob")));
        QVERIFY(signsOut(*first.session));
        const int attempts = refreshesAtServer(*server);
        second.session->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(second.session->status(), Session::Status::Expired, 5000);
        QCOMPARE(refreshesAtServer(*server), attempts);
        QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "liveRefreshTokens"), 0, 3000);
        QCOMPARE(reuse(*server), 0);
    }

    // Another process signs out while this one writes the token its refresh
    // just brought. The sign-out waits for the entry's lock, so it revokes
    // that new token rather than removing the entry before it lands: no live
    // token is left behind, and this session ends at its next refresh.
    void signOutWaitsForARotationBeingStored()
    {
        const auto processes = twoProcesses();
        QVERIFY(processes);
        auto &[server, store, first, second] = *processes;
        store.latencyMs = 400;
        const int writes = store.writes;
        second.session->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(store.writes > writes, 5000); // the rotated token is on its way
        QVERIFY(signsOut(*first.session, 10000));
        QTRY_VERIFY_WITH_TIMEOUT(!second.session->isRefreshing(), 5000);
        QVERIFY2(store.token.isEmpty(), "the entry holds a token after the sign-out");
        QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "liveRefreshTokens"), 0, 5000);
        second.session->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(second.session->status(), Session::Status::Expired, 8000);
        QCOMPARE(reuse(*server), 0);
    }

    // Another process signs in someone else just after this one's refresh
    // began writing its new token. The sign-in waits for the entry's lock,
    // so its token is written after the refresh's, not under it: the next
    // launch restores the user who signed in last.
    void aSignInIsNotWrittenOverByARotation()
    {
        const auto processes = twoProcesses();
        QVERIFY(processes);
        auto &[server, store, first, second] = *processes;
        store.latencyMs = 600;
        const int writes = store.writes;
        second.session->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(store.writes > writes, 5000); // alice's new token on its way
        store.latencyMs = 0;
        QVERIFY(signIn(*first.session, QStringLiteral("bob")));
        QTRY_VERIFY_WITH_TIMEOUT(!second.session->isRefreshing(), 5000);
        QTest::qWait(700); // every write has landed
        auto next = makeClient(*server, &store); // the next launch
        QVERIFY(restores(*next.session));
        QCOMPARE(next.session->identity(), QStringLiteral("bob"));
        QCOMPARE(reuse(*server), 0);
    }

    // A program quits while a refresh is on the wire and its keychain is
    // slow. Waiting for the session to settle first keeps the token the
    // refresh brought: the next launch restores with it, and the server sees
    // no spent token presented again.
    void quittingAfterTheSessionSettledKeepsTheNewToken()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        SlowStore store;
        store.entry = uniqueEntry();
        {
            auto client = makeClient(*server, &store);
            QVERIFY(signIn(*client.session));
            QTRY_VERIFY(!client.session->isSettling());
            store.latencyMs = 300;
            const int writes = store.writes;
            client.session->refresh();
            QTRY_VERIFY_WITH_TIMEOUT(store.writes > writes, 5000); // the new token on its way
            QCOMPARE(stat(*server, "refreshes", "ok"), 1);
            QVERIFY(client.session->isSettling());
            QVERIFY(client.session->waitUntilSettled(std::chrono::seconds(5)));
            QVERIFY(!client.session->isSettling());
        }
        store.halted = true; // the process ends: nothing still under way lands
        QTest::qWait(400);
        store.halted = false;
        store.latencyMs = 0;
        auto next = makeClient(*server, &store);
        QVERIFY(restores(*next.session));
        QCOMPARE(reuse(*server), 0);
        // And a sign-out waited for the same way leaves nothing behind.
        next.session->signOut();
        QVERIFY(next.session->isSettling());
        QVERIFY(next.session->waitUntilSettled(std::chrono::seconds(5)));
        QVERIFY(store.token.isEmpty());
        QCOMPARE(stat(*server, "liveRefreshTokens"), 0);
    }

    // waitUntilSettled() from a queued call (not a slot of the session):
    // what the session still has queued runs inside the wait.
    void waitingToSettleFromAQueuedCall()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        SlowStore store;
        store.entry = uniqueEntry();
        auto client = makeClient(*server, &store);
        bool settled = false;
        qint64 waitedMs = -1;
        connect(client.session.get(), &Session::signedIn, this, [&] {
            QTimer::singleShot(0, this, [&] {
                QElapsedTimer waited;
                waited.start();
                settled = client.session->waitUntilSettled(std::chrono::seconds(5));
                waitedMs = waited.elapsed();
            });
        });
        client.session->signIn(QStringLiteral("alice"), QStringLiteral("alice-password"));
        QTRY_VERIFY_WITH_TIMEOUT(waitedMs >= 0, 10000);
        QVERIFY(settled);
        QVERIFY2(waitedMs < 2000, qPrintable(QString::number(waitedMs)));
    }

    // The sign-in's keychain write answers long after it was given up on,
    // and after a sign-out removed the entry: what it put back is removed.
    void aLateWriteDoesNotOutliveTheSignOut()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        SlowStore store;
        auto client = makeClient(*server, &store);
        client.session->setRequestTimeout(std::chrono::milliseconds(1000));
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        store.latencyMs = 2500;
        client.session->signIn(QStringLiteral("alice"), QStringLiteral("alice-password"));
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), 5000); // the write was given up on
        QCOMPARE(errors.last().at(0).value<Session::Error>(), Session::Error::KeychainUnavailable);
        store.latencyMs = 0;
        QVERIFY(signsOut(*client.session));
        QTRY_COMPARE_WITH_TIMEOUT(store.writes, 1, 1000);
        QTest::qWait(2500); // the late write has landed
        QVERIFY2(store.token.isEmpty(), "the entry holds a token after the sign-out");
        QCOMPARE(client.session->status(), Session::Status::SignedOut);
    }

    // A keychain answer delivered just after the deadline, as it is to a
    // program that was stopped while the keychain answered (the deadline's
    // timer and the answer are both due when it goes on), is taken: the
    // deadline is confirmed after a grace of a tenth of it.
    void aStoreAnswerJustAfterItsDeadlineIsTaken()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        SlowStore store;
        auto client = makeClient(*server, &store);
        client.session->setRequestTimeout(std::chrono::milliseconds(1000));
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        store.latencyMs = 1040; // the grace is 100 ms
        QVERIFY(signIn(*client.session));
        QTRY_COMPARE_WITH_TIMEOUT(store.writes, 1, 1000);
        QTRY_VERIFY_WITH_TIMEOUT(!client.session->isSettling(), 3000);
        QVERIFY2(errors.isEmpty(), qPrintable(errors.value(0).value(1).toString()));
        QVERIFY(!store.token.isEmpty());
        QCOMPARE(client.session->status(), Session::Status::SignedIn);
    }

    // A refresh had its answer, and its new token is being stored, when a
    // sign-in or a restoreFrom() supersedes it: nobody takes that token, so
    // it is revoked rather than left live on the server.
    void aSupersededRotationIsRevoked_data()
    {
        QTest::addColumn<bool>("restoreFrom");
        QTest::newRow("signIn") << false;
        QTest::newRow("restoreFrom") << true;
    }

    void aSupersededRotationIsRevoked()
    {
        QFETCH(bool, restoreFrom);
        auto server = rotatingServer();
        QVERIFY(server);
        MemoryTokenStore other;
        QByteArray bobToken;
        {
            auto elsewhere = makeClient(*server, &other);
            QVERIFY(signIn(*elsewhere.session, QStringLiteral("bob")));
            bobToken = readStore(other).token;
        }
        SlowStore store;
        store.entry = uniqueEntry();
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        QCOMPARE(stat(*server, "liveRefreshTokens"), 2);
        store.latencyMs = 600;
        const int writes = store.writes;
        client.session->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(store.writes > writes, 5000); // the rotated token is on its way
        QSignalSpy signedIn(client.session.get(), &Session::signedIn);
        if (restoreFrom)
            client.session->restoreFrom(bobToken);
        else
            client.session->signIn(QStringLiteral("bob"), QStringLiteral("bob-password"));
        QVERIFY(signedIn.wait(8000));
        QCOMPARE(client.session->identity(), QStringLiteral("bob"));
        // Bob's: the one restored from (rotated), or the one from elsewhere and the
        // new sign-in's. None of alice's.
        QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "liveRefreshTokens"), restoreFrom ? 1 : 2, 5000);
        QTest::qWait(300);
        QCOMPARE(stat(*server, "liveRefreshTokens"), restoreFrom ? 1 : 2);
        QCOMPARE(reuse(*server), 0);
    }

    // A sign-out, then at once a restoreFrom() in the same process, while a
    // refresh's write is under way: the sign-out does not wait for the lock
    // that this process's own new flight holds.
    void aSignOutDoesNotWaitForItsOwnProcess()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        MemoryTokenStore other;
        QByteArray bobToken;
        {
            auto elsewhere = makeClient(*server, &other);
            QVERIFY(signIn(*elsewhere.session, QStringLiteral("bob")));
            bobToken = readStore(other).token;
        }
        SlowStore store;
        store.entry = uniqueEntry();
        auto client = makeClient(*server, &store);
        client.session->setRequestTimeout(std::chrono::milliseconds(3000));
        QVERIFY(signIn(*client.session));
        store.latencyMs = 800;
        const int writes = store.writes;
        client.session->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(store.writes > writes, 5000);
        QElapsedTimer took;
        took.start();
        client.session->signOut();
        QSignalSpy signedIn(client.session.get(), &Session::signedIn);
        client.session->restoreFrom(bobToken);
        QVERIFY(signedIn.wait(15000));
        // The store calls before it: the refresh's write, the sign-out's read and
        // removal, its own write; far from the lock's wait (17 s).
        QVERIFY2(took.elapsed() < 6000, qPrintable(QString::number(took.elapsed())));
        QCOMPARE(client.session->identity(), QStringLiteral("bob"));
    }

    // A keychain that cannot remove the entry on sign-out says so.
    void signOutReportsAStoreThatKeepsTheToken()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        SlowStore store;
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        store.failRemove = true;
        signOutReportsOnce(*client.session, Session::Error::KeychainUnavailable, "locked");
    }

    // Two processes on one entry, with a keychain so slow that reading,
    // refreshing and writing together take longer than one request timeout:
    // the second still waits for the first and refreshes with the new token.
    void lockIsHeldForTheWholeRefresh()
    {
        const auto processes = twoProcesses();
        QVERIFY(processes);
        auto &[server, store, first, second] = *processes;
        for (auto *session : {first.session.get(), second.session.get()})
            session->setRequestTimeout(std::chrono::milliseconds(1000));
        store.latencyMs = 700;
        first.session->refresh();
        second.session->refresh();
        QTRY_VERIFY_WITH_TIMEOUT(!first.session->isRefreshing() && !second.session->isRefreshing(),
                                 15000);
        QCOMPARE(reuse(*server), 0);
        QCOMPARE(first.session->status(), Session::Status::SignedIn);
        QCOMPARE(second.session->status(), Session::Status::SignedIn);
    }

    // A live process that holds the entry's lock far longer than a working
    // one does (stopped in a debugger, hung) is not gone around: the token in
    // the entry may be one it has already spent. The session is offline and
    // says who holds it up; while the lock stays that old its retries only
    // look at the lock file; once the holder lets go, it refreshes with what
    // the entry holds. A lock whose process is gone is taken over at once,
    // and another user's lock file (a shared temporary directory) is not
    // waited for.
    void aLockHeldTooLongKeepsTheSessionOffline_data()
    {
        QTest::addColumn<bool>("restoring");
        QTest::addColumn<QString>("holder");
        for (const bool restoring : {true, false}) {
            for (const char *holder : {"alive", "dead", "another user"})
                QTest::addRow("%s, holder %s", restoring ? "restore" : "refresh", holder)
                    << restoring << QString::fromLatin1(holder);
        }
    }

    void aLockHeldTooLongKeepsTheSessionOffline()
    {
        QFETCH(bool, restoring);
        QFETCH(QString, holder);
        const bool holderAlive = holder == QLatin1String("alive");
        if (holder == QLatin1String("another user") && ::geteuid() != 0)
            QSKIP("making a file of another user's takes root");
        auto server = rotatingServer();
        QVERIFY(server);
        SlowStore store;
        store.entry = uniqueEntry();
        auto first = makeClient(*server, &store);
        QVERIFY(signIn(*first.session));
        auto client = makeClient(*server, &store);
        // Waits for a working holder 5 × 200 ms + 2 s.
        client.session->setRequestTimeout(std::chrono::milliseconds(200));
        if (!restoring)
            QVERIFY(restores(*client.session));
        const int before = refreshesAtServer(*server);

        const QString lockPath = sharedEntryFile(store.entry, ".lock");
        QLockFile held(lockPath);
        held.setStaleLockTime(std::chrono::milliseconds(0));
        if (holderAlive) {
            QVERIFY(held.tryLock(0)); // this test process: alive
        } else {
            qint64 pid = QCoreApplication::applicationPid(); // alive, but another user's file
            if (holder == QLatin1String("dead")) {
                QProcess gone;
                gone.start(QStringLiteral("true"));
                QVERIFY(gone.waitForStarted(5000));
                pid = gone.processId();
                QVERIFY(gone.waitForFinished(5000));
            }
            QFile file(lockPath);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(QByteArray::number(pid) + "\n"
                       + QCoreApplication::applicationFilePath().toUtf8() + "\n"
                       + QSysInfo::machineHostName().toUtf8() + "\n\n\n");
            file.close();
            if (holder == QLatin1String("another user"))
                QCOMPARE(::chown(QFile::encodeName(lockPath).constData(), 65534, 65534), 0);
        }
        auto removeLeftover = qScopeGuard([&] { QFile::remove(lockPath); });
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        QSignalSpy activity(client.session.get(), &Session::activity);
        const auto startedFlights = [&] {
            return std::count_if(activity.cbegin(), activity.cend(), [](const QList<QVariant> &a) {
                return a.at(0).value<Session::Event>() == Session::Event::RefreshStarted;
            });
        };
        if (restoring)
            client.session->restore();
        else
            client.session->refresh();

        if (!holderAlive) {
            // At once: well within the wait for a working holder.
            QTRY_COMPARE_WITH_TIMEOUT(client.session->status(), Session::Status::SignedIn, 1500);
            QCOMPARE(errors.count(), 0);
            QCOMPARE(refreshesAtServer(*server), before + 1);
            QCOMPARE(reuse(*server), 0);
            return;
        }
        QTRY_COMPARE_WITH_TIMEOUT(client.session->status(), Session::Status::Offline, 6000);
        QCOMPARE(errors.count(), 1);
        QCOMPARE(errors.at(0).at(0).value<Session::Error>(), Session::Error::EntryBusy);
        const QString message = errors.at(0).at(1).toString();
        QVERIFY2(
            message.contains(QStringLiteral("process %1").arg(QCoreApplication::applicationPid())),
            qPrintable(message));
        QCOMPARE(refreshesAtServer(*server), before);
        const auto flights = startedFlights();
        QTest::qWait(2500); // two retries, each finding the lock still held
        QCOMPARE(startedFlights(), flights);
        QCOMPARE(client.session->status(), Session::Status::Offline);
        QCOMPARE(refreshesAtServer(*server), before);

        // The holder goes on: it rotates the token and stores the new one
        // (the first session takes the lock as the test lets go of it).
        held.unlock();
        QVERIFY(refreshes(*first.session));
        QTRY_COMPARE_WITH_TIMEOUT(client.session->status(), Session::Status::SignedIn, 3000);
        QCOMPARE(refreshesAtServer(*server), before + 2);
        QCOMPARE(reuse(*server), 0);
        QCOMPARE(first.session->status(), Session::Status::SignedIn);
    }

    // A sign-out or a sign-in is what the user asked for: it does not wait
    // out a lock that its holder (alive, but stopped or hung) has had longer
    // than a working one ever does. It goes on without it, as it would after
    // the whole wait.
    void signInAndOutDoNotWaitForALockHeldTooLong_data()
    {
        QTest::addColumn<bool>("signingOut");
        QTest::newRow("sign-out") << true;
        QTest::newRow("sign-in") << false;
    }

    void signInAndOutDoNotWaitForALockHeldTooLong()
    {
        QFETCH(bool, signingOut);
        auto server = rotatingServer();
        QVERIFY(server);
        SlowStore store;
        store.entry = uniqueEntry();
        auto client = makeClient(*server, &store);
        // A working holder is waited for 5 × 1 s + 2 s.
        client.session->setRequestTimeout(std::chrono::milliseconds(1000));
        QVERIFY(signIn(*client.session));
        const QByteArray before = store.token;
        const QString lockPath = sharedEntryFile(store.entry, ".lock");
        QLockFile held(lockPath);
        held.setStaleLockTime(std::chrono::milliseconds(0));
        QVERIFY(held.tryLock(0)); // this test process: alive
        QVERIFY(setFileAge(lockPath, 600));
        QElapsedTimer clock;
        clock.start();
        if (signingOut) {
            client.session->signOut();
            QVERIFY(client.session->waitUntilSettled(std::chrono::seconds(20)));
            QVERIFY(store.token.isEmpty());
        } else {
            QVERIFY(signIn(*client.session, QStringLiteral("bob")));
            QVERIFY(!store.token.isEmpty() && store.token != before);
        }
        qInfo("done after %lld ms", clock.elapsed());
        QVERIFY2(clock.elapsed() < 3500, QByteArray::number(clock.elapsed()));
        QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "liveRefreshTokens"), signingOut ? 0 : 1, 3000);
    }

    // Another process rotated the token (its write renewed the stamp), and
    // the keychain then stalls: this session cannot read what the entry holds
    // now. The token in hand is the one the other process spent, so it is
    // not presented: offline, KeychainUnavailable, and a retry that reads
    // the entry once the keychain answers again.
    void anUnreadableEntryIsNotGoneAround()
    {
        const auto processes = twoProcesses();
        QVERIFY(processes);
        auto &[server, store, first, second] = *processes;
        second.session->setRequestTimeout(std::chrono::milliseconds(300));
        QVERIFY(refreshes(*first.session));
        const int attempts = refreshesAtServer(*server);
        store.readLatencyMs = 2000; // past the read's deadline
        QSignalSpy errors(second.session.get(), &Session::errorOccurred);
        second.session->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(second.session->status(), Session::Status::Offline, 3000);
        QCOMPARE(errors.count(), 1);
        QCOMPARE(errors.at(0).at(0).value<Session::Error>(), Session::Error::KeychainUnavailable);
        QCOMPARE(refreshesAtServer(*server), attempts);
        store.readLatencyMs = -1;
        QTRY_COMPARE_WITH_TIMEOUT(second.session->status(), Session::Status::SignedIn, 5000);
        QCOMPARE(refreshesAtServer(*server), attempts + 1);
        QCOMPARE(reuse(*server), 0);
        QVERIFY(refreshes(*first.session));
        QCOMPARE(reuse(*server), 0);
    }

    // What lies at the lock path but names no live process of this machine
    // (a file left empty or garbled by a process killed as it made it,
    // another machine's, a fifo, a directory) does not block refreshes for
    // good, and a fifo never blocks the event loop.
    void lockPathsThatNameNoProcessDoNotBlock_data()
    {
        QTest::addColumn<QString>("kind");
        for (const char *kind : {"empty", "garbage", "another host", "fifo", "directory"})
            QTest::newRow(kind) << QString::fromLatin1(kind);
    }

    void lockPathsThatNameNoProcessDoNotBlock()
    {
        QFETCH(QString, kind);
        auto server = rotatingServer();
        QVERIFY(server);
        SlowStore store;
        store.entry = uniqueEntry();
        auto client = makeClient(*server, &store);
        client.session->setRequestTimeout(std::chrono::milliseconds(200)); // waits 3 s
        QVERIFY(signIn(*client.session));
        const QString lockPath = sharedEntryFile(store.entry, ".lock");
        const QByteArray name = QFile::encodeName(lockPath);
        auto removeLeftover = qScopeGuard([&] {
            QFile::remove(lockPath);
            QDir().rmdir(lockPath);
        });
        if (kind == QLatin1String("fifo")) {
            QCOMPARE(::mkfifo(name.constData(), 0600), 0);
        } else if (kind == QLatin1String("directory")) {
            QVERIFY(QDir().mkdir(lockPath));
        } else {
            QFile file(lockPath);
            QVERIFY(file.open(QIODevice::WriteOnly));
            if (kind == QLatin1String("garbage"))
                file.write("not a lock\n\x01\x02\n");
            else if (kind == QLatin1String("another host"))
                file.write(QByteArray::number(QCoreApplication::applicationPid()) + "\n"
                           + QCoreApplication::applicationFilePath().toUtf8()
                           + "\nsome-other-machine\n\n\n");
            file.close();
            QVERIFY(setFileAge(lockPath, 600));
        }
        QVERIFY(refreshes(*client.session));
        QCOMPARE(client.session->status(), Session::Status::SignedIn);
        QCOMPARE(reuse(*server), 0);
    }

    // A program that quits waits for another process's lock only as long as
    // a refresh that is storing its token takes (3 s): then its sign-out
    // reads, revokes and removes the entry without it, so the next start
    // does not restore the user who signed out. A holder that lets go
    // within that is waited for, as always.
    void aQuittingProgramsSignOutWaitsBrieflyForTheLock_data()
    {
        QTest::addColumn<bool>("holderLetsGo");
        QTest::newRow("a holder that does not let go") << false;
        QTest::newRow("a holder that lets go after 500 ms") << true;
    }

    void aQuittingProgramsSignOutWaitsBrieflyForTheLock()
    {
        QFETCH(bool, holderLetsGo);
        auto server = rotatingServer();
        QVERIFY(server);
        SlowStore store;
        store.entry = uniqueEntry();
        auto client = makeClient(*server, &store);
        client.session->setRequestTimeout(std::chrono::milliseconds(1000)); // waits 7 s
        QVERIFY(signIn(*client.session));
        const QString lockPath = sharedEntryFile(store.entry, ".lock");
        QLockFile held(lockPath);
        held.setStaleLockTime(std::chrono::milliseconds(0));
        QVERIFY(held.tryLock(0));
        if (!holderLetsGo) {
            // Held 4 s so far: young enough to be waited for, unless quitting.
            QVERIFY(setFileAge(lockPath, 4));
        }
        client.session->signOut();
        QTest::qWait(200);
        QVERIFY(!store.token.isEmpty()); // waiting for the lock
        const int readsBefore = store.reads;
        QElapsedTimer clock;
        clock.start();
        if (holderLetsGo)
            QTimer::singleShot(500, this, [&] { held.unlock(); });
        QVERIFY(client.session->waitUntilSettled(std::chrono::seconds(10)));
        qInfo("settled after %lld ms", clock.elapsed());
        if (holderLetsGo)
            QVERIFY2(clock.elapsed() >= 450, QByteArray::number(clock.elapsed()));
        else
            QVERIFY2(clock.elapsed() < 2000, QByteArray::number(clock.elapsed()));
        QCOMPARE(store.reads, readsBefore + 1); // what the entry held, read and revoked
        QVERIFY(store.token.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "liveRefreshTokens"), 0, 3000);
    }

    // One process alone on a shared entry: refreshes do not ask the keychain
    // for the token it wrote itself (each read of an existing item costs
    // libsecret about 1 kB that it never frees).
    void refreshesOfAnUnchangedEntryDoNotReadIt()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        SlowStore store;
        store.entry = uniqueEntry();
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        QCOMPARE(store.reads, 1); // what the sign-in replaces, to revoke it
        for (int i = 1; i <= 5; ++i) {
            client.session->refresh();
            QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "refreshes", "ok"), i, 5000);
            QTRY_VERIFY(!client.session->isRefreshing());
        }
        QCOMPARE(store.reads, 1);
        QCOMPARE(store.writes, 6);
        QCOMPARE(client.session->status(), Session::Status::SignedIn);
    }

    // Another session on the entry rotated the token: its write renewed the
    // stamp, so this one reads the entry and refreshes with the new token.
    void aRotationElsewhereIsReadBeforeRefreshing()
    {
        const auto processes = twoProcesses();
        QVERIFY(processes);
        auto &[server, store, first, second] = *processes;
        QCOMPARE(store.reads, 2); // the sign-in's (what it replaces) and the restore's
        for (auto *session : {first.session.get(), first.session.get(), second.session.get(),
                              second.session.get(), first.session.get()}) {
            const int before = stat(*server, "refreshes", "ok");
            session->refresh();
            QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "refreshes", "ok"), before + 1, 5000);
            QTRY_VERIFY(!session->isRefreshing());
        }
        // Then one each time the other side wrote last.
        QCOMPARE(store.reads, 5);
        QCOMPARE(reuse(*server), 0);
        QCOMPARE(first.session->status(), Session::Status::SignedIn);
        QCOMPARE(second.session->status(), Session::Status::SignedIn);
    }

    // A stamp that is not what this session left (written by hand, a fifo,
    // a link, a file of another user's) is no promise: the entry is read,
    // nothing waits on it, and a link is replaced, never written through.
    void aStrangeStampMeansReadingTheEntry_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("another value") << QStringLiteral("value");
        QTest::newRow("removed") << QStringLiteral("removed");
        QTest::newRow("not hex") << QStringLiteral("not-hex");
        QTest::newRow("fifo") << QStringLiteral("fifo");
        QTest::newRow("link to another file") << QStringLiteral("link");
    }
    void aStrangeStampMeansReadingTheEntry()
    {
        QFETCH(QString, kind);
        auto server = rotatingServer();
        QVERIFY(server);
        SlowStore store;
        store.entry = uniqueEntry();
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        const int signInReads = store.reads;
        const QString path = stampPath(store.entry);
        QVERIFY2(QFileInfo(path).isFile(), qPrintable(path));
        QTemporaryDir elsewhere;
        const QString victim = elsewhere.filePath(QStringLiteral("victim"));
        QVERIFY(QFile::remove(path));
        if (kind == QLatin1String("value") || kind == QLatin1String("not-hex")) {
            QFile stamp(path);
            QVERIFY(stamp.open(QIODevice::WriteOnly));
            stamp.write(QByteArray(32, kind == QLatin1String("value") ? 'a' : 'x'));
        } else if (kind == QLatin1String("fifo")) {
            QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
        } else if (kind == QLatin1String("link")) {
            QFile target(victim);
            QVERIFY(target.open(QIODevice::WriteOnly));
            target.write("keep me");
            target.close();
            QVERIFY(QFile::link(victim, path));
        }
        client.session->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "refreshes", "ok"), 1, 5000);
        QTRY_VERIFY(!client.session->isRefreshing());
        // Read before the refresh; and when the stamp found then vouches for
        // nothing, once more before the rotated token is written (another
        // process may have signed in or out meanwhile).
        const int reads = kind == QLatin1String("value") ? 1 : 2;
        QCOMPARE(store.reads, signInReads + reads);
        QCOMPARE(reuse(*server), 0);
        QCOMPARE(client.session->status(), Session::Status::SignedIn);
        // The refresh's write left a stamp of its own, a plain file.
        const QFileInfo after(path);
        QVERIFY(after.isFile() && !after.isSymLink());
        if (kind == QLatin1String("link")) {
            QFile target(victim);
            QVERIFY(target.open(QIODevice::ReadOnly));
            QCOMPARE(target.readAll(), QByteArray("keep me"));
        }
        client.session->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "refreshes", "ok"), 2, 5000);
        QCOMPARE(store.reads,
                 signInReads + reads); // the stamp the write left vouches for the entry
    }

    // While the entry is being written there is no stamp: a writer that
    // fails or dies half-way leaves none, and the others read the entry
    // instead of trusting one that no longer tells the truth.
    void noStampWhileTheEntryIsWritten()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        SlowStore store;
        store.entry = uniqueEntry();
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        const QString path = stampPath(store.entry);
        QVERIFY(QFileInfo(path).isFile());
        store.latencyMs = 400;
        client.session->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(store.writes, 2, 5000);
        QVERIFY(client.session->isRefreshing());
        QVERIFY2(!QFileInfo::exists(path), "a stamp was left while the entry changed");
        QTRY_VERIFY_WITH_TIMEOUT(!client.session->isRefreshing(), 5000);
        QVERIFY(QFileInfo(path).isFile());
    }

    // A writer killed between making its new stamp and renaming it over leaves it beside;
    // the next write removes such leftovers once they are a minute old, never a fresh one
    // (another writer's, mid-rename) and never another user's.
    void leftoverStampsOfKilledWritersAreRemoved()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        SlowStore store;
        store.entry = uniqueEntry();
        auto client = makeClient(*server, &store);
        QVERIFY(signIn(*client.session));
        const QString path = stampPath(store.entry);
        const auto leave = [&](const char *suffix, qint64 ageSeconds) {
            QFile file(path + QLatin1String(suffix));
            if (!file.open(QIODevice::WriteOnly))
                return QString();
            file.write("0123456789abcdef0123456789abcdef");
            file.close();
            const QDateTime when = QDateTime::currentDateTimeUtc().addSecs(-ageSeconds);
            if (!file.open(QIODevice::ReadWrite)
                || !file.setFileTime(when, QFileDevice::FileModificationTime))
                return QString();
            return file.fileName();
        };
        const QString old = leave(".a1B2c3", 3600);
        const QString fresh = leave(".d4E5f6", 0);
        const QString unrelated = leave(".lock7", 3600); // not a stamp's leftover
        QVERIFY(!old.isEmpty() && !fresh.isEmpty() && !unrelated.isEmpty());
        QSignalSpy finished(client.session.get(), &Session::refreshFinished);
        client.session->refresh(); // rotates: the entry and its stamp are written
        QVERIFY(finished.wait(5000));
        QVERIFY(finished.first().at(0).toBool());
        QVERIFY2(!QFileInfo::exists(old), "an hour-old leftover stayed");
        QVERIFY2(QFileInfo::exists(fresh), "a leftover of a moment ago went");
        QVERIFY(QFileInfo::exists(unrelated));
        QFile::remove(fresh);
        QFile::remove(unrelated);
    }

    // Credentials never go to a sign-in server over plain http on another
    // host than loopback unless the application opts in.
    void plainHttpAuthEndpointNeedsOptIn()
    {
        MemoryTokenStore store;
        auto client = makeClient(
            std::make_unique<OAuth2Protocol>(QUrl(QStringLiteral("http://sign-in.invalid/token")),
                                             QStringLiteral("app")),
            &store);
        QSignalSpy errors(client.session.get(), &Session::errorOccurred);
        client.session->signIn(QStringLiteral("alice"), QStringLiteral("pw"));
        QCOMPARE(errors.count(), 0); // from the event loop
        QVERIFY(errors.wait(5000));
        QCOMPARE(errors.first().at(0).value<Session::Error>(), Session::Error::ConfigurationError);
        QVERIFY(errors.first().at(1).toString().contains(QLatin1String("http")));
        QCOMPARE(client.session->status(), Session::Status::SignedOut);
    }

    // The backoff of an earlier session does not carry over to the next one.
    void backoffStartsAfreshForANewSession()
    {
        CapturingServer idp("HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n"
                            "Content-Length: 0\r\n\r\n");
        MemoryTokenStore store;
        auto client = makeClient(
            std::make_unique<OAuth2Protocol>(idp.url("/token"), QStringLiteral("app")), &store);
        client.session->restoreFrom("first");
        QTRY_COMPARE_WITH_TIMEOUT(requestCount(idp), 3, 8000); // 1 s, 2 s: the next is 4 s
        client.session->signOut();
        QTest::qWait(200);
        const int before = requestCount(idp);
        client.session->restoreFrom("second");
        QTRY_COMPARE_WITH_TIMEOUT(requestCount(idp), before + 1, 3000);
        QElapsedTimer timer;
        timer.start();
        QTRY_COMPARE_WITH_TIMEOUT(requestCount(idp), before + 2, 3000); // 1 s ±20 %
        QVERIFY2(timer.elapsed() < 2000, qPrintable(QString::number(timer.elapsed())));
    }

    // Plain http to another host than loopback needs an explicit opt-in.
    void plainHttpNeedsOptIn()
    {
        auto server = rotatingServer();
        QVERIFY(server);
        MemoryTokenStore store;
        auto client = makeClient(*server, &store);
        const QUrl lan(QStringLiteral("http://192.0.2.10:8080/api"));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("plain http")));
        client.manager->addAllowedOrigin(lan);
        QVERIFY(!client.manager->isAllowed(lan));
        client.session->setPlainHttpAllowed(true);
        QVERIFY(client.manager->isAllowed(lan));
        QVERIFY(client.manager->isAllowed(endpoint(*server, "/profile"))); // loopback
    }

    // Seeded random interleavings of every operation, with a slow store,
    // server failures and deleted sessions; invariants after every step.
    void randomSchedules()
    {
        const int schedules = qEnvironmentVariableIntValue("SILENTAUTH_SCHEDULES") > 0
            ? qEnvironmentVariableIntValue("SILENTAUTH_SCHEDULES")
            : qEnvironmentVariableIsSet("SILENTAUTH_SANITIZED") ? 200
                                                                : 1000;
        const quint32 base = qEnvironmentVariableIsSet("SILENTAUTH_SEED")
            ? qgetenv("SILENTAUTH_SEED").toUInt()
            : QRandomGenerator::global()->generate();
        qInfo("randomSchedules: %d schedules from seed %u (SILENTAUTH_SEED=%u repeats them)",
              schedules, base, base);
        int profileOks = 0;
        for (int n = 0; n < schedules; ++n) {
            const quint32 seed = base + quint32(n);
            // A server of its own: what an earlier schedule left on the wire
            // (a deleted session's refresh) cannot count against this one.
            auto server = rotatingServer(std::chrono::seconds(2));
            QVERIFY(server);
            connect(server.get(), &MockServer::requestLogged, this, [&](const QString &line) {
                if (line.startsWith(QLatin1String("GET /profile 200")))
                    ++profileOks;
            });
            runSchedule(*server, seed);
            if (QTest::currentTestFailed()) {
                qWarning("randomSchedules failed with seed %u", seed);
                return;
            }
        }
        // The schedules did real, authenticated work.
        qInfo("randomSchedules: %d profile requests answered 200", profileOks);
        QVERIFY(profileOks >= schedules / 4);
    }

private:
    struct Tracked
    {
        QPointer<QNetworkReply> reply;
        QString identity;
        int finished = 0;
        bool sent = false; // requestSent() seen
        bool unsentAtSignOut = false; // not on the wire yet when the user signed out
        QElapsedTimer since;
    };

    void runSchedule(MockServer &server, quint32 seed)
    {
        QRandomGenerator random(seed);
        SlowStore store;
        store.jitter = &random;
        store.latencyMs = 8;
        // Half the schedules on a shared entry: refreshes, sign-ins and
        // sign-outs then take its lock, which must be free again at the end.
        if (random.bounded(2))
            store.entry = uniqueEntry();
        QString error;
        server.setScenario(QStringLiteral("normal"), {}, &error);
        // Time is compressed so that thousands of schedules fit in a CI run:
        // store calls, pauses, slow answers and timeouts are all a few to a
        // few hundred milliseconds. A slow answer still comes inside the
        // request timeout: an answer lost to a timeout leaves the client only
        // the spent token to retry with, which the server (without a grace
        // window) must take for a stolen one.
        const auto configure = [](Session &session) {
            session.setReauthenticationHandler([] {});
            session.setReauthenticationTimeout(std::chrono::milliseconds(300));
            session.setRequestTimeout(std::chrono::milliseconds(600));
        };
        auto client = makeClient(server, &store);
        configure(*client.session);
        std::vector<std::unique_ptr<Tracked>> tracked;
        const int reuseBefore = reuse(server);
        bool lostAnswer = false;
        bool abandonedRefresh = false;
        bool deleted = false; // a session went with a store call perhaps still landing
        QString trace;

        const int steps = 12 + int(random.bounded(12));
        for (int step = 0; step < steps; ++step) {
            const int action = int(random.bounded(100));
            Session *session = client.session.get();
            QString what;
            // A refresh superseded by signIn/signOut/restoreFrom keeps its
            // request on the wire until the answer comes; deleting the
            // session before then loses that answer.
            if (session && session->isRefreshing()
                && (action < 12 || (action >= 22 && action < 27) || (action >= 37 && action < 47)))
                abandonedRefresh = true;
            if (!session) {
                client = makeClient(server, &store);
                configure(*client.session);
                abandonedRefresh = false;
                what = QStringLiteral("new session");
            } else if (action < 12) {
                const QString user
                    = random.bounded(2) ? QStringLiteral("alice") : QStringLiteral("bob");
                session->signIn(user, user + QStringLiteral("-password"));
                what = QStringLiteral("signIn ") + user;
            } else if (action < 22) {
                session->restore();
                what = QStringLiteral("restore");
            } else if (action < 27) {
                if (!store.token.isEmpty())
                    session->restoreFrom(store.token);
                what = QStringLiteral("restoreFrom");
            } else if (action < 37) {
                session->refresh();
                what = QStringLiteral("refresh");
            } else if (action < 47) {
                session->signOut();
                for (const auto &t : tracked)
                    t->unsentAtSignOut = t->unsentAtSignOut || (!t->sent && t->finished == 0);
                QCOMPARE(session->status(), Session::Status::SignedOut);
                QVERIFY(session->accessToken().isEmpty());
                what = QStringLiteral("signOut");
            } else if (action < 70) {
                const int count = 1 + int(random.bounded(4));
                for (int i = 0; i < count; ++i) {
                    auto t = std::make_unique<Tracked>();
                    t->identity = session->identity();
                    t->reply = get(*client.manager, server, "/profile");
                    t->since.start();
                    Tracked *raw = t.get();
                    connect(t->reply, &QNetworkReply::finished, this, [raw] { ++raw->finished; });
                    connect(t->reply, &QNetworkReply::requestSent, this,
                            [raw] { raw->sent = true; });
                    tracked.push_back(std::move(t));
                }
                what = QStringLiteral("get x%1").arg(count);
            } else if (action < 78) {
                expireNow(server);
                what = QStringLiteral("expire-now");
            } else if (action < 86) {
                static const char *scenarios[]
                    = {"refresh-unavailable", "slow-refresh", "revoked-refresh", "refresh-drop"};
                const char *name = scenarios[random.bounded(4)];
                QJsonObject parameters {{QStringLiteral("count"), 1}};
                if (qstrcmp(name, "slow-refresh") == 0)
                    parameters.insert(QStringLiteral("delayMs"), 20 + int(random.bounded(400)));
                QVERIFY2(server.setScenario(QLatin1String(name), parameters, &error),
                         qPrintable(error));
                what = QLatin1String(name);
            } else if (action < 90) {
                // Like a process killed mid-refresh: an answer lost with it
                // leaves only the spent token in the store.
                lostAnswer = lostAnswer || session->isRefreshing() || abandonedRefresh;
                client.manager.reset();
                client.session.reset();
                deleted = true;
                what = QStringLiteral("delete session");
            } else {
                what = QStringLiteral("wait");
            }
            trace += what + QLatin1String("; ");
            // Mostly short pauses (the worst moments are the near ones),
            // sometimes long enough for a store call or an answer to land.
            const int pause = int(random.bounded(10));
            QTest::qWait(pause < 4       ? 0
                             : pause < 8 ? int(random.bounded(6))
                                         : int(random.bounded(60)));

            // Invariants after every step.
            if (Session *s = client.session.get()) {
                const auto status = s->status();
                if (status == Session::Status::SignedOut || status == Session::Status::Expired
                    || status == Session::Status::SigningIn)
                    QVERIFY2(s->accessToken().isEmpty(), qPrintable(trace));
                if (status == Session::Status::SignedIn)
                    QVERIFY2(!s->accessToken().isEmpty(), qPrintable(trace));
                QVERIFY2(s->isRefreshing()
                             == (status == Session::Status::Restoring
                                 || status == Session::Status::Refreshing),
                         qPrintable(trace));
            }
            QVERIFY2(lostAnswer || reuse(server) == reuseBefore, qPrintable(trace));
            for (const auto &t : tracked) {
                QVERIFY2(t->finished <= 1, qPrintable(trace));
                // Nothing that had not left by a sign-out is answered as signed in.
                if (t->reply && t->finished == 1 && t->unsentAtSignOut)
                    QVERIFY2(t->reply->error() != QNetworkReply::NoError, qPrintable(trace));
                if (t->reply && t->finished == 1 && t->reply->error() == QNetworkReply::NoError
                    && !t->identity.isEmpty()) {
                    const auto user = QJsonDocument::fromJson(t->reply->readAll())
                                          .object()
                                          .value(QLatin1String("username"))
                                          .toString();
                    if (!user.isEmpty())
                        QVERIFY2(user == t->identity,
                                 qPrintable(trace + QLatin1String(" sent as ") + user
                                            + QLatin1String(" for ") + t->identity));
                }
            }
            if (QTest::currentTestFailed())
                return;
        }
        // Settle: every reply finishes exactly once, within a bound, and the
        // sign-out settles: what a quitting program waits for ends.
        if (client.session) {
            client.session->signOut();
            QVERIFY2(client.session->waitUntilSettled(std::chrono::seconds(10)), qPrintable(trace));
            // (A deleted session's write, like a killed process's, may land later.)
            QVERIFY2(deleted || store.token.isEmpty(), qPrintable(trace));
        }
        QElapsedTimer settling;
        settling.start();
        const auto unfinished = [&tracked] {
            return std::any_of(tracked.cbegin(), tracked.cend(), [](const auto &t) {
                return t->reply && t->finished == 0; // (a reply deleted with its manager is done)
            });
        };
        while (unfinished() && settling.elapsed() < 20000)
            QTest::qWait(2);
        QVERIFY2(!unfinished(), qPrintable(trace));
        if (!store.entry.isEmpty() && client.session) {
            QLockFile lock(sharedEntryFile(store.entry, ".lock"));
            QVERIFY2(lock.tryLock(0), qPrintable(trace + QLatin1String(" (the lock is held)")));
        }
        QTest::qWait(20);
        for (const auto &t : tracked) {
            QVERIFY2(t->finished <= 1, qPrintable(trace));
            if (t->reply)
                disconnect(t->reply, nullptr, this, nullptr); // the counters go with this schedule
        }
    }
};

QTEST_GUILESS_MAIN(TestSessionRaces)
#include "tst_sessionraces.moc"
