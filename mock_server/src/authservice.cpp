#include "authservice.h"

#include "servercontext.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QUrl>

#include <algorithm>

namespace SilentAuth::Mock {

namespace {

QHash<QString, QString> parseForm(const QByteArray &body)
{
    QHash<QString, QString> form;
    for (const auto &item : formItems(body))
        form.insert(item.first, item.second);
    return form;
}

QStringList scopeList(const QString &scope)
{
    return scope.split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

// The claims a refresh token of a browser sign-in carries on.
const char *const bindingClaims[] = {"scope", "client_id", "nonce"};

} // namespace

// The OAuth clients the mock knows: one public (desktop) client and one
// confidential client for client_secret_basic / client_secret_post.
const QHash<QString, QString> &AuthService::clients()
{
    static const QHash<QString, QString> known {
        {QStringLiteral("silentauth-desktop"), QString()},
        {QStringLiteral("silentauth-service"), QStringLiteral("service-secret")},
    };
    return known;
}

AuthService::Grant AuthService::withAccess(const QString &username, const QString &scope,
                                           const RefreshRecord &refresh, bool rotated,
                                           const QByteArray &jkt)
{
    Grant grant;
    grant.ok = true;
    grant.status = 200;
    grant.username = username;
    grant.refreshToken = refresh.token;
    grant.refreshExpiresAtMs = refresh.expiresAtMs;
    grant.refreshRotated = rotated;
    grant.scope = scope;
    const qint64 skew
        = m_context.scenario.kind == Scenario::Kind::ClockSkew ? m_context.scenario.skewSeconds : 0;
    grant.accessToken
        = m_context.issuer->issueAccess(username, scope, ServerContext::nowMs(), skew, jkt).token;
    grant.jkt = jkt;
    if (!jkt.isEmpty())
        ++m_context.stats.dpopBoundTokensIssued;
    return grant;
}

RefreshRecord AuthService::newRefresh(const QString &username, const QByteArray &family,
                                      const QJsonObject &binding, const QByteArray &jkt)
{
    const auto issued = m_context.issuer->issueRefresh(username, ServerContext::nowMs(), binding);
    RefreshRecord record;
    record.jti = issued.jti;
    record.username = username;
    record.family = family.isEmpty() ? issued.jti : family;
    record.token = issued.token;
    record.expiresAtMs = issued.expiresAtMs;
    record.jkt = jkt;
    m_context.store.addRefresh(record);
    return record;
}

AuthService::Credentials AuthService::checkCredentials(const QString &username,
                                                       const QString &password)
{
    Credentials result;
    const qint64 now = ServerContext::nowMs();
    const qint64 windowMs = m_context.config.loginAttemptWindow.count() * 1000;
    auto &failures = m_context.failedLogins[username];
    while (!failures.isEmpty() && failures.first() <= now - windowMs)
        failures.removeFirst();
    if (failures.size() >= m_context.config.loginAttemptLimit) {
        ++m_context.stats.loginsThrottled;
        result.status = 429;
        result.error = QStringLiteral("too_many_attempts");
        result.retryAfterSeconds = int((failures.first() + windowMs - now + 999) / 1000);
        result.message = QStringLiteral("Too many failed sign-in attempts; try again in %1 s")
                             .arg(result.retryAfterSeconds);
        return result;
    }
    const auto user = m_context.store.user(username);
    if (!user || !Store::checkPassword(*user, password)) {
        failures.append(now);
        ++m_context.stats.loginsFailed;
        result.error = QStringLiteral("invalid_credentials");
        result.message = QStringLiteral("Wrong username or password");
        return result;
    }
    failures.clear();
    ++m_context.stats.loginsOk;
    result.ok = true;
    result.status = 200;
    return result;
}

AuthService::Grant AuthService::passwordGrant(const QString &username, const QString &password,
                                              const QString &scope, const QByteArray &jkt)
{
    const Credentials credentials = checkCredentials(username, password);
    if (!credentials.ok) {
        Grant grant;
        grant.status = credentials.status;
        grant.error = credentials.error;
        grant.message = credentials.message;
        grant.retryAfterSeconds = credentials.retryAfterSeconds;
        grant.reason = credentials.status == 429 ? "throttled" : "invalid_credentials";
        return grant;
    }
    return withAccess(username, scope, newRefresh(username, {}, {}, jkt), true, jkt);
}

AuthService::Grant AuthService::authorizationCodeGrant(const QHash<QString, QString> &form,
                                                       const QString &clientId,
                                                       const QByteArray &jkt)
{
    Grant grant;
    grant.status = 400;
    grant.error = QStringLiteral("invalid_grant");
    auto failed = [&](const QByteArray &reason, const QString &message) {
        ++m_context.stats.authorizationsFailed;
        grant.reason = reason;
        grant.message = message;
        return grant;
    };
    const qint64 now = ServerContext::nowMs();
    const auto found
        = m_context.authorizationCodes.find(form.value(QStringLiteral("code")).toUtf8());
    if (found == m_context.authorizationCodes.end())
        return failed("unknown_code", QStringLiteral("The authorization code is not valid"));
    AuthorizationCode &code = *found;
    if (code.usedAtMs != 0) {
        // RFC 6749 §4.1.2: a code used twice may have been stolen; what was
        // issued for it is revoked.
        ++m_context.stats.authorizationsCodeReuse;
        for (const auto &member : m_context.store.family(code.family))
            revokeRefresh(member);
        return failed("code_reuse",
                      QStringLiteral("The authorization code was already used; the tokens issued "
                                     "for it are revoked"));
    }
    if (code.expiresAtMs <= now)
        return failed("code_expired", QStringLiteral("The authorization code expired"));
    if (code.clientId != clientId)
        return failed("client_mismatch",
                      QStringLiteral("The authorization code was issued to another client"));
    if (form.value(QStringLiteral("redirect_uri")) != code.redirectUri)
        return failed("redirect_mismatch",
                      QStringLiteral("redirect_uri differs from the authorization request's"));
    const QString verifier = form.value(QStringLiteral("code_verifier"));
    if (!Pkce::isWellFormed(verifier)
        || Pkce::s256(verifier.toLatin1()) != code.codeChallenge.toLatin1()) {
        ++m_context.stats.authorizationsPkceFailed;
        return failed("pkce_mismatch",
                      QStringLiteral("code_verifier does not match the code_challenge"));
    }
    if (!m_context.store.hasUser(code.username))
        return failed("unknown_user", QStringLiteral("The user no longer exists"));

    QJsonObject binding {{QStringLiteral("client_id"), code.clientId}};
    if (!code.scope.isEmpty())
        binding.insert(QStringLiteral("scope"), code.scope);
    if (!code.nonce.isEmpty())
        binding.insert(QStringLiteral("nonce"), code.nonce);
    const RefreshRecord refresh = newRefresh(code.username, {}, binding, jkt);
    code.usedAtMs = now;
    code.family = refresh.family;
    ++m_context.stats.authorizationsExchanged;
    Grant issued = withAccess(code.username, code.scope, refresh, true, jkt);
    issued.clientId = code.clientId;
    issued.nonce = code.nonce;
    issued.reason = "authorization_code";
    return issued;
}

AuthService::Grant AuthService::deviceCodeGrant(const QByteArray &deviceCode,
                                                const QString &clientId, const QByteArray &jkt)
{
    Grant grant;
    grant.status = 400;
    grant.error = QStringLiteral("invalid_grant");
    const qint64 now = ServerContext::nowMs();
    const auto found = m_context.deviceAuthorizations.find(deviceCode);
    if (found == m_context.deviceAuthorizations.end() || found->clientId != clientId) {
        grant.reason = "unknown_device_code";
        grant.message = QStringLiteral("The device code is not valid");
        return grant;
    }
    DeviceAuthorization &device = *found;
    ++m_context.stats.devicePolls;
    auto answer = [&grant](const char *error, const QString &message) {
        grant.error = QLatin1String(error);
        grant.reason = error;
        grant.message = message;
        return grant;
    };
    if (device.state == DeviceAuthorization::State::Exchanged)
        return answer("invalid_grant", QStringLiteral("The device code was already used"));
    if (device.expiresAtMs <= now) {
        ++m_context.stats.devicesExpired;
        return answer("expired_token", QStringLiteral("The device code expired"));
    }
    // RFC 8628 §3.5: a device that polls before its interval is told to
    // slow down, and held to 5 seconds more from then on. A quarter second
    // is allowed for the way there.
    const bool tooFast
        = device.lastPollMs != 0 && now - device.lastPollMs < device.intervalSeconds * 1000 - 250;
    device.lastPollMs = now;
    Scenario &scenario = m_context.scenario;
    const bool scenarioSlowDown
        = scenario.kind == Scenario::Kind::DeviceSlowDown && scenario.remaining != 0;
    if (tooFast || scenarioSlowDown) {
        if (tooFast)
            ++m_context.stats.devicePollsTooFast;
        else if (scenario.remaining > 0)
            --scenario.remaining;
        ++m_context.stats.deviceSlowDowns;
        device.intervalSeconds += 5;
        return answer("slow_down",
                      QStringLiteral("Poll every %1 seconds at most").arg(device.intervalSeconds));
    }
    switch (device.state) {
    case DeviceAuthorization::State::Pending:
        return answer("authorization_pending",
                      QStringLiteral("The user has not entered the code yet"));
    case DeviceAuthorization::State::Denied:
        return answer("access_denied", QStringLiteral("The user declined the request"));
    case DeviceAuthorization::State::Exchanged:
    case DeviceAuthorization::State::Approved:
        break;
    }
    if (!m_context.store.hasUser(device.username))
        return answer("invalid_grant", QStringLiteral("The user no longer exists"));
    QJsonObject binding {{QStringLiteral("client_id"), device.clientId}};
    if (!device.scope.isEmpty())
        binding.insert(QStringLiteral("scope"), device.scope);
    const RefreshRecord refresh = newRefresh(device.username, {}, binding, jkt);
    device.state = DeviceAuthorization::State::Exchanged;
    ++m_context.stats.devicesExchanged;
    Grant issued = withAccess(device.username, device.scope, refresh, true, jkt);
    issued.clientId = device.clientId;
    issued.reason = "device_code";
    return issued;
}

Reply AuthService::deviceAuthorization(const Request &request)
{
    if (!request.header("content-type").toLower().startsWith("application/x-www-form-urlencoded"))
        return oauthError(400, QStringLiteral("invalid_request"),
                          QStringLiteral("The body must be application/x-www-form-urlencoded"));
    const auto form = parseForm(request.body);
    Reply failure;
    QString clientId;
    if (!authenticateClient(request, form, &clientId, &failure))
        return failure;
    const qint64 now = ServerContext::nowMs();
    auto &devices = m_context.deviceAuthorizations;
    for (auto it = devices.begin(); it != devices.end();) {
        if (it->expiresAtMs + 10 * 60 * 1000 < now)
            it = devices.erase(it);
        else
            ++it;
    }
    DeviceAuthorization device;
    device.clientId = clientId;
    device.scope = form.value(QStringLiteral("scope")).simplified();
    device.issuedAtMs = now;
    device.expiresAtMs = now + m_context.config.deviceCodeTtl.count() * 1000;
    device.intervalSeconds = int(m_context.config.devicePollInterval.count());
    do {
        device.userCode = newUserCode();
    } while (std::any_of(devices.cbegin(), devices.cend(), [&device](const auto &other) {
        return other.userCode == device.userCode;
    }));
    const QByteArray deviceCode = newAuthorizationCode();
    devices.insert(deviceCode, device);
    ++m_context.stats.devicesIssued;
    const QString page = m_context.issuerUrl + QLatin1String("/oauth/device");
    Reply reply = Reply::json(
        200,
        {{QStringLiteral("device_code"), QString::fromLatin1(deviceCode)},
         {QStringLiteral("user_code"), device.userCode},
         {QStringLiteral("verification_uri"), page},
         {QStringLiteral("verification_uri_complete"),
          page + QLatin1String("?user_code=") + device.userCode},
         {QStringLiteral("expires_in"), qint64(m_context.config.deviceCodeTtl.count())},
         {QStringLiteral("interval"), device.intervalSeconds}});
    reply.withHeader("Cache-Control", "no-store");
    reply.logNote = "device code issued";
    return reply;
}

void AuthService::revokeRefresh(const QByteArray &jti)
{
    m_context.store.removeRefresh(jti);
    m_context.store.addToBlacklist(jti, ServerContext::nowMs());
}

AuthService::Grant AuthService::refreshGrant(const QByteArray &token, const QString &scope,
                                             const QString &clientId, const QByteArray &jkt)
{
    Grant grant;
    grant.error = QStringLiteral("invalid_grant");
    grant.message = QStringLiteral("The refresh token is invalid, expired or revoked");
    const qint64 now = ServerContext::nowMs();
    const auto verified = m_context.issuer->verify(token, now);
    if (verified.error != Jwt::Error::None) {
        grant.reason = Jwt::errorName(verified.error);
        return grant;
    }
    const QByteArray jti = verified.claims.value(QLatin1String("jti")).toString().toLatin1();
    const QString subject = verified.claims.value(QLatin1String("sub")).toString();
    if (verified.claims.value(QLatin1String("typ")).toString() != QLatin1String("refresh")) {
        grant.reason = "wrong_type";
        return grant;
    }
    if (m_context.store.isBlacklisted(jti)) {
        grant.reason = "blacklisted";
        return grant;
    }
    const auto record = m_context.store.refresh(jti);
    if (!record) {
        grant.reason = "unknown_token";
        return grant;
    }
    if (record->username != subject || !m_context.store.hasUser(subject)) {
        grant.reason = "user_mismatch";
        return grant;
    }
    // RFC 9449 §5: a bound refresh token is good only with a proof by its
    // key. Checked before reuse detection, so that a token copied without
    // the key cannot even get its family revoked.
    if (!record->jkt.isEmpty() && record->jkt != jkt) {
        if (jkt.isEmpty()) {
            m_context.dpop.count(Dpop::Rejection::Missing);
            grant.status = 400;
            grant.error = QStringLiteral("invalid_dpop_proof");
            grant.message = QStringLiteral("This refresh token is bound to a DPoP key: send a "
                                           "proof signed with it");
            grant.reason = "dpop=proof_missing";
        } else {
            m_context.dpop.count(Dpop::Rejection::KeyMismatch);
            grant.message = QStringLiteral("This refresh token is bound to another DPoP key");
            grant.reason = "dpop=key_mismatch";
        }
        return grant;
    }
    // A browser sign-in's token is bound to its client and scope (RFC 6749
    // §6): another client cannot use it, and a refresh cannot widen it.
    QJsonObject binding;
    for (const char *name : bindingClaims) {
        const auto value = verified.claims.value(QLatin1String(name));
        if (value.isString())
            binding.insert(QLatin1String(name), value);
    }
    const QString boundClient = binding.value(QLatin1String("client_id")).toString();
    if (!boundClient.isEmpty() && !clientId.isNull() && boundClient != clientId) {
        grant.reason = "client_mismatch";
        return grant;
    }
    const QString granted = binding.value(QLatin1String("scope")).toString();
    QString effectiveScope = scope;
    if (!granted.isEmpty()) {
        const QStringList grantedList = scopeList(granted);
        for (const auto &item : scopeList(scope)) {
            if (!grantedList.contains(item)) {
                grant.status = 400;
                grant.error = QStringLiteral("invalid_scope");
                grant.message = QStringLiteral("The scope %1 was not granted").arg(item);
                grant.reason = "invalid_scope";
                return grant;
            }
        }
        if (scope.isEmpty())
            effectiveScope = granted;
    }
    auto granting = [&](Grant issued) {
        issued.clientId = boundClient.isEmpty() ? clientId : boundClient;
        issued.nonce = binding.value(QLatin1String("nonce")).toString();
        return issued;
    };

    if (record->rotatedAtMs != 0) {
        // Reuse of a rotated token. Inside the grace window it is a client
        // that lost the answer: give it the current pair again. Outside, it
        // may be a stolen token: revoke the whole family (RFC 9700 4.14.2).
        const qint64 graceMs = m_context.config.reuseGrace.count() * 1000;
        auto current = m_context.store.refresh(record->replacedBy);
        while (current && current->rotatedAtMs != 0)
            current = m_context.store.refresh(current->replacedBy);
        if (graceMs > 0 && now - record->rotatedAtMs <= graceMs && current) {
            ++m_context.stats.graceReplays;
            RefreshRecord pair = *current;
            if (pair.token.isEmpty()) {
                // Issued before a restart: only its jti was kept on disk. The
                // client gets a new current token instead.
                pair = newRefresh(subject, current->family, binding, record->jkt);
                m_context.store.markRotated(current->jti, pair.jti, now);
            }
            Grant replay = granting(withAccess(subject, effectiveScope, pair, true, jkt));
            replay.reason = "grace";
            return replay;
        }
        ++m_context.stats.reuseDetected;
        for (const auto &member : m_context.store.family(record->family))
            revokeRefresh(member);
        grant.reason = "reuse_detected";
        return grant;
    }

    if (!m_context.config.rotateRefreshTokens) {
        RefreshRecord same = *record;
        same.token = token; // the one presented, verified above
        return granting(withAccess(subject, effectiveScope, same, false, jkt));
    }
    const RefreshRecord next = newRefresh(subject, record->family, binding, record->jkt);
    m_context.store.markRotated(jti, next.jti, now);
    return granting(withAccess(subject, effectiveScope, next, true, jkt));
}

bool AuthService::scenarioIntercepts(Reply *reply, bool *dropAfter, int *delayMs)
{
    auto &scenario = m_context.scenario;
    *dropAfter = false;
    *delayMs = 0;
    if (!scenario.affectsRefresh())
        return false;
    if (scenario.remaining > 0)
        --scenario.remaining;
    const QByteArray note = "scenario=" + scenario.name.toLatin1();
    switch (scenario.kind) {
    case Scenario::Kind::SlowRefresh:
        *delayMs = scenario.delayMs;
        return false;
    case Scenario::Kind::LostRefreshResponse:
        *dropAfter = true;
        return false;
    case Scenario::Kind::RefreshUnavailable:
        *reply = Reply::error(503, QStringLiteral("temporarily_unavailable"),
                              QStringLiteral("The token service is temporarily unavailable"));
        reply->withHeader("Retry-After", "1");
        break;
    case Scenario::Kind::RefreshDrop:
        reply->delivery = Reply::Delivery::Drop;
        break;
    case Scenario::Kind::RevokedRefresh:
        *reply = Reply::error(401, QStringLiteral("invalid_grant"),
                              QStringLiteral("The refresh token has been revoked"));
        break;
    case Scenario::Kind::MalformedRefresh:
        reply->status = 200;
        reply->withHeader("Content-Type", "text/html");
        reply->body = "<html><body>502 Bad Gateway</body></html";
        break;
    default:
        return false;
    }
    ++m_context.stats.refreshesFailed;
    reply->logNote = note;
    return true;
}

Reply AuthService::seedReply(const Grant &grant) const
{
    if (!grant.ok) {
        Reply reply = Reply::error(grant.status, grant.error, grant.message);
        if (grant.retryAfterSeconds > 0)
            reply.withHeader("Retry-After", QByteArray::number(grant.retryAfterSeconds));
        reply.logNote = grant.reason;
        return reply;
    }
    const qint64 now = ServerContext::nowMs();
    const qint64 refreshExpiresIn = qMax<qint64>(0, (grant.refreshExpiresAtMs - now) / 1000);
    QJsonObject body {{QStringLiteral("accessToken"), QString::fromLatin1(grant.accessToken)},
                      {QStringLiteral("tokenType"),
                       grant.jkt.isEmpty() ? QStringLiteral("Bearer") : QStringLiteral("DPoP")},
                      {QStringLiteral("expiresIn"), m_context.issuer->accessTtlSeconds()},
                      {QStringLiteral("refreshExpiresIn"), refreshExpiresIn}};
    using Transport = MockServerConfig::RefreshTransport;
    const Transport transport = m_context.config.refreshTransport;
    if (transport != Transport::Cookie)
        body.insert(QStringLiteral("refreshToken"), QString::fromLatin1(grant.refreshToken));
    Reply reply = Reply::json(200, body);
    reply.withHeader("Cache-Control", "no-store");
    if (transport != Transport::Body)
        reply.withHeader("Set-Cookie", refreshCookie(grant.refreshToken, refreshExpiresIn));
    reply.logNote = grant.reason;
    return reply;
}

QByteArray AuthService::refreshCookie(const QByteArray &token, qint64 maxAgeSeconds) const
{
    // What a browser-facing backend sets: scripts cannot read it, it goes
    // over https only, never with a request from another site, and only to
    // the auth routes.
    return m_context.config.refreshCookieName + '=' + token
        + "; HttpOnly; Secure; SameSite=Strict; Path=/auth; Max-Age="
        + QByteArray::number(maxAgeSeconds);
}

QByteArray AuthService::presentedRefreshToken(const Request &request, QString *error,
                                              QString *problem) const
{
    using Transport = MockServerConfig::RefreshTransport;
    const Transport transport = m_context.config.refreshTransport;
    QJsonObject body;
    const bool hasBody = !request.body.trimmed().isEmpty();
    if ((transport == Transport::Body || hasBody) && !request.jsonObject(&body, problem)) {
        *error = QStringLiteral("invalid_json");
        return {};
    }
    const QJsonValue fromBody = body.value(QLatin1String("refreshToken"));
    if (transport != Transport::Cookie && fromBody.isString() && !fromBody.toString().isEmpty())
        return fromBody.toString().toLatin1();
    if (transport != Transport::Body) {
        const QByteArray fromCookie = request.cookie(m_context.config.refreshCookieName);
        if (!fromCookie.isEmpty())
            return fromCookie;
    }
    *error = QStringLiteral("invalid_request");
    *problem = transport == Transport::Cookie
        ? QStringLiteral("No %1 cookie was sent")
              .arg(QString::fromLatin1(m_context.config.refreshCookieName))
        : QStringLiteral("refreshToken must be a non-empty string");
    return {};
}

Reply AuthService::login(const Request &request)
{
    QJsonObject body;
    QString error;
    if (!request.jsonObject(&body, &error))
        return Reply::error(400, QStringLiteral("invalid_json"), error);
    const auto username = body.value(QLatin1String("username"));
    const auto password = body.value(QLatin1String("password"));
    if (!username.isString() || !password.isString())
        return Reply::error(400, QStringLiteral("invalid_request"),
                            QStringLiteral("username and password must be strings"));
    QByteArray jkt;
    Reply refused;
    if (!checkDpop(request, false, &jkt, &refused))
        return refused;
    return seedReply(passwordGrant(username.toString(), password.toString(), {}, jkt));
}

Reply AuthService::refresh(const Request &request)
{
    QString error;
    QString problem;
    const QByteArray token = presentedRefreshToken(request, &error, &problem);
    if (token.isEmpty())
        return Reply::error(400, error, problem);
    QByteArray jkt;
    Reply reply;
    if (!checkDpop(request, false, &jkt, &reply))
        return reply;

    bool dropAfter = false;
    int delayMs = 0;
    if (scenarioIntercepts(&reply, &dropAfter, &delayMs))
        return reply;
    const Grant grant = refreshGrant(token, {}, {}, jkt);
    if (grant.ok)
        ++m_context.stats.refreshesOk;
    else
        ++m_context.stats.refreshesFailed;
    reply = seedReply(grant);
    reply.delayMs = delayMs;
    if (dropAfter) {
        reply.delivery = Reply::Delivery::Drop;
        reply.logNote = "scenario=lost-refresh-response";
    }
    return reply;
}

Reply AuthService::logout(const Request &request)
{
    QString error;
    QString problem;
    const QByteArray token = presentedRefreshToken(request, &error, &problem);
    if (error == QLatin1String("invalid_json"))
        return Reply::error(400, error, problem);
    const auto verified = m_context.issuer->verify(token, 0); // expired tokens may log out too
    if (token.isEmpty() || verified.error != Jwt::Error::None
        || verified.claims.value(QLatin1String("typ")).toString() != QLatin1String("refresh")) {
        return Reply::error(400, QStringLiteral("invalid_token"),
                            QStringLiteral("refreshToken is not a refresh token of this server"));
    }
    revokeRefresh(verified.claims.value(QLatin1String("jti")).toString().toLatin1());
    ++m_context.stats.logouts;
    Reply reply = Reply::json(200, {{QStringLiteral("msg"), QStringLiteral("Signed out")}});
    if (m_context.config.refreshTransport != MockServerConfig::RefreshTransport::Body)
        reply.withHeader("Set-Cookie", refreshCookie({}, 0)); // the browser drops it
    return reply;
}

bool AuthService::checkDpop(const Request &request, bool oauth, QByteArray *jkt, Reply *failure)
{
    const DpopGuard::Check check = m_context.dpop.tokenRequest(request);
    if (check.ok()) {
        *jkt = check.jkt;
        return true;
    }
    // RFC 9449 §8: a missing or old nonce is use_dpop_nonce, with the
    // nonce to use in DPoP-Nonce (which every answer carries).
    const QString error = Dpop::isNonceRejection(check.rejection)
        ? QStringLiteral("use_dpop_nonce")
        : QStringLiteral("invalid_dpop_proof");
    *failure = oauth ? oauthError(400, error, check.description)
                     : Reply::error(400, error, check.description);
    failure->logNote = check.logNote;
    return false;
}

Reply AuthService::oauthError(int status, const QString &error, const QString &description)
{
    Reply reply = Reply::json(
        status,
        {{QStringLiteral("error"), error}, {QStringLiteral("error_description"), description}});
    reply.withHeader("Cache-Control", "no-store").withHeader("Pragma", "no-cache");
    reply.logNote = error.toLatin1();
    return reply;
}

bool AuthService::authenticateClient(const Request &request, const QHash<QString, QString> &form,
                                     QString *authenticated, Reply *failure) const
{
    QString clientId;
    QString secret;
    bool viaBasic = false;
    const QByteArray authorization = request.header("authorization");
    if (authorization.toLower().startsWith("basic ")) {
        viaBasic = true;
        const QByteArray decoded = QByteArray::fromBase64(authorization.mid(6).trimmed());
        const int colon = decoded.indexOf(':');
        if (colon < 0) {
            *failure = oauthError(401, QStringLiteral("invalid_client"),
                                  QStringLiteral("Malformed Basic credentials"));
            return false;
        }
        // RFC 6749 2.3.1: both parts are form-encoded before Basic encoding.
        clientId = QUrl::fromPercentEncoding(decoded.left(colon));
        secret = QUrl::fromPercentEncoding(decoded.mid(colon + 1));
        if (form.contains(QStringLiteral("client_secret"))) {
            *failure = oauthError(400, QStringLiteral("invalid_request"),
                                  QStringLiteral("Use one client authentication method"));
            return false;
        }
    } else {
        clientId = form.value(QStringLiteral("client_id"));
        secret = form.value(QStringLiteral("client_secret"));
    }
    const auto known = clients().constFind(clientId);
    const bool ok
        = known != clients().cend() && known->isEmpty() == secret.isEmpty() && *known == secret;
    if (!ok) {
        *failure = oauthError(401, QStringLiteral("invalid_client"),
                              QStringLiteral("Unknown client or wrong client credentials"));
        if (viaBasic)
            failure->withHeader("WWW-Authenticate",
                                "Basic realm=\"" + m_context.config.realm.toUtf8() + '"');
        return false;
    }
    *authenticated = clientId;
    return true;
}

QByteArray AuthService::idToken(const Grant &grant) const
{
    const qint64 now = ServerContext::nowMs() / 1000;
    const auto user = m_context.store.user(grant.username);
    QJsonObject claims {
        {QStringLiteral("iss"), m_context.issuerUrl},
        {QStringLiteral("sub"), grant.username},
        {QStringLiteral("aud"), grant.clientId},
        {QStringLiteral("azp"), grant.clientId},
        {QStringLiteral("iat"), now},
        {QStringLiteral("exp"), now + m_context.issuer->accessTtlSeconds()},
    };
    if (m_context.config.profileInIdToken) {
        claims.insert(QStringLiteral("name"), user ? user->displayName : grant.username);
        claims.insert(QStringLiteral("preferred_username"), grant.username);
    }
    if (!grant.nonce.isEmpty())
        claims.insert(QStringLiteral("nonce"), grant.nonce);
    return m_context.signingKeys.sign(claims);
}

Reply AuthService::oauthReply(const Grant &grant) const
{
    QJsonObject body {{QStringLiteral("access_token"), QString::fromLatin1(grant.accessToken)},
                      {QStringLiteral("token_type"),
                       grant.jkt.isEmpty() ? QStringLiteral("Bearer") : QStringLiteral("DPoP")},
                      {QStringLiteral("expires_in"), m_context.issuer->accessTtlSeconds()}};
    // Without rotation the refresh token is left out; a client keeps its own.
    if (grant.refreshRotated)
        body.insert(QStringLiteral("refresh_token"), QString::fromLatin1(grant.refreshToken));
    if (!grant.scope.isEmpty())
        body.insert(QStringLiteral("scope"), grant.scope);
    if (scopeList(grant.scope).contains(QLatin1String("openid")) && !grant.clientId.isEmpty()) {
        const QByteArray token = idToken(grant);
        if (token.isEmpty())
            return oauthError(500, QStringLiteral("server_error"),
                              QStringLiteral("The ID token could not be signed"));
        body.insert(QStringLiteral("id_token"), QString::fromLatin1(token));
    }
    Reply reply = Reply::json(200, body);
    reply.withHeader("Cache-Control", "no-store").withHeader("Pragma", "no-cache");
    reply.logNote = grant.reason;
    return reply;
}

Reply AuthService::oauthToken(const Request &request)
{
    if (!request.header("content-type").toLower().startsWith("application/x-www-form-urlencoded"))
        return oauthError(400, QStringLiteral("invalid_request"),
                          QStringLiteral("The body must be application/x-www-form-urlencoded"));
    const auto form = parseForm(request.body);
    Reply failure;
    QString clientId;
    if (!authenticateClient(request, form, &clientId, &failure))
        return failure;
    QByteArray jkt;
    if (!checkDpop(request, true, &jkt, &failure))
        return failure;
    const QString grantType = form.value(QStringLiteral("grant_type"));
    const QString scope = form.value(QStringLiteral("scope"));

    if (grantType == QLatin1String("password")) {
        if (!form.contains(QStringLiteral("username"))
            || !form.contains(QStringLiteral("password")))
            return oauthError(400, QStringLiteral("invalid_request"),
                              QStringLiteral("username and password are required"));
        Grant grant = passwordGrant(form.value(QStringLiteral("username")),
                                    form.value(QStringLiteral("password")), scope, jkt);
        grant.clientId = clientId;
        if (grant.status == 429) {
            Reply reply = oauthError(429, QStringLiteral("too_many_attempts"), grant.message);
            reply.withHeader("Retry-After", QByteArray::number(grant.retryAfterSeconds));
            return reply;
        }
        if (!grant.ok)
            return oauthError(400, QStringLiteral("invalid_grant"), grant.message);
        return oauthReply(grant);
    }
    if (grantType == QLatin1String("authorization_code")) {
        if (form.value(QStringLiteral("code")).isEmpty())
            return oauthError(400, QStringLiteral("invalid_request"),
                              QStringLiteral("code is required"));
        const Grant grant = authorizationCodeGrant(form, clientId, jkt);
        if (!grant.ok) {
            Reply reply = oauthError(400, grant.error, grant.message);
            reply.logNote = grant.reason;
            return reply;
        }
        return oauthReply(grant);
    }
    if (grantType == QLatin1String("urn:ietf:params:oauth:grant-type:device_code")) {
        const QByteArray deviceCode = form.value(QStringLiteral("device_code")).toUtf8();
        if (deviceCode.isEmpty())
            return oauthError(400, QStringLiteral("invalid_request"),
                              QStringLiteral("device_code is required"));
        const Grant grant = deviceCodeGrant(deviceCode, clientId, jkt);
        if (!grant.ok) {
            Reply reply = oauthError(400, grant.error, grant.message);
            reply.logNote = grant.reason;
            return reply;
        }
        return oauthReply(grant);
    }
    if (grantType == QLatin1String("refresh_token")) {
        const QByteArray token = form.value(QStringLiteral("refresh_token")).toLatin1();
        if (token.isEmpty())
            return oauthError(400, QStringLiteral("invalid_request"),
                              QStringLiteral("refresh_token is required"));
        Reply reply;
        bool dropAfter = false;
        int delayMs = 0;
        if (scenarioIntercepts(&reply, &dropAfter, &delayMs)) {
            if (reply.status == 401 && reply.delivery == Reply::Delivery::Send)
                return oauthError(400, QStringLiteral("invalid_grant"),
                                  QStringLiteral("The refresh token has been revoked"));
            return reply;
        }
        const Grant grant = refreshGrant(token, scope, clientId, jkt);
        if (!grant.ok) {
            ++m_context.stats.refreshesFailed;
            reply = oauthError(400, grant.error, grant.message);
            reply.logNote = grant.reason;
            return reply;
        }
        ++m_context.stats.refreshesOk;
        reply = oauthReply(grant);
        reply.delayMs = delayMs;
        if (dropAfter)
            reply.delivery = Reply::Delivery::Drop;
        return reply;
    }
    if (grantType.isEmpty())
        return oauthError(400, QStringLiteral("invalid_request"),
                          QStringLiteral("grant_type is required"));
    return oauthError(
        400, QStringLiteral("unsupported_grant_type"),
        QStringLiteral("Supported grants: authorization_code, password, "
                       "refresh_token, urn:ietf:params:oauth:grant-type:device_code"));
}

Reply AuthService::oauthRevoke(const Request &request)
{
    const auto form = parseForm(request.body);
    Reply failure;
    QString clientId;
    if (!authenticateClient(request, form, &clientId, &failure))
        return failure;
    const QByteArray token = form.value(QStringLiteral("token")).toLatin1();
    if (token.isEmpty())
        return oauthError(400, QStringLiteral("invalid_request"),
                          QStringLiteral("token is required"));
    // RFC 7009 2.2: unknown or invalid tokens are answered 200 all the same.
    const auto verified = m_context.issuer->verify(token, 0);
    if (verified.error == Jwt::Error::None
        && verified.claims.value(QLatin1String("typ")).toString() == QLatin1String("refresh")) {
        revokeRefresh(verified.claims.value(QLatin1String("jti")).toString().toLatin1());
        ++m_context.stats.revocations;
    } else if (verified.error == Jwt::Error::None
               && verified.claims.value(QLatin1String("typ")).toString()
                   == QLatin1String("access")) {
        // Counted for QA; an access token stays usable until it expires.
        ++m_context.stats.accessRevocations;
    }
    Reply reply;
    reply.status = 200;
    return reply;
}

} // namespace SilentAuth::Mock
