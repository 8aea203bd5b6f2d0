// The seed API's browser-style dialect: the refresh token in an HttpOnly
// cookie. Against the mock server in cookie mode, and against a backend the
// test plays to see every request and answer with every kind of cookie. The
// refresh cookie goes to the refresh and sign-out routes only, never into a
// cookie jar, a file or another origin; a missing or unusable cookie is a
// clear error that keeps the session.
#include "capturingserver.h"
#include "httpclient.h"
#include "rawserver.h"
#include "sessionfixture.h"
#include "testserver.h"

#include <silentauth/jsonauthprotocol.h>
#include <silentauth/memorytokenstore.h>

#include <QtCore/QDirIterator>
#include <QtCore/QJsonDocument>
#include <QtNetwork/QNetworkCookieJar>
#include <QtTest/QtTest>

using namespace SilentAuth;
using namespace SilentAuth::Test;
using Mock::MockServerConfig;

namespace {

MockServerConfig cookieServer()
{
    MockServerConfig config;
    config.refreshTransport = MockServerConfig::RefreshTransport::Cookie;
    return config;
}

// The refresh token a store holds, without what is kept beside it (its lifetime).
QByteArray storedToken(TokenStore &store)
{
    return readStore(store).token.split('\n').constFirst();
}

RawResponse json(const QByteArray &body, const QByteArray &setCookie = {})
{
    RawResponse response = RawResponse::ok(body, "application/json");
    if (!setCookie.isNull())
        response.headers.append({"Set-Cookie", setCookie});
    return response;
}

const QByteArray tokens
    = "{\"accessToken\":\"access-1\",\"tokenType\":\"Bearer\",\"expiresIn\":3600}";

// A session for a backend the test plays, in cookie mode.
Client playedClient(const RawServer &backend, MemoryTokenStore *store)
{
    auto protocol = std::make_unique<JsonAuthProtocol>(QUrl(QString::fromLatin1(backend.origin())));
    protocol->setRefreshTransport(JsonAuthProtocol::RefreshTransport::Cookie);
    return makeClient(std::move(protocol), store);
}

QList<RawRequest> requestsTo(const RawServer &server, const QByteArray &path)
{
    QList<RawRequest> found;
    for (const auto &request : server.requests()) {
        if (request.path() == path)
            found.append(request);
    }
    return found;
}

int cookieHeaders(const RawRequest &request)
{
    int count = 0;
    for (const auto &header : request.headers)
        count += header.first.compare("cookie", Qt::CaseInsensitive) == 0 ? 1 : 0;
    return count;
}

} // namespace

