#include <silentauth/session.h>

#include <silentauth/authprotocol.h>
#include <silentauth/tokenstore.h>

#include "jwtclaims_p.h"

#include <QtCore/QLoggingCategory>
#include <QtCore/QPointer>
#include <QtCore/QRandomGenerator>
#include <QtCore/QTimer>

#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <limits>

Q_LOGGING_CATEGORY(lcNet, "silentauth.net", QtInfoMsg)

namespace SilentAuth {

struct Session::Private
{
    Session *q = nullptr;
    std::unique_ptr<AuthProtocol> protocol;
    QPointer<TokenStore> store;
    QNetworkAccessManager network; // plain: auth traffic is never intercepted

    Status status = Status::SignedOut;
    QString username;
    QByteArray accessToken;
    QByteArray refreshToken;
    QDateTime expiry;
    int generation = 0;
    int refreshes = 0;
    int replays = 0;
    bool refreshing = false;
    bool storeRereadDone = false;
    QPointer<QNetworkReply> pending; // the one auth request under way
    std::chrono::milliseconds timeout {15000};
    std::chrono::milliseconds lead {0};
    QTimer proactiveTimer;
    QTimer retryTimer;
    int retryAttempt = 0;
    bool persistCurrent = false; // restoreFrom(): store the token once accepted

    std::function<void()> reauthenticate;
    std::chrono::milliseconds holdTimeout {std::chrono::minutes(5)};
    std::chrono::milliseconds offlineWait {0};
    QTimer holdTimer;
    bool holding = false;
    QString heldFor; // the user whose requests are held

    void release(bool resumed);

