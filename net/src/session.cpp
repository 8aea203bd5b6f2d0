#include <silentauth/session.h>

#include <silentauth/authprotocol.h>
#include <silentauth/tokenstore.h>

#include "dpop_p.h"
#include "jwtclaims_p.h"
#include "protocolsupport_p.h"
#include "sessionstate_p.h"
#include "sharedentry_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QCryptographicHash>
#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QLockFile>
#include <QtCore/QLoggingCategory>
#include <QtCore/QMetaMethod>
#include <QtCore/QPointer>
#include <QtCore/QRandomGenerator>
#include <QtCore/QScopeGuard>
#include <QtCore/QSet>
#include <QtCore/QTimer>

#include <QtCore/QDeadlineTimer>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkInformation>
#include <QtNetwork/QNetworkReply>

#include <algorithm>
#include <deque>
#include <limits>
#include <vector>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#include <unistd.h>
#endif

Q_LOGGING_CATEGORY(lcNet, "silentauth.net", QtInfoMsg)

namespace SilentAuth {

using Internal::SessionInput;
using Kind = AuthProtocol::Outcome::Kind;

namespace {

int clampedMs(qint64 ms)
{
    return int(qBound<qint64>(0, ms, qint64(std::numeric_limits<int>::max())));
}

// A reactive refresh whose new token is rejected straight away is not tried
// again for this long: the server rejects what it just issued.
constexpr qint64 reactiveQuietMs = 30000;

} // namespace

/*
    Every asynchronous step (store call, auth request, lock wait, timer)
    belongs to the operation that was current when it started, identified by
    `epoch`. signIn(), signOut(), restoreFrom() with another token, and every
    new refresh flight take a new epoch; a callback whose epoch is no longer
    current does nothing. Store calls run one at a time, in the order they
    were asked for, so a sign-out's removal can never be overtaken by the
    write of the operation it superseded.
*/
struct Session::Private
{
    Session *q = nullptr;
    std::unique_ptr<AuthProtocol> protocol;
    QPointer<TokenStore> store;
    QNetworkAccessManager network; // plain: auth traffic is never intercepted

    Status status = Status::SignedOut;
    quint64 epoch = 0;
    bool flight = false; // a refresh (restore, restoreFrom, proactive, retry) is under way
    bool external = false; // restoreFrom(): the token is stored once the server accepts it
    bool reactive = false; // this flight was started by a 401
    bool restoring = false; // restore()/restoreFrom() not yet announced, even across retries
    bool rereadAfterRejection = false;
    QString username;
    QString identity;
    QString signInName; // the username given to signIn(), until its answer comes
    QString displayName; // what to call the user, when a sign-in said (OpenID Connect)
    bool foreignToken = false; // the refresh token came from another process's write
    // The token this session held when it took another from the entry, and
    // whose it was: revoked once the entry's token turns out to be another user's.
    QByteArray displacedToken;
    QString displacedIdentity;
    bool entryHeld = false; // the shared entry held this session's token when last seen
    QByteArray accessToken;
    // "Bearer <token>" (or "DPoP <token>"), made once for token generation authorizationOf.
    mutable QByteArray authorization;
    mutable int authorizationOf = -1;
    mutable bool authorizationProof = false;
    QByteArray refreshToken;
    QByteArray receivedToken; // received, being stored: signOut() revokes it too

    // DPoP (RFC 9449): the key of this session family, the one a sign-in
    // under way proves with, and whether the access token is bound to it.
    bool proofOfPossession = false;
    std::shared_ptr<Internal::DpopKey> key;
    std::shared_ptr<Internal::DpopKey> signInKey;
    bool bound = false;
    Internal::DpopNonces nonces;
    int nonceResends = 0;
    QByteArray readKey; // the private key of the entry read last, until taken
    QDateTime readExpiry; // when the token of the entry read last stops being taken
    QDateTime storedExpiry; // the lifetime the store holds for the current refresh token
    void takeReadKey();
    //! When the server stops taking \a tokens' refresh token, if it said (now or before).
    QDateTime refreshExpiryFor(const TokenResponse &tokens) const
    {
        if (tokens.refreshExpiresIn)
            return now().addSecs(*tokens.refreshExpiresIn);
        return refreshExpiryOf == fingerprint(tokens.refreshToken) ? refreshExpiry : QDateTime();
    }
    //! What the store is to hold for \a tokens; its lifetime is the stored one from then on.
    QByteArray recordToStore(const TokenResponse &tokens)
    {
        storedExpiry = refreshExpiryFor(tokens);
        return Internal::storedRecord(tokens.refreshToken, key ? key->privateKey() : QByteArray(),
                                      storedExpiry);
    }
    QDateTime expiry;
    QDateTime refreshDue; // when the proactive refresh is due, by the wall clock
    bool identityVerified = false; // identity is an ID token's sub, not an access token's
    QDateTime refreshExpiry; // when the server stops taking the refresh token, if it said
    QByteArray refreshExpiryOf; // which token that is about
    std::function<QDateTime()> clock = [] { return QDateTime::currentDateTimeUtc(); };
    QDateTime now() const { return clock(); }
    static constexpr int clockCheckMs = 5000;
    static constexpr int entryRecheckMs = 1000; // a busy entry's lock, looked at again
    static constexpr qint64 clockJumpMs = 3000;
    QTimer clockWatch;
    QElapsedTimer monotonic;
    QDateTime wallAtCheck;
    void watchClock();
    // Tells the store whose issuer and client this session's tokens are, so
    // that a store with entries per account restores only one of theirs.
    void selectRealm()
    {
        if (store)
            store->selectAccount({protocol->issuerIdentifier(), protocol->clientIdentifier(), {}});
    }
    void checkClock();
    int generation = 0;
    int refreshes = 0;
    int replays = 0;
    ServerAnswer lastAnswer; // behind the last errorOccurred()
    // The password of the sign-in under way: what the server says back is checked for it.
    QString signInSecret;
    //! \a text from the server, unless it repeats a secret this session sent or holds (a
    //! password, a token): a hostile server must not get one shown, copied or logged.
    QString fromServer(const QString &text) const;
    // The refusal of the refresh token, until the session ends for it.
    std::optional<AuthProtocol::Outcome> rejection;
    int reactiveGeneration = -1; // the generation a 401-driven refresh produced
    int rejectedGeneration = -1; // the generation a server answered 401 for
    bool reactiveProven = false;
    QElapsedTimer reactiveAt;
    QPointer<QNetworkReply> pending; // the auth request of the current operation

    // Refresh requests on the wire, by the token they spend. A superseded
    // operation leaves its request running: the server may already have
    // rotated the token, so a later flight with the same token takes over the
    // answer instead of spending the token twice, and a new token that nobody
    // takes is revoked. Tokens known to be spent are never sent again (kept
    // as hashes).
    struct RefreshCall
    {
        QPointer<QNetworkReply> reply;
        quint64 owner = 0;
    };
    QHash<QByteArray, RefreshCall> refreshCalls;
    QSet<QByteArray> spent;
    static QByteArray fingerprint(const QByteArray &token);
    void revokeUnclaimed(const QByteArray &token);
    void revokeUnclaimedAccess(const QByteArray &token);
    std::chrono::milliseconds timeout {15000};
    bool plainHttp = false;
    std::chrono::milliseconds lead {0};
    QTimer proactiveTimer;
    QTimer retryTimer;
    int retryAttempt = 0;
    bool watchingNetwork = false;
    bool networkDown = false; // the platform (or the application) says so
    bool retryParked = false; // a retry due while the network was down
    QDeadlineTimer retryNotBefore; // the server's Retry-After, when it gave one
    bool retryScheduled() const { return retryTimer.isActive() || retryParked; }
    void stopRetry()
    {
        retryTimer.stop();
        retryParked = false;
    }
    void networkChanged(bool online);

    // Cross-process: one lock file per shared store entry.
    std::unique_ptr<QLockFile> lock;
    std::unique_ptr<QLockFile> storeLock; // held by the store calls between Lock and Unlock
    int signOutsUnderWay = 0; // sign-outs whose revocation or removal has not answered yet
    bool quitting = false; // waitUntilSettled(): another process's lock is waited for briefly
    int revocationsUnderWay = 0; // revokeUnclaimed() requests not answered yet
    void countRevocation(QNetworkReply *reply)
    {
        ++revocationsUnderWay;
        QPointer<Session> guard(q);
        QObject::connect(reply, &QNetworkReply::finished, reply, [this, guard, reply] {
            if (guard)
                --revocationsUnderWay;
            reply->deleteLater();
        });
    }
    QString lockEntry;
    QTimer lockPoll;
    QElapsedTimer lockWaited;
    quint64 lockEpoch = 0;
    std::function<void()> lockThen;
    // The entry's stamp as this session last read or wrote the entry: while
    // the stamp is unchanged, a refresh need not read the keychain first.
    QByteArray knownStamp;
    QString knownStampEntry;
    QElapsedTimer knownStampAge; // trusted for stampTrustMs at most
    void knowStamp(const QString &entry, const QByteArray &stamp)
    {
        knownStamp = stamp;
        knownStampEntry = entry;
        knownStampAge.start();
    }
    QString sharedEntry() const { return store ? store->sharedEntryId() : QString(); }
    bool entryUnchanged() const;

    struct StoreCall
    {
        // Lock and Unlock: the shared entry's lock, around a sign-out's read and
        // removal and a sign-in's write (storeUnderLock()).
        enum { Read, Write, Remove, Lock, Unlock } op;
        QByteArray token;
        TokenStore::Callback done;
        QString subject = {}; // Read, Write: whose entry it is, when known
        // Read: called instead of nothing with an answer that comes after the
        // call was given up on (the refresh token of the record, no key kept).
        TokenStore::Callback late = {};
    };
    std::deque<StoreCall> storeCalls;
    bool storeBusy = false;
    quint64 storeWrites = 0; // writes and removals asked of the store so far
    quint64 storeRemovals = 0;
    QTimer storeDeadline;
    bool storeGraceTaken = false; // the deadline passed, confirmed after deadlineGrace()
    std::function<void(const TokenStore::Result &)> storeFinish;
    QMetaObject::Connection storeGone;

    std::function<void()> reauthenticate;
    std::chrono::milliseconds holdTimeout {std::chrono::minutes(5)};
    std::chrono::milliseconds offlineWait {0};
    QTimer holdTimer;
    bool holding = false;
    QString heldFor;

