#include "sessionfixture.h"

#include "testserver.h"

#include <silentauth/jsonauthprotocol.h>
#include <silentauth/keychaintokenstore.h>

#include <QtCore/QCryptographicHash>
#include <QtCore/QDateTime>
#include <QtCore/QFile>
#include <QtCore/QJsonObject>
#include <QtCore/QStandardPaths>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

namespace SilentAuth::Test {

Client makeClient(std::unique_ptr<AuthProtocol> protocol, TokenStore *store)
{
    Client client;
    client.session = std::make_unique<Session>(std::move(protocol), store);
    client.manager = std::make_unique<AuthNetworkAccessManager>(client.session.get());
    return client;
}

Client makeClient(const Mock::MockServer &server, TokenStore *store)
{
    auto protocol = std::make_unique<JsonAuthProtocol>(server.url());
    if (server.config().refreshTransport == Mock::MockServerConfig::RefreshTransport::Cookie)
        protocol->setRefreshTransport(JsonAuthProtocol::RefreshTransport::Cookie,
                                      server.config().refreshCookieName);
    return makeClient(std::move(protocol), store);
}

bool signIn(Session &session, const QString &user)
{
    QSignalSpy spy(&session, &Session::signedIn);
    session.signIn(user, user + QStringLiteral("-password"));
    return spy.wait(10000) || spy.count() == 1;
}

QNetworkReply *get(AuthNetworkAccessManager &manager, const Mock::MockServer &server,
                   const char *path)
{
    return manager.get(QNetworkRequest(endpoint(server, path)));
}

bool waitFinished(QNetworkReply *reply, int timeoutMs)
{
    if (reply->isFinished())
        return true;
    QSignalSpy finished(reply, &QNetworkReply::finished);
    return finished.wait(timeoutMs) || finished.count() > 0;
}

bool expireNow(Mock::MockServer &server)
{
    return expireThen(server, QStringLiteral("normal"));
}

bool expireThen(Mock::MockServer &server, const QString &scenario, const QJsonObject &parameters)
{
    QString error;
    const bool ok = server.setScenario(QStringLiteral("expire-now"), {}, &error)
        && server.setScenario(scenario, parameters, &error);
    if (!ok)
        qWarning("setting the scenario failed: %s", qPrintable(error));
    return ok;
}

int stat(const Mock::MockServer &server, const char *group, const char *key)
{
    return server.stats()[QLatin1String(group)][QLatin1String(key)].toInt();
}

int stat(const Mock::MockServer &server, const char *key)
{
    return server.stats()[QLatin1String(key)].toInt();
}

TokenStore::Result readStore(TokenStore &store)
{
    TokenStore::Result result {TokenStore::Error::Unavailable, {}, QStringLiteral("no answer")};
    bool done = false;
    store.read([&](const TokenStore::Result &r) {
        result = r;
        done = true;
    });
    if (!QTest::qWaitFor([&done] { return done; }, 10000))
        qWarning("the token store did not answer in 10 s");
    return result;
}

bool storeDesktopSession(const Mock::MockServer &server)
{
    KeychainTokenStore keychain(QStringLiteral("SilentAuth"),
                                QStringLiteral("refresh-token@") + server.url().authority());
    auto client = makeClient(server, &keychain);
    if (!signIn(*client.session))
        return false;
    return QTest::qWaitFor([&keychain] { return !readStore(keychain).token.isEmpty(); }, 10000);
}

QString sharedEntryFile(const QString &entry, const char *suffix)
{
    return QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation)
        + QLatin1String("/silentauth-")
        + QString::fromLatin1(QCryptographicHash::hash(entry.toUtf8(), QCryptographicHash::Sha256)
                                  .toHex()
                                  .left(24))
        + QLatin1String(suffix);
}

bool setFileAge(const QString &path, qint64 seconds)
{
    QFile file(path);
    return file.open(QIODevice::ReadWrite)
        && file.setFileTime(QDateTime::currentDateTime().addSecs(-seconds),
                            QFileDevice::FileModificationTime);
}

} // namespace SilentAuth::Test
