// Sign-in with a code entered on another device (RFC 8628), against the mock
// provider and against a provider the test plays to misbehave: the poll
// interval and slow_down, every way the attempt ends, and what a hostile
// server may try to have printed.
#include "capturingserver.h"
#include "httpclient.h"
#include "providerfixture.h"
#include "rawserver.h"
#include "sessionfixture.h"
#include "testserver.h"

#include <silentauth/authnetworkaccessmanager.h>
#include <silentauth/devicesignin.h>
#include <silentauth/memorytokenstore.h>
#include <silentauth/oauth2protocol.h>
#include <silentauth/session.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QProcess>
#include <QtTest/QtTest>

using namespace SilentAuth;
using namespace SilentAuth::Test;
using namespace std::chrono_literals;
using Mock::MockServer;
using Mock::MockServerConfig;

namespace {

// A provider played by \a idp (started): its endpoints there, and a device authorization
// that gives the code "dc" for 10 minutes, polled every second. The token endpoint's
// answers are the test's.
ProviderMetadata playedDeviceProvider(RawServer &idp)
{
    ProviderMetadata provider;
    provider.issuer = QUrl(QString::fromLatin1(idp.origin()));
    provider.tokenEndpoint = idp.url("/token");
    provider.revocationEndpoint = idp.url("/revoke");
    provider.deviceAuthorizationEndpoint = idp.url("/device");
    idp.route("/device",
              RawResponse::ok("{\"device_code\":\"dc\",\"user_code\":\"ABCD-EFGH\","
                              "\"verification_uri\":\"https://idp.example/device\","
                              "\"expires_in\":600,\"interval\":1}",
                              "application/json"));
    return provider;
}

QByteArray answer(const QByteArray &body, const char *status = "200 OK")
{
    return "HTTP/1.1 " + QByteArray(status)
        + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

// A session for a provider, with a device sign-in.
struct DeviceClient
{
    std::unique_ptr<MemoryTokenStore> store = std::make_unique<MemoryTokenStore>();
    std::unique_ptr<Session> session;
    std::unique_ptr<AuthNetworkAccessManager> manager;
    std::unique_ptr<DeviceSignIn> device;
};

DeviceClient deviceClient(const ProviderMetadata &provider,
                          const QString &scope = QStringLiteral("openid profile"))
{
    DeviceClient c;
    c.session = std::make_unique<Session>(
        OAuth2Protocol::forProvider(provider, QStringLiteral("silentauth-desktop"), scope),
        c.store.get());
    c.manager = std::make_unique<AuthNetworkAccessManager>(c.session.get());
    c.device = std::make_unique<DeviceSignIn>(c.session.get(), provider);
    return c;
}

MockServerConfig quickDevices()
{
    MockServerConfig config;
    config.devicePollInterval = 1s;
    return config;
}

// The user, on another device: the verification page's form, submitted.
HttpResult enterCode(const MockServer &server, const QString &userCode,
                     const QByteArray &decision = "allow", const QByteArray &user = "alice")
{
    HttpClient http;
    return http.postForm(endpoint(server, "/oauth/device"),
                         "user_code=" + QUrl::toPercentEncoding(userCode) + "&username=" + user
                             + "&password=" + user + "-password&decision=" + decision);
}

int deviceStat(const MockServer &server, const char *name)
{
    return server.stats()
        .value(QLatin1String("deviceAuthorizations"))
        .toObject()
        .value(QLatin1String(name))
        .toInt(-1);
}

// A provider whose device authorization endpoint the test plays.
ProviderMetadata playedProvider(const CapturingServer &played, const MockServer &server)
{
    ProviderMetadata provider;
    provider.issuer = issuerOf(server);
    provider.tokenEndpoint = endpoint(server, "/oauth/token");
    provider.deviceAuthorizationEndpoint = played.url("/device");
    return provider;
}

} // namespace

class TestDeviceSignIn : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The whole flow as a user sees it: a code to enter elsewhere, polls
    // while they do, then the session runs with the user the ID token names.
    void signsInWithACodeEnteredElsewhere()
    {
        auto [server, provider] = startProvider(quickDevices());
        QVERIFY(server && provider);
        QVERIFY(provider->deviceAuthorizationEndpoint.isValid());
        DeviceClient c = deviceClient(*provider);
        QSignalSpy ready(c.device.get(), &DeviceSignIn::userCodeReady);
        QSignalSpy finished(c.device.get(), &DeviceSignIn::finished);
        QSignalSpy failed(c.device.get(), &DeviceSignIn::failed);
        c.device->start();
        QVERIFY(ready.wait(5000));
        const QString code = ready.first().at(0).toString();
        QVERIFY2(QRegularExpression(QStringLiteral("^[B-Z]{4}-[B-Z]{4}$")).match(code).hasMatch(),
                 qPrintable(code));
        QCOMPARE(ready.first().at(1).toUrl(), endpoint(*server, "/oauth/device"));
        QVERIFY(ready.first().at(2).toUrl().toString().endsWith(code));
        QCOMPARE(c.device->pollInterval(), 1s);
        // The user takes a moment: the device keeps asking, and is told to wait.
        QTRY_VERIFY_WITH_TIMEOUT(c.device->pollCount() >= 2, 5000);
        QCOMPARE(c.session->status(), Session::Status::SignedOut);
        QCOMPARE(enterCode(*server, code.toLower().remove(QLatin1Char('-'))).status, 200);
        QVERIFY(finished.wait(15000)); // the provider makes its RSA key first
        QVERIFY(failed.isEmpty());
        QCOMPARE(c.session->status(), Session::Status::SignedIn);
        QCOMPARE(c.session->identity(), QStringLiteral("alice"));
        QVERIFY(!readStore(*c.store).token.isEmpty());
        QCOMPARE(deviceStat(*server, "exchanged"), 1);
        QCOMPARE(deviceStat(*server, "tooFast"), 0);
        QCOMPARE(deviceStat(*server, "slowDowns"), 0);
        QVERIFY(!c.device->isActive());

        QNetworkReply *reply = c.manager->get(QNetworkRequest(endpoint(*server, "/profile")));
        QVERIFY(waitForFinished(reply, 5000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        delete reply;
    }

    // RFC 8628 §3.5: slow_down adds 5 s to this and every later wait; the
    // server, which measures, never sees a poll come early.
    void slowDownWidensTheInterval()
    {
        auto [server, provider] = startProvider(quickDevices());
        QVERIFY(server && provider);
        QVERIFY(server->setScenario(QStringLiteral("device-slow-down"), {}, nullptr));
        DeviceClient c = deviceClient(*provider);
        QSignalSpy ready(c.device.get(), &DeviceSignIn::userCodeReady);
        QSignalSpy slowed(c.device.get(), &DeviceSignIn::slowedDown);
        QSignalSpy finished(c.device.get(), &DeviceSignIn::finished);
        c.device->start();
        QVERIFY(ready.wait(5000));
        QVERIFY(slowed.wait(5000));
        QCOMPARE(slowed.first().at(0).value<std::chrono::seconds>(), 6s);
        QCOMPARE(c.device->pollInterval(), 6s);
        const int pollsAtSlowDown = c.device->pollCount();
        QCOMPARE(enterCode(*server, ready.first().at(0).toString()).status, 200);
        QTest::qWait(4000);
        QCOMPARE(c.device->pollCount(), pollsAtSlowDown); // still waiting out the 6 s
        QVERIFY(finished.wait(15000)); // the provider makes its RSA key first
        QCOMPARE(deviceStat(*server, "slowDowns"), 1);
        QCOMPARE(deviceStat(*server, "tooFast"), 0);
        QCOMPARE(c.session->status(), Session::Status::SignedIn);
    }

    // DPoP through the device flow: every poll and the exchange carry a
    // proof, and the tokens it brings are bound to the session's key.
    void boundTokensThroughTheDeviceFlow()
    {
        MockServerConfig config = quickDevices();
        config.dpop = MockServerConfig::DpopMode::Required;
        auto [server, provider] = startProvider(config);
        QVERIFY(server && provider);
        DeviceClient c = deviceClient(*provider);
        c.session->setProofOfPossession(true);
        QSignalSpy ready(c.device.get(), &DeviceSignIn::userCodeReady);
        QSignalSpy finished(c.device.get(), &DeviceSignIn::finished);
        c.device->start();
        QVERIFY(ready.wait(5000));
        QCOMPARE(enterCode(*server, ready.first().at(0).toString()).status, 200);
        QVERIFY(finished.wait(15000));
        QCOMPARE(c.session->status(), Session::Status::SignedIn);
        QVERIFY(c.session->isAccessTokenBound());
        QNetworkReply *reply = c.manager->get(QNetworkRequest(endpoint(*server, "/profile")));
        QVERIFY(waitForFinished(reply, 5000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        delete reply;
        const QJsonObject dpop = server->stats().value(QLatin1String("dpop")).toObject();
        QCOMPARE(dpop.value(QLatin1String("rejectedTotal")).toInt(), 0);
    }

    void declinedEndsTheAttempt()
    {
        auto [server, provider] = startProvider(quickDevices());
        QVERIFY(server && provider);
        DeviceClient c = deviceClient(*provider);
        QSignalSpy ready(c.device.get(), &DeviceSignIn::userCodeReady);
        QSignalSpy failed(c.device.get(), &DeviceSignIn::failed);
        c.device->start();
        QVERIFY(ready.wait(5000));
        QCOMPARE(enterCode(*server, ready.first().at(0).toString(), "deny").status, 200);
        QVERIFY(failed.wait(5000));
        QCOMPARE(failed.first().at(0).value<DeviceSignIn::Error>(),
                 DeviceSignIn::Error::AccessDenied);
        QCOMPARE(c.session->status(), Session::Status::SignedOut);
        QVERIFY(readStore(*c.store).token.isEmpty());
        const int polls = deviceStat(*server, "polls");
        QTest::qWait(1500);
        QCOMPARE(deviceStat(*server, "polls"), polls); // no more polling
    }

    void expiredCodeEndsTheAttempt()
    {
        MockServerConfig config = quickDevices();
        config.deviceCodeTtl = 2s;
        auto [server, provider] = startProvider(config);
        QVERIFY(server && provider);
        DeviceClient c = deviceClient(*provider);
        QSignalSpy failed(c.device.get(), &DeviceSignIn::failed);
        c.device->start();
        QVERIFY(failed.wait(6000));
        QCOMPARE(failed.first().at(0).value<DeviceSignIn::Error>(), DeviceSignIn::Error::Expired);
        QVERIFY(failed.first().at(1).toString().contains(QLatin1String("expired")));
        QCOMPARE(c.session->status(), Session::Status::SignedOut);
    }

    // The provider's expired_token ends the attempt at once, though the code's lifetime
    // as told (10 minutes) is far from over here.
    void providerSaysTheCodeExpired()
    {
        RawServer idp;
        QVERIFY(idp.start());
        const ProviderMetadata provider = playedDeviceProvider(idp);
        RawResponse expired = RawResponse::status(400, "{\"error\":\"expired_token\"}");
        expired.headers.append(
            qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
        idp.route("/token", expired);
        DeviceClient c = deviceClient(provider, QStringLiteral("profile"));
        QSignalSpy failed(c.device.get(), &DeviceSignIn::failed);
        c.device->start();
        QVERIFY(failed.wait(5000));
        QCOMPARE(failed.first().at(0).value<DeviceSignIn::Error>(), DeviceSignIn::Error::Expired);
        QCOMPARE(c.device->pollCount(), 1);
        QTest::qWait(1500);
        QCOMPARE(c.device->pollCount(), 1); // and no more polling
        QCOMPARE(c.session->status(), Session::Status::SignedOut);
    }

    void cancelStopsPolling()
    {
        auto [server, provider] = startProvider(quickDevices());
        QVERIFY(server && provider);
        DeviceClient c = deviceClient(*provider);
        QSignalSpy ready(c.device.get(), &DeviceSignIn::userCodeReady);
        QSignalSpy failed(c.device.get(), &DeviceSignIn::failed);
        c.device->start();
        QVERIFY(ready.wait(5000));
        c.device->cancel();
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(0).value<DeviceSignIn::Error>(), DeviceSignIn::Error::Canceled);
        // Approving now changes nothing here.
        QCOMPARE(enterCode(*server, ready.first().at(0).toString()).status, 200);
        QTest::qWait(2500);
        QCOMPARE(deviceStat(*server, "polls"), 0);
        QCOMPARE(c.session->status(), Session::Status::SignedOut);
        QVERIFY(!c.device->isActive());
    }

    // A sign-out while the ID token is being checked supersedes the device
    // sign-in, and the tokens issued for it are revoked at the provider.
    void signOutDuringTheCheckRevokesTheTokens()
    {
        auto [server, provider] = startProvider(quickDevices());
        QVERIFY(server && provider);
        DeviceClient c = deviceClient(*provider);
        QSignalSpy ready(c.device.get(), &DeviceSignIn::userCodeReady);
        QSignalSpy failed(c.device.get(), &DeviceSignIn::failed);
        c.device->start();
        QVERIFY(ready.wait(5000));
        QCOMPARE(enterCode(*server, ready.first().at(0).toString()).status, 200);
        // The moment the Session starts signing in, the user signs out.
        QObject::connect(c.session.get(), &Session::statusChanged, c.session.get(),
                         [&c](Session::Status status) {
                             if (status == Session::Status::SigningIn)
                                 QTimer::singleShot(0, c.session.get(), &Session::signOut);
                         });
        QVERIFY(failed.wait(5000));
        QCOMPARE(failed.first().at(0).value<DeviceSignIn::Error>(), DeviceSignIn::Error::Canceled);
        QTRY_COMPARE_WITH_TIMEOUT(server->stats().value(QLatin1String("revocations")).toInt(), 1,
                                  5000);
        QTRY_COMPARE_WITH_TIMEOUT(server->stats().value(QLatin1String("accessRevocations")).toInt(),
                                  1, 5000);
        QCOMPARE(c.session->status(), Session::Status::SignedOut);
    }

    // The program drops its DeviceSignIn while a poll is on the wire (a
    // dialog closed): the tokens that poll brings are revoked, the refresh
    // token and the access token, never left live at the provider.
    void droppedMidPollRevokesWhatItBrings()
    {
        RawServer idp;
        QVERIFY(idp.start());
        const ProviderMetadata provider = playedDeviceProvider(idp);
        RawResponse slow = RawResponse::ok("{\"access_token\":\"at-1\",\"token_type\":\"Bearer\","
                                           "\"refresh_token\":\"rt-1\",\"expires_in\":3600}",
                                           "application/json");
        slow.trickleBytes = 4;
        slow.trickleIntervalMs = 100; // about two seconds for the whole answer
        idp.route("/token", slow);
        idp.route("/revoke", RawResponse::ok({}));
        DeviceClient c = deviceClient(provider, QStringLiteral("profile"));
        QSignalSpy ready(c.device.get(), &DeviceSignIn::userCodeReady);
        c.device->start();
        QVERIFY(ready.wait(5000));
        QTRY_VERIFY_WITH_TIMEOUT(c.device->pollCount() == 1, 5000);
        c.device.reset();
        QStringList revoked;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                revoked.clear();
                for (const auto &request : idp.requests()) {
                    if (request.path() == "/revoke")
                        revoked.append(QString::fromLatin1(request.body));
                }
                return revoked.size() == 2;
            }(),
            10000);
        QVERIFY2(revoked.filter(QStringLiteral("token=rt-1")).size() == 1,
                 qPrintable(revoked.join(QLatin1Char('|'))));
        QVERIFY2(revoked.filter(QStringLiteral("token=at-1")).size() == 1,
                 qPrintable(revoked.join(QLatin1Char('|'))));
        QCOMPARE(c.session->status(), Session::Status::SignedOut);
    }

    // RFC 8628 §3.5: while the provider cannot be reached the waits double.
    void unreachableTokenEndpointBacksOff()
    {
        auto [server, provider] = startProvider(quickDevices());
        QVERIFY(server && provider);
        CapturingServer down(answer("{}", "503 Service Unavailable"));
        ProviderMetadata broken = *provider;
        broken.tokenEndpoint = down.url("/token");
        DeviceClient c = deviceClient(broken);
        QSignalSpy ready(c.device.get(), &DeviceSignIn::userCodeReady);
        c.device->start();
        QVERIFY(ready.wait(5000));
        QTest::qWait(6000);
        // Every 1 s would be 6 polls; backing off (1, 1, 2, 4 s) gives 3.
        const int polls = c.device->pollCount();
        QVERIFY2(polls >= 2 && polls <= 3, qPrintable(QString::number(polls)));
        QVERIFY(c.device->isActive());
    }

    void providerWithoutDeviceEndpointIsUnsupported()
    {
        auto [server, provider] = startProvider(quickDevices());
        QVERIFY(server && provider);
        ProviderMetadata without = *provider;
        without.deviceAuthorizationEndpoint = QUrl();
        DeviceClient c = deviceClient(without);
        QSignalSpy failed(c.device.get(), &DeviceSignIn::failed);
        c.device->start();
        QVERIFY(failed.wait(2000));
        QCOMPARE(failed.first().at(0).value<DeviceSignIn::Error>(),
                 DeviceSignIn::Error::Unsupported);
    }

    // What the device authorization endpoint answers is shown to the user:
    // nothing that could rewrite their terminal or send them somewhere
    // unencrypted is accepted, and nothing is polled for it.
    void hostileAnswersAreRefused_data()
    {
        QTest::addColumn<QByteArray>("response");
        const QByteArray good = "{\"device_code\":\"dc\",\"user_code\":\"ABCD-EFGH\","
                                "\"verification_uri\":\"https://idp.example/device\","
                                "\"expires_in\":600,\"interval\":1}";
        QTest::newRow("not json") << answer("<html>portal</html>");
        QTest::newRow("terminal escape in user_code")
            << answer(QByteArray(good).replace("ABCD-EFGH", "\\u001b[2J\\u001b[31mABCD"));
        QTest::newRow("bidi override in user_code")
            << answer(QByteArray(good).replace("ABCD-EFGH", "ABCD\\u202eHGFE"));
        QTest::newRow("user_code too long")
            << answer(QByteArray(good).replace("ABCD-EFGH", QByteArray(100, 'A')));
        QTest::newRow("javascript verification_uri") << answer(
            QByteArray(good).replace("https://idp.example/device", "javascript:alert(1)"));
        QTest::newRow("plain http verification_uri")
            << answer(QByteArray(good).replace("https://idp.example", "http://idp.example"));
        QTest::newRow("user info in verification_uri")
            << answer(QByteArray(good).replace("https://idp.example", "https://user@idp.example"));
        QTest::newRow("no device_code") << answer(QByteArray(good).replace("device_code", "x"));
        QTest::newRow("device_code with a line break")
            << answer(QByteArray(good).replace("\"dc\"", "\"d\\r\\nX: c\""));
        QTest::newRow("no expires_in") << answer(QByteArray(good).replace("expires_in", "x"));
        QTest::newRow("refused") << answer("{\"error\":\"invalid_client\"}", "400 Bad Request");
        QTest::newRow("server error") << answer("{}", "500 Internal Server Error");
        QTest::newRow("announces a gigabyte")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          "Content-Length: 1000000000\r\n\r\n{\"pad\":\"");
        QTest::newRow("escapes in the error") << answer(
            "{\"error\":\"bad\\u001b[31m\",\"error_description\":\"x\\u001b]0;t\\u0007\"}",
            "400 Bad Request");
        QTest::newRow("far too large")
            << answer("{\"pad\":\"" + QByteArray(2 * 1024 * 1024, 'x') + "\"}");
    }

    void hostileAnswersAreRefused()
    {
        QFETCH(QByteArray, response);
        auto server = startServer(quickDevices());
        QVERIFY(server);
        CapturingServer played(response);
        DeviceClient c = deviceClient(playedProvider(played, *server));
        QSignalSpy ready(c.device.get(), &DeviceSignIn::userCodeReady);
        QSignalSpy failed(c.device.get(), &DeviceSignIn::failed);
        c.device->start();
        QElapsedTimer clock;
        clock.start();
        QVERIFY(failed.wait(10000));
        QVERIFY2(clock.elapsed() < 5000, "refused only at the timeout"); // not the 30 s bound
        QCOMPARE(failed.first().at(0).value<DeviceSignIn::Error>(),
                 DeviceSignIn::Error::ProviderError);
        const QString message = failed.first().at(1).toString();
        for (const QChar character : message)
            QVERIFY2(character.isPrint() || character == QLatin1Char(' '), qPrintable(message));
        QVERIFY(ready.isEmpty());
        QVERIFY(c.device->userCode().isEmpty());
        QCOMPARE(c.device->pollCount(), 0);
    }

    // The same answer, well-formed, is taken; an unusable optional address
    // is left out rather than shown, and the interval is bounded.
    void wellFormedAnswerFromAnotherProvider()
    {
        auto server = startServer(quickDevices());
        QVERIFY(server);
        CapturingServer played(answer("{\"device_code\":\"dc\",\"user_code\":\"ABCD-EFGH\","
                                      "\"verification_uri\":\"https://idp.example/device\","
                                      "\"verification_uri_complete\":\"javascript:x\","
                                      "\"expires_in\":\"600\",\"interval\":100000}"));
        DeviceClient c = deviceClient(playedProvider(played, *server));
        QSignalSpy ready(c.device.get(), &DeviceSignIn::userCodeReady);
        c.device->start();
        QVERIFY(ready.wait(5000));
        QCOMPARE(c.device->userCode(), QStringLiteral("ABCD-EFGH"));
        QCOMPARE(c.device->verificationUri(), QUrl(QStringLiteral("https://idp.example/device")));
        QVERIFY(c.device->verificationUriComplete().isEmpty());
        QCOMPARE(c.device->pollInterval(), 300s);
        // The request carried the client and the scope, form-encoded.
        QVERIFY(played.received.startsWith("POST /device "));
        QVERIFY(played.body().contains("client_id=silentauth-desktop"));
        QVERIFY(played.body().contains("scope=openid+profile"));
        c.device->cancel();
    }

#ifdef CLI_EXECUTABLE
    // The command-line client prints the address and the code, waits, and
    // runs its requests once the user has entered the code elsewhere.
    void cliSignsInWithADeviceCode()
    {
        auto server = startServer(quickDevices());
        QVERIFY(server);
        QProcess cli;
        cli.start(QStringLiteral(CLI_EXECUTABLE),
                  {QStringLiteral("--issuer"), issuerOf(*server).toString(),
                   QStringLiteral("--device"), QStringLiteral("--scope"), QStringLiteral("openid"),
                   QStringLiteral("-n"), QStringLiteral("2"),
                   endpoint(*server, "/profile").toString()});
        QByteArray err;
        QString code;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                err += cli.readAllStandardError();
                const auto match = QRegularExpression(QStringLiteral("enter the code ([A-Z-]+)"))
                                       .match(QString::fromUtf8(err));
                code = match.captured(1);
                return !code.isEmpty();
            }(),
            10000);
        QVERIFY(err.contains("open " + endpoint(*server, "/oauth/device").toEncoded()));
        QCOMPARE(enterCode(*server, code, "allow", "bob").status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(cli.state() == QProcess::NotRunning, 10000);
        err += cli.readAllStandardError();
        QVERIFY2(cli.exitCode() == 0, err.constData());
        const QJsonObject stats = QJsonDocument::fromJson(cli.readAllStandardOutput()).object();
        QCOMPARE(stats.value(QLatin1String("ok")).toInt(), 2);
        QCOMPARE(stats.value(QLatin1String("status")).toString(), QStringLiteral("SignedIn"));
    }

