#include "grantcompletion_p.h"

#include <silentauth/oauth2protocol.h>
#include <silentauth/session.h>

#include "dpop_p.h"
#include "protocolsupport_p.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QLoggingCategory>
#include <QtNetwork/QNetworkReply>

#include <algorithm>

Q_DECLARE_LOGGING_CATEGORY(lcNet)

namespace SilentAuth::Internal {

namespace {

constexpr int requestTimeoutMs = 30000;
constexpr qsizetype longestName = 200;
constexpr qint64 keySetLimit = 256 * 1024;

QNetworkRequest boundedRequest(QNetworkRequest request)
{
    return authServerRequest(std::move(request));
}

// What to show for the user: preferred_username, else name; nothing that
// could not be shown as a line of text.
QString displayNameOf(const QJsonObject &claims)
{
    for (const char *key : {"preferred_username", "name"}) {
        const QString value = claims.value(QLatin1String(key)).toString().simplified();
        if (!value.isEmpty() && value.size() <= longestName && isShowableText(value))
            return value;
    }
    return {};
}

} // namespace

GrantCompletion::GrantCompletion(Session *session, const ProviderMetadata &provider,
                                 QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_provider(provider)
{
    m_network = new QNetworkAccessManager(session ? static_cast<QObject *>(session) : this);
}

GrantCompletion::~GrantCompletion()
{
    disconnectSession();
    stop();
    // Token requests still under way (the object that started them is
    // going): the answers are awaited beside the Session, and the tokens
    // they bring are revoked, never left live at the provider.
    QNetworkAccessManager *network = m_network;
    if (!network || network->parent() == this)
        return;
    auto left = std::make_shared<int>(0);
    const QPointer<Session> session = m_session;
    for (const auto &reply : std::as_const(m_tokenReplies)) {
        if (!reply || reply->isFinished())
            continue;
        ++*left;
        reply->disconnect(this);
        QNetworkReply *orphan = reply;
        connect(orphan, &QNetworkReply::finished, network, [orphan, network, session, left] {
            orphan->deleteLater();
            const auto *protocol
                = session ? dynamic_cast<const OAuth2Protocol *>(&session->protocol()) : nullptr;
            if (protocol && !replyTooLarge(orphan) && !replyTimedOut(orphan)) {
                const AuthProtocol::Outcome late
                    = protocol->readTokenAnswer(*orphan, orphan->readAll());
                if (late.kind == AuthProtocol::Outcome::Kind::Ok)
                    session->completeExternalSignIn(0, late.tokens, {}, {});
            }
            if (--*left == 0)
                network->deleteLater();
        });
    }
    if (*left == 0)
        network->deleteLater();
}

const OAuth2Protocol *GrantCompletion::protocol() const
{
    return m_session ? dynamic_cast<const OAuth2Protocol *>(&m_session->protocol()) : nullptr;
}

QString GrantCompletion::clientId() const
{
    const OAuth2Protocol *p = protocol();
    return p ? p->clientId() : QString();
}

QNetworkReply *GrantCompletion::post(const AuthProtocol::Request &request, QString *refusal)
{
    if (!m_session
        || (isPlainHttpToRemoteHost(request.request.url()) && !m_session->isPlainHttpAllowed())) {
        *refusal = tr("The sign-in server's address starts with http://, so the sign-in would "
                      "travel unencrypted. Use its https:// address.");
        return nullptr;
    }
    QNetworkReply *reply = m_network->post(boundedRequest(request.request), request.body);
    boundReply(reply, requestTimeoutMs);
    m_tokenReplies.removeAll(QPointer<QNetworkReply>());
    m_tokenReplies.append(reply);
    return reply;
}

bool GrantCompletion::postToken(const AuthProtocol::Request &request, QString *refusal,
                                QObject *context, std::function<void(QNetworkReply *)> done,
                                bool resent)
{
    if (!m_key && m_session)
        m_key = m_session->newProofKey();
    const std::shared_ptr<DpopKey> key = m_key;
    AuthProtocol::Request proved = request;
    if (key && m_session)
        proved.request.setRawHeader("DPoP",
                                    m_session->proofWith(key.get(), "POST", request.request.url()));
    QNetworkReply *reply = post(proved, refusal);
    if (!reply)
        return false;
    QPointer<GrantCompletion> self(this);
    connect(reply, &QNetworkReply::finished, context,
            [self, reply, request, key, context, done, resent] {
                if (key && self && self->m_session) {
                    self->m_session->learnNonce(reply);
                    // RFC 9449 §8: once, with a new proof carrying the nonce.
                    QString refused;
                    if (!resent && isTokenEndpointNonceChallenge(reply)
                        && self->postToken(request, &refused, context, done, true)) {
                        self->m_session->countNonceResend();
                        reply->deleteLater();
                        return;
                    }
                }
                done(reply);
            });
    return true;
}

AuthProtocol::Outcome GrantCompletion::read(QNetworkReply *reply) const
{
    AuthProtocol::Outcome outcome;
    if (replyTooLarge(reply) || replyTimedOut(reply)) {
        outcome.kind = AuthProtocol::Outcome::Kind::Transient;
        outcome.message = replyTooLarge(reply)
            ? tr("The sign-in server's answer was far too large.")
            : tr("The sign-in server did not answer in time.");
        return outcome;
    }
    const OAuth2Protocol *p = protocol();
    if (!p) {
        outcome.kind = AuthProtocol::Outcome::Kind::Misconfigured;
        return outcome;
    }
    outcome = p->readTokenAnswer(*reply, reply->readAll());
    if (outcome.kind == AuthProtocol::Outcome::Kind::Ok && outcome.tokens.tokenType == "DPoP"
        && !reply->request().hasRawHeader("DPoP")) {
        // Bound to a key this program does not have: useless here.
        outcome.kind = AuthProtocol::Outcome::Kind::Malformed;
        outcome.message = QStringLiteral("unsupported token type \"DPoP\"");
        outcome.tokens = {};
    }
    return outcome;
}

void GrantCompletion::discard(QNetworkReply *reply) const
{
    const AuthProtocol::Outcome late = read(reply);
    // Ticket 0 belongs to no sign-in: the Session revokes what it is given.
    if (m_session && late.kind == AuthProtocol::Outcome::Kind::Ok)
        m_session->completeExternalSignIn(0, late.tokens, {}, {});
}

void GrantCompletion::begin()
{
    stop();
    if (!m_session)
        return;
    m_begun = true;
    m_adopted = false;
    m_ticket = m_session->beginExternalSignIn();
    m_lastSessionError.clear();
    m_sessionWatch.append(
        connect(m_session, &Session::errorOccurred, this,
                [this](Session::Error, const QString &message) { m_lastSessionError = message; }));
    m_sessionWatch.append(
        connect(m_session, &Session::statusChanged, this, [this](Session::Status status) {
            if (!m_begun || status == Session::Status::SigningIn)
                return;
            if (status == Session::Status::SignedIn && m_adopted) {
                disconnectSession();
                m_begun = false;
                Q_EMIT signedIn();
            } else if (m_adopted) {
                Q_EMIT failed(Failure::SignInFailed,
                              m_lastSessionError.isEmpty()
                                  ? tr("The sign-in could not be completed.")
                                  : m_lastSessionError);
            } else {
                Q_EMIT failed(Failure::Superseded,
                              tr("Another sign-in or a sign-out came first; this sign-in was "
                                 "dropped."));
            }
        }));
}

void GrantCompletion::complete(const TokenResponse &tokens, bool openId, const QByteArray &nonce)
{
    m_tokens = tokens;
    m_nonce = nonce;
    if (!openId) {
        adopt({}, {});
        return;
    }
    if (m_tokens.idToken.isEmpty()) {
        Q_EMIT failed(Failure::IdTokenInvalid,
                      tr("The sign-in server did not say who signed in (no ID token)."));
        return;
    }
    verifyIdToken(false);
}

void GrantCompletion::stop()
{
    disconnectSession();
    if (m_begun && !m_adopted && m_session) {
        m_session->abandonExternalSignIn(m_ticket);
        // Tokens already issued (the ID token still being checked) are
        // revoked: the ticket is stale now.
        if (!m_tokens.accessToken.isEmpty() || !m_tokens.refreshToken.isEmpty())
            m_session->completeExternalSignIn(m_ticket, m_tokens, {}, {});
    }
    m_begun = false;
    m_adopted = false;
    m_tokens = {};
    if (QNetworkReply *reply = m_pending) {
        m_pending = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
}

// Checks the ID token against the provider's published keys; fetches them
// when none are known yet, and once more when the token names a key that is
// not among them (the provider rotated its keys).
void GrantCompletion::verifyIdToken(bool refetched)
{
    if (m_keys.isEmpty() && !refetched) {
        fetchKeys();
        return;
    }
    QString error;
    bool unknownKid = false;
    const auto claims = verifyJwt(m_tokens.idToken, m_keys, &error, &unknownKid);
    if (!claims && unknownKid && !refetched) {
        fetchKeys();
        return;
    }
    if (claims)
        error = checkIdTokenClaims(*claims, m_provider.issuer.toString(), clientId(), m_nonce,
                                   QDateTime::currentDateTimeUtc());
    if (!claims || !error.isEmpty()) {
        Q_EMIT failed(Failure::IdTokenInvalid,
                      tr("The sign-in could not be trusted: %1. Nothing was changed.").arg(error));
        return;
    }
    const QString subject = claims->value(QLatin1String("sub")).toString();
    const QString name = displayNameOf(*claims);
    if (name.isEmpty() && m_provider.userinfoEndpoint.isValid()) {
        fetchProfile(subject);
        return;
    }
    adopt(subject, name);
}

// The name to show when the ID token has none. Whatever goes wrong here
// costs only the name: the identity is the verified sub either way.
void GrantCompletion::fetchProfile(const QString &subject)
{
    const QUrl endpoint = m_provider.userinfoEndpoint;
    if (!m_session || (isPlainHttpToRemoteHost(endpoint) && !m_session->isPlainHttpAllowed())) {
        adopt(subject, {});
        return;
    }
    QNetworkRequest request = boundedRequest(QNetworkRequest(endpoint));
    const QByteArray proof = m_tokens.tokenType == "DPoP"
        ? m_session->proofWith(m_key.get(), "GET", endpoint, m_tokens.accessToken)
        : QByteArray();
    request.setRawHeader("Authorization",
                         (proof.isEmpty() ? "Bearer " : "DPoP ") + m_tokens.accessToken);
    if (!proof.isEmpty())
        request.setRawHeader("DPoP", proof);
    request.setRawHeader("Accept", "application/json");
    QNetworkReply *reply = m_network->get(request);
    boundReply(reply, requestTimeoutMs, keySetLimit);
    m_pending = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply, subject] {
        reply->deleteLater();
        if (m_pending != reply)
            return;
        m_pending = nullptr;
        QString name;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 200 && !replyTooLarge(reply) && !replyTimedOut(reply)) {
            const QJsonObject profile = QJsonDocument::fromJson(reply->readAll()).object();
            if (profile.value(QLatin1String("sub")).toString() == subject)
                name = displayNameOf(profile);
            else
                qCWarning(lcNet) << "userinfo answered for another subject; its name is not used";
        }
        adopt(subject, name);
    });
}