    void setStatus(Status s);
    void fail(Error error, const QString &message);
    QNetworkReply *send(const AuthProtocol::Request &request);
    AuthProtocol::Outcome read(QNetworkReply *reply) const;
    void adopt(const TokenResponse &tokens);
    void persistThenAdopt(const TokenResponse &tokens, std::function<void()> then);
    void startRefresh(bool proactive = false);
    void onRefreshOutcome(const QByteArray &usedToken, const AuthProtocol::Outcome &outcome);
    void expire(const QString &message);
    void scheduleRetry();
    void scheduleProactiveRefresh();
    void wipe();
};

void Session::Private::setStatus(Status s)
{
    if (status == s)
        return;
    status = s;
    Q_EMIT q->statusChanged(s);
}

void Session::Private::release(bool resumed)
{
    if (!holding)
        return;
    holding = false;
    holdTimer.stop();
    Q_EMIT q->activity(resumed ? Event::RequestsResumed : Event::RequestsFailed, {});
    Q_EMIT q->requestsReleased(resumed);
}

void Session::Private::fail(Error error, const QString &message)
{
    qCInfo(lcNet).noquote() << "error:" << message;
    Q_EMIT q->errorOccurred(error, message);
}

QNetworkReply *Session::Private::send(const AuthProtocol::Request &request)
{
    QNetworkRequest r = request.request;
    r.setTransferTimeout(int(timeout.count()));
    r.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    // Tokens never follow a redirect.
    r.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply *reply = network.post(r, request.body);
    pending = reply;
    return reply;
}

AuthProtocol::Outcome Session::Private::read(QNetworkReply *reply) const
{
    const int httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    auto outcome = protocol->readTokenReply(reply->error(), httpStatus,
                                            reply->rawHeader("Retry-After"), reply->readAll());
    if (reply->error() == QNetworkReply::OperationCanceledError && httpStatus == 0)
        outcome.message = QStringLiteral("the server did not answer in time");
    return outcome;
}

void Session::Private::adopt(const TokenResponse &tokens)
{
    accessToken = tokens.accessToken;
    if (!tokens.refreshToken.isEmpty())
        refreshToken = tokens.refreshToken;
    ++generation;
    const QJsonObject claims = Internal::unverifiedClaims(accessToken);
    const QString subject = claims.value(QLatin1String("sub")).toString();
    if (!subject.isEmpty() && subject != username) {
        username = subject;
        Q_EMIT q->usernameChanged(username);
    }
    QDateTime newExpiry;
    if (claims.value(QLatin1String("exp")).isDouble())
        newExpiry = QDateTime::fromSecsSinceEpoch(
            qint64(claims.value(QLatin1String("exp")).toDouble()), Qt::UTC);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (tokens.expiresIn) {
        const QDateTime fromExpiresIn = now.addSecs(*tokens.expiresIn);
        // Whichever comes first, unless exp is already past on arrival: then
        // the server's clock is off and only expiresIn means anything.
        if (!newExpiry.isValid() || newExpiry <= now.addSecs(1) || fromExpiresIn < newExpiry)
            newExpiry = fromExpiresIn;
    }
    if (newExpiry != expiry) {
        expiry = newExpiry;
        Q_EMIT q->accessTokenExpiryChanged(expiry);
    }
    scheduleProactiveRefresh();
}

void Session::Private::persistThenAdopt(const TokenResponse &tokens, std::function<void()> then)
{
    // A rotated refresh token is stored before the new access token is used:
    // if we crash in between, the next start still has a valid token.
    if (tokens.refreshToken.isEmpty() || tokens.refreshToken == refreshToken || !store) {
        adopt(tokens);
        then();
        return;
    }
    QPointer<Session> guard(q);
    store->write(tokens.refreshToken, [this, guard, tokens, then](const TokenStore::Result &r) {
        if (!guard)
            return;
        if (r.error != TokenStore::Error::NoError)
            fail(Error::KeychainUnavailable,
                 Session::tr("Your sign-in could not be saved in the keychain (%1); you stay "
                             "signed in until you quit.")
                     .arg(r.errorString));
        adopt(tokens);
        then();
    });
}

void Session::Private::scheduleProactiveRefresh()
{
    proactiveTimer.stop();
    if (!expiry.isValid())
        return;
    const qint64 remaining = QDateTime::currentDateTimeUtc().msecsTo(expiry);
    const qint64 leadMs = lead.count() > 0 ? lead.count() : qMax<qint64>(remaining / 10, 200);
    // A token that arrives already expired leads to one reactive refresh a
    // second later, not a proactive loop; otherwise refresh at the latest
    // halfway through what is left.
    qint64 wait = remaining <= 0 ? 1000 : qMax(remaining - leadMs, remaining / 2);
    wait = qMin(wait, qint64(std::numeric_limits<int>::max()));
    proactiveTimer.start(int(wait));
}

void Session::Private::wipe()
{
    proactiveTimer.stop();
    retryTimer.stop();
    accessToken.fill('\0');
    accessToken.clear();
    refreshToken.fill('\0');
    refreshToken.clear();
    ++generation;
    if (expiry.isValid()) {
        expiry = QDateTime();
        Q_EMIT q->accessTokenExpiryChanged(expiry);
    }
}

void Session::Private::startRefresh(bool proactive)
{
    refreshing = true;
    setStatus(status == Status::Restoring ? Status::Restoring : Status::Refreshing);
    Q_EMIT q->activity(Event::RefreshStarted, proactive ? QStringLiteral("proactive") : QString());
    qCInfo(lcNet) << "refresh started";
    const QByteArray used = refreshToken;
    QNetworkReply *reply = send(protocol->refreshRequest(used));
    QObject::connect(reply, &QNetworkReply::finished, q, [this, reply, used] {
        reply->deleteLater();
        onRefreshOutcome(used, read(reply));
    });
}

void Session::Private::onRefreshOutcome(const QByteArray &used,
                                        const AuthProtocol::Outcome &outcome)
{
    using Kind = AuthProtocol::Outcome::Kind;
    if (outcome.kind == Kind::Ok) {
        TokenResponse tokens = outcome.tokens;
        if (persistCurrent) {
            // A token from elsewhere is stored once the server has accepted it.
            persistCurrent = false;
            if (tokens.refreshToken.isEmpty())
                tokens.refreshToken = used;
            refreshToken.clear();
        }
        persistThenAdopt(tokens, [this] {
            refreshing = false;
            retryAttempt = 0;
            storeRereadDone = false;
            ++refreshes;
            Q_EMIT q->refreshCountChanged(refreshes);
            const bool wasRestoring = status == Status::Restoring;
            setStatus(Status::SignedIn);
            Q_EMIT q->activity(Event::RefreshSucceeded, {});
            qCInfo(lcNet) << "refresh succeeded";
            if (wasRestoring) {
                Q_EMIT q->activity(Event::SessionRestored, username);
                Q_EMIT q->signedIn();
            }
            Q_EMIT q->refreshFinished(true);
        });
        return;
    }
    if (outcome.kind == Kind::Rejected) {
        // Another instance may have rotated the token: look once more.
        if (!storeRereadDone && store) {
            storeRereadDone = true;
            QPointer<Session> guard(q);
            store->read([this, guard, used](const TokenStore::Result &r) {
                if (!guard)
                    return;
                if (r.error == TokenStore::Error::NoError && !r.token.isEmpty()
                    && r.token != used) {
                    refreshToken = r.token;
                    startRefresh();
                    return;
                }
                expire(Session::tr("Your session has ended. Please sign in again."));
            });
            return;
        }
        expire(Session::tr("Your session has ended. Please sign in again."));
        return;
    }
    persistCurrent = false;
    // Transient: keep the refresh token, back off, try again.
    refreshing = false;
    Q_EMIT q->activity(Event::RefreshFailed, outcome.message);
    qCInfo(lcNet).noquote() << "refresh failed (transient):" << outcome.message;
    setStatus(Status::Offline);
    fail(outcome.kind == Kind::Malformed ? Error::MalformedResponse : Error::NetworkError,
         Session::tr("The sign-in server cannot be reached right now (%1); retrying.")
             .arg(outcome.message));
    scheduleRetry();
    Q_EMIT q->refreshFinished(false);
}

void Session::Private::expire(const QString &message)
{
    refreshing = false;
    storeRereadDone = false;
    persistCurrent = false;
    wipe();
    if (store)
        store->remove([](const TokenStore::Result &) {});
    Q_EMIT q->activity(Event::SessionExpired, {});
    // A session that never got going (restore) has nobody to hold requests for.
    const bool wasSignedIn = status != Status::Restoring;
    if (reauthenticate && wasSignedIn && !holding) {
        holding = true;
        heldFor = username;
        Q_EMIT q->activity(Event::RequestsHeld, username);
        holdTimer.start(int(qMin<qint64>(holdTimeout.count(), std::numeric_limits<int>::max())));
        QTimer::singleShot(0, q, [this] {
            if (holding && reauthenticate)
                reauthenticate();
        });
    }
    setStatus(wasSignedIn ? Status::Expired : Status::SignedOut);
    fail(wasSignedIn ? Error::SessionExpired : Error::NoStoredSession, message);
    Q_EMIT q->refreshFinished(false);
}

void Session::Private::scheduleRetry()
{
    // 1 s, 2 s, 4 s … capped at 60 s, with ±20 % jitter so that many clients
    // do not come back at the same instant.
    const int base = 1000 * (1 << qMin(retryAttempt, 6));
    const int capped = qMin(base, 60000);
    const double jitter = 0.8 + 0.4 * QRandomGenerator::global()->generateDouble();
    ++retryAttempt;
    retryTimer.start(int(capped * jitter));
}

Session::Session(std::unique_ptr<AuthProtocol> protocol, TokenStore *store, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->q = this;
    d->protocol = std::move(protocol);
    d->store = store;
    d->proactiveTimer.setSingleShot(true);
    d->retryTimer.setSingleShot(true);
    d->holdTimer.setSingleShot(true);
    connect(&d->holdTimer, &QTimer::timeout, this, [this] { d->release(false); });
    connect(&d->proactiveTimer, &QTimer::timeout, this, [this] {
        if (!d->refreshing && !d->refreshToken.isEmpty()) {
            d->retryTimer.stop();
            d->startRefresh(true);
        }
    });
    connect(&d->retryTimer, &QTimer::timeout, this, &Session::refresh);
}

Session::~Session() = default;

Session::Status Session::status() const
{
    return d->status;
}
QString Session::username() const
{
    return d->username;
}
QDateTime Session::accessTokenExpiry() const
{
    return d->expiry;
}
int Session::refreshCount() const
{
    return d->refreshes;
}
int Session::replayCount() const
{
    return d->replays;
}
const AuthProtocol &Session::protocol() const
{
    return *d->protocol;
}
QByteArray Session::accessToken() const
{
    return d->accessToken;
}
int Session::tokenGeneration() const
{
    return d->generation;
}
bool Session::isRefreshing() const
{
    return d->refreshing;
}

void Session::setRequestTimeout(std::chrono::milliseconds timeout)
{
    d->timeout = timeout;
}

void Session::setProactiveLead(std::chrono::milliseconds lead)
{
    d->lead = lead;
    d->scheduleProactiveRefresh();
}

void Session::setTokenStore(TokenStore *store)
{
    d->store = store;
}

TokenStore *Session::tokenStore() const
{
    return d->store;
}

void Session::setReauthenticationHandler(std::function<void()> handler)
{
    d->reauthenticate = std::move(handler);
}

void Session::setReauthenticationTimeout(std::chrono::milliseconds timeout)
{
    d->holdTimeout = timeout;
}

bool Session::isHoldingRequests() const
{
    return d->holding;
}

void Session::setOfflineWait(std::chrono::milliseconds wait)
{
    d->offlineWait = wait;
}

std::chrono::milliseconds Session::offlineWait() const
{
    return d->offlineWait;
}

void Session::abandonReauthentication()
{
    d->release(false);
}

void Session::record(Event event, const QString &detail)
{
    if (event == Event::Replayed) {
        ++d->replays;
        Q_EMIT replayCountChanged(d->replays);
    }
    Q_EMIT activity(event, detail);
}

void Session::signIn(const QString &username, const QString &password)
{
    if (d->pending)
        d->pending->abort();
    // A failed re-login leaves the session expired (requests stay held), not signed out.
    const Status failed = d->holding ? Status::Expired : Status::SignedOut;
    d->setStatus(Status::SigningIn);
    QNetworkReply *reply = d->send(d->protocol->signInRequest(username, password));
    connect(reply, &QNetworkReply::finished, this, [this, reply, failed] {
        reply->deleteLater();
        using Kind = AuthProtocol::Outcome::Kind;
        const auto outcome = d->read(reply);
        switch (outcome.kind) {
        case Kind::Ok:
            d->refreshToken.clear();
            d->persistThenAdopt(outcome.tokens, [this] {
                d->setStatus(Status::SignedIn);
                Q_EMIT activity(Event::SignedIn, d->username);
                Q_EMIT signedIn();
                // Held requests only go out for the user who made them.
                d->release(d->username == d->heldFor);
            });
            return;
        case Kind::Rejected:
            d->setStatus(failed);
            d->fail(Error::InvalidCredentials,
                    tr("The username or password is wrong. Check them and try again."));
            return;
        case Kind::Throttled:
            d->setStatus(failed);
            d->fail(Error::TooManyAttempts,
                    tr("Too many failed attempts. Wait %n second(s) and try again.", nullptr,
                       qMax(1, outcome.retryAfterSeconds)));
            return;
        case Kind::Malformed:
            d->setStatus(failed);
            d->fail(Error::MalformedResponse,
                    tr("The server answered something that could not be read. Check the server "
                       "address."));
            return;
        case Kind::Transient:
            d->setStatus(failed);
            d->fail(reply->error() == QNetworkReply::OperationCanceledError ? Error::Timeout
                                                                            : Error::NetworkError,
                    tr("The server cannot be reached (%1). Check your connection and the server "
                       "address.")
                        .arg(outcome.message));
            return;
        }
    });
}

void Session::restore()
{
    if (!d->store) {
        d->fail(Error::NoStoredSession, tr("There is no saved session."));
        return;
    }
    d->setStatus(Status::Restoring);
    d->store->read([this, guard = QPointer<Session>(this)](const TokenStore::Result &r) {
        if (!guard)
            return;
        if (r.error != TokenStore::Error::NoError || r.token.isEmpty()) {
            d->setStatus(Status::SignedOut);
            if (r.error == TokenStore::Error::NotFound || r.error == TokenStore::Error::NoError)
                d->fail(Error::NoStoredSession, tr("There is no saved session."));
            else
                d->fail(Error::KeychainUnavailable,
                        tr("The keychain is not available (%1).").arg(r.errorString));
            return;
        }
        d->refreshToken = r.token;
        d->storeRereadDone = true; // the store was just read
        d->startRefresh();
    });
}

void Session::restoreFrom(const QByteArray &refreshToken)
{
    if (refreshToken.isEmpty()) {
        d->fail(Error::NoStoredSession, tr("There is no saved session."));
        return;
    }
    if (d->pending)
        d->pending->abort();
    d->setStatus(Status::Restoring);
    d->refreshToken = refreshToken;
    d->persistCurrent = true;
    d->storeRereadDone = true; // the store has nothing to do with this token
    d->startRefresh();
}

void Session::refresh()
{
    if (d->refreshing)
        return;
    if (d->refreshToken.isEmpty()) {
        QTimer::singleShot(0, this, [this] { Q_EMIT refreshFinished(false); });
        return;
    }
    d->retryTimer.stop();
    d->startRefresh();
}

void Session::signOut()
{
    const QByteArray token = d->refreshToken;
    auto finishLocally = [this] {
        d->wipe();
        d->refreshing = false;
        if (!d->username.isEmpty()) {
            d->username.clear();
            Q_EMIT usernameChanged(d->username);
        }
        auto done = [this, guard = QPointer<Session>(this)](const TokenStore::Result &) {
            if (!guard)
                return;
            d->setStatus(Status::SignedOut);
            Q_EMIT activity(Event::SignedOut, {});
            Q_EMIT signedOut();
        };
        if (d->store)
            d->store->remove(done);
        else
            done({});
    };
    if (d->pending)
        d->pending->abort();
    d->release(false);
    const AuthProtocol::Request revoke
        = token.isEmpty() ? AuthProtocol::Request() : d->protocol->signOutRequest(token);
    if (!revoke.request.url().isValid()) {
        finishLocally();
        return;
    }
    QNetworkReply *reply = d->send(revoke);
    connect(reply, &QNetworkReply::finished, this, [reply, finishLocally] {
        reply->deleteLater();
        finishLocally();
    });
}

} // namespace SilentAuth
