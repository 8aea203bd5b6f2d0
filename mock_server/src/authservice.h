#pragma once

#include "exchange.h"
#include "store.h"

namespace SilentAuth::Mock {

struct ServerContext;

// POST /auth/login, /auth/refresh, /auth/logout (the seed JSON API) and
// POST /oauth/token, /oauth/revoke (RFC 6749, RFC 7009) over one token store.
class AuthService
{
public:
    explicit AuthService(ServerContext &context)
        : m_context(context)
    {
    }

    Reply login(const Request &request);
    Reply refresh(const Request &request);
    Reply logout(const Request &request);
    Reply oauthToken(const Request &request);
    Reply oauthRevoke(const Request &request);

private:
    struct Grant
    {
        bool ok = false;
        int status = 401;
        QString error; // invalid_credentials, invalid_grant, too_many_attempts…
        QString message;
        QByteArray reason; // for the log
        int retryAfterSeconds = 0;
        QString username;
        QByteArray accessToken;
        QByteArray refreshToken;
        qint64 refreshExpiresAtMs = 0;
        bool refreshRotated = false;
    };

    Grant passwordGrant(const QString &username, const QString &password, const QString &scope);
    Grant refreshGrant(const QByteArray &refreshToken, const QString &scope);
    Grant withAccess(const QString &username, const QString &scope, const RefreshRecord &refresh,
                     bool rotated) const;
    RefreshRecord newRefresh(const QString &username, const QByteArray &family);
    void revokeRefresh(const QByteArray &jti);
    // Returns a reply when the refresh scenario answers instead of the server.
    bool scenarioIntercepts(Reply *reply, bool *dropAfter, int *delayMs);
    Reply seedReply(const Grant &grant) const;
    Reply oauthReply(const Grant &grant, const QString &scope) const;
    static Reply oauthError(int status, const QString &error, const QString &description);
    bool authenticateClient(const Request &request, const QHash<QString, QString> &form,
                            Reply *failure) const;

    ServerContext &m_context;
};

} // namespace SilentAuth::Mock
