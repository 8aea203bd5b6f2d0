#pragma once

#include <silentauth/authnetworkaccessmanager.h>
#include <silentauth/authprotocol.h>
#include <silentauth/mock/mockserver.h>
#include <silentauth/session.h>
#include <silentauth/tokenstore.h>

#include <QtCore/QJsonObject>

#include <QtNetwork/QNetworkReply>

#include <memory>

namespace SilentAuth::Test {

// A session and its manager, talking the seed JSON API to a mock server
// (or any protocol a test hands in).
struct Client
{
    std::unique_ptr<Session> session;
    std::unique_ptr<AuthNetworkAccessManager> manager;
};

Client makeClient(const Mock::MockServer &server, TokenStore *store);
Client makeClient(std::unique_ptr<AuthProtocol> protocol, TokenStore *store);

// Signs in as \a user with the demo password convention; true once signed in.
bool signIn(Session &session, const QString &user = QStringLiteral("alice"));

// GET server.url() + path through the manager.
QNetworkReply *get(AuthNetworkAccessManager &manager, const Mock::MockServer &server,
                   const char *path);

// Waits for \a reply to finish (false on timeout).
bool waitFinished(QNetworkReply *reply, int timeoutMs = 10000);

// Every access token issued so far is rejected from now on.
bool expireNow(Mock::MockServer &server);
// The same, then \a scenario runs (e.g. "revoked-refresh" with {"count": 1}).
bool expireThen(Mock::MockServer &server, const QString &scenario,
                const QJsonObject &parameters = {});

// One counter from the server's /__admin/stats, e.g. stat(server, "refreshes", "ok"),
// or a top-level one, e.g. stat(server, "logouts").
int stat(const Mock::MockServer &server, const char *group, const char *key);
int stat(const Mock::MockServer &server, const char *key);

// What the store holds, waiting for the answer without blocking the event loop.
TokenStore::Result readStore(TokenStore &store);
// Signs alice in to \a server and leaves her refresh token in the keychain entry the
// silentauth program reads for that server; true once it is there.
bool storeDesktopSession(const Mock::MockServer &server);

// A file the sessions on a shared store entry keep beside it (docs/net.md):
// \a suffix ".lock" or ".stamp".
QString sharedEntryFile(const QString &entry, const char *suffix);
// Makes the file at \a path look last changed \a seconds ago (a lock taken that long ago).
bool setFileAge(const QString &path, qint64 seconds);

} // namespace SilentAuth::Test
