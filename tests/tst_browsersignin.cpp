// Sign-in through the browser, as a user and as an attacker on the same
// machine see it: discovery of the provider, the authorization code flow with
// PKCE and a loopback redirect against the mock server's provider endpoints,
// with a headless stand-in for the browser, and every way a callback can be
// wrong.
#include "browserstandin.h"
#include "capturingserver.h"
#include "httpclient.h"
#include "providerfixture.h"
#include "rawserver.h"
#include "sessionfixture.h"
#include "testserver.h"

#include <silentauth/authnetworkaccessmanager.h>
#include <silentauth/browsersignin.h>
#include <silentauth/memorytokenstore.h>
#include <silentauth/oauth2protocol.h>
#include <silentauth/providermetadata.h>
#include <silentauth/session.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QProcess>
#include <QtCore/QUrlQuery>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>

#include <sys/resource.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

using namespace SilentAuth;
using namespace SilentAuth::Test;
using Mock::MockServer;
using Mock::MockServerConfig;

Q_DECLARE_METATYPE(SilentAuth::Test::RawResponse)

namespace {

// The process's threads, as the kernel counts them.
int threadCount()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("Threads:"))
            return line.mid(8).trimmed().toInt();
    }
    return -1;
}

// The CPU time the process has used, user and system, in microseconds.
qint64 processCpuUs()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return qint64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000 + usage.ru_utime.tv_usec
        + usage.ru_stime.tv_usec;
}

QByteArray jsonAnswer(const QByteArray &body, const char *status = "200 OK")
{
    return "HTTP/1.1 " + QByteArray(status)
        + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body;
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

#ifdef CLI_EXECUTABLE
// Starts silentauth-cli --issuer --browser against \a server (with a $BROWSER
// that opens nothing, unless \a env is given) and returns the address it
// prints; \a err collects its stderr so far.
QUrl startCli(QProcess &cli, const MockServer &server, const QStringList &extra, QByteArray *err,
              QProcessEnvironment env = {})
{
    if (env.isEmpty()) {
        env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("BROWSER"), QStringLiteral("true"));
    }
    cli.setProcessEnvironment(env);
    cli.start(QStringLiteral(CLI_EXECUTABLE),
              QStringList {QStringLiteral("--issuer"), issuerOf(server).toString(),
                           QStringLiteral("--browser")}
                  + extra + QStringList {endpoint(server, "/profile").toString()});
    QElapsedTimer clock;
    clock.start();
    while (clock.elapsed() < 10000 && cli.state() != QProcess::NotRunning) {
        QTest::qWait(10);
        *err += cli.readAllStandardError();
        const qsizetype at = err->indexOf("sign in at ");
        const qsizetype end = err->indexOf('\n', at);
        if (at >= 0 && end > at)
            return QUrl::fromEncoded(err->mid(at + 11, end - at - 11));
    }
    return {};
}
#endif

// An ES256 signing key of a provider the test plays, with OpenSSL.
class TestSigner
{
public:
    TestSigner() { m_key = EVP_EC_gen("P-256"); }
    ~TestSigner() { EVP_PKEY_free(m_key); }
    TestSigner(const TestSigner &) = delete;
    TestSigner &operator=(const TestSigner &) = delete;

    QJsonObject jwk(const QString &kid) const
    {
        unsigned char point[65];
        size_t length = 0;
        EVP_PKEY_get_octet_string_param(m_key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point,
                                        &length);
        const auto b64 = [](const QByteArray &bytes) {
            return QString::fromLatin1(
                bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        };
        const QByteArray raw(reinterpret_cast<const char *>(point), qsizetype(length));
        return {{QStringLiteral("kty"), QStringLiteral("EC")},
                {QStringLiteral("crv"), QStringLiteral("P-256")},
                {QStringLiteral("use"), QStringLiteral("sig")},
                {QStringLiteral("kid"), kid},
                {QStringLiteral("x"), b64(raw.mid(1, 32))},
                {QStringLiteral("y"), b64(raw.mid(33, 32))}};
    }

    QByteArray sign(const QJsonObject &header, const QJsonObject &claims) const
    {
        const auto b64 = [](const QByteArray &bytes) {
            return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        };
        const QByteArray input = b64(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
            + b64(QJsonDocument(claims).toJson(QJsonDocument::Compact));
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        size_t length = 0;
        EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, m_key);
        EVP_DigestSign(ctx, nullptr, &length,
                       reinterpret_cast<const unsigned char *>(input.constData()),
                       size_t(input.size()));
        QByteArray der(qsizetype(length), '\0');
        EVP_DigestSign(ctx, reinterpret_cast<unsigned char *>(der.data()), &length,
                       reinterpret_cast<const unsigned char *>(input.constData()),
                       size_t(input.size()));
        EVP_MD_CTX_free(ctx);
        const unsigned char *p = reinterpret_cast<const unsigned char *>(der.constData());
        ECDSA_SIG *sig = d2i_ECDSA_SIG(nullptr, &p, long(length));
        unsigned char raw[64];
        BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32);
        BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32);
        ECDSA_SIG_free(sig);
        return input + '.' + b64(QByteArray(reinterpret_cast<const char *>(raw), 64));
    }

