#pragma once

#include "authorization.h"
#include "exchange.h"

namespace SilentAuth::Mock {

class AuthService;
struct ServerContext;

// What an OpenID provider offers for browser sign-in (RFC 8252): discovery
// (OpenID Connect Discovery, RFC 8414), the authorization endpoint with its
// sign-in and consent page (RFC 6749 §4.1, PKCE S256 only, RFC 9207 iss in
// every redirect) and the JWK Set of the ID token keys. The codes it issues
// are exchanged at the token endpoint (AuthService).
class AuthorizationService
{
public:
    AuthorizationService(ServerContext &context, AuthService &auth)
        : m_context(context)
        , m_auth(auth)
    {
    }

    Reply discovery() const;
    Reply jwks();
    // GET: the sign-in page; POST: the page's answer.
    Reply authorize(const Request &request);
    // RFC 8628 §3.3: the page where a user enters a device's user code
    // (GET, with user_code filled in when given) and its answer (POST).
    Reply device(const Request &request);
    // OpenID Connect Core §5.3: the claims about \a username an access token
    // gives access to (sub; name and preferred_username with the profile scope).
    Reply userinfo(const Request &request, const QString &username) const;

private:
    Reply decide(const Request &request);
    // client_id and redirect_uri decide whether the browser may be sent back
    // at all; when they fail, *failure is an error page.
    bool checkClient(const AuthorizationRequest &request, Reply *failure) const;
    // The rest; when it fails, *failure is an error redirect.
    bool checkRequest(const AuthorizationRequest &request, Reply *failure) const;
    Reply redirect(const AuthorizationRequest &request,
                   QList<QPair<QString, QString>> parameters) const;
    Reply errorRedirect(const AuthorizationRequest &request, const QString &error,
                        const QString &description) const;
    Reply signInPage(int status, const AuthorizationRequest &request,
                     const QString &message = {}) const;
    static Reply errorPage(int status, const QString &message);
    void forgetOldCodes(qint64 nowMs);
    Reply devicePage(int status, const QString &userCode, const QString &message = {}) const;
    Reply deviceDone(const QString &title, const QString &text) const;

    ServerContext &m_context;
    AuthService &m_auth;
};

} // namespace SilentAuth::Mock