class TestCookieTransport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The mock server in cookie mode: what a browser-facing backend sends.
    void serverSetsAndReadsTheCookie()
    {
        auto server = startServer(cookieServer());
        QVERIFY(server);
        HttpClient http;
        const auto login
            = http.postJson(endpoint(*server, "/auth/login"),
                            {{QStringLiteral("username"), QStringLiteral("alice")},
                             {QStringLiteral("password"), QStringLiteral("alice-password")}});
        QCOMPARE(login.status, 200);
        QVERIFY(!login.json().contains(QLatin1String("refreshToken")));
        const QByteArray setCookie = login.header("set-cookie");
        QVERIFY2(setCookie.startsWith("refreshToken=ey"), setCookie.constData());
        const QByteArray attributes = "; HttpOnly; Secure; SameSite=Strict; Path=/auth; Max-Age=";
        QVERIFY(setCookie.contains(attributes));
        const qint64 maxAge
            = setCookie.mid(setCookie.indexOf(attributes) + attributes.size()).toLongLong();
        QVERIFY2(maxAge > 1209600 - 10 && maxAge <= 1209600, setCookie.constData()); // 14 days
        const QByteArray cookie = setCookie.left(setCookie.indexOf(';'));
        // The body does not carry the token here: without the cookie, no refresh.
        QCOMPARE(http.postJson(endpoint(*server, "/auth/refresh"), {}).status, 400);
        const auto refreshed
            = http.send("POST", endpoint(*server, "/auth/refresh"), {}, {{"Cookie", cookie}});
        QCOMPARE(refreshed.status, 200);
        const QByteArray rotated = refreshed.header("set-cookie");
        QVERIFY(rotated.startsWith("refreshToken=") && !rotated.startsWith(cookie + ';'));
        // The old cookie again: reuse, and the family is revoked.
        QCOMPARE(
            http.send("POST", endpoint(*server, "/auth/refresh"), {}, {{"Cookie", cookie}}).status,
            401);
        QCOMPARE(stat(*server, "refreshes", "reuseDetected"), 1);
        // Sign-out expires the cookie.
        const auto login2
            = http.postJson(endpoint(*server, "/auth/login"),
                            {{QStringLiteral("username"), QStringLiteral("bob")},
                             {QStringLiteral("password"), QStringLiteral("bob-password")}});
        const QByteArray bobCookie
            = login2.header("set-cookie").left(login2.header("set-cookie").indexOf(';'));
        const auto out
            = http.send("POST", endpoint(*server, "/auth/logout"), {}, {{"Cookie", bobCookie}});
        QCOMPARE(out.status, 200);
        QCOMPARE(out.header("set-cookie"),
                 QByteArray("refreshToken=; HttpOnly; Secure; SameSite=Strict; Path=/auth; "
                            "Max-Age=0"));
        QCOMPARE(http.send("POST", endpoint(*server, "/auth/refresh"), {}, {{"Cookie", bobCookie}})
                     .status,
                 401);
    }

    void serverInBothModesTakesEither()
    {
        MockServerConfig config;
        config.refreshTransport = MockServerConfig::RefreshTransport::Both;
        auto server = startServer(config);
        QVERIFY(server);
        HttpClient http;
        const auto login
            = http.postJson(endpoint(*server, "/auth/login"),
                            {{QStringLiteral("username"), QStringLiteral("alice")},
                             {QStringLiteral("password"), QStringLiteral("alice-password")}});
        const QString inBody = login.json().value(QLatin1String("refreshToken")).toString();
        QVERIFY(!inBody.isEmpty());
        QVERIFY(login.header("set-cookie").startsWith("refreshToken=" + inBody.toLatin1() + ';'));
        const auto byBody = http.postJson(endpoint(*server, "/auth/refresh"),
                                          {{QStringLiteral("refreshToken"), inBody}});
        QCOMPARE(byBody.status, 200);
        const QByteArray cookie
            = byBody.header("set-cookie").left(byBody.header("set-cookie").indexOf(';'));
        QCOMPARE(
            http.send("POST", endpoint(*server, "/auth/refresh"), {}, {{"Cookie", cookie}}).status,
            200);
    }

    // A token given from elsewhere (restoreFrom) that a cookie cannot carry is refused as
    // such before anything is sent, never as extra cookies of its own.
    void tokenACookieCannotCarryAddsNoCookies()
    {
        RawServer backend;
        QVERIFY(backend.start());
        backend.route("/auth/refresh", RawResponse::status(401, "{\"error\":\"invalid_grant\"}"));
        MemoryTokenStore store;
        Client c = playedClient(backend, &store);
        QSignalSpy errors(c.session.get(), &Session::errorOccurred);
        c.session->restoreFrom("r-1;admin=1");
        QVERIFY(errors.wait(5000));
        // Said for what it is, and nothing sent.
        QCOMPARE(errors.first().at(0).value<Session::Error>(), Session::Error::NoStoredSession);
        QVERIFY2(errors.first().at(1).toString().contains(QLatin1String("cannot contain")),
                 qPrintable(errors.first().at(1).toString()));
        QTest::qWait(200);
        QVERIFY(requestsTo(backend, "/auth/refresh").isEmpty());
        QVERIFY(!backend.receivedBytes().contains("admin=1"));
        // The protocol would not have carried it either.
        JsonAuthProtocol cookie(backend.url("/"));
        cookie.setRefreshTransport(JsonAuthProtocol::RefreshTransport::Cookie);
        QVERIFY(!cookie.refreshRequest("r-1;admin=1").request.hasRawHeader("Cookie"));
        QVERIFY(cookie.refreshRequest("r-1").request.hasRawHeader("Cookie"));
    }

    // Against the mock server: sign in, refresh, sign out, all through the
    // cookie; the application's cookie jar never sees it.
    void sessionRunsOnTheCookie()
    {
        auto server = startServer(cookieServer());
        QVERIFY(server);
        MemoryTokenStore store;
        Client c = makeClient(*server, &store);
        QVERIFY(signIn(*c.session));
        const QByteArray first = readStore(store).token;
        QVERIFY(first.startsWith("ey"));
        QVERIFY(expireNow(*server));
        QNetworkReply *reply = get(*c.manager, *server, "/profile");
        QVERIFY(waitFinished(reply));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        delete reply;
        QCOMPARE(stat(*server, "refreshes", "ok"), 1);
        QVERIFY(readStore(store).token != first);
        for (const char *path : {"/auth/refresh", "/auth/logout", "/profile", "/"})
            QVERIFY(c.manager->cookieJar()->cookiesForUrl(endpoint(*server, path)).isEmpty());
        QSignalSpy out(c.session.get(), &Session::signedOut);
        c.session->signOut();
        QVERIFY(out.wait(5000));
        QCOMPARE(stat(*server, "logouts"), 1);
        QCOMPARE(readStore(store).error, TokenStore::Error::NotFound);
    }

    // Every request the session and the manager send, seen by the backend:
    // the cookie goes with the refresh only, once, never with a resource
    // request of the same origin.
    void cookieGoesToTheRefreshRouteOnly()
    {
        RawServer backend;
        QVERIFY(backend.start());
        backend.route("/auth/login", json(tokens, "refreshToken=r-1; HttpOnly; Path=/auth"));
        backend.route("/auth/refresh", json(tokens, "refreshToken=r-2; HttpOnly; Path=/auth"));
        backend.route("/profile", RawResponse::status(401));
        MemoryTokenStore store;
        Client c = playedClient(backend, &store);
        QVERIFY(signIn(*c.session));
        QCOMPARE(storedToken(store), QByteArray("r-1"));
        QNetworkReply *reply = c.manager->get(QNetworkRequest(backend.url("/profile")));
        QVERIFY(waitFinished(reply));
        delete reply;
        const auto refreshes = requestsTo(backend, "/auth/refresh");
        QCOMPARE(refreshes.size(), 1);
        QCOMPARE(cookieHeaders(refreshes.first()), 1);
        QCOMPARE(refreshes.first().header("cookie"), QByteArray("refreshToken=r-1"));
        QCOMPARE(refreshes.first().body, QByteArray("{}"));
        QCOMPARE(storedToken(store), QByteArray("r-2"));
        const auto resources = requestsTo(backend, "/profile");
        QVERIFY(resources.size() >= 2); // the request and its replay
        for (const auto &request : resources)
            QCOMPARE(cookieHeaders(request), 0);
        QCOMPARE(cookieHeaders(requestsTo(backend, "/auth/login").first()), 0);
        // No cookie jar keeps it either: a second sign-in goes to the cookie's path, and a
        // jar that had saved it would send it there.
        QVERIFY(signIn(*c.session));
        const auto logins = requestsTo(backend, "/auth/login");
        QCOMPARE(logins.size(), 2);
        QCOMPARE(cookieHeaders(logins.last()), 0);
    }

    // A refresh answered with a redirect to another origin: not followed,
    // the cookie never reaches it, the session stays.
    void cookieNeverFollowsARedirect()
    {
        CapturingServer elsewhere("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        RawServer backend;
        QVERIFY(backend.start());
        backend.route("/auth/login", json(tokens, "refreshToken=r-1; Path=/auth"));
        backend.route("/auth/refresh",
                      RawResponse::redirect(307, elsewhere.url("/auth/refresh").toEncoded()));
        MemoryTokenStore store;
        Client c = playedClient(backend, &store);
        QVERIFY(signIn(*c.session));
        QSignalSpy finished(c.session.get(), &Session::refreshFinished);
        c.session->refresh();
        QVERIFY(finished.wait(5000));
        QCOMPARE(finished.first().at(0).toBool(), false);
        QTest::qWait(200);
        QVERIFY(elsewhere.received.isEmpty());
        QCOMPARE(storedToken(store), QByteArray("r-1"));
        QVERIFY(c.session->status() != Session::Status::SignedOut);
        QVERIFY(c.session->status() != Session::Status::Expired);
    }

    // What the sign-in answer's cookie says decides whether it is usable.
    void signInCookieIsChecked_data()
    {
        QTest::addColumn<QByteArray>("setCookie");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("path /auth") << QByteArray("refreshToken=r-1; Path=/auth") << true;
        QTest::newRow("no path: the login's directory")
            << QByteArray("refreshToken=r-1; HttpOnly") << true;
        QTest::newRow("path /") << QByteArray("refreshToken=r-1; Path=/") << true;
        QTest::newRow("max-age") << QByteArray("refreshToken=r-1; Max-Age=600") << true;
        QTest::newRow("this host") << QByteArray("refreshToken=r-1; Domain=127.0.0.1") << true;
        QTest::newRow("no cookie") << QByteArray() << false;
        QTest::newRow("another cookie") << QByteArray("session=abc; Path=/") << false;
        QTest::newRow("another path")
            << QByteArray("refreshToken=r-1; Path=/auth/refresh") << false;
        QTest::newRow("prefix path") << QByteArray("refreshToken=r-1; Path=/au") << false;
        QTest::newRow("another site")
            << QByteArray("refreshToken=r-1; Domain=evil.example") << false;
        QTest::newRow("expired") << QByteArray("refreshToken=r-1; Max-Age=0") << false;
        // RFC 6265 §5.3: Max-Age wins over Expires, in either order.
        QTest::newRow("max-age over a past expires")
            << QByteArray("refreshToken=r-1; Path=/auth; Max-Age=100; "
                          "Expires=Thu, 01 Jan 1970 00:00:00 GMT")
            << true;
        QTest::newRow("max-age 0 over a future expires")
            << QByteArray("refreshToken=r-1; Path=/auth; Expires=Fri, 01 Jan 2100 00:00:00 GMT; "
                          "Max-Age=0")
            << false;
        QTest::newRow("negative max-age") << QByteArray("refreshToken=r-1; Max-Age=-1") << false;
        QTest::newRow("empty") << QByteArray("refreshToken=; Path=/auth") << false;
        QTest::newRow("a header line inside")
            << QByteArray("refreshToken=r\x01x; Path=/auth") << false;
    }
    void signInCookieIsChecked()
    {
        QFETCH(QByteArray, setCookie);
        QFETCH(bool, accepted);
        RawServer backend;
        QVERIFY(backend.start());
        backend.route("/auth/login", json(tokens, setCookie.isEmpty() ? QByteArray() : setCookie));
        MemoryTokenStore store;
        Client c = playedClient(backend, &store);
        QSignalSpy errors(c.session.get(), &Session::errorOccurred);
        c.session->signIn(QStringLiteral("alice"), QStringLiteral("alice-password"));
        QTRY_VERIFY_WITH_TIMEOUT(c.session->status() != Session::Status::SigningIn, 5000);
        if (accepted) {
            QCOMPARE(c.session->status(), Session::Status::SignedIn);
            QCOMPARE(storedToken(store), QByteArray("r-1"));
        } else {
            QCOMPARE(c.session->status(), Session::Status::SignedOut);
            QVERIFY(readStore(store).token.isEmpty());
            QVERIFY(!errors.isEmpty());
            QVERIFY2(!errors.constLast().at(1).toString().isEmpty(), "no message");
            // The password was right: never "the username or password is wrong".
            QVERIFY(errors.constLast().at(0).value<Session::Error>()
                    != Session::Error::InvalidCredentials);
        }
    }

    // A refresh answer without a usable cookie keeps the session and its
    // token; one that removes the cookie ends the session cleanly.
    void refreshCookieProblems_data()
    {
        QTest::addColumn<QByteArray>("setCookie");
        QTest::addColumn<bool>("ends");
        QTest::newRow("missing") << QByteArray() << false;
        QTest::newRow("unreadable") << QByteArray("refreshToken") << false;
        QTest::newRow("another site")
            << QByteArray("refreshToken=r-2; Domain=evil.example") << false;
        QTest::newRow("removed") << QByteArray("refreshToken=; Max-Age=0; Path=/auth") << true;
    }
    void refreshCookieProblems()
    {
        QFETCH(QByteArray, setCookie);
        QFETCH(bool, ends);
        RawServer backend;
        QVERIFY(backend.start());
        backend.route("/auth/login", json(tokens, "refreshToken=r-1; Path=/auth"));
        backend.route("/auth/refresh",
                      json(tokens, setCookie.isEmpty() ? QByteArray() : setCookie));
        MemoryTokenStore store;
        Client c = playedClient(backend, &store);
        QVERIFY(signIn(*c.session));
        QSignalSpy finished(c.session.get(), &Session::refreshFinished);
        QSignalSpy errors(c.session.get(), &Session::errorOccurred);
        c.session->refresh();
        QVERIFY(finished.wait(5000));
        QCOMPARE(finished.first().at(0).toBool(), false);
        QVERIFY(!errors.isEmpty());
        if (ends) {
            QCOMPARE(c.session->status(), Session::Status::Expired);
            QCOMPARE(errors.constLast().at(0).value<Session::Error>(),
                     Session::Error::SessionExpired);
            // The cookie is gone, and so is the stored token.
            QTRY_COMPARE(readStore(store).error, TokenStore::Error::NotFound);
        } else {
            QVERIFY(c.session->status() != Session::Status::Expired);
            QVERIFY(c.session->status() != Session::Status::SignedOut);
            QCOMPARE(storedToken(store), QByteArray("r-1"));
            QCOMPARE(errors.constLast().at(0).value<Session::Error>(),
                     Session::Error::MalformedResponse);
        }
    }

    // The cookie's Max-Age is the refresh token's lifetime: past it the token
    // is not presented (a browser would have dropped the cookie), and the
    // session ends cleanly.
    void cookieLifetimeIsTheTokens()
    {
        RawServer backend;
        QVERIFY(backend.start());
        backend.route("/auth/login", json(tokens, "refreshToken=r-1; Path=/auth; Max-Age=1"));
        backend.route("/auth/refresh", json(tokens, "refreshToken=r-2; Path=/auth"));
        MemoryTokenStore store;
        Client c = playedClient(backend, &store);
        QVERIFY(signIn(*c.session));
        QTest::qWait(1200);
        QSignalSpy finished(c.session.get(), &Session::refreshFinished);
        c.session->refresh();
        QVERIFY(finished.wait(5000));
        QCOMPARE(finished.first().at(0).toBool(), false);
        QCOMPARE(c.session->status(), Session::Status::Expired);
        QVERIFY(requestsTo(backend, "/auth/refresh").isEmpty());

        // Within its lifetime it is presented as always.
        backend.route("/auth/login", json(tokens, "refreshToken=r-3; Path=/auth; Max-Age=600"));
        QVERIFY(signIn(*c.session));
        c.session->refresh();
        QTRY_COMPARE_WITH_TIMEOUT(requestsTo(backend, "/auth/refresh").size(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(storedToken(store), QByteArray("r-2"), 5000);
    }

    // The lifetime is kept with the token: a restart (a new session on the same store)
    // does not present it once it is over, and presents it within it.
    void cookieLifetimeOutlivesARestart()
    {
        RawServer backend;
        QVERIFY(backend.start());
        backend.route("/auth/login", json(tokens, "refreshToken=r-1; Path=/auth; Max-Age=2"));
        backend.route("/auth/refresh", json(tokens, "refreshToken=r-2; Path=/auth; Max-Age=600"));
        MemoryTokenStore store;
        {
            Client c = playedClient(backend, &store);
            QVERIFY(signIn(*c.session));
        }
        QVERIFY(readStore(store).token.startsWith("r-1\n"));
        {
            Client restarted = playedClient(backend, &store);
            QSignalSpy signedIn(restarted.session.get(), &Session::signedIn);
            restarted.session->restore(); // within its lifetime: presented
            QVERIFY(signedIn.wait(5000));
            QCOMPARE(requestsTo(backend, "/auth/refresh").size(), 1);
        }
        // The rotated token lives 600 s; put back the short-lived one, and wait it out.
        backend.route("/auth/login", json(tokens, "refreshToken=r-3; Path=/auth; Max-Age=1"));
        {
            Client c = playedClient(backend, &store);
            QVERIFY(signIn(*c.session));
        }
        QTest::qWait(2200);
        Client restarted = playedClient(backend, &store);
        QSignalSpy errors(restarted.session.get(), &Session::errorOccurred);
        restarted.session->restore();
        QVERIFY(errors.wait(5000));
        QCOMPARE(errors.first().at(0).value<Session::Error>(), Session::Error::NoStoredSession);
        QCOMPARE(requestsTo(backend, "/auth/refresh").size(), 1); // r-3 was not presented
    }

    // A lifetime that moves a little at every refresh (a sliding Max-Age) is stored again
    // once it has moved from the stored one by more than a minute later, and at once when
    // it ends sooner: the store never says later than the server, nor more than a minute
    // sooner.
    void storedLifetimeFollowsTheServer()
    {
        RawServer backend;
        QVERIFY(backend.start());
        backend.route("/auth/login", json(tokens, "refreshToken=r-1; Path=/auth; Max-Age=600"));
        MemoryTokenStore store;
        Client c = playedClient(backend, &store);
        QVERIFY(signIn(*c.session));
        // The "expires <seconds>" line beside the token (docs/net.md).
        const auto storedEnd = [&store] {
            for (const QByteArray &line : readStore(store).token.split('\n')) {
                if (line.startsWith("expires "))
                    return QDateTime::fromSecsSinceEpoch(line.mid(8).toLongLong(), Qt::UTC);
            }
            return QDateTime();
        };
        const QDateTime first = storedEnd();
        QVERIFY(first.isValid());
        const auto refreshWith = [&](int maxAge) {
            backend.route(
                "/auth/refresh",
                json(tokens,
                     "refreshToken=r-1; Path=/auth; Max-Age=" + QByteArray::number(maxAge)));
            QSignalSpy finished(c.session.get(), &Session::refreshFinished);
            c.session->refresh();
            return finished.wait(5000) && finished.first().at(0).toBool();
        };
        // Later by 30 s each time: the store keeps the first end until it is a minute off.
        QVERIFY(refreshWith(630));
        QCOMPARE(storedEnd(), first);
        QVERIFY(refreshWith(690));
        QVERIFY2(storedEnd() > first.addSecs(60), qPrintable(storedEnd().toString()));
        // Sooner: stored at once.
        QVERIFY(refreshWith(300));
        const QDateTime sooner = storedEnd();
        QVERIFY2(qAbs(sooner.secsTo(QDateTime::currentDateTimeUtc().addSecs(300))) <= 2,
                 qPrintable(sooner.toString()));
    }

    // A hand-edited entry is read strictly: of several lifetimes the earliest, one that is
    // not a time after 1970 is over, and a token a cookie cannot carry is not sent.
    void oddStoredLifetimesAreReadStrictly_data()
    {
        QTest::addColumn<QByteArray>("record");
        QTest::newRow("earliest of two") << QByteArray("r-1\nexpires 1\nexpires 9999999999");
        QTest::newRow("zero") << QByteArray("r-1\nexpires 0");
        QTest::newRow("negative") << QByteArray("r-1\nexpires -9223372036854775808");
        QTest::newRow("not a number") << QByteArray("r-1\nexpires soon");
        QTest::newRow("lines swapped") << QByteArray("expires 1\nr-1");
    }

    void oddStoredLifetimesAreReadStrictly()
    {
        QFETCH(QByteArray, record);
        RawServer backend;
        QVERIFY(backend.start());
        backend.route("/auth/refresh", json(tokens, "refreshToken=r-2; Path=/auth"));
        MemoryTokenStore store;
        bool written = false;
        store.write(record, [&written](const TokenStore::Result &r) {
            written = r.error == TokenStore::Error::NoError;
        });
        QTRY_VERIFY(written);
        Client c = playedClient(backend, &store);
        QSignalSpy errors(c.session.get(), &Session::errorOccurred);
        c.session->restore();
        QVERIFY(errors.wait(5000));
        QCOMPARE(errors.first().at(0).value<Session::Error>(), Session::Error::NoStoredSession);
        QVERIFY(requestsTo(backend, "/auth/refresh").isEmpty());
    }

    // A cookie with Expires and no Max-Age: the same, by the date it gives.
    void cookieExpiresIsTheTokensLifetimeToo()
    {
        const QByteArray expires = QLocale::c()
                                       .toString(QDateTime::currentDateTimeUtc().addSecs(2),
                                                 QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
                                       .toLatin1();
        RawServer backend;
        QVERIFY(backend.start());
        backend.route("/auth/login",
                      json(tokens, "refreshToken=r-1; Path=/auth; Expires=" + expires));
        backend.route("/auth/refresh", json(tokens, "refreshToken=r-2; Path=/auth"));
        MemoryTokenStore store;
        Client c = playedClient(backend, &store);
        QVERIFY(signIn(*c.session));
        QTest::qWait(3200);
        QSignalSpy finished(c.session.get(), &Session::refreshFinished);
        c.session->refresh();
        QVERIFY(finished.wait(5000));
        QCOMPARE(finished.first().at(0).toBool(), false);
        QCOMPARE(c.session->status(), Session::Status::Expired);
        QVERIFY(requestsTo(backend, "/auth/refresh").isEmpty());
    }

    // Nothing of the cookie reaches a file: not the application's data,
    // configuration or cache directories, not the home directory.
    void cookieNeverReachesDisk()
    {
        auto server = startServer(cookieServer());
        QVERIFY(server);
        MemoryTokenStore store;
        {
            Client c = makeClient(*server, &store);
            QVERIFY(signIn(*c.session));
            QVERIFY(expireNow(*server));
            QNetworkReply *reply = get(*c.manager, *server, "/profile");
            QVERIFY(waitFinished(reply));
            delete reply;
        }
        const QByteArray token = storedToken(store);
        QVERIFY(token.size() > 40);
        const QByteArray signature = token.mid(token.lastIndexOf('.') + 1);
        int files = 0;
        for (const char *variable :
             {"HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR"}) {
            const QString dir = qEnvironmentVariable(variable);
            if (dir.isEmpty())
                continue;
            QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                QFile file(it.next());
                if (file.size() > 16 * 1024 * 1024 || !file.open(QIODevice::ReadOnly))
                    continue;
                ++files;
                QVERIFY2(!file.readAll().contains(signature), qPrintable(file.fileName()));
            }
        }
        qInfo("%d files searched", files);
    }
};

QTEST_GUILESS_MAIN(TestCookieTransport)
#include "tst_cookietransport.moc"