void GrantCompletion::fetchKeys()
{
    if (!m_provider.jwksUri.isValid()) {
        Q_EMIT failed(Failure::IdTokenInvalid,
                      tr("The sign-in server publishes no keys to check the sign-in with."));
        return;
    }
    QNetworkReply *reply = m_network->get(boundedRequest(QNetworkRequest(m_provider.jwksUri)));
    boundReply(reply, requestTimeoutMs, keySetLimit);
    m_pending = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        if (m_pending != reply)
            return;
        m_pending = nullptr;
        QString error;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        QList<Jwk> fetched;
        if (replyTooLarge(reply))
            error = tr("far too large");
        else if (replyTimedOut(reply))
            error = tr("no answer in time");
        else if (status == 200)
            fetched = parseJwks(reply->read(keySetLimit), &error);
        else
            error = networkErrorText(reply->error());
        if (fetched.isEmpty()) {
            Q_EMIT failed(Failure::IdTokenInvalid,
                          tr("The sign-in server's keys could not be read (%1).").arg(error));
            return;
        }
        m_keys = fetched;
        verifyIdToken(true);
    });
}

void GrantCompletion::adopt(const QString &subject, const QString &name)
{
    m_adopted = true;
    const TokenResponse taken = m_tokens;
    m_tokens = {};
    // The key goes with the tokens; the next grant makes its own.
    const std::shared_ptr<DpopKey> key = std::move(m_key);
    m_key.reset();
    if (!m_session || !m_session->completeExternalSignIn(m_ticket, taken, subject, name, key)) {
        m_adopted = false;
        Q_EMIT failed(Failure::Superseded,
                      tr("Another sign-in or a sign-out came first; this sign-in was dropped."));
    }
}

void GrantCompletion::disconnectSession()
{
    for (const auto &c : std::as_const(m_sessionWatch))
        disconnect(c);
    m_sessionWatch.clear();
}

} // namespace SilentAuth::Internal
