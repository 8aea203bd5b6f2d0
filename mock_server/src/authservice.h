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

    // A username and password checked against the users, with the login
    // throttle; counted in the login stats.
    struct Credentials
    {
        bool ok = false;
        int status = 401; // 401 wrong, 429 throttled
        QString error; // invalid_credentials, too_many_attempts
        QString message;
        int retryAfterSeconds = 0;
    };
    Credentials checkCredentials(const QString &username, const QString &password);

    // The OAuth clients the server knows: client_id → secret, empty for a
    // public client.
    static const QHash<QString, QString> &clients();

    Reply login(const Request &request);
    Reply refresh(const Request &request);
    Reply logout(const Request &request);
    Reply oauthToken(const Request &request);
    Reply oauthRevoke(const Request &request);
    // RFC 8628 §3.1-3.2: a device code and a user code for a client.
    Reply deviceAuthorization(const Request &request);

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
        QString scope; // as granted
        QString clientId; // the OAuth client, for an ID token's audience
        QString nonce; // from the authorization request
        QByteArray jkt; // the DPoP key the access token is bound to; empty: a bearer token
    };

    // jkt, here and below: the key of the request's DPoP proof, empty when
    // none came. The tokens issued are bound to it.
    Grant passwordGrant(const QString &username, const QString &password, const QString &scope,
                        const QByteArray &jkt);
    Grant refreshGrant(const QByteArray &refreshToken, const QString &scope,
                       const QString &clientId, const QByteArray &jkt);
    Grant authorizationCodeGrant(const QHash<QString, QString> &form, const QString &clientId,
                                 const QByteArray &jkt);
    // RFC 8628 §3.4-3.5: a device's poll.
    Grant deviceCodeGrant(const QByteArray &deviceCode, const QString &clientId,
                          const QByteArray &jkt);
    Grant withAccess(const QString &username, const QString &scope, const RefreshRecord &refresh,
                     bool rotated, const QByteArray &jkt);
    // binding: claims the refresh token carries and passes on when rotated
    // (scope, client_id and nonce of a browser sign-in); jkt: the DPoP key
    // it is bound to, kept with it in the store.
    RefreshRecord newRefresh(const QString &username, const QByteArray &family,
                             const QJsonObject &binding = {}, const QByteArray &jkt = {});
    // The DPoP proof of a token request (RFC 9449 §5): *jkt is its key, or
    // empty when none came and none is required. False, with *failure (400
    // invalid_dpop_proof or use_dpop_nonce), when it is refused.
    bool checkDpop(const Request &request, bool oauth, QByteArray *jkt, Reply *failure);
    void revokeRefresh(const QByteArray &jti);
    // Returns a reply when the refresh scenario answers instead of the server.
    bool scenarioIntercepts(Reply *reply, bool *dropAfter, int *delayMs);
    Reply seedReply(const Grant &grant) const;
    // Set-Cookie for the refresh token (an empty one with Max-Age=0 removes it).
    QByteArray refreshCookie(const QByteArray &token, qint64 maxAgeSeconds) const;
    // The refresh token a seed API request presents, from its body or its
    // cookie as the transport says; empty, with *problem, when none.
    QByteArray presentedRefreshToken(const Request &request, QString *error,
                                     QString *problem) const;
    Reply oauthReply(const Grant &grant) const;
    // OpenID Connect Core §2, RS256; empty when it could not be signed.
    QByteArray idToken(const Grant &grant) const;
    static Reply oauthError(int status, const QString &error, const QString &description);
    bool authenticateClient(const Request &request, const QHash<QString, QString> &form,
                            QString *clientId, Reply *failure) const;

    ServerContext &m_context;
};

} // namespace SilentAuth::Mock