    void apply(SessionInput input);
    //! Tells errorOccurred(); \a answer is the auth server's answer behind it, if one was.
    void fail(Error error, const QString &message, const AuthProtocol::Outcome *answer = nullptr);
    void fail(Error error, const QString &message, const ServerAnswer &answer);
    //! What \a outcome says, for lastServerAnswer(): checked for secrets while they are known.
    ServerAnswer answerOf(const AuthProtocol::Outcome &outcome) const
    {
        return {outcome.httpStatus, fromServer(outcome.error), fromServer(outcome.message)};
    }
    void release(bool resumed);
    QNetworkReply *send(const AuthProtocol::Request &request,
                        const Internal::DpopKey *proofKey = nullptr);
    void exchange(const AuthProtocol::Request &request,
                  const std::shared_ptr<Internal::DpopKey> &proofKey,
                  std::function<void(QNetworkReply *)> sent,
                  std::function<void(QNetworkReply *)> done, bool resent = false);
    bool refused(const QUrl &url) const;
    AuthProtocol::Outcome read(QNetworkReply *reply) const;
    bool cancelOperation();
    void revokeReceived(const QByteArray &kept = {});
    void abandonWaiters();
    void wipe();
    void setUsername(const QString &name);

    void storeCall(StoreCall call);
    void runNextStoreCall();
    TokenStore::Callback stampAfter(TokenStore::Callback finish);

    qint64 lockWaitMs() const;
    //! How long another process's lock is waited for, and how old it may be: lockWaitMs(),
    //! and at most quitLockWaitMs once the program is quitting.
    qint64 lockPatienceMs() const
    {
        return quitting ? qMin(lockWaitMs(), quitLockWaitMs) : lockWaitMs();
    }
    static constexpr qint64 quitLockWaitMs = 3000;
    void acquireLock(quint64 e, std::function<void()> then);
    void releaseLock();
    bool entryHeldTooLong() const;
    void giveUpOnBusyEntry();
    //! A restore that has not read the store yet (its entry was busy) retries like a refresh.
    bool canRetry() const { return !refreshToken.isEmpty() || (restoring && store); }

