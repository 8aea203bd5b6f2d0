// Sign-in through the browser, as a user and as an attacker on the same
// machine see it: discovery of the provider, the authorization code flow with
// PKCE and a loopback redirect against the mock server's provider endpoints,
// with a headless stand-in for the browser, and every way a callback can be
// wrong.
#include "browserstandin.h"
#include "capturingserver.h"
#include "httpclient.h"
#include "sessionfixture.h"
#include "testserver.h"

#include <silentauth/authnetworkaccessmanager.h>
#include <silentauth/browsersignin.h>
#include <silentauth/memorytokenstore.h>
#include <silentauth/oauth2protocol.h>
#include <silentauth/providermetadata.h>
#include <silentauth/session.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QProcess>
#include <QtCore/QUrlQuery>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

using namespace SilentAuth;
using namespace SilentAuth::Test;
using Mock::MockServer;
using Mock::MockServerConfig;

namespace {

QByteArray jsonAnswer(const QByteArray &body, const char *status = "200 OK")
{
    return "HTTP/1.1 " + QByteArray(status)
        + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

QUrl issuerOf(const MockServer &server)
{
    QUrl url = server.url();
    url.setPath(QString());
    return url.adjusted(QUrl::StripTrailingSlash);
}

std::optional<ProviderMetadata> discover(const QUrl &issuer, QString *error = nullptr,
                                         bool plainHttp = false)
{
    QNetworkAccessManager network;
    ProviderDiscovery discovery(&network);
    discovery.setPlainHttpAllowed(plainHttp);
    std::optional<ProviderMetadata> found;
    QSignalSpy failed(&discovery, &ProviderDiscovery::failed);
    QObject::connect(&discovery, &ProviderDiscovery::discovered,
                     [&found](const ProviderMetadata &provider) { found = provider; });
    discovery.discover(issuer);
    QElapsedTimer clock;
    clock.start();
    while (!found && failed.isEmpty() && clock.elapsed() < 10000)
        QTest::qWait(5);
    if (error && !failed.isEmpty())
        *error = failed.first().at(0).toString();
    return found;
}

// A session for the mock provider, signed in through the browser.
struct BrowserClient
{
    std::unique_ptr<MemoryTokenStore> store = std::make_unique<MemoryTokenStore>();
    std::unique_ptr<Session> session;
    std::unique_ptr<AuthNetworkAccessManager> manager;
    std::unique_ptr<BrowserSignIn> browser;
};

BrowserClient browserClient(const ProviderMetadata &provider,
                            const QString &scope = QStringLiteral("openid profile"))
{
    BrowserClient c;
    c.session = std::make_unique<Session>(
        OAuth2Protocol::forProvider(provider, QStringLiteral("silentauth-desktop"), scope),
        c.store.get());
    c.manager = std::make_unique<AuthNetworkAccessManager>(c.session.get());
    c.browser = std::make_unique<BrowserSignIn>(c.session.get(), provider);
    return c;
}

QUrl waitForUrl(BrowserSignIn &browser)
{
    QSignalSpy ready(&browser, &BrowserSignIn::authorizationUrlReady);
    if (ready.isEmpty() && !ready.wait(5000))
        return {};
    return ready.first().at(0).toUrl();
}

bool portAnswers(const QUrl &url)
{
    QTcpSocket socket;
    socket.connectToHost(url.host(), quint16(url.port()));
    return socket.waitForConnected(1000);
}

QByteArray queryValue(const QUrl &url, const char *key)
{
    return QUrlQuery(url).queryItemValue(QLatin1String(key), QUrl::FullyDecoded).toLatin1();
}

} // namespace

class TestBrowserSignIn : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void discoveryReadsTheProvider()
    {
        auto server = startServer({});
        QVERIFY(server);
        QString error;
        const auto provider = discover(issuerOf(*server), &error);
        QVERIFY2(provider, qPrintable(error));
        QCOMPARE(provider->issuer, issuerOf(*server));
        QCOMPARE(provider->tokenEndpoint.path(), QStringLiteral("/oauth/token"));
        QCOMPARE(provider->authorizationEndpoint.path(), QStringLiteral("/oauth/authorize"));
        QCOMPARE(provider->revocationEndpoint.path(), QStringLiteral("/oauth/revoke"));
        QVERIFY(provider->codeChallengeMethods.contains(QLatin1String("S256")));
        QVERIFY(provider->issParameterSupported);
        QVERIFY(provider->supportsGrant(QStringLiteral("authorization_code")));
    }