    void cliDeviceDeclined()
    {
        auto server = startServer(quickDevices());
        QVERIFY(server);
        QProcess cli;
        cli.start(QStringLiteral(CLI_EXECUTABLE),
                  {QStringLiteral("--issuer"), issuerOf(*server).toString(),
                   QStringLiteral("--device"), endpoint(*server, "/profile").toString()});
        QByteArray err;
        QString code;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                err += cli.readAllStandardError();
                code = QRegularExpression(QStringLiteral("enter the code ([A-Z-]+)"))
                           .match(QString::fromUtf8(err))
                           .captured(1);
                return !code.isEmpty();
            }(),
            10000);
        QCOMPARE(enterCode(*server, code, "deny").status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(cli.state() == QProcess::NotRunning, 10000);
        QCOMPARE(cli.exitCode(), 3);
        const QJsonObject stats = QJsonDocument::fromJson(cli.readAllStandardOutput()).object();
        QCOMPARE(stats.value(QLatin1String("signInError")).toString(),
                 QStringLiteral("AccessDenied"));
    }

    void cliDeviceNeedsAnIssuer()
    {
        QProcess cli;
        cli.start(QStringLiteral(CLI_EXECUTABLE),
                  {QStringLiteral("--device"), QStringLiteral("http://127.0.0.1:1/profile")});
        QVERIFY(cli.waitForFinished(10000));
        QVERIFY(cli.exitCode() != 0);
        QVERIFY(cli.readAllStandardError().contains("--device needs --issuer"));
    }
#endif
};

QTEST_GUILESS_MAIN(TestDeviceSignIn)
#include "tst_devicesignin.moc"
