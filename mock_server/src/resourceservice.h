#pragma once

#include "exchange.h"

#include <QtCore/QHash>

namespace SilentAuth::Mock {

struct ServerContext;
struct Post;

// The protected resources: the profile service (GET/PATCH /profile), the
// board service (/boards) and /echo, which reports what it received so
// tests can prove a replayed body arrived byte for byte.
class ResourceService
{
public:
    explicit ResourceService(ServerContext &context)
        : m_context(context)
    {
    }

    // Resolves the bearer token; on failure *reply is the 401 to send.
    bool authenticate(const Request &request, QString *username, Reply *reply);
    // flaky-resources: a 500 for the configured fraction of calls.
    bool injectFailure(Reply *reply);

    Reply profile(const Request &request, const QString &username);
    Reply listPosts();
    Reply createPost(const Request &request, const QString &username);
    Reply post(qint64 id, const Request &request, const QString &username);
    Reply echo(const Request &request, const QString &username);

private:
    // With DPoP on, a valid token's binding: a bound token needs the DPoP
    // scheme and a proof by its key; an unbound one the Bearer scheme. False,
    // with the 401 in *reply, when refused.
    bool checkBinding(const Request &request, const QByteArray &token, const QJsonObject &claims,
                      bool dpopScheme, Reply *reply);
    // 401 with WWW-Authenticate: DPoP error="…" (RFC 9449 §7.1).
    Reply dpopChallenge(const char *error, const QString &description, const QByteArray &logNote);
    static QJsonObject postJson(const Post &post);
    static bool readPost(const Request &request, QString *title, QString *body, Reply *failure);

    ServerContext &m_context;
    // GET /profile is the hot route: its answer is rendered once per change
    // of the user, and each cached body keeps the fields it was made from so
    // a stale one is never served (whatever changed the user).
    struct RenderedProfile
    {
        QString displayName;
        QString email;
        qint64 createdAtMs = 0;
        QByteArray body;
    };
    QHash<QString, RenderedProfile> m_profiles;
};

} // namespace SilentAuth::Mock