    // A provider that says it is someone else, a document that is not one,
    // plain http to another host: each a clear failure, nothing used.
    void discoveryRefusesWhatCannotBeTrusted_data()
    {
        QTest::addColumn<QByteArray>("answer");
        QTest::addColumn<QString>("expected");
        QTest::newRow("other issuer") << jsonAnswer(
            QJsonDocument(
                QJsonObject {
                    {QStringLiteral("issuer"), QStringLiteral("https://evil.example")},
                    {QStringLiteral("token_endpoint"), QStringLiteral("https://evil.example/t")}})
                .toJson()) << QStringLiteral("evil.example");
        QTest::newRow("not json") << jsonAnswer("<html>login</html>")
                                  << QStringLiteral("not a JSON object");
        QTest::newRow("no token endpoint") << QByteArray() << QStringLiteral("no token endpoint");
        QTest::newRow("http endpoint elsewhere") << QByteArray() << QStringLiteral("plain http");
        QTest::newRow("404 twice") << QByteArray(
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                                   << QStringLiteral("404");
    }
    void discoveryRefusesWhatCannotBeTrusted()
    {
        QFETCH(QByteArray, answer);
        QFETCH(QString, expected);
        CapturingServer idp(answer);
        const QUrl issuer = idp.url("/").adjusted(QUrl::StripTrailingSlash);
        if (answer.isEmpty()) {
            QJsonObject document {{QStringLiteral("issuer"), issuer.toString()}};
            if (QTest::currentDataTag() != QByteArray("no token endpoint"))
                document.insert(QStringLiteral("token_endpoint"),
                                QStringLiteral("http://192.0.2.1/token"));
            idp.responses = {jsonAnswer(QJsonDocument(document).toJson())};
        }
        QString error;
        QVERIFY(!discover(issuer, &error));
        QVERIFY2(error.contains(expected, Qt::CaseInsensitive), qPrintable(error));
    }

    // RFC 8414: when the OpenID document is not there, the
    // oauth-authorization-server one inserted before the issuer's path.
    void discoveryFallsBackToRfc8414()
    {
        CapturingServer idp(
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        const QUrl issuer = idp.url("/tenant");
        idp.responses
            = {"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
               jsonAnswer(QJsonDocument(QJsonObject {{QStringLiteral("issuer"), issuer.toString()},
                                                     {QStringLiteral("token_endpoint"),
                                                      idp.url("/t").toString()}})
                              .toJson())};
        QString error;
        const auto provider = discover(issuer, &error);
        QVERIFY2(provider, qPrintable(error));
        QVERIFY(idp.received.contains("GET /tenant/.well-known/openid-configuration "));
        QVERIFY(idp.received.contains("GET /.well-known/oauth-authorization-server/tenant "));
    }

    void plainHttpIssuerElsewhereIsRefused()
    {
        QString error;
        QVERIFY(!discover(QUrl(QStringLiteral("http://idp.invalid/realm")), &error));
        QVERIFY2(error.contains(QLatin1String("https")), qPrintable(error));
    }

    // The whole flow: the browser signs in, the program gets its session,
    // which then refreshes and signs out as any other.
    void signInThroughTheBrowser()
    {
        auto server = startServer({});
        QVERIFY(server);
        const auto provider = discover(issuerOf(*server));
        QVERIFY(provider);
        auto c = browserClient(*provider);
        QSignalSpy finished(c.browser.get(), &BrowserSignIn::finished);
        QSignalSpy signedIn(c.session.get(), &Session::signedIn);
        QElapsedTimer clock;
        clock.start();
        c.browser->start();
        const QUrl url = waitForUrl(*c.browser);
        QVERIFY(url.isValid());
        // Bound to loopback only, never to every interface.
        QCOMPARE(c.browser->listeningAddress(), QHostAddress(QHostAddress::LocalHost));
        const QUrl redirect(QString::fromUtf8(queryValue(url, "redirect_uri")));
        QCOMPARE(redirect.host(), QStringLiteral("127.0.0.1"));
        QCOMPARE(queryValue(url, "code_challenge_method"), QByteArray("S256"));
        QCOMPARE(queryValue(url, "code_challenge").size(), 43);
        QVERIFY(!queryValue(url, "state").isEmpty());
        QVERIFY(!queryValue(url, "nonce").isEmpty());

        const BrowserVisit visit
            = visitAuthorization(url, QStringLiteral("alice"), QStringLiteral("alice-password"));
        QVERIFY2(visit.error.isEmpty(), qPrintable(visit.error));
        QCOMPARE(visit.callbackStatus, 200);
        QVERIFY(visit.callbackBody.contains("<html lang="));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
        qInfo("browser sign-in, from start to signed in (headless browser): %lld ms",
              static_cast<long long>(clock.elapsed()));
        QCOMPARE(signedIn.count(), 1);
        QCOMPARE(c.session->status(), Session::Status::SignedIn);
        QCOMPARE(c.session->username(), QStringLiteral("alice"));
        QVERIFY(!c.browser->isActive());
        QVERIFY(!portAnswers(redirect)); // closed after the first valid callback

        QNetworkReply *profile = get(*c.manager, *server, "/profile");
        QVERIFY(waitFinished(profile));
        QCOMPARE(profile->error(), QNetworkReply::NoError);
        profile->deleteLater();
        QSignalSpy refreshed(c.session.get(), &Session::refreshFinished);
        c.session->refresh();
        QVERIFY(refreshed.wait(5000));
        QCOMPARE(refreshed.first().at(0).toBool(), true);

        QSignalSpy signedOut(c.session.get(), &Session::signedOut);
        QSignalSpy errors(c.session.get(), &Session::errorOccurred);
        c.session->signOut();
        QVERIFY(signedOut.wait(5000));
        QCOMPARE(errors.count(), 0);
        QCOMPARE(stat(*server, "revocations"), 1);
        QCOMPARE(stat(*server, "liveRefreshTokens"), 0);
    }

    void declinedInTheBrowser()
    {
        auto server = startServer({});
        QVERIFY(server);
        const auto provider = discover(issuerOf(*server));
        QVERIFY(provider);
        auto c = browserClient(*provider);
        QSignalSpy failed(c.browser.get(), &BrowserSignIn::failed);
        c.browser->start();
        const BrowserVisit visit
            = visitAuthorization(waitForUrl(*c.browser), QStringLiteral("alice"),
                                 QStringLiteral("alice-password"), QStringLiteral("deny"));
        QVERIFY2(visit.error.isEmpty(), qPrintable(visit.error));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 5000);
        QCOMPARE(failed.first().at(0).value<BrowserSignIn::Error>(),
                 BrowserSignIn::Error::AccessDenied);
        QVERIFY(failed.first().at(1).toString().contains(QLatin1String("declined")));
        QVERIFY(visit.callbackBody.contains("declined"));
        QCOMPARE(c.session->status(), Session::Status::SignedOut);
    }

    // Callbacks that do not belong to the attempt: another path is refused
    // and the attempt goes on; a wrong state or another issuer ends it.
    void forgedCallbacks()
    {
        auto server = startServer({});
        QVERIFY(server);
        const auto provider = discover(issuerOf(*server));
        QVERIFY(provider);

        auto c = browserClient(*provider);
        QSignalSpy failed(c.browser.get(), &BrowserSignIn::failed);
        c.browser->start();
        const QUrl url = waitForUrl(*c.browser);
        QUrl callback(QString::fromUtf8(queryValue(url, "redirect_uri")));
        QUrl elsewhere = callback;
        elsewhere.setPath(QStringLiteral("/favicon.ico"));
        QCOMPARE(openCallback(elsewhere).callbackStatus, 404);
        QVERIFY(c.browser->isActive());
        QCOMPARE(failed.count(), 0);

        QUrl forged = callback;
        forged.setQuery(
            QStringLiteral("code=stolen&state=wrong&iss=")
            + QString::fromLatin1(QUrl::toPercentEncoding(provider->issuer.toString())));
        QCOMPARE(openCallback(forged).callbackStatus, 400);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 2000);
        QCOMPARE(failed.first().at(0).value<BrowserSignIn::Error>(),
                 BrowserSignIn::Error::StateMismatch);
        QVERIFY(!portAnswers(callback));
        QCOMPARE(c.session->status(), Session::Status::SignedOut);

        // The right state, but the answer names another issuer (RFC 9207).
        c.browser->start();
        const QUrl second = waitForUrl(*c.browser);
        callback = QUrl(QString::fromUtf8(queryValue(second, "redirect_uri")));
        forged = callback;
        forged.setQuery(QStringLiteral("code=x&state=")
                        + QString::fromLatin1(queryValue(second, "state"))
                        + QStringLiteral("&iss=https%3A%2F%2Fevil.example"));
        openCallback(forged);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 2, 2000);
        QCOMPARE(failed.at(1).at(0).value<BrowserSignIn::Error>(),
                 BrowserSignIn::Error::IssuerMismatch);

