#include "authorizationservice.h"

#include "authservice.h"
#include "servercontext.h"

#include <QtCore/QJsonArray>

namespace SilentAuth::Mock {

namespace {

// Used codes are kept this long after they expire, so that a late second
// use is still recognised as one.
constexpr qint64 usedCodeMemoryMs = 10 * 60 * 1000;

QString escaped(const QString &text)
{
    return text.toHtmlEscaped();
}

// The frame every page of the authorization endpoint shares: small,
// self-contained, readable without styles.
QString page(const QString &title, const QString &content)
{
    return QStringLiteral(
               "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
               "<title>%1</title>\n<style>\n"
               "body{font:1rem/1.5 system-ui,sans-serif;color:#1b1b1b;background:#fff;"
               "max-width:26rem;margin:3rem auto;padding:0 1rem}\n"
               "h1{font-size:1.5rem}\n"
               "label{display:block;margin:.75rem 0}\n"
               "input{display:block;box-sizing:border-box;width:100%;margin-top:.25rem;"
               "padding:.5rem;font:inherit;border:1px solid #6b6b6b;border-radius:4px}\n"
               "button{font:inherit;padding:.5rem 1.25rem;margin:1rem .5rem 0 0}\n"
               ".error{color:#a30000;font-weight:bold}\n"
               "code{overflow-wrap:anywhere}\n"
               "</style>\n</head>\n<body>\n<main>\n%2</main>\n</body>\n</html>\n")
        .arg(escaped(title), content);
}

Reply htmlReply(int status, const QString &html)
{
    Reply reply = Reply::html(status, html);
    // No caching, no framing (a consent page must not be clickjacked), no
    // scripts. No form-action either: browsers would apply it to the
    // redirect back to the application.
    reply.withHeader("Cache-Control", "no-store")
        .withHeader("Content-Security-Policy",
                    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
        .withHeader("X-Frame-Options", "DENY")
        .withHeader("Referrer-Policy", "no-referrer");
    return reply;
}

QJsonArray strings(std::initializer_list<const char *> values)
{
    QJsonArray array;
    for (const char *value : values)
        array.append(QLatin1String(value));
    return array;
}

} // namespace

Reply AuthorizationService::discovery() const
{
    const QString &issuer = m_context.issuerUrl;
    const QJsonArray clientAuthentication
        = strings({"none", "client_secret_basic", "client_secret_post"});
    QJsonObject document {
        {QStringLiteral("issuer"), issuer},
        {QStringLiteral("authorization_endpoint"), issuer + QLatin1String("/oauth/authorize")},
        {QStringLiteral("token_endpoint"), issuer + QLatin1String("/oauth/token")},
        {QStringLiteral("revocation_endpoint"), issuer + QLatin1String("/oauth/revoke")},
        {QStringLiteral("jwks_uri"), issuer + QLatin1String("/oauth/jwks")},
        {QStringLiteral("userinfo_endpoint"), issuer + QLatin1String("/oauth/userinfo")},
        {QStringLiteral("device_authorization_endpoint"),
         issuer + QLatin1String("/oauth/device_authorization")},
        {QStringLiteral("response_types_supported"), strings({"code"})},
        {QStringLiteral("response_modes_supported"), strings({"query"})},
        {QStringLiteral("grant_types_supported"),
         strings({"authorization_code", "refresh_token", "password",
                  "urn:ietf:params:oauth:grant-type:device_code"})},
        {QStringLiteral("code_challenge_methods_supported"), strings({"S256"})},
        {QStringLiteral("authorization_response_iss_parameter_supported"), true},
        {QStringLiteral("token_endpoint_auth_methods_supported"), clientAuthentication},
        {QStringLiteral("revocation_endpoint_auth_methods_supported"), clientAuthentication},
        {QStringLiteral("scopes_supported"),
         strings({"openid", "profile", "offline_access", "board"})},
        {QStringLiteral("subject_types_supported"), strings({"public"})},
        {QStringLiteral("id_token_signing_alg_values_supported"), strings({"RS256"})},
        {QStringLiteral("claims_supported"),
         strings(
             {"iss", "sub", "aud", "azp", "exp", "iat", "nonce", "name", "preferred_username"})}};
    // RFC 9449 §5.1: the proof algorithms the token endpoint accepts.
    if (m_context.dpop.enabled())
        document.insert(QStringLiteral("dpop_signing_alg_values_supported"),
                        strings({"ES256", "RS256"}));
    return Reply::json(200, document);
}

Reply AuthorizationService::jwks()
{
    QString error;
    if (!m_context.signingKeys.ensureKey(&error))
        return Reply::error(500, QStringLiteral("server_error"), error);
    Reply reply = Reply::json(200, m_context.signingKeys.jwks());
    reply.withHeader("Cache-Control", "no-cache");
    return reply;
}

Reply AuthorizationService::authorize(const Request &request)
{
    if (request.method == "POST")
        return decide(request);
    const auto authorization = AuthorizationRequest::fromItems(formItems(request.query));
    Reply failure;
    if (!checkClient(authorization, &failure) || !checkRequest(authorization, &failure))
        return failure;
    return signInPage(200, authorization);
}

bool AuthorizationService::checkClient(const AuthorizationRequest &request, Reply *failure) const
{
    QString problem;
    if (request.repeated.contains(QLatin1String("client_id"))
        || request.repeated.contains(QLatin1String("redirect_uri")))
        problem = QStringLiteral("client_id and redirect_uri must be given once.");
    else if (request.clientId.isEmpty())
        problem = QStringLiteral("The request names no application (client_id is missing).");
    else if (!AuthService::clients().contains(request.clientId))
        problem = QStringLiteral("The application %1 is not known here.")
                      .arg(QLatin1String("<code>") + escaped(request.clientId)
                           + QLatin1String("</code>"));
    else if (request.redirectUri.isEmpty())
        problem = QStringLiteral("The request has no redirect_uri.");
    else if (!isLoopbackRedirect(request.redirectUri))
        problem = QStringLiteral("The redirect address %1 is not allowed: it must be "
                                 "<code>http://127.0.0.1:PORT/…</code> or "
                                 "<code>http://[::1]:PORT/…</code>.")
                      .arg(QLatin1String("<code>") + escaped(request.redirectUri)
                           + QLatin1String("</code>"));
    else if (!m_context.config.redirectUris.isEmpty()
             && !isRegisteredLoopbackRedirect(request.redirectUri, m_context.config.redirectUris))
        problem = QStringLiteral("The redirect address %1 is not registered for this "
                                 "application (any port is, on a registered address).")
                      .arg(QLatin1String("<code>") + escaped(request.redirectUri)
                           + QLatin1String("</code>"));
    if (problem.isEmpty())
        return true;
    *failure = errorPage(400, problem);
    failure->logNote = "invalid_client_or_redirect";
    return false;
}

bool AuthorizationService::checkRequest(const AuthorizationRequest &request, Reply *failure) const
{
    if (!request.repeated.isEmpty()) {
        *failure = errorRedirect(request, QStringLiteral("invalid_request"),
                                 QStringLiteral("%1 must be given once")
                                     .arg(request.repeated.join(QLatin1String(", "))));
        return false;
    }
    if (request.responseType != QLatin1String("code")) {
        *failure = request.responseType.isEmpty()
            ? errorRedirect(request, QStringLiteral("invalid_request"),
                            QStringLiteral("response_type is missing"))
            : errorRedirect(request, QStringLiteral("unsupported_response_type"),
                            QStringLiteral("Only response_type=code is supported"));
        return false;
    }
    if (request.codeChallenge.isEmpty()) {
        *failure = errorRedirect(request, QStringLiteral("invalid_request"),
                                 QStringLiteral("code_challenge is required (PKCE, RFC 7636)"));
        return false;
    }
    if (request.codeChallengeMethod != QLatin1String("S256")) {
        *failure = errorRedirect(request, QStringLiteral("invalid_request"),
                                 QStringLiteral("code_challenge_method must be S256"));
        return false;
    }
    if (!Pkce::isWellFormed(request.codeChallenge)) {
        *failure = errorRedirect(request, QStringLiteral("invalid_request"),
                                 QStringLiteral("code_challenge must be 43 to 128 characters of "
                                                "A-Z a-z 0-9 - . _ ~"));
        return false;
    }
    for (const QString &scope : request.scope.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        if (m_context.config.refusedScopes.contains(scope)) {
            *failure
                = errorRedirect(request, QStringLiteral("invalid_scope"),
                                QStringLiteral("%1 is not allowed for this client").arg(scope));
            return false;
        }
    }
    return true;
}

Reply AuthorizationService::redirect(const AuthorizationRequest &request,
                                     QList<QPair<QString, QString>> parameters) const
{
    if (request.present.contains(QLatin1String("state")))
        parameters.append({QStringLiteral("state"), request.state});
    parameters.append({QStringLiteral("iss"), m_context.issuerUrl});
    Reply reply;
    reply.status = 303;
    reply.withHeader("Location", redirectWith(request.redirectUri, parameters))
        .withHeader("Cache-Control", "no-store")
        .withHeader("Referrer-Policy", "no-referrer");
    return reply;
}

Reply AuthorizationService::errorRedirect(const AuthorizationRequest &request, const QString &error,
                                          const QString &description) const
{
    Reply reply = redirect(
        request,
        {{QStringLiteral("error"), error}, {QStringLiteral("error_description"), description}});
    reply.logNote = error.toLatin1();
    return reply;
}

Reply AuthorizationService::errorPage(int status, const QString &message)
{
    return htmlReply(
        status,
        page(QStringLiteral("Sign-in failed"),
             QStringLiteral("<h1>Sign-in cannot continue</h1>\n<p class=\"error\">%1</p>\n"
                            "<p>The application asked for something this server does not allow. "
                            "Close this page and start the sign-in again from the application; "
                            "if it keeps happening, the application is set up wrongly.</p>\n")
                 .arg(message)));
}

Reply AuthorizationService::signInPage(int status, const AuthorizationRequest &request,
                                       const QString &message) const
{
    QString content = QStringLiteral("<h1>Sign in</h1>\n<p><strong>%1</strong> asks to use your "
                                     "account on %2")
                          .arg(escaped(request.clientId), escaped(m_context.issuerUrl));
    const QString scope = request.scope.simplified();
    if (!scope.isEmpty())
        content += QStringLiteral(", with access to: %1").arg(escaped(scope));
    content += QStringLiteral(".</p>\n");
    if (!message.isEmpty())
        content
            += QStringLiteral("<p class=\"error\" role=\"alert\">%1</p>\n").arg(escaped(message));
    content += QStringLiteral("<form method=\"post\" action=\"/oauth/authorize\">\n");
    for (const auto &parameter : request.parameters())
        content += QStringLiteral("<input type=\"hidden\" name=\"%1\" value=\"%2\">\n")
                       .arg(escaped(parameter.first), escaped(parameter.second));
    content += QStringLiteral(
        "<label>Username <input name=\"username\"></label>\n"
        "<label>Password <input name=\"password\" type=\"password\"></label>\n"
        "<button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\n"
        "<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n"
        "</form>\n");
    return htmlReply(status, page(QStringLiteral("Sign in"), content));
}

Reply AuthorizationService::decide(const Request &request)
{
    if (!request.header("content-type").toLower().startsWith("application/x-www-form-urlencoded"))
        return errorPage(400,
                         QStringLiteral("The sign-in form must be sent as "
                                        "application/x-www-form-urlencoded."));
    const auto items = formItems(request.body);
    const auto authorization = AuthorizationRequest::fromItems(items);
    Reply reply;
    if (!checkClient(authorization, &reply) || !checkRequest(authorization, &reply))
        return reply;
    auto field = [&items](const char *name) {
        for (const auto &item : items) {
            if (item.first == QLatin1String(name))
                return item.second;
        }
        return QString();
    };
    const auto &scenario = m_context.scenario;
    if (scenario.kind == Scenario::Kind::DenyConsent) {
        ++m_context.stats.authorizationsDenied;
        reply = errorRedirect(authorization, QStringLiteral("access_denied"),
                              QStringLiteral("The user declined the request"));
        reply.logNote = "scenario=deny-consent";
        return reply;
    }
    const QString decision = field("decision");
    if (decision == QLatin1String("deny")) {
        ++m_context.stats.authorizationsDenied;
        reply = errorRedirect(authorization, QStringLiteral("access_denied"),
                              QStringLiteral("The user declined the request"));
    } else if (decision != QLatin1String("allow")) {
        return signInPage(400, authorization, QStringLiteral("Choose Allow or Deny."));
    } else {
        const QString username = field("username");
        const auto credentials = m_auth.checkCredentials(username, field("password"));
        if (!credentials.ok) {
            const bool throttled = credentials.status == 429;
            reply = signInPage(throttled ? 429 : 200, authorization,
                               throttled ? credentials.message
                                         : QStringLiteral("Wrong username or password. Check "
                                                          "them and try again."));
            if (throttled)
                reply.withHeader("Retry-After", QByteArray::number(credentials.retryAfterSeconds));
            reply.logNote = throttled ? "throttled" : "invalid_credentials";
            return reply;
        }
        const qint64 now = ServerContext::nowMs();
        forgetOldCodes(now);
        AuthorizationCode code;
        code.clientId = authorization.clientId;
        code.redirectUri = authorization.redirectUri;
        code.codeChallenge = authorization.codeChallenge;
        code.scope = authorization.scope;
        code.nonce = authorization.nonce;
        code.username = username;
        code.issuedAtMs = now;
        code.expiresAtMs = now + m_context.config.authorizationCodeTtl.count() * 1000;
        const QByteArray value = newAuthorizationCode();
        m_context.authorizationCodes.insert(value, code);
        ++m_context.stats.authorizationsIssued;
        reply = redirect(authorization, {{QStringLiteral("code"), QString::fromLatin1(value)}});
        reply.logNote = "code issued";
    }
    if (scenario.kind == Scenario::Kind::SlowConsent) {
        reply.delayMs = scenario.delayMs;
        reply.logNote += " scenario=slow-consent";
    }
    return reply;
}

Reply AuthorizationService::device(const Request &request)
{
    if (request.method != "POST") {
        QString userCode;
        for (const auto &item : formItems(request.query)) {
            if (item.first == QLatin1String("user_code"))
                userCode = item.second;
        }
        return devicePage(200, userCode);
    }
    if (!request.header("content-type").toLower().startsWith("application/x-www-form-urlencoded"))
        return errorPage(400,
                         QStringLiteral("The form must be sent as "
                                        "application/x-www-form-urlencoded."));
    QHash<QString, QString> form;
    for (const auto &item : formItems(request.body))
        form.insert(item.first, item.second);
    const QString typed = form.value(QStringLiteral("user_code"));
    const QString wanted = normalizedUserCode(typed);
    const qint64 now = ServerContext::nowMs();
    DeviceAuthorization *device = nullptr;
    for (auto &candidate : m_context.deviceAuthorizations) {
        if (!wanted.isEmpty() && normalizedUserCode(candidate.userCode) == wanted)
            device = &candidate;
    }
    if (!device || device->expiresAtMs <= now
        || device->state != DeviceAuthorization::State::Pending) {
        Reply reply = devicePage(400, typed,
                                 !device || device->expiresAtMs <= now
                                     ? QStringLiteral("That code is not valid or has expired. "
                                                      "Check the code your device shows.")
                                     : QStringLiteral("That code has already been used."));
        reply.logNote = "unknown_user_code";
        return reply;
    }
    const QString decision = form.value(QStringLiteral("decision"));
    if (decision == QLatin1String("deny")) {
        device->state = DeviceAuthorization::State::Denied;
        ++m_context.stats.devicesDenied;
        Reply reply = deviceDone(QStringLiteral("Declined"),
                                 QStringLiteral("The device was not signed in. You can close "
                                                "this page."));
        reply.logNote = "access_denied";
        return reply;
    }
    if (decision != QLatin1String("allow"))
        return devicePage(400, typed, QStringLiteral("Choose Allow or Deny."));
    const auto credentials = m_auth.checkCredentials(form.value(QStringLiteral("username")),
                                                     form.value(QStringLiteral("password")));
    if (!credentials.ok) {
        const bool throttled = credentials.status == 429;
        Reply reply = devicePage(throttled ? 429 : 200, typed,
                                 throttled ? credentials.message
                                           : QStringLiteral("Wrong username or password. Check "
                                                            "them and try again."));
        if (throttled)
            reply.withHeader("Retry-After", QByteArray::number(credentials.retryAfterSeconds));
        reply.logNote = throttled ? "throttled" : "invalid_credentials";
        return reply;
    }
    device->state = DeviceAuthorization::State::Approved;
    device->username = form.value(QStringLiteral("username"));
    ++m_context.stats.devicesApproved;
    Reply reply = deviceDone(QStringLiteral("Device signed in"),
                             QStringLiteral("Your device is being signed in. You can close this "
                                            "page and return to it."));
    reply.logNote = "device approved";
    return reply;
}

Reply AuthorizationService::userinfo(const Request &request, const QString &username) const
{
    const auto check = m_context.issuer->checkAccess(request.bearerToken(), ServerContext::nowMs());
    const QStringList scope = check.claims.value(QLatin1String("scope"))
                                  .toString()
                                  .split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (!scope.contains(QLatin1String("openid"))) {
        Reply reply = Reply::error(403, QStringLiteral("insufficient_scope"),
                                   QStringLiteral("The access token was not issued with the "
                                                  "openid scope"));
        reply.withHeader("WWW-Authenticate",
                         "Bearer error=\"insufficient_scope\", scope=\"openid\"");
        return reply;
    }
    QJsonObject claims {{QStringLiteral("sub"), username}};
    if (scope.contains(QLatin1String("profile"))) {
        const auto user = m_context.store.user(username);
        claims.insert(QStringLiteral("name"), user ? user->displayName : username);
        claims.insert(QStringLiteral("preferred_username"), username);
    }
    Reply reply = Reply::json(200, claims);
    reply.withHeader("Cache-Control", "no-store");
    return reply;
}

Reply AuthorizationService::devicePage(int status, const QString &userCode,
                                       const QString &message) const
{
    QString content = QStringLiteral("<h1>Sign in a device</h1>\n<p>Enter the code your device "
                                     "shows to sign it in to your account on %1.</p>\n")
                          .arg(escaped(m_context.issuerUrl));
    if (!message.isEmpty())
        content
            += QStringLiteral("<p class=\"error\" role=\"alert\">%1</p>\n").arg(escaped(message));
    content += QStringLiteral(
                   "<form method=\"post\" action=\"/oauth/device\">\n"
                   "<label>Code <input name=\"user_code\" value=\"%1\" "
                   "autocomplete=\"off\" autocapitalize=\"characters\"></label>\n"
                   "<label>Username <input name=\"username\"></label>\n"
                   "<label>Password <input name=\"password\" type=\"password\"></label>\n"
                   "<button type=\"submit\" name=\"decision\" value=\"allow\">Allow</button>\n"
                   "<button type=\"submit\" name=\"decision\" value=\"deny\">Deny</button>\n"
                   "</form>\n")
                   .arg(escaped(userCode.left(64)));
    return htmlReply(status, page(QStringLiteral("Sign in a device"), content));
}

Reply AuthorizationService::deviceDone(const QString &title, const QString &text) const
{
    return htmlReply(
        200,
        page(title, QStringLiteral("<h1>%1</h1>\n<p>%2</p>\n").arg(escaped(title), escaped(text))));
}

void AuthorizationService::forgetOldCodes(qint64 nowMs)
{
    auto &codes = m_context.authorizationCodes;
    for (auto it = codes.begin(); it != codes.end();) {
        if (it->expiresAtMs + usedCodeMemoryMs < nowMs)
            it = codes.erase(it);
        else
            ++it;
    }
}

} // namespace SilentAuth::Mock
