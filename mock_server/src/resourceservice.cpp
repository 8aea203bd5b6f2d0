#include "resourceservice.h"

#include "servercontext.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QJsonArray>
#include <QtCore/QRandomGenerator>

#include <algorithm>

namespace SilentAuth::Mock {

namespace {

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QByteArray quoted(const QString &text)
{
    QByteArray value = text.toUtf8();
    value.replace('\\', "\\\\").replace('"', "\\\"");
    return '"' + value + '"';
}

} // namespace

bool ResourceService::authenticate(const Request &request, QString *username, Reply *reply)
{
    DpopGuard &dpop = m_context.dpop;
    // RFC 9449 §7.1: a DPoP-bound token comes as "Authorization: DPoP <token>".
    const QByteArray authorization = request.header("authorization").trimmed();
    const qsizetype space = authorization.indexOf(' ');
    const bool dpopScheme
        = dpop.enabled() && space > 0 && authorization.left(space).toLower() == "dpop";
    const QByteArray token
        = dpopScheme ? authorization.mid(space + 1).trimmed() : request.bearerToken();
    const auto check = m_context.issuer->checkAccess(token, ServerContext::nowMs());
    QString subject = check.claims.value(QLatin1String("sub")).toString();
    if (check.ok && m_context.store.hasUser(subject)) {
        if (dpop.enabled() && !checkBinding(request, token, check.claims, dpopScheme, reply))
            return false;
        *username = subject;
        return true;
    }
    QByteArray reason = check.reason;
    QString description = check.description;
    if (check.ok) {
        reason = "unknown_user";
        description = QStringLiteral("The token's user does not exist");
    }
    ++m_context.stats.unauthorized[QString::fromLatin1(reason)];
    if (dpopScheme) {
        // The token itself is bad (expired…): refresh, as after a Bearer 401.
        *reply = dpopChallenge("invalid_token", description, "reason=" + reason);
        return false;
    }
    QByteArray challenge = "Bearer realm=" + quoted(m_context.config.realm);
    QString message = QStringLiteral("This resource needs a bearer token");
    if (reason != "missing") {
        challenge += ", error=\"invalid_token\", error_description=" + quoted(description);
        message = description;
    }
    *reply = Reply::error(
        401, reason == "missing" ? QStringLiteral("unauthorized") : QStringLiteral("invalid_token"),
        message);
    reply->withHeader("WWW-Authenticate", challenge);
    if (dpop.enabled()) // RFC 9449 §7.1: the DPoP scheme is offered too
        reply->withHeader("WWW-Authenticate",
                          "DPoP realm=" + quoted(m_context.config.realm) + ", algs=\""
                              + Dpop::signingAlgorithms + '"');
    reply->logNote = "reason=" + reason;
    return false;
}

bool ResourceService::checkBinding(const Request &request, const QByteArray &token,
                                   const QJsonObject &claims, bool dpopScheme, Reply *reply)
{
    DpopGuard &dpop = m_context.dpop;
    const QByteArray jkt = claims.value(QLatin1String("cnf"))
                               .toObject()
                               .value(QLatin1String("jkt"))
                               .toString()
                               .toLatin1();
    auto refuse = [&](const char *error, const QByteArray &reason, const QString &description,
                      const QByteArray &logNote) {
        ++m_context.stats.unauthorized[QStringLiteral("dpop_") + QString::fromLatin1(reason)];
        *reply = dpopChallenge(error, description, logNote);
        return false;
    };
    if (!dpopScheme && jkt.isEmpty())
        return true; // a bearer token, where DPoP is optional
    if (!dpopScheme) {
        dpop.count(Dpop::Rejection::BoundTokenAsBearer);
        return refuse("invalid_token", "bound_token_as_bearer",
                      QStringLiteral("This access token is bound to a DPoP key: send it as "
                                     "Authorization: DPoP with a proof"),
                      "dpop=bound_token_as_bearer");
    }
    if (jkt.isEmpty())
        return refuse("invalid_token", "unbound_token",
                      QStringLiteral("This access token is not bound to a DPoP key: send it as "
                                     "Authorization: Bearer"),
                      "dpop=unbound_token");
    const DpopGuard::Check proof = dpop.resourceRequest(request, token, jkt);
    if (proof.ok())
        return true;
    const char *error = "invalid_dpop_proof";
    if (Dpop::isNonceRejection(proof.rejection))
        error = "use_dpop_nonce";
    else if (proof.rejection == Dpop::Rejection::KeyMismatch)
        error = "invalid_token";
    return refuse(error, Dpop::reasonName(proof.rejection), proof.description, proof.logNote);
}

Reply ResourceService::dpopChallenge(const char *error, const QString &description,
                                     const QByteArray &logNote)
{
    Reply reply = Reply::error(401, QLatin1String(error), description);
    reply.withHeader("WWW-Authenticate",
                     "DPoP realm=" + quoted(m_context.config.realm) + ", error=\"" + error
                         + "\", error_description=" + quoted(description) + ", algs=\""
                         + Dpop::signingAlgorithms + '"');
    reply.logNote = logNote;
    return reply;
}

bool ResourceService::injectFailure(Reply *reply)
{
    const auto &scenario = m_context.scenario;
    if (scenario.kind != Scenario::Kind::FlakyResources)
        return false;
    if (QRandomGenerator::global()->generateDouble() >= scenario.failureRate)
        return false;
    *reply = Reply::error(500, QStringLiteral("internal_error"),
                          QStringLiteral("Injected failure (scenario flaky-resources)"));
    reply->logNote = "scenario=flaky-resources";
    return true;
}

Reply ResourceService::profile(const Request &request, const QString &username)
{
    auto user = m_context.store.user(username);
    if (request.method == "PATCH") {
        QJsonObject body;
        QString error;
        if (!request.jsonObject(&body, &error))
            return Reply::error(400, QStringLiteral("invalid_json"), error);
        const auto name = body.value(QLatin1String("displayName"));
        if (!name.isString() || name.toString().trimmed().isEmpty()
            || name.toString().size() > 80) {
            return Reply::error(400, QStringLiteral("invalid_request"),
                                QStringLiteral("displayName must be 1 to 80 characters"));
        }
        user->displayName = name.toString().trimmed();
        m_context.store.putUser(*user);
    }
    RenderedProfile &rendered = m_profiles[user->username];
    if (rendered.body.isEmpty() || rendered.displayName != user->displayName
        || rendered.email != user->email || rendered.createdAtMs != user->createdAtMs) {
        rendered = {user->displayName, user->email, user->createdAtMs,
                    Reply::json(200,
                                {{QStringLiteral("username"), user->username},
                                 {QStringLiteral("displayName"), user->displayName},
                                 {QStringLiteral("email"), user->email},
                                 {QStringLiteral("createdAt"), isoTime(user->createdAtMs)}})
                        .body};
    }
    Reply reply;
    reply.body = rendered.body;
    reply.withHeader("Content-Type", "application/json");
    return reply;
}

QJsonObject ResourceService::postJson(const Post &post)
{
    return {{QStringLiteral("id"), post.id},
            {QStringLiteral("title"), post.title},
            {QStringLiteral("body"), post.body},
            {QStringLiteral("author"), post.author},
            {QStringLiteral("createdAt"), isoTime(post.createdAtMs)},
            {QStringLiteral("updatedAt"), isoTime(post.updatedAtMs)}};
}

bool ResourceService::readPost(const Request &request, QString *title, QString *body,
                               Reply *failure)
{
    QJsonObject object;
    QString error;
    if (!request.jsonObject(&object, &error)) {
        *failure = Reply::error(400, QStringLiteral("invalid_json"), error);
        return false;
    }
    const auto t = object.value(QLatin1String("title"));
    const auto b = object.value(QLatin1String("body"));
    if (!t.isString() || t.toString().trimmed().isEmpty() || t.toString().size() > 200
        || !(b.isString() || b.isUndefined()) || b.toString().size() > 20000) {
        *failure = Reply::error(400, QStringLiteral("invalid_request"),
                                QStringLiteral("title must be 1 to 200 characters and body a "
                                               "string of at most 20000"));
        return false;
    }
    *title = t.toString().trimmed();
    *body = b.toString();
    return true;
}

Reply ResourceService::listPosts()
{
    auto posts = m_context.store.posts();
    std::sort(posts.begin(), posts.end(), [](const Post &a, const Post &b) { return a.id > b.id; });
    QJsonArray items;
    for (const auto &p : posts)
        items.append(postJson(p));
    return Reply::json(200, {{QStringLiteral("items"), items}});
}

Reply ResourceService::createPost(const Request &request, const QString &username)
{
    QString title, body;
    Reply failure;
    if (!readPost(request, &title, &body, &failure))
        return failure;
    const Post p = m_context.store.addPost(title, body, username, ServerContext::nowMs());
    Reply reply = Reply::json(201, postJson(p));
    reply.withHeader("Location", "/boards/" + QByteArray::number(p.id));
    return reply;
}

Reply ResourceService::post(qint64 id, const Request &request, const QString &username)
{
    auto p = m_context.store.post(id);
    if (!p)
        return Reply::error(404, QStringLiteral("not_found"),
                            QStringLiteral("There is no post %1").arg(id));
    if (request.method == "GET")
        return Reply::json(200, postJson(*p));
    if (p->author != username)
        return Reply::error(403, QStringLiteral("forbidden"),
                            QStringLiteral("Only the author can change this post"));
    if (request.method == "DELETE") {
        m_context.store.removePost(id);
        return Reply::json(200, {{QStringLiteral("msg"), QStringLiteral("Deleted")}});
    }
    QString title, body;
    Reply failure;
    if (!readPost(request, &title, &body, &failure))
        return failure;
    p->title = title;
    p->body = body;
    p->updatedAtMs = ServerContext::nowMs();
    m_context.store.putPost(*p);
    return Reply::json(200, postJson(*p));
}

Reply ResourceService::echo(const Request &request, const QString &username)
{
    return Reply::json(
        200,
        {{QStringLiteral("method"), QString::fromLatin1(request.method)},
         {QStringLiteral("length"), double(request.body.size())},
         {QStringLiteral("sha256"),
          QString::fromLatin1(
              QCryptographicHash::hash(request.body, QCryptographicHash::Sha256).toHex())},
         {QStringLiteral("contentType"), QString::fromUtf8(request.header("content-type"))},
         {QStringLiteral("user"), username}});
}

} // namespace SilentAuth::Mock