        // Without iss from a provider that promised it.
        c.browser->start();
        const QUrl third = waitForUrl(*c.browser);
        callback = QUrl(QString::fromUtf8(queryValue(third, "redirect_uri")));
        forged = callback;
        forged.setQuery(QStringLiteral("code=x&state=")
                        + QString::fromLatin1(queryValue(third, "state")));
        openCallback(forged);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 3, 2000);
        QCOMPARE(failed.at(2).at(0).value<BrowserSignIn::Error>(),
                 BrowserSignIn::Error::IssuerMismatch);
        QCOMPARE(stat(*server, "authorizations", "exchanged"), 0);
    }

    // A second callback after the first valid one finds the port closed.
    void secondCallbackIsRefused()
    {
        auto server = startServer({});
        QVERIFY(server);
        const auto provider = discover(issuerOf(*server));
        QVERIFY(provider);
        auto c = browserClient(*provider);
        QSignalSpy finished(c.browser.get(), &BrowserSignIn::finished);
        c.browser->start();
        const BrowserVisit visit = visitAuthorization(waitForUrl(*c.browser), QStringLiteral("bob"),
                                                      QStringLiteral("bob-password"));
        QVERIFY2(visit.error.isEmpty(), qPrintable(visit.error));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
        const BrowserVisit again = openCallback(visit.callback);
        QCOMPARE(again.callbackStatus, 0);
        QCOMPARE(c.session->username(), QStringLiteral("bob"));
    }

    void timeoutAndCancelFreeThePort()
    {
        auto server = startServer({});
        QVERIFY(server);
        const auto provider = discover(issuerOf(*server));
        QVERIFY(provider);
        auto c = browserClient(*provider);
        QSignalSpy failed(c.browser.get(), &BrowserSignIn::failed);
        c.browser->setTimeout(std::chrono::milliseconds(300));
        c.browser->start();
        QUrl callback(QString::fromUtf8(queryValue(waitForUrl(*c.browser), "redirect_uri")));
        QVERIFY(portAnswers(callback));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 3000);
        QCOMPARE(failed.first().at(0).value<BrowserSignIn::Error>(), BrowserSignIn::Error::Timeout);
        QVERIFY(!portAnswers(callback));

        c.browser->setTimeout(std::chrono::minutes(5));
        c.browser->start();
        callback = QUrl(QString::fromUtf8(queryValue(waitForUrl(*c.browser), "redirect_uri")));
        c.browser->cancel();
        QCOMPARE(failed.count(), 2);
        QCOMPARE(failed.at(1).at(0).value<BrowserSignIn::Error>(), BrowserSignIn::Error::Canceled);
        QVERIFY(!portAnswers(callback));
        QVERIFY(!c.browser->isActive());
    }

    // A fixed port list for providers that register the redirect with a port.
    void fixedPorts()
    {
        auto server = startServer({});
        QVERIFY(server);
        const auto provider = discover(issuerOf(*server));
        QVERIFY(provider);
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 free = probe.serverPort();
        probe.close();
        auto c = browserClient(*provider);
        c.browser->setPorts({taken.serverPort(), free});
        c.browser->start();
        const QUrl redirect(QString::fromUtf8(queryValue(waitForUrl(*c.browser), "redirect_uri")));
        QCOMPARE(redirect.port(), int(free));
        c.browser->cancel();
    }