private:
    EVP_PKEY *m_key = nullptr;
};

RawResponse jsonOk(const QJsonObject &object)
{
    return RawResponse::ok(QJsonDocument(object).toJson(QJsonDocument::Compact),
                           "application/json");
}

// A provider the test plays with its own ES256 key, and a browser sign-in to
// it started up to the authorization URL.
struct PlayedProvider
{
    RawServer idp;
    TestSigner signer;
    ProviderMetadata provider;
    BrowserClient client;
    QUrl authorizationUrl;

    // With \a userinfo, the provider has a userinfo endpoint that answers it.
    bool start(const std::optional<RawResponse> &userinfo = std::nullopt)
    {
        if (!idp.start())
            return false;
        provider.issuer = QUrl(QString::fromLatin1(idp.origin()));
        provider.authorizationEndpoint = idp.url("/authorize");
        provider.tokenEndpoint = idp.url("/token");
        provider.jwksUri = idp.url("/jwks");
        if (userinfo) {
            provider.userinfoEndpoint = idp.url("/userinfo");
            idp.route("/userinfo", *userinfo);
        }
        idp.route(
            "/jwks",
            jsonOk({{QStringLiteral("keys"), QJsonArray {signer.jwk(QStringLiteral("k1"))}}}));
        client = browserClient(provider);
        client.browser->start();
        authorizationUrl = waitForUrl(*client.browser);
        return authorizationUrl.isValid();
    }
    // Valid claims for the sign-in under way.
    QJsonObject claims() const
    {
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        return {
            {QStringLiteral("iss"), provider.issuer.toString()},
            {QStringLiteral("sub"), QStringLiteral("user-7")},
            {QStringLiteral("aud"), QStringLiteral("silentauth-desktop")},
            {QStringLiteral("exp"), double(now + 300)},
            {QStringLiteral("iat"), double(now)},
            {QStringLiteral("nonce"), QString::fromLatin1(queryValue(authorizationUrl, "nonce"))}};
    }
    // The token endpoint's answer, with \a idToken unless it is empty.
    void answerWith(const QByteArray &idToken, const QByteArray &accessToken = "opaque-access")
    {
        QJsonObject answer {{QStringLiteral("access_token"), QString::fromLatin1(accessToken)},
                            {QStringLiteral("token_type"), QStringLiteral("Bearer")},
                            {QStringLiteral("refresh_token"), QStringLiteral("opaque-refresh")},
                            {QStringLiteral("expires_in"), 3600}};
        if (!idToken.isEmpty())
            answer.insert(QStringLiteral("id_token"), QString::fromLatin1(idToken));
        idp.route("/token", jsonOk(answer));
    }
    // The browser comes back with a code and the right state.
    BrowserVisit comeBack() const
    {
        QUrl callback(QString::fromUtf8(queryValue(authorizationUrl, "redirect_uri")));
        callback.setQuery(QStringLiteral("code=c1&state=")
                          + QString::fromLatin1(queryValue(authorizationUrl, "state")));
        return openCallback(callback);
    }
    int requestsTo(const QByteArray &path) const
    {
        int count = 0;
        for (const auto &request : idp.requests())
            count += request.path() == path ? 1 : 0;
        return count;
    }
};

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
        QVERIFY(provider->scopes.contains(QStringLiteral("offline_access")));
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
        QTest::newRow("http endpoint elsewhere")
            << QByteArray() << QStringLiteral("unusable address");
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

    // A provider whose ID tokens carry no profile: the name shown comes from
    // its userinfo endpoint, asked once.
    void profileFromTheMockProvidersUserinfo()
    {
        MockServerConfig config;
        config.profileInIdToken = false;
        auto [server, provider] = startProvider(config);
        QVERIFY(server && provider);
        QVERIFY(provider->userinfoEndpoint.isValid());
        auto c = browserClient(*provider);
        QSignalSpy finished(c.browser.get(), &BrowserSignIn::finished);
        c.browser->start();
        const BrowserVisit visit = visitAuthorization(waitForUrl(*c.browser), QStringLiteral("bob"),
                                                      QStringLiteral("bob-password"));
        QVERIFY2(visit.error.isEmpty(), qPrintable(visit.error));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
        QCOMPARE(c.session->identity(), QStringLiteral("bob"));
        QCOMPARE(c.session->username(), QStringLiteral("bob"));
        QCOMPARE(
            server->stats()[QLatin1String("routes")][QLatin1String("GET /oauth/userinfo")].toInt(),
            1);
    }

    // The whole flow: the browser signs in, the program gets its session,
    // which then refreshes and signs out as any other.
    void signInThroughTheBrowser()
    {
        auto [server, provider] = startProvider();
        QVERIFY(server && provider);
        // The provider makes its RSA signing key when first asked: a cost of
        // its start, not of the sign-in measured below.
        QCOMPARE(HttpClient().send("GET", provider->jwksUri).status, 200);
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
        // The refresh token, then the access token (RFC 7009 §2.1).
        QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "routes", "POST /oauth/revoke"), 2, 5000);
    }

    // DPoP through the browser sign-in: the provider advertises it, the code
    // exchange carries a proof, the tokens are bound to the key, and the
    // API, a refresh and the sign-out go on with proofs.
    void boundTokensThroughTheBrowser()
    {
        Mock::MockServerConfig config;
        config.dpop = Mock::MockServerConfig::DpopMode::Required;
        auto [server, provider] = startProvider(config);
        QVERIFY(server && provider);
        QVERIFY(provider->supportsProofOfPossession());
        auto c = browserClient(*provider);
        c.session->setProofOfPossession(true);
        QSignalSpy finished(c.browser.get(), &BrowserSignIn::finished);
        c.browser->start();
        const QUrl url = waitForUrl(*c.browser);
        QVERIFY(url.isValid());
        const BrowserVisit visit
            = visitAuthorization(url, QStringLiteral("alice"), QStringLiteral("alice-password"));
        QVERIFY2(visit.error.isEmpty(), qPrintable(visit.error));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        QCOMPARE(c.session->status(), Session::Status::SignedIn);
        QVERIFY(c.session->isAccessTokenBound());
        QNetworkReply *profile = get(*c.manager, *server, "/profile");
        QVERIFY(waitFinished(profile));
        QCOMPARE(profile->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        profile->deleteLater();
        QSignalSpy refreshed(c.session.get(), &Session::refreshFinished);
        c.session->refresh();
        QVERIFY(refreshed.wait(5000));
        QCOMPARE(refreshed.first().at(0).toBool(), true);
        const QJsonObject dpop = server->stats().value(QLatin1String("dpop")).toObject();
        QCOMPARE(dpop.value(QLatin1String("rejectedTotal")).toInt(), 0);
        QVERIFY(dpop.value(QLatin1String("accepted")).toInt() >= 3); // code, profile, refresh
    }

    void declinedInTheBrowser()
    {
        auto [server, provider] = startProvider();
        QVERIFY(server && provider);
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
        auto [server, provider] = startProvider();
        QVERIFY(server && provider);

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

    // A provider the test plays (its own signing key), reached by a
    // callback with the right state: every way the ID token can be wrong
    // ends the attempt, stores nothing, and signs no one in.
    void idTokenIsVerified_data()
    {
        QTest::addColumn<QString>("flaw");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("valid") << QString() << true;
        QTest::newRow("bad signature") << QStringLiteral("signature") << false;
        QTest::newRow("alg none") << QStringLiteral("none") << false;
        QTest::newRow("other audience") << QStringLiteral("aud") << false;
        QTest::newRow("other azp") << QStringLiteral("azp") << false;
        QTest::newRow("other nonce") << QStringLiteral("nonce") << false;
        QTest::newRow("expired") << QStringLiteral("exp") << false;
        QTest::newRow("issued in the future") << QStringLiteral("iat") << false;
        // A clock a minute off either way is within the leeway (2 minutes).
        QTest::newRow("expired a minute ago") << QStringLiteral("exp-leeway") << true;
        QTest::newRow("issued a minute ahead") << QStringLiteral("iat-leeway") << true;
        QTest::newRow("expired three minutes ago") << QStringLiteral("exp-beyond") << false;
        QTest::newRow("other issuer") << QStringLiteral("iss") << false;
        QTest::newRow("no id token") << QStringLiteral("missing") << false;
        QTest::newRow("unknown key") << QStringLiteral("kid") << false;
    }
    void idTokenIsVerified()
    {
        QFETCH(QString, flaw);
        QFETCH(bool, accepted);
        PlayedProvider played;
        QVERIFY(played.start());
        auto &c = played.client;
        QSignalSpy finished(c.browser.get(), &BrowserSignIn::finished);
        QSignalSpy failed(c.browser.get(), &BrowserSignIn::failed);
        TestSigner other;
        const qint64 now = QDateTime::currentSecsSinceEpoch();
        QJsonObject claims = played.claims();
        claims.insert(QStringLiteral("preferred_username"), QStringLiteral("dana"));
        QJsonObject header {{QStringLiteral("alg"), QStringLiteral("ES256")},
                            {QStringLiteral("kid"), QStringLiteral("k1")}};
        if (flaw == QLatin1String("aud"))
            claims.insert(QStringLiteral("aud"), QStringLiteral("another-app"));
        if (flaw == QLatin1String("azp")) {
            claims.insert(
                QStringLiteral("aud"),
                QJsonArray {QStringLiteral("silentauth-desktop"), QStringLiteral("another-app")});
            claims.insert(QStringLiteral("azp"), QStringLiteral("another-app"));
        }
        if (flaw == QLatin1String("nonce"))
            claims.insert(QStringLiteral("nonce"), QStringLiteral("replayed"));
        if (flaw == QLatin1String("exp"))
            claims.insert(QStringLiteral("exp"), double(now - 3600));
        if (flaw == QLatin1String("iat"))
            claims.insert(QStringLiteral("iat"), double(now + 3600));
        if (flaw == QLatin1String("exp-leeway"))
            claims.insert(QStringLiteral("exp"), double(now - 60));
        if (flaw == QLatin1String("iat-leeway"))
            claims.insert(QStringLiteral("iat"), double(now + 60));
        if (flaw == QLatin1String("exp-beyond"))
            claims.insert(QStringLiteral("exp"), double(now - 180));
        if (flaw == QLatin1String("iss"))
            claims.insert(QStringLiteral("iss"), QStringLiteral("https://evil.example"));
        QByteArray idToken;
        if (flaw == QLatin1String("kid")) {
            header.insert(QStringLiteral("kid"), QStringLiteral("k2"));
            idToken = other.sign(header, claims);
        } else {
            idToken = played.signer.sign(header, claims);
        }
        if (flaw == QLatin1String("signature"))
            idToken[idToken.size() - 5] = idToken.at(idToken.size() - 5) == 'A' ? 'B' : 'A';
        if (flaw == QLatin1String("none")) {
            const QList<QByteArray> parts = idToken.split('.');
            idToken = QByteArray("{\"alg\":\"none\"}")
                          .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)
                + '.' + parts.at(1) + '.';
        }
        played.answerWith(flaw == QLatin1String("missing") ? QByteArray() : idToken);

        const BrowserVisit back = played.comeBack();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count() + failed.count(), 1, 5000);
        const int keyFetches = played.requestsTo("/jwks");
        if (accepted) {
            QCOMPARE(finished.count(), 1);
            QCOMPARE(back.callbackStatus, 200);
            QCOMPARE(c.session->status(), Session::Status::SignedIn);
            QCOMPARE(c.session->identity(), QStringLiteral("user-7"));
            QCOMPARE(c.session->username(), QStringLiteral("dana"));
            QCOMPARE(readStore(*c.store).token, QByteArray("opaque-refresh"));
            QCOMPARE(keyFetches, 1);
        } else {
            QCOMPARE(failed.count(), 1);
            QCOMPARE(failed.first().at(0).value<BrowserSignIn::Error>(),
                     BrowserSignIn::Error::IdTokenInvalid);
            QCOMPARE(back.callbackStatus, 400);
            QCOMPARE(c.session->status(), Session::Status::SignedOut);
            QVERIFY(c.session->accessToken().isEmpty());
            QVERIFY(readStore(*c.store).token.isEmpty());
            QVERIFY(keyFetches <= 1); // a set fetched for this very token is not fetched again
        }
    }

    // The user is the one the verified ID token names, even when the access
    // token is a JWT with another sub (a pairwise or API-specific id); and
    // what the provider names cannot put control characters on a screen.
    void identityIsTheIdTokensAndShownSafely()
    {
        PlayedProvider p;
        QVERIFY(p.start());
        QSignalSpy finished(p.client.browser.get(), &BrowserSignIn::finished);
        QJsonObject claims = p.claims();
        claims.insert(QStringLiteral("sub"), QStringLiteral("al\x1b[31mice"));
        const auto b64 = [](const QByteArray &json) {
            return json.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
        };
        const QByteArray accessJwt = b64("{\"alg\":\"HS256\"}") + '.'
            + b64("{\"sub\":\"pairwise-api-77\",\"exp\":4102444800}") + ".c2ln";
        p.answerWith(p.signer.sign({{QStringLiteral("alg"), QStringLiteral("ES256")},
                                    {QStringLiteral("kid"), QStringLiteral("k1")}},
                                   claims),
                     accessJwt);
        QCOMPARE(p.comeBack().callbackStatus, 200);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(p.client.session->identity(), QStringLiteral("al\x1b[31mice"));
        const QString shown = p.client.session->username();
        QVERIFY2(!shown.contains(QChar(0x1b)), qPrintable(shown));
        QCOMPARE(shown, QStringLiteral("al\ufffd[31mice"));
    }

    // An ID token without a name: the userinfo endpoint gives one, used only
    // when it speaks of the same sub and can be shown; whatever goes wrong
    // there costs the name, never the sign-in.
    void displayNameFromUserinfo_data()
    {
        QTest::addColumn<RawResponse>("userinfo");
        QTest::addColumn<QString>("shown");
        const auto profile = [](const char *sub, const QString &name) {
            return jsonOk({{QStringLiteral("sub"), QLatin1String(sub)},
                           {QStringLiteral("preferred_username"), name}});
        };
        QTest::newRow("name") << profile("user-7", QStringLiteral("dana")) << "dana";
        QTest::newRow("another subject")
            << profile("user-8", QStringLiteral("mallory")) << "user-7";
        QTest::newRow("terminal escape")
            << profile("user-7", QStringLiteral("\x1b[2Jdana")) << "user-7";
        QTest::newRow("refused") << RawResponse::status(401) << "user-7";
        QTest::newRow("not json") << RawResponse::ok("<html>") << "user-7";
    }
    void displayNameFromUserinfo()
    {
        QFETCH(RawResponse, userinfo);
        QFETCH(QString, shown);
        PlayedProvider p;
        QVERIFY(p.start(userinfo));
        QSignalSpy finished(p.client.browser.get(), &BrowserSignIn::finished);
        p.answerWith(p.signer.sign({{QStringLiteral("alg"), QStringLiteral("ES256")},
                                    {QStringLiteral("kid"), QStringLiteral("k1")}},
                                   p.claims()));
        QCOMPARE(p.comeBack().callbackStatus, 200);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(p.client.session->identity(), QStringLiteral("user-7"));
        QCOMPARE(p.client.session->username(), shown);
        QCOMPARE(p.requestsTo("/userinfo"), 1);
        for (const auto &request : p.idp.requests()) {
            if (request.path() == "/userinfo")
                QCOMPARE(request.header("authorization"), QByteArray("Bearer opaque-access"));
        }
    }

    // The mock provider rotates its signing key between two sign-ins of one
    // program: the second ID token names a key the cached set lacks, which
    // is fetched once more.
    void providerKeyRotation()
    {
        auto [server, provider] = startProvider();
        QVERIFY(server && provider);
        auto c = browserClient(*provider);
        QSignalSpy finished(c.browser.get(), &BrowserSignIn::finished);
        c.browser->start();
        QVERIFY(visitAuthorization(waitForUrl(*c.browser), QStringLiteral("alice"),
                                   QStringLiteral("alice-password"))
                    .error.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
        QString error;
        QVERIFY(server->setScenario(QStringLiteral("rotate-signing-key"), {}, &error));
        c.browser->start();
        const BrowserVisit visit = visitAuthorization(waitForUrl(*c.browser), QStringLiteral("bob"),
                                                      QStringLiteral("bob-password"));
        QVERIFY2(visit.error.isEmpty(), qPrintable(visit.error));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 5000);
        QCOMPARE(c.session->username(), QStringLiteral("bob"));
        QCOMPARE(stat(*server, "routes", "GET /oauth/jwks"), 2); // cached, then fetched again
    }

    // A sign-out (or another sign-in) right after the browser came back wins:
    // the code exchange is dropped and what it brought is revoked.
    void signOutAfterTheBrowserCameBackWins_data()
    {
        QTest::addColumn<bool>("signOut");
        QTest::newRow("sign-out") << true;
        QTest::newRow("another sign-in") << false;
    }
    void signOutAfterTheBrowserCameBackWins()
    {
        QFETCH(bool, signOut);
        auto [server, provider] = startProvider();
        QVERIFY(server && provider);
        auto c = browserClient(*provider);
        QSignalSpy finished(c.browser.get(), &BrowserSignIn::finished);
        QSignalSpy failed(c.browser.get(), &BrowserSignIn::failed);
        connect(c.browser.get(), &BrowserSignIn::callbackReceived, this, [&c, signOut] {
            QTimer::singleShot(0, c.session.get(), [&c, signOut] {
                if (signOut)
                    c.session->signOut();
                else
                    c.session->signIn(QStringLiteral("bob"), QStringLiteral("bob-password"));
            });
        });
        c.browser->start();
        visitAuthorization(waitForUrl(*c.browser), QStringLiteral("alice"),
                           QStringLiteral("alice-password"));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 5000);
        QCOMPARE(failed.first().at(0).value<BrowserSignIn::Error>(),
                 BrowserSignIn::Error::Canceled);
        QTest::qWait(500);
        QCOMPARE(finished.count(), 0);
        if (signOut) {
            QCOMPARE(c.session->status(), Session::Status::SignedOut);
            QVERIFY(readStore(*c.store).token.isEmpty());
            QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "liveRefreshTokens"), 0, 5000);
        } else {
            QTRY_COMPARE_WITH_TIMEOUT(c.session->status(), Session::Status::SignedIn, 5000);
            QCOMPARE(c.session->username(), QStringLiteral("bob"));
            QTRY_COMPARE_WITH_TIMEOUT(stat(*server, "liveRefreshTokens"), 1, 5000); // bob's only
        }
    }

    // cancel() from the callbackReceived slot ends the attempt once.
    void cancelWhenTheBrowserComesBack()
    {
        auto [server, provider] = startProvider();
        QVERIFY(server && provider);
        auto c = browserClient(*provider);
        QSignalSpy finished(c.browser.get(), &BrowserSignIn::finished);
        QSignalSpy failed(c.browser.get(), &BrowserSignIn::failed);
        connect(c.browser.get(), &BrowserSignIn::callbackReceived, c.browser.get(),
                &BrowserSignIn::cancel);
        c.browser->start();
        visitAuthorization(waitForUrl(*c.browser), QStringLiteral("alice"),
                           QStringLiteral("alice-password"));
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 5000);
        QTest::qWait(500);
        QCOMPARE(failed.count(), 1);
        QCOMPARE(finished.count(), 0);
        QCOMPARE(c.session->status(), Session::Status::SignedOut);
        QCOMPARE(stat(*server, "authorizations", "exchanged"), 0);
    }

    // A parameter given twice is a forged answer, whichever value is real.
    void duplicatedParametersAreRefused()
    {
        auto [server, provider] = startProvider();
        QVERIFY(server && provider);
        auto c = browserClient(*provider);
        QSignalSpy failed(c.browser.get(), &BrowserSignIn::failed);
        c.browser->start();
        const QUrl url = waitForUrl(*c.browser);
        QUrl forged(QString::fromUtf8(queryValue(url, "redirect_uri")));
        forged.setQuery(
            QStringLiteral("code=a&state=") + QString::fromLatin1(queryValue(url, "state"))
            + QStringLiteral("&state=evil&iss=")
            + QString::fromLatin1(QUrl::toPercentEncoding(provider->issuer.toString())));
        openCallback(forged);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 2000);
        QCOMPARE(failed.first().at(0).value<BrowserSignIn::Error>(),
                 BrowserSignIn::Error::StateMismatch);
    }

    // Connections that never say anything do not keep the port's slots: the
    // browser still gets through.
    void idleConnectionsDoNotBlockTheBrowser()
    {
        auto [server, provider] = startProvider();
        QVERIFY(server && provider);
        auto c = browserClient(*provider);
        QSignalSpy finished(c.browser.get(), &BrowserSignIn::finished);
        c.browser->start();
        const QUrl url = waitForUrl(*c.browser);
        const QUrl callback(QString::fromUtf8(queryValue(url, "redirect_uri")));
        std::vector<std::unique_ptr<QTcpSocket>> idle;
        for (int i = 0; i < 40; ++i) {
            idle.push_back(std::make_unique<QTcpSocket>());
            idle.back()->connectToHost(callback.host(), quint16(callback.port()));
            idle.back()->write("GET /callback?state=");
        }
        QTest::qWait(200);
        const BrowserVisit visit
            = visitAuthorization(url, QStringLiteral("alice"), QStringLiteral("alice-password"));
        QVERIFY2(visit.error.isEmpty(), qPrintable(visit.error));
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
        int open = 0;
        QTest::qWait(200);
        for (const auto &socket : idle)
            open += socket->state() == QAbstractSocket::ConnectedState ? 1 : 0;
        QCOMPARE(open, 0); // dropped once the sign-in is over
    }

    // fromJson() itself keeps to its contract: the issuer compared as a
    // string, endpoints https unless on loopback, no user info.
    void discoveryDocumentRules_data()
    {
        QTest::addColumn<QString>("issuer");
        QTest::addColumn<QString>("tokenEndpoint");
        QTest::addColumn<bool>("accepted");
        const QString ok = QStringLiteral("https://idp.example/token");
        QTest::newRow("exact") << QStringLiteral("https://idp.example") << ok << true;
        QTest::newRow("trailing slash") << QStringLiteral("https://idp.example/") << ok << true;
        QTest::newRow("upper-case scheme") << QStringLiteral("HTTPS://idp.example") << ok << false;
        QTest::newRow("upper-case host") << QStringLiteral("https://IDP.example") << ok << false;
        QTest::newRow("default port") << QStringLiteral("https://idp.example:443") << ok << false;
        QTest::newRow("http endpoint elsewhere")
            << QStringLiteral("https://idp.example") << QStringLiteral("http://idp.example/token")
            << false;
        QTest::newRow("user info") << QStringLiteral("https://idp.example")
                                   << QStringLiteral("https://user:pw@idp.example/token") << false;
        QTest::newRow("loopback lookalike")
            << QStringLiteral("https://idp.example")
            << QStringLiteral("http://127.0.0.1.evil.example/token") << false;
    }
    void discoveryDocumentRules()
    {
        QFETCH(QString, issuer);
        QFETCH(QString, tokenEndpoint);
        QFETCH(bool, accepted);
        const QByteArray document
            = QJsonDocument(QJsonObject {{QStringLiteral("issuer"), issuer},
                                         {QStringLiteral("token_endpoint"), tokenEndpoint}})
                  .toJson();
        QString error;
        const auto provider = ProviderMetadata::fromJson(
            document, QUrl(QStringLiteral("https://idp.example")), &error);
        QCOMPARE(bool(provider), accepted);
        if (!accepted)
            QVERIFY(!error.isEmpty());
    }

    // A second callback after the first valid one finds the port closed.
    void secondCallbackIsRefused()
    {
        auto [server, provider] = startProvider();
        QVERIFY(server && provider);
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
        auto [server, provider] = startProvider();
        QVERIFY(server && provider);
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

    // While the browser is away, the loopback listener waits in the event loop: no thread
    // of its own, and no CPU (docs/benchmarks.md).
    void listenerWaitsWithoutAThreadOrCpu()
    {
        auto [server, provider] = startProvider();
        QVERIFY(server && provider);
        auto c = browserClient(*provider);
        const int threadsBefore = threadCount();
        QVERIFY(threadsBefore > 0);
        c.browser->start();
        const QUrl callback(QString::fromUtf8(queryValue(waitForUrl(*c.browser), "redirect_uri")));
        QVERIFY(c.browser->isActive());
        const int threadsWaiting = threadCount();
        const qint64 cpuBefore = processCpuUs();
        QElapsedTimer waited;
        waited.start();
        QTest::qWait(3000);
        const qint64 cpuUs = processCpuUs() - cpuBefore;
        const int threadsAfter = threadCount();
        qInfo("waiting for the browser %lld ms: %d threads before start, %d and %d while "
              "waiting, %lld µs of CPU",
              waited.elapsed(), threadsBefore, threadsWaiting, threadsAfter, cpuUs);
        // Qt's own helper threads come and go; the listener adds none.
        QVERIFY(threadsWaiting <= threadsBefore);
        QVERIFY(threadsAfter <= threadsBefore);
        // An idle event loop: QTest::qWait's own 10 ms wake-ups (about 6 ms in 3 s here) and
        // the in-process provider's timers, nowhere near a polling loop.
        QVERIFY2(cpuUs < 60000, qPrintable(QString::number(cpuUs)));
        QVERIFY(portAnswers(callback));
        c.browser->cancel();
    }

    // 127.0.0.1 first; when it cannot be had, [::1] (RFC 8252 §7.3), and the sign-in
    // works there the same way.
    void ipv6LoopbackWhenIpv4CannotListen()
    {
        auto [server, provider] = startProvider();
        QVERIFY(server && provider);
        QTcpServer takenOnIpv4;
        QVERIFY(takenOnIpv4.listen(QHostAddress::LocalHost, 0));
        auto c = browserClient(*provider);
        c.browser->setPorts({takenOnIpv4.serverPort()});
        QSignalSpy finished(c.browser.get(), &BrowserSignIn::finished);
        c.browser->start();
        const QUrl url = waitForUrl(*c.browser);
        QVERIFY(url.isValid());
        QCOMPARE(c.browser->listeningAddress(), QHostAddress(QHostAddress::LocalHostIPv6));
        const QUrl redirect(QString::fromUtf8(queryValue(url, "redirect_uri")));
        QCOMPARE(redirect.host(), QStringLiteral("::1"));
        QCOMPARE(redirect.port(), int(takenOnIpv4.serverPort()));
        QVERIFY(redirect.toString().startsWith(QLatin1String("http://[::1]:")));
        const BrowserVisit visit
            = visitAuthorization(url, QStringLiteral("alice"), QStringLiteral("alice-password"));
        QVERIFY2(visit.error.isEmpty(), qPrintable(visit.error));
        QCOMPARE(visit.callbackStatus, 200);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
        QCOMPARE(c.session->status(), Session::Status::SignedIn);
    }

    // A fixed port list for providers that register the redirect with a port.
    void fixedPorts()
    {
        auto [server, provider] = startProvider();
        QVERIFY(server && provider);
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
        const quint16 free = freeLoopbackPort();
        QVERIFY(free != 0);
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
        QByteArray err;
        const QUrl url = startCli(cli, *server, {QStringLiteral("-n"), QStringLiteral("3")}, &err);
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

    // The browser the CLI opens: the first command in $BROWSER (the address in place of
    // %s, else after it), else xdg-open, else none: the address is printed either way.
    void cliOpensTheBrowser_data()
    {
        QTest::addColumn<QString>("browser"); // $BROWSER; "-" for unset
        QTest::addColumn<bool>("xdgOpen"); // an xdg-open on the PATH
        QTest::addColumn<QString>("expected"); // what the recorder was given; empty: nothing
        QTest::newRow("$BROWSER with %s") << QStringLiteral("RECORDER --new-window=%s") << true
                                          << QStringLiteral("--new-window=URL");
        QTest::newRow("$BROWSER without %s")
            << QStringLiteral("RECORDER --flag") << true << QStringLiteral("--flag URL");
        QTest::newRow("$BROWSER list: the first")
            << QStringLiteral("RECORDER first:false") << true << QStringLiteral("first URL");
        QTest::newRow("xdg-open") << QStringLiteral("-") << true << QStringLiteral("xdg URL");
        QTest::newRow("none") << QStringLiteral("-") << false << QString();
    }

    void cliOpensTheBrowser()
    {
        QFETCH(QString, browser);
        QFETCH(bool, xdgOpen);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString record = dir.filePath(QStringLiteral("opened"));
        const auto writeScript = [&](const QString &name, const QString &prefix) {
            QFile script(dir.filePath(name));
            if (!script.open(QIODevice::WriteOnly))
                return false;
            script.write(
                QStringLiteral("#!/bin/sh\necho %1 \"$*\" > '%2'\n").arg(prefix, record).toUtf8());
            script.close();
            return script.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
        };
        const QString bin = dir.filePath(QStringLiteral("bin"));
        QVERIFY(QDir().mkpath(bin));
        QVERIFY(writeScript(QStringLiteral("recorder"), QString()));
        if (xdgOpen)
            QVERIFY(writeScript(QStringLiteral("bin/xdg-open"), QStringLiteral("xdg")));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PATH"), bin);
        if (browser == QLatin1String("-"))
            env.remove(QStringLiteral("BROWSER"));
        else
            env.insert(QStringLiteral("BROWSER"),
                       QString(browser).replace(QLatin1String("RECORDER"),
                                                dir.filePath(QStringLiteral("recorder"))));
        auto server = startServer({});
        QVERIFY(server);
        QProcess cli;
        QByteArray err;
        const QUrl url = startCli(cli, *server, {}, &err, env);
        QVERIFY2(url.isValid(), err.constData());
        const QString address = url.toString(QUrl::FullyEncoded);
        if (expected.isEmpty()) {
            QTRY_VERIFY2_WITH_TIMEOUT(
                (err += cli.readAllStandardError()).contains("no browser could be opened"),
                err.constData(), 5000);
            QVERIFY(!QFile::exists(record));
        } else {
            QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(record) && QFileInfo(record).size() > 0, 5000);
            QFile opened(record);
            QVERIFY(opened.open(QIODevice::ReadOnly));
            QCOMPARE(QString::fromUtf8(opened.readAll().trimmed()),
                     QString(expected).replace(QLatin1String("URL"), address));
            err += cli.readAllStandardError();
            QVERIFY2(!err.contains("no browser could be opened"), err.constData());
        }
        cli.kill();
        cli.waitForFinished(5000);
    }

    // Explicit addresses win over the discovered ones: --revoke-url with --issuer takes
    // the sign-out's revocation elsewhere, and the provider is not asked.
    void cliExplicitRevocationUrlOverridesDiscovery()
    {
        auto server = startServer({});
        QVERIFY(server);
        CapturingServer revocation("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        QProcess cli;
        QByteArray err;
        const QUrl url = startCli(cli, *server,
                                  {QStringLiteral("--revoke-url"),
                                   revocation.url("/elsewhere/revoke").toString(),
                                   QStringLiteral("--sign-out")},
                                  &err);
        QVERIFY2(url.isValid(), err.constData());
        const BrowserVisit visit
            = visitAuthorization(url, QStringLiteral("bob"), QStringLiteral("bob-password"));
        QVERIFY2(visit.error.isEmpty(), qPrintable(visit.error));
        QTRY_VERIFY_WITH_TIMEOUT(cli.state() == QProcess::NotRunning, 10000);
        err += cli.readAllStandardError();
        QCOMPARE(cli.exitCode(), 0);
        QVERIFY2(revocation.received.startsWith("POST /elsewhere/revoke "),
                 revocation.received.constData());
        // Both tokens: the refresh token's revocation is sent first, the access token's
        // right after it (best effort), on connections of their own.
        QTRY_VERIFY(revocation.received.contains("token_type_hint=refresh_token"));
        QTRY_VERIFY(revocation.received.contains("token_type_hint=access_token"));
        QCOMPARE(server->stats()[QLatin1String("revocations")].toInt(), 0);
    }

    // --redirect-ports: the listener takes the first of them that is free.
    void cliListensOnTheGivenPorts()
    {
        auto server = startServer({});
        QVERIFY(server);
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
        const quint16 free = freeLoopbackPort();
        QVERIFY(free != 0);
        QProcess cli;
        QByteArray err;
        const QUrl url = startCli(cli, *server,
                                  {QStringLiteral("--redirect-ports"),
                                   QStringLiteral("%1, %2").arg(taken.serverPort()).arg(free)},
                                  &err);
        QVERIFY2(url.isValid(), err.constData());
        const QUrl redirect(QString::fromUtf8(queryValue(url, "redirect_uri")));
        QCOMPARE(redirect.host(), QStringLiteral("127.0.0.1"));
        QCOMPARE(redirect.port(), int(free));
        cli.kill();
        cli.waitForFinished(5000);

        // Not a port list (an empty one neither): said, and nothing starts.
        for (const QString &list : {QStringLiteral("8400,70000"), QString(), QStringLiteral(",")}) {
            QProcess wrong;
            wrong.start(QStringLiteral(CLI_EXECUTABLE),
                        {QStringLiteral("--issuer"), issuerOf(*server).toString(),
                         QStringLiteral("--browser"), QStringLiteral("--redirect-ports"), list,
                         endpoint(*server, "/profile").toString()});
            // (the server is in this process: its event loop must run meanwhile)
            QTRY_VERIFY_WITH_TIMEOUT(wrong.state() == QProcess::NotRunning, 10000);
            QVERIFY2(wrong.exitCode() != 0, qPrintable(list));
            QVERIFY2(wrong.readAllStandardError().contains("--redirect-ports"), qPrintable(list));
        }
    }

    void cliBrowserDeclined()
    {
        auto server = startServer({});
        QVERIFY(server);
        QProcess cli;
        QByteArray err;
        const QUrl url = startCli(cli, *server, {}, &err);
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