    void startFlight(const QString &why, bool reactive = false);
    void tryLock();
    void sendRefresh(quint64 e);
    void onRefreshOutcome(quint64 e, const QByteArray &used, const AuthProtocol::Outcome &outcome);
    void finishRefresh(quint64 e, const TokenResponse &tokens);
    void rejectRefresh(quint64 e, const QByteArray &used);
    void lockEntryForStore(bool take, const TokenStore::Callback &finish);
    std::unique_ptr<QLockFile> newEntryLock(const QString &entry) const;
    void storeUnderLock(std::vector<StoreCall> calls);
    void keepOrSayUnsaved(const TokenStore::Result &r);
    void confirmEntryThenStore(quint64 e, const QByteArray &used, const TokenResponse &tokens);
    void storeRefreshed(quint64 e, const TokenResponse &tokens);
    void endFlightTransient(const AuthProtocol::Outcome &outcome);
    void endFlightNothingStored(Error error, const QString &message);
    void completeSignIn(quint64 e, const TokenResponse &tokens,
                        const std::shared_ptr<Internal::DpopKey> &grantKey);
    void expire();
    void adopt(const TokenResponse &tokens);
    QString subjectOf(const TokenResponse &tokens) const;
    void scheduleRetry(int retryAfterSeconds, bool entryBusy = false);
    void scheduleProactiveRefresh();
    void watchNetwork();
};

void Session::Private::apply(SessionInput input)
{
    const Status next = Internal::transition(status, input);
    if (next == status)
        return;
    status = next;
    Q_EMIT q->statusChanged(next);
}

namespace {

// Whether \a text repeats \a secret: as it is, percent- or form-encoded, in another
// case when it is long enough not to be a word of the message ("wrong"), or (a token) any
// 16 characters of it in a row.
bool echoes(const QString &text, const QString &secret)
{
    if (secret.isEmpty())
        return false;
    const Qt::CaseSensitivity anyCase
        = secret.size() >= 8 ? Qt::CaseInsensitive : Qt::CaseSensitive;
    const QString forms[] = {secret, QString::fromLatin1(QUrl::toPercentEncoding(secret)),
                             QString::fromLatin1(QUrl::toPercentEncoding(secret, " "))
                                 .replace(QLatin1Char(' '), QLatin1Char('+'))};
    for (const QString &form : forms) {
        if (text.contains(form, anyCase))
            return true;
    }
    constexpr qsizetype part = 16;
    if (secret.size() >= 24) {
        for (qsizetype at = 0; at + part <= secret.size(); ++at) {
            if (text.contains(QStringView(secret).mid(at, part)))
                return true;
        }
    }
    return false;
}

} // namespace

QString Session::Private::fromServer(const QString &text) const
{
    const QString secrets[]
        = {signInSecret, QString::fromLatin1(refreshToken), QString::fromLatin1(accessToken),
           QString::fromLatin1(receivedToken)};
    for (const QString &secret : secrets) {
        if (echoes(text, secret))
            return Session::tr("(not shown: it repeats what this program sent)");
    }
    return text;
}

void Session::Private::fail(Error error, const QString &message,
                            const AuthProtocol::Outcome *answer)
{
    fail(error, message, answer ? answerOf(*answer) : ServerAnswer {});
}

void Session::Private::fail(Error error, const QString &message, const ServerAnswer &answer)
{
    qCDebug(lcNet).noquote() << "error:" << message;
    lastAnswer = answer;
    Q_EMIT q->errorOccurred(error, message);
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

QNetworkReply *Session::Private::send(const AuthProtocol::Request &request,
                                      const Internal::DpopKey *proofKey)
{
    QNetworkRequest r = Internal::authServerRequest(request.request);
    if (proofKey)
        r.setRawHeader("DPoP", proofKey->proof("POST", r.url(), {}, nonces.nonceFor(r.url())));
    QNetworkReply *reply = network.post(r, request.body);
    Internal::boundReply(reply, clampedMs(timeout.count()));
    return reply;
}

// Sends a token request. With a DPoP key, the server's nonce is remembered,
// and a use_dpop_nonce answer is answered once, with a new proof carrying it
// (RFC 9449 §8): \a sent hears of every reply sent, \a done gets the last.
void Session::Private::exchange(const AuthProtocol::Request &request,
                                const std::shared_ptr<Internal::DpopKey> &proofKey,
                                std::function<void(QNetworkReply *)> sent,
                                std::function<void(QNetworkReply *)> done, bool resent)
{
    QNetworkReply *reply = send(request, proofKey.get());
    sent(reply);
    QObject::connect(
        reply, &QNetworkReply::finished, q, [this, reply, request, proofKey, sent, done, resent] {
            if (proofKey) {
                nonces.learn(reply);
                // Not after a sign-out: from then on no request carries
                // a token, not even one answering a nonce challenge.
                const bool ended = status == Status::SignedOut || status == Status::Expired;
                if (!resent && !ended && Internal::isTokenEndpointNonceChallenge(reply)) {
                    reply->deleteLater();
                    ++nonceResends;
                    exchange(request, proofKey, sent, done, true);
                    return;
                }
            }
            done(reply);
        });
}

// Credentials go over plain http only to loopback, unless the application
// allows it.
bool Session::Private::refused(const QUrl &url) const
{
    return !plainHttp && Internal::isPlainHttpToRemoteHost(url);
}

AuthProtocol::Outcome Session::Private::read(QNetworkReply *reply) const
{
    if (Internal::replyTooLarge(reply) || Internal::replyTimedOut(reply)) {
        AuthProtocol::Outcome outcome;
        outcome.kind = Internal::replyTooLarge(reply) ? Kind::Malformed : Kind::Transient;
        outcome.message = Internal::replyTooLarge(reply)
            ? QStringLiteral("the answer was larger than a token answer can be")
            : QStringLiteral("the server did not answer in time");
        return outcome;
    }
    const int httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    auto outcome = protocol->readTokenAnswer(*reply, reply->readAll());
    if (outcome.httpStatus == 0)
        outcome.httpStatus = httpStatus;
    const bool proved = reply->request().hasRawHeader("DPoP");
    if (outcome.kind == Kind::Ok && outcome.tokens.tokenType == "DPoP" && !proved) {
        // Bound to a key this program does not have: useless here.
        outcome.kind = Kind::Malformed;
        outcome.message = QStringLiteral("unsupported token type \"DPoP\"");
        outcome.tokens = {};
    } else if (outcome.kind == Kind::Rejected && proved
               && (outcome.error == QLatin1String("use_dpop_nonce")
                   || outcome.error == QLatin1String("invalid_dpop_proof"))) {
        // The proof, not the grant, was refused (a nonce asked for twice, a
        // proof taken for a replay): the token stays good, and a later
        // attempt sends a new proof.
        outcome.kind = Kind::Transient;
        outcome.message
            = QStringLiteral("the server did not accept the DPoP proof (%1)").arg(outcome.error);
    }
    if (reply->error() == QNetworkReply::OperationCanceledError && httpStatus == 0)
        outcome.message = QStringLiteral("the server did not answer in time");
    return outcome;
}

// Abandons whatever the current operation is waiting for. Its callbacks
// still arrive, and find their epoch outdated. Returns whether requests may
// be waiting for a refresh (a flight, or a scheduled retry) that will now not
// come: the caller tells them with abandonWaiters() once the new status is
// set, so that they see why.
bool Session::Private::cancelOperation()
{
    const bool waited = flight || retryScheduled();
    rejection.reset();
    if (pending) {
        QNetworkReply *reply = pending;
        pending = nullptr;
        const bool refreshing
            = std::any_of(refreshCalls.cbegin(), refreshCalls.cend(),
                          [reply](const RefreshCall &c) { return c.reply == reply; });
        if (!refreshing) {
            reply->disconnect(q);
            reply->abort();
            reply->deleteLater();
        }
    }
    proactiveTimer.stop();
    stopRetry();
    releaseLock();
    external = false;
    rereadAfterRejection = false;
    restoring = false;
    flight = false;
    foreignToken = false;
    displacedToken.clear();
    displacedIdentity.clear();
    retryAttempt = 0; // a new operation starts its backoff afresh
    return waited;
}

// A superseded refresh may have had its answer already, its new token still
// on its way to the store (or being checked against the entry): nobody takes
// that token now, so it is revoked, not left live on the server.
void Session::Private::revokeReceived(const QByteArray &kept)
{
    if (!receivedToken.isEmpty() && receivedToken != kept)
        revokeUnclaimed(receivedToken);
}

void Session::Private::abandonWaiters()
{
    Q_EMIT q->refreshFinished(false);
}

void Session::Private::wipe()
{
    signInSecret.clear();
    storedExpiry = QDateTime();
    proactiveTimer.stop();
    clockWatch.stop();
    entryHeld = false;
    refreshDue = QDateTime();
    refreshExpiry = QDateTime();
    refreshExpiryOf.clear();
    stopRetry();
    accessToken.fill('\0');
    accessToken.clear();
    authorization.fill('\0');
    authorization.clear();
    authorizationOf = -1;
    refreshToken.fill('\0');
    refreshToken.clear();
    receivedToken.fill('\0');
    receivedToken.clear();
    key.reset();
    signInKey.reset();
    bound = false;
    ++generation;
    if (expiry.isValid()) {
        expiry = QDateTime();
        Q_EMIT q->accessTokenExpiryChanged(expiry);
    }
}

void Session::Private::setUsername(const QString &name)
{
    if (name == username)
        return;
    username = name;
    Q_EMIT q->usernameChanged(username);
}

void Session::Private::storeCall(StoreCall call)
{
    storeCalls.push_back(std::move(call));
    if (!storeBusy)
        runNextStoreCall();
}

namespace {

// How long the entry's lock file has been there: since its holder took it
// (QLockFile makes a new file each time). 0 when there is none.
qint64 lockHeldMs(const QString &entry)
{
    const QDateTime taken = QFileInfo(Internal::sharedEntryPath(entry, ".lock")).lastModified();
    return taken.isValid() ? taken.msecsTo(QDateTime::currentDateTime()) : 0;
}

// Whether what lies at the entry's lock path can be a lock of this user's:
// nothing, or a regular file of the user's own. Another user's file (in a
// shared temporary directory) coordinates nothing with this one, and a fifo
// would block QLockFile's read of it: neither is waited for.
bool lockIsOurs(const QString &entry)
{
#ifdef Q_OS_UNIX
    struct stat info;
    const QByteArray path = QFile::encodeName(Internal::sharedEntryPath(entry, ".lock"));
    if (::lstat(path.constData(), &info) != 0)
        return true;
    return S_ISREG(info.st_mode) && info.st_uid == ::geteuid();
#else
    Q_UNUSED(entry);
    return true;
#endif
}

// A lock file that names no process of this machine (empty or garbled: its
// maker died between making and writing it; or another machine's) cannot be
// told stale by QLockFile; once it is older than a working holder keeps a
// lock, it is removed. True when it was.
bool removeUnreadableLock(QLockFile &lock, const QString &entry, qint64 olderThanMs)
{
    qint64 pid = 0;
    QString host;
    QString program;
    if (lock.getLockInfo(&pid, &host, &program) && pid > 0
        && (host.isEmpty() || host == QSysInfo::machineHostName()))
        return false;
    if (lockHeldMs(entry) <= olderThanMs)
        return false;
    qCWarning(lcNet) << "removing a lock file of the shared entry that names no process here";
    return lock.removeStaleLockFile();
}

} // namespace

// A sign-out reads and removes the shared entry under its lock, and a
// sign-in writes it under that lock, like a refresh: a refresh in another
// process that is on the wire stores its new token first, and the sign-out
// revokes that one (the sign-in writes over it), rather than that new token
// landing in the entry just after the sign-out's removal or the sign-in's
// write. Waited for as long as a refresh's lock is, from the event loop;
// never superseded.
void Session::Private::lockEntryForStore(bool take, const TokenStore::Callback &finish)
{
    const QString entry = sharedEntry();
    if (!take || entry.isEmpty()) {
        if (storeLock && storeLock->isLocked())
            storeLock->unlock();
        storeLock.reset();
        QTimer::singleShot(0, q, [finish] { finish({}); });
        return;
    }
    // A flight of this session's that began after the sign-out holds the lock
    // already: its store calls queue behind these, so there is nothing to wait for.
    if (lock && lock->isLocked() && lockEntry == entry) {
        QTimer::singleShot(0, q, [finish] { finish({}); });
        return;
    }
    storeLock = newEntryLock(entry);
    QElapsedTimer waited;
    waited.start();
    QPointer<Session> guard(q);
    auto attempt = std::make_shared<std::function<void()>>();
    *attempt = [this, guard, waited, finish, entry, weak = std::weak_ptr(attempt)] {
        if (!guard || !storeLock)
            return;
        if (lockIsOurs(entry) && !storeLock->tryLock(0)
            && !(removeUnreadableLock(*storeLock, entry, lockWaitMs()) && storeLock->tryLock(0))) {
            // A holder that has had it longer than a working one ever does
            // (stopped, hung) is not waited for: the user asked for this. A
            // program that is quitting waits only for a refresh that is
            // storing its token: a few seconds at most.
            if (waited.elapsed() <= lockPatienceMs() && lockHeldMs(entry) <= lockPatienceMs()) {
                if (auto again = weak.lock())
                    QTimer::singleShot(20, q, [again] { (*again)(); });
                return;
            }
            qCWarning(lcNet) << "another process holds the sign-in lock too long; going on";
        }
        finish({});
    };
    (*attempt)();
}

// The lock file of a shared entry. A holder that died (or a machine that
// rebooted since) leaves it behind; QLockFile sees that its process is gone
// and takes it over. A holder that lives is never taken over however long it
// holds it: a process stopped in the middle of its refresh (SIGSTOP, a
// debugger) may already have spent the token the entry holds, and presenting
// it again would end every session on the entry.
std::unique_ptr<QLockFile> Session::Private::newEntryLock(const QString &entry) const
{
    auto file = std::make_unique<QLockFile>(Internal::sharedEntryPath(entry, ".lock"));
    file->setStaleLockTime(std::chrono::milliseconds(0));
    return file;
}

void Session::Private::storeUnderLock(std::vector<StoreCall> calls)
{
    storeCall({StoreCall::Lock, {}, [](const TokenStore::Result &) {}});
    for (StoreCall &call : calls)
        storeCall(std::move(call));
    storeCall({StoreCall::Unlock, {}, [](const TokenStore::Result &) {}});
}

// After a store write of a new refresh token: a failure is said, and the
// session goes on with the token in memory.
void Session::Private::keepOrSayUnsaved(const TokenStore::Result &r)
{
    if (r.error != TokenStore::Error::NoError)
        fail(Error::KeychainUnavailable,
             Session::tr("Your sign-in could not be saved in the keychain (%1); "
                         "you stay signed in until you quit.")
                 .arg(r.errorString));
}

void Session::Private::runNextStoreCall()
{
    if (storeCalls.empty()) {
        storeBusy = false;
        return;
    }
    storeBusy = true;
    StoreCall call = std::move(storeCalls.front());
    storeCalls.pop_front();

    auto fired = std::make_shared<bool>(false);
    QPointer<Session> guard(q);
    auto finish = [this, guard, fired, done = call.done](const TokenStore::Result &result) {
        if (*fired || !guard)
            return;
        *fired = true;
        storeDeadline.stop();
        QObject::disconnect(storeGone);
        storeFinish = nullptr;
        done(result);
        if (guard)
            runNextStoreCall();
    };
    if (call.op == StoreCall::Lock || call.op == StoreCall::Unlock) {
        lockEntryForStore(call.op == StoreCall::Lock, finish);
        return;
    }
    if (!store) {
        // Memory only: nothing to read, writing and removing are done.
        TokenStore::Result result;
        if (call.op == StoreCall::Read)
            result.error = TokenStore::Error::NotFound;
        QTimer::singleShot(0, q, [finish, result] { finish(result); });
        return;
    }
    // A store that dies or never answers must not leave the session waiting.
    storeFinish = finish;
    storeGone = QObject::connect(store, &QObject::destroyed, q, [finish] {
        finish({TokenStore::Error::Unavailable, {}, QStringLiteral("the token store went away")});
    });
    storeGraceTaken = false;
    storeDeadline.start(clampedMs(timeout.count()));
    if (!call.subject.isEmpty())
        store->selectAccount(
            {protocol->issuerIdentifier(), protocol->clientIdentifier(), call.subject});
    switch (call.op) {
    case StoreCall::Read: {
        // The stamp is taken before the read: a write that lands after it
        // has renewed the stamp by the time anyone compares.
        const QString entry = sharedEntry();
        const QByteArray stamp = entry.isEmpty()
            ? QByteArray()
            : Internal::readEntryStamp(Internal::sharedEntryPath(entry, ".stamp"));
        store->read([this, guard, finish, fired, late = call.late, entry,
                     stamp](const TokenStore::Result &r) {
            if (!guard)
                return;
            if (*fired) {
                if (late) {
                    TokenStore::Result plain = r;
                    QByteArray privateKey;
                    plain.token = Internal::refreshTokenOfRecord(r.token, &privateKey);
                    late(plain);
                }
                return;
            }
            if (r.error == TokenStore::Error::NoError || r.error == TokenStore::Error::NotFound)
                knowStamp(entry, stamp);
            entryHeld = r.error == TokenStore::Error::NoError && !r.token.isEmpty();
            // The refresh token for the callers; a DPoP key beside it is
            // kept for takeReadKey().
            TokenStore::Result plain = r;
            plain.token = Internal::refreshTokenOfRecord(r.token, &readKey, &readExpiry);
            finish(plain);
        });
        break;
    }
    case StoreCall::Write: {
        const quint64 write = ++storeWrites;
        const quint64 removalsBefore = storeRemovals;
        store->write(call.token,
                     stampAfter([this, guard, finish, fired, write,
                                 removalsBefore](const TokenStore::Result &r) {
                         // A write that answers after its time was given up on;
                         // when the entry was removed since (a sign-out) and
                         // nothing was written after it, what it put back goes.
                         if (guard && *fired && r.error == TokenStore::Error::NoError
                             && storeRemovals != removalsBefore && storeWrites == write) {
                             qCDebug(lcNet)
                                 << "a late keychain write after a removal; removed again";
                             storeCall({StoreCall::Remove, {}, [](const TokenStore::Result &) {}});
                             return;
                         }
                         if (guard)
                             entryHeld = r.error == TokenStore::Error::NoError;
                         finish(r);
                     }));
        break;
    }
    case StoreCall::Remove:
        entryHeld = false;
        ++storeRemovals;
        store->remove(stampAfter(finish));
        break;
    case StoreCall::Lock:
    case StoreCall::Unlock:
        break; // handled above
    }
}

// A write or removal takes the entry's stamp away first and puts a new one
// there once it is done (whether it went through or not: the entry may have
// changed). Other processes read the entry before their next refresh, and
// one that fails or dies in between leaves no stamp to be trusted.
TokenStore::Callback Session::Private::stampAfter(TokenStore::Callback finish)
{
    const QString entry = sharedEntry();
    if (entry.isEmpty())
        return finish;
    const QString path = Internal::sharedEntryPath(entry, ".stamp");
    knownStamp.clear();
    if (!Internal::invalidateEntryStamp(path))
        qCWarning(lcNet) << "the shared entry's stamp could not be removed:" << path;
    QPointer<Session> guard(q);
    return [this, guard, entry, path, finish](const TokenStore::Result &r) {
        if (guard)
            knowStamp(entry, Internal::renewEntryStamp(path));
        finish(r);
    };
}

// The refresh token just read from the store is taken: so is the DPoP key
// beside it (none: a bearer family, or an entry from an earlier version), and
// the lifetime the server gave it (a refresh cookie's), past which it is not
// presented.
void Session::Private::takeReadKey()
{
    refreshExpiry = readExpiry;
    refreshExpiryOf = readExpiry.isValid() ? fingerprint(refreshToken) : QByteArray();
    storedExpiry = readExpiry;
    readExpiry = QDateTime();
    key = proofOfPossession && !readKey.isEmpty() ? Internal::DpopKey::fromPrivateKey(readKey)
                                                  : nullptr;
    if (proofOfPossession && !readKey.isEmpty() && !key)
        qCWarning(lcNet) << "the stored DPoP key could not be read; refreshing without it";
    readKey.fill('\0');
    readKey.clear();
}

// A stamp vouches for the entry this long at most: a writer that does not
// keep stamps (a keyring tool, an older version) is noticed within it.
constexpr qint64 stampTrustMs = 5 * 60 * 1000;

// True when the shared entry's stamp is still the one this session left or
// read: no other process has written the entry since, so it still holds the
// token this session knows.
bool Session::Private::entryUnchanged() const
{
    const QString entry = sharedEntry();
    return !entry.isEmpty() && !knownStamp.isEmpty() && knownStampEntry == entry
        && knownStampAge.isValid() && knownStampAge.elapsed() < stampTrustMs
        && Internal::readEntryStamp(Internal::sharedEntryPath(entry, ".stamp")) == knownStamp;
}

// Serialises refreshes of one shared store entry across processes. Polls
// instead of blocking, so the event loop keeps running. A holder may keep the
// lock for a store read, a refresh request, a check of the entry and a store
// write, each bounded by the request timeout, and one more refresh when it
// follows another process's sign-in; a holder that takes longer than that is
// stopped or hangs (giveUpOnBusyEntry()).
qint64 Session::Private::lockWaitMs() const
{
    return 5 * qint64(timeout.count()) + 2000;
}

void Session::Private::acquireLock(quint64 e, std::function<void()> then)
{
    const QString entry = sharedEntry();
    if (entry.isEmpty()) {
        then();
        return;
    }
    if (!lock || lockEntry != entry) {
        releaseLock();
        lock = newEntryLock(entry);
        lockEntry = entry;
    }
    if (lock->isLocked()) {
        then();
        return;
    }
    lockEpoch = e;
    lockThen = std::move(then);
    lockWaited.start();
    tryLock();
}

void Session::Private::tryLock()
{
    if (lockEpoch != epoch || !lockThen)
        return;
    const bool usable = lockIsOurs(lockEntry);
    bool locked = usable && lock->tryLock(0);
    if (!locked && usable && lock->error() == QLockFile::LockFailedError
        && removeUnreadableLock(*lock, lockEntry, lockWaitMs()))
        locked = lock->tryLock(0);
    if (!locked) {
        if (!usable || lock->error() != QLockFile::LockFailedError) {
            // No lock file can be made here (a directory that is not
            // writable), or something not a lock of this user's is in the
            // way: there is nothing to coordinate with.
            qCWarning(lcNet) << "the shared entry's lock file cannot be made, or what is "
                                "there is not this user's; going on without it";
        } else if (lockWaited.elapsed() <= lockPatienceMs()
                   && lockHeldMs(lockEntry) <= lockPatienceMs()) {
            lockPoll.start(20);
            return;
        } else {
            giveUpOnBusyEntry();
            return;
        }
    }
    auto then = std::move(lockThen);
    lockThen = nullptr;
    then();
}

// Whether a live process has held the entry's lock for longer than a working
// one ever does (lockWaitMs()): it is stopped or hangs. Asked before a
// scheduled retry, so that a session waiting for such a holder checks the
// lock file instead of starting a flight that can only fail again.
bool Session::Private::entryHeldTooLong() const
{
    const QString entry = sharedEntry();
    if (entry.isEmpty() || (lock && lock->isLocked() && lockEntry == entry) || !lockIsOurs(entry))
        return false;
    QLockFile probe(Internal::sharedEntryPath(entry, ".lock"));
    probe.setStaleLockTime(std::chrono::milliseconds(0));
    if (probe.tryLock(0)) {
        probe.unlock();
        return false;
    }
    return probe.error() == QLockFile::LockFailedError && lockHeldMs(entry) > lockWaitMs();
}

// Another process holds the entry's lock and neither lets go nor dies. The
// token the entry holds may be one it has already spent, so this session
// does not refresh without the lock: it is offline, says who holds it up,
// and checks the lock every second; once the holder goes on (or quits), the
// next retry reads what it stored.
void Session::Private::giveUpOnBusyEntry()
{
    lockThen = nullptr;
    qint64 pid = 0;
    QString host;
    QString program;
    lock->getLockInfo(&pid, &host, &program);
    qCWarning(lcNet).nospace() << "another process (" << pid
                               << ") holds the shared entry's lock and does not let go; "
                                  "staying offline";
    AuthProtocol::Outcome busy;
    busy.kind = Kind::Transient;
    busy.error = QStringLiteral("entry busy");
    busy.message = Session::tr("Another program signed in to this account (%1, process %2) has "
                               "not finished its refresh; retrying once it has. Quit that "
                               "program if it does not respond.")
                       .arg(QFileInfo(program).fileName())
                       .arg(pid);
    endFlightTransient(busy);
}

void Session::Private::releaseLock()
{
    lockPoll.stop();
    lockThen = nullptr;
    if (lock && lock->isLocked())
        lock->unlock();
}

void Session::Private::startFlight(const QString &why, bool fromUnauthorized)
{
    const quint64 e = ++epoch;
    flight = true;
    reactive = fromUnauthorized;
    stopRetry();
    proactiveTimer.stop();
    apply(restoring && refreshToken.isEmpty() ? SessionInput::RestoreRetried
                                              : SessionInput::RefreshStarted);
    Q_EMIT q->activity(Event::RefreshStarted, why);
    qCDebug(lcNet) << "refresh started" << why;
    acquireLock(e, [this, e] {
        if (e != epoch)
            return;
        if (external || !store) {
            sendRefresh(e);
            return;
        }
        // Another process on the same entry may have rotated the token since
        // this one read it: refresh with the newest, never with a used one.
        // Unless the entry's stamp says nobody has written it since.
        if (!refreshToken.isEmpty() && entryUnchanged()) {
            sendRefresh(e);
            return;
        }
        const bool held = entryHeld && !sharedEntry().isEmpty();
        storeCall(
            {StoreCall::Read, {}, [this, e, held](const TokenStore::Result &r) {
                 if (e != epoch)
                     return;
                 // The shared entry that held this session's token is gone:
                 // another process signed out, after its own refreshes may
                 // have spent the token this one holds. Ended here, and the
                 // token is not presented (a spent one looks stolen).
                 if (held && r.error == TokenStore::Error::NotFound && !refreshToken.isEmpty()) {
                     qCDebug(lcNet) << "the shared entry was removed by another process";
                     // Revoked, not presented: the sign-out there revoked what the
                     // entry held, which is not this token when someone else had
                     // signed in over it meanwhile.
                     if (Internal::isSafeRefreshToken(refreshToken))
                         revokeUnclaimed(refreshToken);
                     expire();
                     return;
                 }
                 if (r.error == TokenStore::Error::NoError && !r.token.isEmpty()
                     && r.token != refreshToken) {
                     if (!refreshToken.isEmpty())
                         qCDebug(lcNet) << "adopting a token rotated by another process";
                     // Not the token this session holds, so not known to be its
                     // user's: after an expiry or a sign-out, another program may
                     // have signed in someone else since.
                     foreignToken = true;
                     displacedToken = refreshToken;
                     displacedIdentity = identity;
                     refreshToken = r.token;
                     takeReadKey();
                 }
                 if (refreshToken.isEmpty()) {
                     if (r.error == TokenStore::Error::NotFound
                         || r.error == TokenStore::Error::NoError)
                         endFlightNothingStored(Error::NoStoredSession,
                                                Session::tr("There is no saved session."));
                     else
                         endFlightNothingStored(
                             Error::KeychainUnavailable,
                             Session::tr("The keychain is not available (%1).").arg(r.errorString));
                     return;
                 }
                 // A shared entry that could not be read may hold a token
                 // another process rotated since: the one in hand may be
                 // spent (the stamp no longer vouches for it). Not presented;
                 // retried like a server that cannot be reached.
                 if (r.error != TokenStore::Error::NoError && r.error != TokenStore::Error::NotFound
                     && !sharedEntry().isEmpty()) {
                     AuthProtocol::Outcome unread;
                     unread.kind = Kind::Transient;
                     unread.error = QStringLiteral("entry unreadable");
                     unread.message = Session::tr("The keychain did not give the saved sign-in "
                                                  "(%1); retrying.")
                                          .arg(r.errorString);
                     endFlightTransient(unread);
                     return;
                 }
                 sendRefresh(e);
             }});
    });
}

QByteArray Session::Private::fingerprint(const QByteArray &token)
{
    return QCryptographicHash::hash(token, QCryptographicHash::Sha256);
}

// Revokes a token a superseded refresh brought and nobody took, so that no
// live session is left on the server that this program no longer knows.
void Session::Private::revokeUnclaimed(const QByteArray &token)
{
    const AuthProtocol::Request request = protocol->signOutRequest(token);
    if (!request.request.url().isValid() || refused(request.request.url()))
        return;
    countRevocation(send(request));
}

// The access token of a sign-in nobody takes: revoked too, best effort
// (RFC 7009 §2.1; where the protocol has no endpoint for it, it expires).
void Session::Private::revokeUnclaimedAccess(const QByteArray &token)
{
    if (token.isEmpty() || !Internal::isHeaderSafeAccessToken(token))
        return;
    const AuthProtocol::Request request = protocol->accessTokenRevocationRequest(token);
    if (!request.request.url().isValid() || refused(request.request.url()))
        return;
    countRevocation(send(request));
}

void Session::Private::sendRefresh(quint64 e)
{
    const QByteArray used = refreshToken;
    // This program already refreshed with it (sending it again would look
    // like a stolen token to the server), or the server said when it would
    // stop taking it (a refresh cookie's Max-Age) and that time is past.
    const bool outlived
        = refreshExpiry.isValid() && refreshExpiryOf == fingerprint(used) && now() >= refreshExpiry;
    // A stored token the protocol cannot carry (an entry edited by hand) is not sent either.
    if (spent.contains(fingerprint(used)) || outlived || !protocol->canCarryRefreshToken(used)) {
        if (outlived)
            qCDebug(lcNet) << "the refresh token's lifetime is over; not sent";
        QTimer::singleShot(0, q, [this, e, used] {
            if (e == epoch)
                rejectRefresh(e, used);
        });
        return;
    }
    if (auto it = refreshCalls.find(used); it != refreshCalls.end() && it->reply) {
        it->owner = e;
        pending = it->reply;
        return;
    }
    const AuthProtocol::Request request = protocol->refreshRequest(used);
    if (refused(request.request.url())) {
        AuthProtocol::Outcome outcome;
        outcome.kind = Kind::Misconfigured;
        outcome.error = QStringLiteral("plain http");
        QTimer::singleShot(0, q, [this, e, used, outcome] {
            if (e == epoch)
                onRefreshOutcome(e, used, outcome);
        });
        return;
    }
    const auto sent = [this, used, e](QNetworkReply *reply) {
        // A resend for a DPoP nonce takes the first request's place.
        auto it = refreshCalls.find(used);
        if (it == refreshCalls.end()) {
            pending = reply;
            refreshCalls.insert(used, {reply, e});
            return;
        }
        if (pending == it->reply)
            pending = reply;
        it->reply = reply;
    };
    exchange(request, key, sent, [this, used](QNetworkReply *reply) {
        reply->deleteLater();
        const quint64 owner = refreshCalls.take(used).owner;
        const AuthProtocol::Outcome outcome = read(reply);
        const bool rotated = outcome.kind == Kind::Ok && !outcome.tokens.refreshToken.isEmpty()
            && outcome.tokens.refreshToken != used;
        if (rotated)
            spent.insert(fingerprint(used));
        if (owner != epoch) {
            if (rotated)
                revokeUnclaimed(outcome.tokens.refreshToken);
            return;
        }
        pending = nullptr;
        onRefreshOutcome(owner, used, outcome);
    });
}

void Session::Private::onRefreshOutcome(quint64 e, const QByteArray &used,
                                        const AuthProtocol::Outcome &outcome)
{
    rejection.reset();
    switch (outcome.kind) {
    case Kind::Ok: {
        TokenResponse tokens = outcome.tokens;
        const bool rotated = !tokens.refreshToken.isEmpty() && tokens.refreshToken != used;
        if (tokens.refreshToken.isEmpty())
            tokens.refreshToken = used;
        // The same token with a lifetime that moved from the one stored (a refresh
        // cookie's new Max-Age) is stored again too, so that a restart knows it: at once
        // when it ends sooner, when it ends more than a minute later.
        const QDateTime lifetime = refreshExpiryFor(tokens);
        const bool lifetimeMoved = tokens.refreshExpiresIn
            && (!storedExpiry.isValid() || lifetime < storedExpiry
                || storedExpiry.secsTo(lifetime) > 60);
        if (!rotated && !external && !lifetimeMoved) {
            finishRefresh(e, tokens);
            return;
        }
        // A rotated (or newly accepted) refresh token is stored before the new
        // access token is used: a crash in between still leaves a valid one.
        receivedToken = tokens.refreshToken;
        if (!external && !sharedEntry().isEmpty() && !entryUnchanged()) {
            confirmEntryThenStore(e, used, tokens);
            return;
        }
        storeRefreshed(e, tokens);
        return;
    }
    case Kind::Rejected:
        rejection = outcome;
        rejectRefresh(e, used);
        return;
    case Kind::Misconfigured:
    case Kind::Throttled:
    case Kind::Transient:
    case Kind::Malformed:
        endFlightTransient(outcome);
        return;
    }
}

// Another process on the shared entry may have signed out or signed in while
// this refresh was on the wire (neither waits for the lock): what it did is
// not written over. Still under the lock, the entry must hold the token this
// refresh used. Gone: the other process signed out, and so does this session
// (its new token revoked). Another token: the other process signed in, and
// this session follows the entry, as before any refresh.
void Session::Private::confirmEntryThenStore(quint64 e, const QByteArray &used,
                                             const TokenResponse &tokens)
{
    const bool held = entryHeld;
    storeCall({StoreCall::Read, {}, [this, e, used, tokens, held](const TokenStore::Result &r) {
                   if (e != epoch)
                       return;
                   const bool gone = r.error == TokenStore::Error::NotFound
                       || (r.error == TokenStore::Error::NoError && r.token.isEmpty());
                   const bool other = r.error == TokenStore::Error::NoError && !r.token.isEmpty()
                       && r.token != used;
                   if (!(gone && held) && !other) {
                       storeRefreshed(e, tokens);
                       return;
                   }
                   revokeUnclaimed(tokens.refreshToken);
                   revokeUnclaimedAccess(tokens.accessToken);
                   receivedToken.clear();
                   if (gone) {
                       qCDebug(lcNet) << "another process signed out during the refresh";
                       expire();
                       return;
                   }
                   qCDebug(lcNet) << "another process signed in during the refresh";
                   foreignToken = true;
                   refreshToken = r.token;
                   takeReadKey();
                   sendRefresh(e);
               }});
}

void Session::Private::storeRefreshed(quint64 e, const TokenResponse &tokens)
{
    storeCall({StoreCall::Write, recordToStore(tokens),
               [this, e, tokens](const TokenStore::Result &r) {
                   if (e != epoch)
                       return;
                   keepOrSayUnsaved(r);
                   finishRefresh(e, tokens);
               },
               subjectOf(tokens)});
}

void Session::Private::finishRefresh(quint64 e, const TokenResponse &tokens)
{
    Q_UNUSED(e);
    const bool wasRestoring = restoring;
    restoring = false;
    const bool wasReactive = reactive;
    reactive = false;
    external = false;
    rereadAfterRejection = false;
    adopt(tokens);
    receivedToken.clear();
    releaseLock();
    flight = false;
    retryAttempt = 0;
    if (wasReactive) {
        reactiveGeneration = generation;
        reactiveProven = false;
        reactiveAt.start();
    }
    ++refreshes;
    Q_EMIT q->refreshCountChanged(refreshes);
    apply(SessionInput::RefreshSucceeded);
    Q_EMIT q->activity(Event::RefreshSucceeded, {});
    qCDebug(lcNet) << "refresh succeeded";
    if (wasRestoring) {
        Q_EMIT q->activity(Event::SessionRestored, username);
        Q_EMIT q->signedIn();
    }
    // Requests held for a re-login go out when the same user is back, however
    // the session came back (restore, restoreFrom).
    if (holding)
        release(!identity.isEmpty() && identity == heldFor);
    Q_EMIT q->refreshFinished(true);
}

void Session::Private::rejectRefresh(quint64 e, const QByteArray &used)
{
    if (external || !store) {
        expire();
        return;
    }
    // Still holding the lock: the entry is removed only if it holds the token
    // that was just rejected. A different one was written by a program that
    // does not take the lock (a keyring tool, an older version): try it once
    // before giving up.
    storeCall({StoreCall::Read, {}, [this, e, used](const TokenStore::Result &r) {
                   if (e != epoch)
                       return;
                   const bool ours = r.error == TokenStore::Error::NoError && r.token == used;
                   const bool other = r.error == TokenStore::Error::NoError && !r.token.isEmpty()
                       && r.token != used;
                   if (other && !rereadAfterRejection) {
                       rereadAfterRejection = true;
                       foreignToken = true;
                       refreshToken = r.token;
                       takeReadKey();
                       sendRefresh(e);
                       return;
                   }
                   if (!ours) {
                       expire();
                       return;
                   }
                   storeCall({StoreCall::Remove, {}, [this, e](const TokenStore::Result &) {
                                  if (e == epoch)
                                      expire();
                              }});
               }});
}

void Session::Private::endFlightTransient(const AuthProtocol::Outcome &outcome)
{
    reactive = false;
    external = false;
    rereadAfterRejection = false;
    receivedToken.clear();
    releaseLock();
    flight = false;
    const bool wasRestoring = status == Status::Restoring;
    const bool entryBusy = outcome.error == QLatin1String("entry busy");
    const bool entryUnreadable = outcome.error == QLatin1String("entry unreadable");
    const QString said
        = entryBusy || entryUnreadable ? outcome.message : fromServer(outcome.message);
    Q_EMIT q->activity(Event::RefreshFailed, said);
    qCDebug(lcNet).noquote() << "refresh failed (transient):" << said;
    if (wasRestoring && refreshToken.isEmpty() && !entryBusy) {
        apply(SessionInput::NothingStored);
    } else {
        apply(SessionInput::RefreshTransient);
    }
    switch (outcome.kind) {
    case Kind::Misconfigured:
        if (outcome.error == QLatin1String("plain http"))
            fail(Error::ConfigurationError,
                 Session::tr("The sign-in server's address starts with http://, so the sign-in "
                             "would travel unencrypted. Use its https:// address."),
                 &outcome);
        else
            fail(Error::ConfigurationError,
                 Session::tr("The sign-in server refused this application (%1). Check the "
                             "server address, client id and secret in the settings; you stay "
                             "signed in.")
                     .arg(fromServer(outcome.error)),
                 &outcome);
        break;
    case Kind::Malformed:
        fail(Error::MalformedResponse,
             Session::tr("The sign-in server answered something that could not be read (%1); "
                         "retrying.")
                 .arg(said),
             &outcome);
        break;
    case Kind::Throttled:
        fail(Error::TooManyAttempts,
             Session::tr("The sign-in server asks to wait before trying again; retrying."),
             &outcome);
        break;
    case Kind::Transient:
        if (entryBusy || entryUnreadable) {
            fail(entryBusy ? Error::EntryBusy : Error::KeychainUnavailable, outcome.message);
            break;
        }
        [[fallthrough]];
    default:
        fail(
            Error::NetworkError,
            Session::tr("The sign-in server cannot be reached right now (%1); retrying.").arg(said),
            &outcome);
        break;
    }
    scheduleRetry(outcome.retryAfterSeconds, entryBusy);
    Q_EMIT q->refreshFinished(false);
}

void Session::Private::endFlightNothingStored(Error error, const QString &message)
{
    restoring = false;
    releaseLock();
    flight = false;
    external = false;
    apply(SessionInput::NothingStored);
    fail(error, message);
    Q_EMIT q->refreshFinished(false);
}

void Session::Private::expire()
{
    reactive = false;
    const bool wasRestoring = restoring;
    restoring = false;
    external = false;
    rereadAfterRejection = false;
    releaseLock();
    flight = false;
    // What the server said, checked for the tokens while they are still known.
    const std::optional<AuthProtocol::Outcome> refusal = std::exchange(rejection, std::nullopt);
    const ServerAnswer said = refusal ? answerOf(*refusal) : ServerAnswer {};
    wipe();
    Q_EMIT q->activity(Event::SessionExpired, {});
    // A session that never got going (restore) has nobody to hold requests for.
    if (reauthenticate && !wasRestoring && !holding) {
        holding = true;
        heldFor = identity;
        Q_EMIT q->activity(Event::RequestsHeld, identity);
        holdTimer.start(clampedMs(holdTimeout.count()));
        QTimer::singleShot(0, q, [this] {
            if (holding && reauthenticate)
                reauthenticate();
        });
    }
    apply(wasRestoring ? SessionInput::RestoreRejected : SessionInput::RefreshRejected);
    fail(wasRestoring ? Error::NoStoredSession : Error::SessionExpired,
         Session::tr("Your session has ended. Please sign in again."), said);
    Q_EMIT q->refreshFinished(false);
}

// Whose tokens these are, as adopt() will decide: the access token's sub,
// else the name the sign-in was made with, else (a refresh) the current
// user unless the token came from another process. Empty when unknown.
QString Session::Private::subjectOf(const TokenResponse &tokens) const
{
    // A sign-in whose user was verified (an ID token's sub): that user.
    if (identityVerified && !signInName.isEmpty())
        return signInName;
    const QString subject
        = Internal::unverifiedClaims(tokens.accessToken).value(QLatin1String("sub")).toString();
    // A password sign-in: the server's name for the user, else the one typed.
    if (!signInName.isEmpty())
        return subject.isEmpty() ? signInName : subject;
    // A refresh after a verified sign-in: still that user.
    if (identityVerified && !foreignToken && !identity.isEmpty())
        return identity;
    // A restore or refresh from an entry kept per account: its account,
    // which was verified when it was written.
    if (store) {
        const TokenAccount account = store->selectedAccount();
        if (!account.isNull() && account.issuer == protocol->issuerIdentifier()
            && account.clientId == protocol->clientIdentifier())
            return account.subject;
    }
    if (!subject.isEmpty())
        return subject;
    return foreignToken ? QString() : identity;
}

void Session::Private::adopt(const TokenResponse &tokens)
{
    accessToken = tokens.accessToken;
    // A Bearer answer to a proof: the server does not do DPoP; the token goes
    // out as a bearer token.
    bound = key && tokens.tokenType == "DPoP";
    if (!tokens.refreshToken.isEmpty()) {
        refreshToken = tokens.refreshToken;
        // When the server said how long it lives; a new token without a
        // word about it lives as long as the server lets it.
        refreshExpiry
            = tokens.refreshExpiresIn ? now().addSecs(*tokens.refreshExpiresIn) : QDateTime();
        refreshExpiryOf = tokens.refreshExpiresIn ? fingerprint(refreshToken) : QByteArray();
    }
    ++generation;
    const QJsonObject claims = Internal::unverifiedClaims(accessToken);
    const QString who = subjectOf(tokens);
    if (!who.isEmpty())
        identity = who;
    else if (foreignToken)
        identity.clear(); // another process may have signed in someone else
    // The entry held another user's token (another process signed them in):
    // the one this session held is nobody's now, and is revoked rather than
    // left live on the server. For the same user it was spent by the process
    // that rotated it, or belongs to the user anyway: left alone.
    if (!displacedToken.isEmpty() && !displacedIdentity.isEmpty() && !who.isEmpty()
        && who != displacedIdentity && Internal::isSafeRefreshToken(displacedToken))
        revokeUnclaimed(displacedToken);
    displacedToken.clear();
    displacedIdentity.clear();
    foreignToken = false;
    signInName.clear();
    setUsername(Internal::showable(displayName.isEmpty() ? identity : displayName));

    QDateTime newExpiry;
    if (claims.value(QLatin1String("exp")).isDouble())
        newExpiry = QDateTime::fromSecsSinceEpoch(
            qint64(claims.value(QLatin1String("exp")).toDouble()), Qt::UTC);
    const QDateTime now = this->now();
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

void Session::Private::scheduleRetry(int retryAfterSeconds, bool entryBusy)
{
    watchNetwork();
    // Never sooner than the server's Retry-After (capped at an hour), even
    // when the network comes back before it.
    const qint64 asked = qMin<qint64>(qint64(retryAfterSeconds) * 1000, 3600 * 1000);
    retryNotBefore = QDeadlineTimer(asked);
    if (networkDown) {
        // Nothing to try while there is no network: the retry waits for it
        // to come back, and the backoff does not grow meanwhile.
        retryParked = true;
        return;
    }
    // Waiting for another process on the entry costs nothing but a look at
    // its lock file, and the backoff does not grow meanwhile.
    if (entryBusy) {
        retryTimer.start(entryRecheckMs);
        return;
    }
    // 1 s, 2 s, 4 s … capped at 60 s, with ±20 % jitter so that many clients
    // do not come back at the same instant.
    const int base = 1000 * (1 << qMin(retryAttempt, 6));
    const int capped = qMin(base, 60000);
    const double jitter = 0.8 + 0.4 * QRandomGenerator::global()->generateDouble();
    ++retryAttempt;
    retryTimer.start(clampedMs(qMax<qint64>(qint64(capped * jitter), asked)));
}

void Session::Private::scheduleProactiveRefresh()
{
    proactiveTimer.stop();
    refreshDue = QDateTime();
    if (!expiry.isValid())
        return;
    const QDateTime now = this->now();
    const qint64 remaining = now.msecsTo(expiry);
    if (remaining <= 0) {
        // Expired on arrival (a server clock far off, or a broken server):
        // refreshing ahead of time would loop. The first 401 refreshes.
        qCDebug(lcNet) << "the new access token is already past its expiry";
        return;
    }
    const qint64 leadMs = lead.count() > 0 ? lead.count() : qMax<qint64>(remaining / 10, 200);
    // At the latest halfway through what is left.
    const qint64 wait = qMax(remaining - leadMs, remaining / 2);
    refreshDue = now.addMSecs(wait);
    proactiveTimer.start(clampedMs(wait));
    watchClock();
}

// The wall clock against the monotonic one: when the wall clock moved on
// further than the monotonic clock (the machine slept, or the clock was set
// forward), the proactive timer is late by that much; the refresh is
// re-timed by the wall clock at once.
void Session::Private::watchClock()
{
    wallAtCheck = now();
    monotonic.start();
    if (!clockWatch.isActive())
        clockWatch.start();
}

void Session::Private::checkClock()
{
    if (!refreshDue.isValid()) {
        clockWatch.stop();
        return;
    }
    const QDateTime wall = now();
    const qint64 jumpMs = wallAtCheck.msecsTo(wall) - monotonic.restart();
    wallAtCheck = wall;
    if (jumpMs < clockJumpMs)
        return;
    qCDebug(lcNet) << "the wall clock moved" << jumpMs / 1000
                   << "s further than the monotonic one (resume or clock change)";
    if (status != Status::SignedIn || flight || refreshToken.isEmpty())
        return;
    const qint64 left = wall.msecsTo(refreshDue);
    if (left <= 0)
        startFlight(QStringLiteral("resumed"));
    else
        proactiveTimer.start(clampedMs(left));
}

// Where the platform reports connectivity (QNetworkInformation with a
// reachability backend), it drives networkChanged().
void Session::Private::watchNetwork()
{
    if (watchingNetwork)
        return;
    watchingNetwork = true;
    if (!QNetworkInformation::instance()
        && !QNetworkInformation::loadBackendByFeatures(QNetworkInformation::Feature::Reachability))
        return;
    QNetworkInformation *information = QNetworkInformation::instance();
    const auto reachable = [](QNetworkInformation::Reachability reachability) {
        return reachability != QNetworkInformation::Reachability::Disconnected;
    };
    if (information->reachability() != QNetworkInformation::Reachability::Unknown)
        networkDown = !reachable(information->reachability());
    QObject::connect(information, &QNetworkInformation::reachabilityChanged, q,
                     [this, reachable](QNetworkInformation::Reachability reachability) {
                         if (reachability != QNetworkInformation::Reachability::Unknown)
                             networkChanged(reachable(reachability));
                     });
}

// Going offline parks a scheduled retry instead of letting it fail and
// lengthen the backoff; coming back retries at once.
void Session::Private::networkChanged(bool online)
{
    // The platform's first reading, if any, comes before this report, not
    // after it (it would overwrite it).
    watchNetwork();
    const bool cameBack = online && networkDown;
    networkDown = !online;
    if (!online) {
        if (retryTimer.isActive()) {
            retryTimer.stop();
            retryParked = true;
        }
        return;
    }
    // Only a network that was down and is back retries early; and never
    // before a server's Retry-After, however often the network flaps.
    if (!cameBack || status != Status::Offline || flight || !retryScheduled() || !canRetry())
        return;
    stopRetry();
    if (!retryNotBefore.hasExpired()) {
        retryTimer.start(clampedMs(retryNotBefore.remainingTime()));
        return;
    }
    startFlight(QStringLiteral("network back"));
}

void Session::setNetworkReachable(bool reachable)
{
    d->networkChanged(reachable);
}

Session::Session(std::unique_ptr<AuthProtocol> protocol, TokenStore *store, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->q = this;
    d->clockWatch.setInterval(Private::clockCheckMs);
    d->clockWatch.setTimerType(Qt::CoarseTimer);
    connect(&d->clockWatch, &QTimer::timeout, this, [this] { d->checkClock(); });
    d->protocol = std::move(protocol);
    d->store = store;
    d->selectRealm();
    d->proactiveTimer.setSingleShot(true);
    d->retryTimer.setSingleShot(true);
    // Not a coarse timer: that may fire 5% early, before a server's Retry-After.
    d->retryTimer.setTimerType(Qt::PreciseTimer);
    d->holdTimer.setSingleShot(true);
    d->storeDeadline.setSingleShot(true);
    d->lockPoll.setSingleShot(true);
    connect(&d->lockPoll, &QTimer::timeout, this, [this] { d->tryLock(); });
    connect(&d->holdTimer, &QTimer::timeout, this, [this] { d->release(false); });
    connect(&d->proactiveTimer, &QTimer::timeout, this, [this] {
        if (!d->flight && d->status == Status::SignedIn && !d->refreshToken.isEmpty())
            d->startFlight(QStringLiteral("proactive"));
    });
    connect(&d->retryTimer, &QTimer::timeout, this, [this] {
        if (d->flight || d->status != Status::Offline || !d->canRetry())
            return;
        if (d->entryHeldTooLong()) {
            d->retryTimer.start(Private::entryRecheckMs);
            return;
        }
        d->startFlight(QStringLiteral("retry"));
    });
    connect(&d->storeDeadline, &QTimer::timeout, this, [this] {
        if (!d->storeGraceTaken) {
            d->storeGraceTaken = true;
            d->storeDeadline.start(Internal::deadlineGrace(clampedMs(d->timeout.count())));
            return;
        }
        if (auto finish = d->storeFinish)
            finish({TokenStore::Error::Unavailable,
                    {},
                    QStringLiteral("the token store did not answer in time")});
    });
}

Session::~Session()
{
    ++d->epoch;
    for (const auto &call : std::as_const(d->refreshCalls)) {
        if (call.reply)
            call.reply->disconnect(this);
    }
    if (d->pending) {
        d->pending->disconnect(this);
        d->pending->abort();
    }
    d->releaseLock();
}

bool Session::isSettling() const
{
    return d->flight || d->storeBusy || !d->storeCalls.empty() || d->signOutsUnderWay > 0
        || d->revocationsUnderWay > 0;
}

bool Session::waitUntilSettled(std::chrono::milliseconds timeout)
{
    // The program is quitting: another process's lock is waited for a few
    // seconds at most (a working holder is storing its token), then a
    // sign-out's or sign-in's store calls go on without it and a refresh that
    // has sent nothing yet ends offline.
    d->quitting = true;
    if (d->lockThen)
        d->tryLock();
    if (!isSettling())
        return true;
    QPointer<Session> guard(this);
    QEventLoop loop;
    QTimer poll;
    connect(&poll, &QTimer::timeout, &loop, [guard, &loop] {
        // Called from inside a queued call, a nested loop on the GLib
        // dispatcher does not deliver the calls queued before it, the
        // session's next store step among them: delivered here.
        QCoreApplication::sendPostedEvents();
        if (!guard || !guard->isSettling())
            loop.quit();
    });
    poll.start(10);
    QTimer::singleShot(timeout, &loop, &QEventLoop::quit);
    loop.exec(QEventLoop::ExcludeUserInputEvents);
    return !guard || !isSettling();
}

Session::Status Session::status() const
{
    return d->status;
}
QString Session::username() const
{
    return d->username;
}
QString Session::identity() const
{
    return d->identity;
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

Session::ServerAnswer Session::lastServerAnswer() const
{
    return d->lastAnswer;
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
    return d->flight;
}

void Session::setRequestTimeout(std::chrono::milliseconds timeout)
{
    d->timeout = timeout;
}

void Session::setPlainHttpAllowed(bool allowed)
{
    d->plainHttp = allowed;
}

bool Session::isPlainHttpAllowed() const
{
    return d->plainHttp;
}

void Session::setProofOfPossession(bool enabled)
{
    d->proofOfPossession = enabled;
}

bool Session::isProofOfPossessionEnabled() const
{
    return d->proofOfPossession;
}

bool Session::isAccessTokenBound() const
{
    return d->bound;
}

int Session::nonceResendCount() const
{
    return d->nonceResends;
}

std::shared_ptr<Internal::DpopKey> Session::newProofKey() const
{
    return d->proofOfPossession ? Internal::DpopKey::generate() : nullptr;
}

QByteArray Session::proofWith(const Internal::DpopKey *key, const QByteArray &method,
                              const QUrl &url, const QByteArray &accessToken) const
{
    return key ? key->proof(method, url, accessToken, d->nonces.nonceFor(url)) : QByteArray();
}

QByteArray Session::authorization(bool proof) const
{
    if (d->authorizationOf != d->generation || d->authorizationProof != proof) {
        d->authorization = (proof ? "DPoP " : "Bearer ") + d->accessToken;
        d->authorizationOf = d->generation;
        d->authorizationProof = proof;
    }
    return d->authorization;
}

QByteArray Session::accessTokenProof(const QByteArray &method, const QUrl &url) const
{
    if (!d->bound || !d->key || d->accessToken.isEmpty())
        return {};
    return d->key->proof(method, url, d->accessToken, d->nonces.nonceFor(url));
}

void Session::learnNonce(const QNetworkReply *reply)
{
    d->nonces.learn(reply);
}

void Session::countNonceResend()
{
    ++d->nonceResends;
}

void Session::setProactiveLead(std::chrono::milliseconds lead)
{
    d->lead = lead;
    if (d->status == Status::SignedIn && !d->flight)
        d->scheduleProactiveRefresh();
}

void Session::setTokenStore(TokenStore *store)
{
    d->store = store;
    d->selectRealm();
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

bool Session::isObserved() const
{
    static const QMetaMethod signal = QMetaMethod::fromSignal(&Session::activity);
    return isSignalConnected(signal);
}

void Session::record(Event event, const QString &detail)
{
    if (event == Event::Replayed) {
        ++d->replays;
        Q_EMIT replayCountChanged(d->replays);
    }
    Q_EMIT activity(event, detail);
}

Session::Healing Session::heal(int sentGeneration)
{
    if (d->holding)
        return Healing::WaitForRelease;
    if (d->flight)
        return Healing::WaitForRefresh;
    if (sentGeneration >= 0 && sentGeneration < d->generation && !d->accessToken.isEmpty())
        return Healing::Replay; // sent with a token that has since been replaced
    if (d->status == Status::Offline && d->retryScheduled()) {
        // Joins the scheduled retry, if the application lets requests wait.
        return d->offlineWait.count() > 0 ? Healing::WaitForRefresh : Healing::Unreachable;
    }
    if (d->refreshToken.isEmpty() || d->status == Status::SigningIn)
        return Healing::GiveUp;
    if (sentGeneration == d->reactiveGeneration && !d->reactiveProven && d->reactiveAt.isValid()
        && d->reactiveAt.elapsed() < reactiveQuietMs)
        return Healing::GiveUp; // the token a refresh just brought is rejected too
    d->rejectedGeneration = sentGeneration;
    d->startFlight({}, true);
    return Healing::WaitForRefresh;
}

void Session::setClock(std::function<QDateTime()> clock)
{
    d->clock = clock ? std::move(clock) : [] { return QDateTime::currentDateTimeUtc(); };
}

bool Session::isRefreshDue() const
{
    return d->status == Status::SignedIn && !d->flight && !d->refreshToken.isEmpty()
        && d->refreshDue.isValid() && d->now() >= d->refreshDue;
}

bool Session::refreshIfDue()
{
    if (!isRefreshDue())
        return false;
    d->startFlight(QStringLiteral("due by the clock"));
    return d->flight;
}

bool Session::tokenUnusable() const
{
    return d->status == Status::Offline
        && (d->accessToken.isEmpty() || d->rejectedGeneration == d->generation);
}

void Session::proven(int generation)
{
    if (generation == d->reactiveGeneration)
        d->reactiveProven = true;
}

void Session::signIn(const QString &username, const QString &password)
{
    signInWithGrant(d->protocol->signInRequest(username, password), username);
    d->signInSecret = password;
}

void Session::Private::completeSignIn(quint64 e, const TokenResponse &tokens,
                                      const std::shared_ptr<Internal::DpopKey> &grantKey)
{
    // The family keeps the key only when its tokens are bound to it.
    key = tokens.tokenType == "DPoP" ? grantKey : nullptr;
    signInKey.reset();
    auto done = [this, e, tokens] {
        if (e != epoch)
            return;
        receivedToken.clear();
        refreshToken.clear();
        identity.clear();
        adopt(tokens);
        reactiveGeneration = -1;
        apply(SessionInput::SignInSucceeded);
        Q_EMIT q->activity(Event::SignedIn, username);
        Q_EMIT q->signedIn();
        // Held requests only go out for the identity that made them.
        if (holding)
            release(!identity.isEmpty() && identity == heldFor);
    };
    if (tokens.refreshToken.isEmpty()) {
        done();
        return;
    }
    receivedToken = tokens.refreshToken;
    // Under the entry's lock: another process's refresh that is storing its
    // new token finishes first, and this write comes after it. The token the
    // entry held is revoked once this one replaces it: every session on the
    // entry follows what it holds, so nobody goes on with the old one, and it
    // is not left live on the server.
    // A keychain that answers the read only after its deadline (stalled
    // longer than the request timeout) still names the token replaced, as
    // long as the write has not answered yet.
    auto replaced = std::make_shared<QByteArray>();
    auto written = std::make_shared<bool>(false);
    const auto noteReplaced = [replaced, written](const TokenStore::Result &r) {
        if (!*written && r.error == TokenStore::Error::NoError
            && Internal::isSafeRefreshToken(r.token))
            *replaced = r.token;
    };
    std::vector<StoreCall> write;
    write.push_back({StoreCall::Read,
                     {},
                     [this, noteReplaced](const TokenStore::Result &r) {
                         readKey.clear(); // a DPoP key beside it is not this sign-in's
                         noteReplaced(r);
                     },
                     subjectOf(tokens),
                     noteReplaced});
    write.push_back({StoreCall::Write, recordToStore(tokens),
                     [this, e, done, replaced, written,
                      token = tokens.refreshToken](const TokenStore::Result &r) {
                         *written = true;
                         if (r.error == TokenStore::Error::NoError && !replaced->isEmpty()
                             && *replaced != token)
                             revokeUnclaimed(*replaced);
                         if (e != epoch)
                             return;
                         keepOrSayUnsaved(r);
                         done();
                     },
                     subjectOf(tokens)});
    storeUnderLock(std::move(write));
}

quint64 Session::beginExternalSignIn()
{
    // Supersedes everything under way, like signIn(): a sign-out or another
    // sign-in that comes after this supersedes it in turn.
    const quint64 e = ++d->epoch;
    const bool waited = d->cancelOperation();
    d->revokeReceived();
    d->wipe();
    d->identity.clear();
    d->identityVerified = false;
    d->signInName.clear();
    d->displayName.clear();
    d->apply(SessionInput::SignInStarted);
    if (waited)
        d->abandonWaiters();
    return e;
}

bool Session::completeExternalSignIn(quint64 ticket, const TokenResponse &tokens,
                                     const QString &identity, const QString &displayName,
                                     const std::shared_ptr<Internal::DpopKey> &key)
{
    if (ticket != d->epoch || d->status != Status::SigningIn) {
        // Superseded: what the server issued for it is not left live there.
        if (!tokens.refreshToken.isEmpty() && Internal::isSafeRefreshToken(tokens.refreshToken))
            d->revokeUnclaimed(tokens.refreshToken);
        d->revokeUnclaimedAccess(tokens.accessToken);
        return false;
    }
    if (tokens.accessToken.isEmpty() || !Internal::isHeaderSafeAccessToken(tokens.accessToken)
        || !Internal::isSafeRefreshToken(tokens.refreshToken)) {
        d->apply(d->holding ? SessionInput::SignInFailedWhileHeld : SessionInput::SignInFailed);
        d->fail(Error::MalformedResponse,
                tr("The server sent a token with characters a token cannot contain."));
        return true;
    }
    if (tokens.tokenType == "DPoP" && !key) {
        if (!tokens.refreshToken.isEmpty())
            d->revokeUnclaimed(tokens.refreshToken);
        d->apply(d->holding ? SessionInput::SignInFailedWhileHeld : SessionInput::SignInFailed);
        d->fail(Error::MalformedResponse,
                tr("The server sent a token of a type this program does not use (DPoP)."));
        return true;
    }
    d->signInName = identity;
    d->identityVerified = !identity.isEmpty();
    d->displayName = displayName;
    d->completeSignIn(ticket, tokens, key);
    return true;
}

void Session::abandonExternalSignIn(quint64 ticket)
{
    if (ticket != d->epoch || d->status != Status::SigningIn)
        return;
    ++d->epoch;
    d->apply(d->holding ? SessionInput::SignInFailedWhileHeld : SessionInput::SignInFailed);
}

void Session::signInWithTokens(const TokenResponse &tokens, const QString &identity,
                               const QString &displayName)
{
    const quint64 ticket = beginExternalSignIn();
    // From the event loop, like every other outcome.
    QTimer::singleShot(0, this, [this, ticket, tokens, identity, displayName] {
        completeExternalSignIn(ticket, tokens, identity, displayName);
    });
}

void Session::signInWithGrant(const AuthProtocol::Request &grant, const QString &username)
{
    // Supersedes everything under way; requests held for a re-login stay held.
    const bool held = d->holding;
    const quint64 e = ++d->epoch;
    const bool waited = d->cancelOperation();
    d->revokeReceived();
    // The session in memory ends here: no request goes out with the old
    // user's token while the new one signs in. The store keeps its entry
    // until the new token replaces it (restore() can bring it back).
    d->wipe();
    d->identity.clear(); // whoever signs in now, requests made from here on are theirs
    d->identityVerified = false;
    d->signInName = username;
    d->displayName.clear();
    // DPoP: a new key for the new session family.
    if (d->proofOfPossession)
        d->signInKey = Internal::DpopKey::generate();
    d->apply(SessionInput::SignInStarted);
    if (waited)
        d->abandonWaiters();
    const AuthProtocol::Request &request = grant;
    if (d->refused(request.request.url())) {
        const SessionInput failed
            = held ? SessionInput::SignInFailedWhileHeld : SessionInput::SignInFailed;
        QTimer::singleShot(0, this, [this, e, failed] {
            if (e != d->epoch)
                return;
            d->signInName.clear();
            d->apply(failed);
            d->fail(Error::ConfigurationError,
                    tr("The server's address starts with http://, so your sign-in would travel "
                       "unencrypted. Use its https:// address."));
        });
        return;
    }
    const std::shared_ptr<Internal::DpopKey> proofKey = d->signInKey;
    const auto sent = [this](QNetworkReply *reply) { d->pending = reply; };
    d->exchange(request, proofKey, sent, [this, e, held, proofKey](QNetworkReply *reply) {
        reply->deleteLater();
        if (e != d->epoch)
            return;
        d->pending = nullptr;
        const auto outcome = d->read(reply);
        // The password is kept only until its answer has been checked for it.
        const auto forget = qScopeGuard([this] { d->signInSecret.clear(); });
        const SessionInput failed
            = held ? SessionInput::SignInFailedWhileHeld : SessionInput::SignInFailed;
        switch (outcome.kind) {
        case Kind::Ok:
            d->completeSignIn(e, outcome.tokens, proofKey);
            return;
        case Kind::Rejected:
            d->signInName.clear();
            d->apply(failed);
            d->fail(Error::InvalidCredentials,
                    tr("The username or password is wrong. Check them and try again."), &outcome);
            return;
        case Kind::Misconfigured:
            d->signInName.clear();
            d->apply(failed);
            if (outcome.error == QLatin1String("unsupported_grant_type"))
                d->fail(Error::ConfigurationError,
                        tr("This server does not accept a password sign-in. Sign in through "
                           "the browser instead, or check the protocol in the settings."),
                        &outcome);
            else
                d->fail(Error::ConfigurationError,
                        tr("The server refused this application (%1). Check the server "
                           "address, client id and secret in the settings.")
                            .arg(d->fromServer(outcome.error)),
                        &outcome);
            return;
        case Kind::Throttled:
            d->signInName.clear();
            d->apply(failed);
            d->fail(Error::TooManyAttempts,
                    tr("Too many failed attempts. Wait %n second(s) and try again.", nullptr,
                       qMax(1, outcome.retryAfterSeconds)),
                    &outcome);
            return;
        case Kind::Malformed:
            d->signInName.clear();
            d->apply(failed);
            d->fail(Error::MalformedResponse,
                    tr("The server answered something that could not be read. Check the server "
                       "address."),
                    &outcome);
            return;
        case Kind::Transient:
            d->signInName.clear();
            d->apply(failed);
            d->fail(reply->error() == QNetworkReply::OperationCanceledError ? Error::Timeout
                                                                            : Error::NetworkError,
                    tr("The server cannot be reached (%1). Check your connection and the server "
                       "address.")
                        .arg(d->fromServer(outcome.message)),
                    &outcome);
            return;
        }
    });
}

void Session::restore()
{
    switch (d->status) {
    case Status::SignedIn:
    case Status::Refreshing:
    case Status::Offline:
    case Status::Restoring:
        return; // already there, or on the way: joins
    case Status::SigningIn:
        qCDebug(lcNet) << "restore() ignored: a sign-in is under way";
        return;
    case Status::SignedOut:
    case Status::Expired:
        break;
    }
    if (d->flight)
        return;
    if (!d->store) {
        // Like every other outcome, from the event loop: never before the call returns.
        QTimer::singleShot(
            0, this, [this] { d->fail(Error::NoStoredSession, tr("There is no saved session.")); });
        return;
    }
    d->apply(SessionInput::RestoreStarted);
    d->startFlight({});
    d->restoring = true;
}

void Session::restoreFrom(const QByteArray &refreshToken)
{
    // A token from elsewhere comes without a DPoP key: it refreshes as a
    // bearer token.
    if (refreshToken.isEmpty() || !Internal::isSafeRefreshToken(refreshToken)
        || !d->protocol->canCarryRefreshToken(refreshToken)) {
        const QString message = refreshToken.isEmpty()
            ? tr("There is no saved session.")
            : tr("The refresh token contains characters a token cannot contain.");
        QTimer::singleShot(0, this, [this, message] { d->fail(Error::NoStoredSession, message); });
        return;
    }
    if (refreshToken == d->refreshToken && d->status != Status::SignedOut
        && d->status != Status::Expired && d->status != Status::SigningIn)
        return; // the same session: joins whatever is under way
    ++d->epoch;
    const bool waited = d->cancelOperation();
    d->revokeReceived(refreshToken);
    if (d->status != Status::SignedOut && d->status != Status::Expired)
        d->wipe();
    // Whose token this is only the server's answer can tell.
    d->identity.clear();
    d->identityVerified = false;
    d->displayName.clear();
    d->setUsername({});
    d->key.reset();
    d->bound = false;
    d->refreshToken = refreshToken;
    d->external = true;
    d->apply(SessionInput::RestoreFromStarted);
    d->startFlight({});
    d->restoring = true;
    if (waited)
        d->abandonWaiters();
}

void Session::refresh()
{
    if (d->flight)
        return;
    if (d->status == Status::Offline && d->retryScheduled())
        return; // joins the scheduled retry
    if (!d->canRetry() || d->status == Status::SigningIn || d->status == Status::SignedOut
        || d->status == Status::Expired) {
        QTimer::singleShot(0, this, [this] { Q_EMIT refreshFinished(false); });
        return;
    }
    d->startFlight({});
}

void Session::signOut()
{
    ++d->epoch;
    const bool waited = d->cancelOperation();
    QList<QByteArray> tokens;
    for (const QByteArray &token : {d->receivedToken, d->refreshToken}) {
        if (!token.isEmpty() && !tokens.contains(token))
            tokens.append(token);
    }
    const QByteArray accessToken = d->accessToken;
    d->wipe();
    d->identity.clear();
    d->identityVerified = false;
    d->signInName.clear();
    d->displayName.clear();
    d->setUsername({});
    d->release(false);
    QPointer<Session> guard(this);
    d->apply(SessionInput::SignOutStarted);
    if (!guard)
        return; // deleted by a handler of statusChanged(); deleteLater() lets the cleanup run
    if (waited)
        d->abandonWaiters();
    if (!guard)
        return;

    // The cleanup is not an operation a later one can supersede: it runs to
    // its end even when the user signs in again straight away.
    struct Cleanup
    {
        QList<QByteArray> revoked;
        int pending = 2; // the store's read and its removal
        QStringList problems;
        QString storeProblem;
    };
    auto cleanup = std::make_shared<Cleanup>();
    ++d->signOutsUnderWay;
    auto maybeDone = [this, guard, cleanup] {
        if (!guard || cleanup->pending > 0)
            return;
        --d->signOutsUnderWay;
        if (!cleanup->storeProblem.isEmpty())
            d->fail(Error::KeychainUnavailable,
                    tr("You are signed out, but the saved sign-in could not be removed from the "
                       "keychain (%1). It is removed the next time the keychain can be reached.")
                        .arg(cleanup->storeProblem));
        if (!cleanup->problems.isEmpty())
            d->fail(Error::RevocationFailed,
                    tr("You are signed out on this computer, but the server could not be told "
                       "(%1). The sign-in stays valid there until it expires.")
                        .arg(cleanup->problems.join(QLatin1String("; "))));
        Q_EMIT activity(Event::SignedOut, {});
        Q_EMIT signedOut();
    };
    auto revoke = [this, cleanup, maybeDone](const QByteArray &token) {
        if (cleanup->revoked.contains(token))
            return;
        cleanup->revoked.append(token);
        const AuthProtocol::Request request = d->protocol->signOutRequest(token);
        if (!request.request.url().isValid()) {
            if (!cleanup->problems.contains(QLatin1String("no revocation endpoint")))
                cleanup->problems.append(QStringLiteral("no revocation endpoint"));
            return;
        }
        if (d->refused(request.request.url())) {
            if (!cleanup->problems.contains(QLatin1String("not sent over plain http")))
                cleanup->problems.append(QStringLiteral("not sent over plain http"));
            return;
        }
        ++cleanup->pending;
        QNetworkReply *reply = d->send(request);
        connect(reply, &QNetworkReply::finished, this, [reply, cleanup, maybeDone] {
            reply->deleteLater();
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            if (status < 200 || status >= 300) {
                cleanup->problems.append(status == 0 ? Internal::networkErrorText(reply->error())
                                                     : QStringLiteral("HTTP %1").arg(status));
            }
            --cleanup->pending;
            maybeDone();
        });
    };
    for (const QByteArray &token : std::as_const(tokens))
        revoke(token);
    // Then the access token, best effort (RFC 7009 §2.1): its answer changes
    // nothing, it expires soon anyway.
    if (!accessToken.isEmpty()) {
        const AuthProtocol::Request request
            = d->protocol->accessTokenRevocationRequest(accessToken);
        if (request.request.url().isValid() && !d->refused(request.request.url())) {
            QNetworkReply *reply = d->send(request);
            connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
        }
    }
    // Another process on the same entry may have rotated the token since this
    // one last refreshed: what the entry holds is revoked too. The read and
    // the removal are queued together, so a sign-in that follows at once
    // writes its token after the removal, never before it.
    std::vector<Private::StoreCall> readAndRemove;
    readAndRemove.push_back({Private::StoreCall::Read,
                             {},
                             [guard, cleanup, revoke, maybeDone](const TokenStore::Result &r) {
                                 if (guard) // a DPoP key beside it is forgotten
                                     guard->d->readKey.clear();
                                 if (guard && r.error == TokenStore::Error::NoError
                                     && !r.token.isEmpty() && Internal::isSafeRefreshToken(r.token))
                                     revoke(r.token);
                                 --cleanup->pending;
                                 maybeDone();
                             }});
    readAndRemove.push_back(
        {Private::StoreCall::Remove, {}, [cleanup, maybeDone](const TokenStore::Result &r) {
             if (r.error != TokenStore::Error::NoError && r.error != TokenStore::Error::NotFound)
                 cleanup->storeProblem = r.errorString;
             --cleanup->pending;
             maybeDone();
         }});
    d->storeUnderLock(std::move(readAndRemove));
}

} // namespace SilentAuth