#ifdef CLI_EXECUTABLE
    // The command-line client: discovery from --issuer, the address on
    // stderr ($BROWSER is a command that does nothing), then the requests.
    void cliSignsInThroughTheBrowser()
    {
        auto server = startServer({});
        QVERIFY(server);
        QProcess cli;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("BROWSER"), QStringLiteral("true"));
        cli.setProcessEnvironment(env);
        cli.start(QStringLiteral(CLI_EXECUTABLE),
                  {QStringLiteral("--issuer"), issuerOf(*server).toString(),
                   QStringLiteral("--browser"), QStringLiteral("-n"), QStringLiteral("3"),
                   endpoint(*server, "/profile").toString()});
        QByteArray err;
        QUrl url;
        QElapsedTimer clock;
        clock.start();
        while (!url.isValid() && clock.elapsed() < 10000 && cli.state() != QProcess::NotRunning) {
            QTest::qWait(10);
            err += cli.readAllStandardError();
            const qsizetype at = err.indexOf("sign in at ");
            const qsizetype end = err.indexOf('\n', at);
            if (at >= 0 && end > at)
                url = QUrl::fromEncoded(err.mid(at + 11, end - at - 11));
        }
        QVERIFY2(url.isValid(), err.constData());
        const BrowserVisit visit
            = visitAuthorization(url, QStringLiteral("bob"), QStringLiteral("bob-password"));
        QVERIFY2(visit.error.isEmpty(), qPrintable(visit.error));
        QTRY_VERIFY_WITH_TIMEOUT(cli.state() == QProcess::NotRunning, 10000);
        err += cli.readAllStandardError();
        QCOMPARE(cli.exitCode(), 0);
        const QJsonObject stats = QJsonDocument::fromJson(cli.readAllStandardOutput()).object();
        QCOMPARE(stats.value(QLatin1String("ok")).toInt(), 3);
        QCOMPARE(stats.value(QLatin1String("status")).toString(), QStringLiteral("SignedIn"));
    }

    void cliBrowserDeclined()
    {
        auto server = startServer({});
        QVERIFY(server);
        QProcess cli;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("BROWSER"), QStringLiteral("true"));
        cli.setProcessEnvironment(env);
        cli.start(QStringLiteral(CLI_EXECUTABLE),
                  {QStringLiteral("--issuer"), issuerOf(*server).toString(),
                   QStringLiteral("--browser"), endpoint(*server, "/profile").toString()});
        QByteArray err;
        QUrl url;
        QElapsedTimer clock;
        clock.start();
        while (!url.isValid() && clock.elapsed() < 10000 && cli.state() != QProcess::NotRunning) {
            QTest::qWait(10);
            err += cli.readAllStandardError();
            const qsizetype at = err.indexOf("sign in at ");
            const qsizetype end = err.indexOf('\n', at);
            if (at >= 0 && end > at)
                url = QUrl::fromEncoded(err.mid(at + 11, end - at - 11));
        }
        QVERIFY2(url.isValid(), err.constData());
        visitAuthorization(url, QStringLiteral("bob"), QStringLiteral("bob-password"),
                           QStringLiteral("deny"));
        QTRY_VERIFY_WITH_TIMEOUT(cli.state() == QProcess::NotRunning, 10000);
        err += cli.readAllStandardError();
        QCOMPARE(cli.exitCode(), 3);
        QVERIFY2(err.contains("declined"), err.constData());
        const QJsonObject stats = QJsonDocument::fromJson(cli.readAllStandardOutput()).object();
        QCOMPARE(stats.value(QLatin1String("signInError")).toString(),
                 QStringLiteral("AccessDenied"));
    }
#endif

    void providerWithoutS256IsUnsupported()
    {
        ProviderMetadata provider;
        provider.issuer = QUrl(QStringLiteral("http://127.0.0.1:9"));
        provider.tokenEndpoint = QUrl(QStringLiteral("http://127.0.0.1:9/token"));
        provider.authorizationEndpoint = QUrl(QStringLiteral("http://127.0.0.1:9/authorize"));
        provider.codeChallengeMethods = {QStringLiteral("plain")};
        auto c = browserClient(provider);
        QSignalSpy failed(c.browser.get(), &BrowserSignIn::failed);
        c.browser->start();
        QVERIFY(failed.wait(2000));
        QCOMPARE(failed.first().at(0).value<BrowserSignIn::Error>(),
                 BrowserSignIn::Error::Unsupported);
        QVERIFY(c.browser->redirectUri().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestBrowserSignIn)
#include "tst_browsersignin.moc"
