#include <silentauth/authnetworkaccessmanager.h>

#include <silentauth/authprotocol.h>
#include <silentauth/session.h>

#include "authreply_p.h"
#include "protocolsupport_p.h"

#include <QtCore/QLoggingCategory>
#include <QtCore/QMetaMethod>
#include <QtCore/QPointer>
#include <QtCore/QThread>
#include <QtNetwork/QAuthenticator>
#include <QtNetwork/QHostAddress>

Q_DECLARE_LOGGING_CATEGORY(lcNet)

namespace SilentAuth {

namespace {

// Requests that carry the token are handed to QNetworkAccessManager a few
// at a time per origin: enough to keep every connection busy with one more
// waiting behind it, and no more, so that when the token stops being
// accepted, only those already handed over collect a 401. The rest wait
// here and leave with the new token.
constexpr int defaultHttp1Window = 12; // Qt opens six connections per HTTP/1.1 origin
constexpr int http2Window = 100; // concurrent streams Qt allows on its HTTP/2 connection

} // namespace

QString Internal::originOf(const QUrl &url)
{
    const int defaultPort = url.scheme() == QLatin1String("https") ? 443 : 80;
    return url.scheme().toLower() + QLatin1String("://") + url.host().toLower() + QLatin1Char(':')
        + QString::number(url.port(defaultPort));
}

struct AuthNetworkAccessManager::Private
{
    // An allow-listed origin, taken apart once: every request is checked
    // against these, so the check builds no string and parses no address.
    struct Origin
    {
        QString scheme;
        QString host;
        int port;
        bool plainRemote; // http to a host that is not loopback
        QString key; // Internal::originOf()
    };
    QPointer<Session> session;
    QList<Origin> allowed;
    QSet<AuthReply *> replies; // alive, whatever their state
    struct Lane
    {
        int inFlight = 0;
        int window = 0; // set when the lane is made
        bool http2 = false;
        QList<QPointer<AuthReply>> waiting;
    };
    QHash<QString, Lane> lanes;
    bool pumpPosted = false;
    bool closing = false;
    qint64 maximumReplayBody = qint64(256) * 1024 * 1024;
    int http1Window = defaultHttp1Window;
    bool warnedThread = false;
    QMetaObject::Connection callersReply; // see nameCallersReply()

    static int portOf(const QUrl &url, const QString &scheme)
    {
        return url.port(scheme == QLatin1String("https") ? 443 : 80);
    }
    void allow(const QUrl &url, bool warn = true)
    {
        const QString scheme = url.scheme().toLower();
        Origin origin {scheme, url.host().toLower(), portOf(url, scheme),
                       Internal::isPlainHttpToRemoteHost(url), Internal::originOf(url)};
        if (warn && origin.plainRemote && !(session && session->isPlainHttpAllowed()))
            qCWarning(lcNet).noquote()
                << "no token goes to" << Internal::originOf(url)
                << "over plain http unless Session::setPlainHttpAllowed(true); use https";
        for (const Origin &known : std::as_const(allowed)) {
            if (known.port == origin.port && known.scheme == origin.scheme
                && known.host == origin.host)
                return;
        }
        allowed.append(std::move(origin));
    }
};

AuthNetworkAccessManager::AuthNetworkAccessManager(Session *session, QObject *parent)
    : QNetworkAccessManager(parent)
    , d(std::make_unique<Private>())
{
    d->session = session;
    // By default the token goes to the auth server's own origins only.
    if (session) {
        for (const auto &endpoint : session->protocol().endpoints())
            d->allow(endpoint, false);
        if (session->thread() != thread())
            qCWarning(lcNet) << "AuthNetworkAccessManager: the Session lives in another thread; "
                                "requests from this thread fail";
        connect(session, &Session::statusChanged, this, &AuthNetworkAccessManager::sessionChanged);
    }
    nameCallersReply();
}

// QNetworkAccessManager emits authenticationRequired() with the reply that met
// the challenge, which for a request with the token is the one this manager
// made for it, not the caller's. Connections are called in the order they were
// made and share the signal's arguments, so the first one puts the caller's
// reply in its place before any other sees it.
void AuthNetworkAccessManager::nameCallersReply()
{
    d->callersReply = connect(
        this, &QNetworkAccessManager::authenticationRequired, this,
        [this](QNetworkReply *const &reply, QAuthenticator *) {
            for (AuthReply *callers : std::as_const(d->replies)) {
                if (callers->isCarriedBy(reply)) {
                    // The argument the signal passes on, not a copy of it.
                    const_cast<QNetworkReply *&>(reply) = callers;
                    return;
                }
            }
        },
        Qt::DirectConnection);
}

// A caller that disconnects every receiver of authenticationRequired() takes
// the first connection with them; it is made again, first once more.
void AuthNetworkAccessManager::disconnectNotify(const QMetaMethod &signal)
{
    QNetworkAccessManager::disconnectNotify(signal);
    // An invalid \a signal: every signal was disconnected at once.
    if ((!signal.isValid()
         || signal == QMetaMethod::fromSignal(&QNetworkAccessManager::authenticationRequired))
        && !d->callersReply && QThread::currentThread() == thread())
        nameCallersReply();
}

// After a sign-out no request leaves with the token, not even one that was
// queued before it. A new sign-in or a restore from another token ends the
// old session as well: what has not left with its token waits for the new
// one, like a request made during it, and once another user is signed in,
// nothing of the last one's is still on the wire.
// Every reply is decided first and only then ended: a caller's handler may
// sign in again, sign out, or delete the manager, and none of that changes
// what this status change decided.
void AuthNetworkAccessManager::sessionChanged(Session::Status status)
{
    QList<QPointer<AuthReply>> ended;
    const auto replies = d->replies;
    for (AuthReply *reply : replies) {
        switch (status) {
        case Session::Status::SignedOut:
            if (reply->withdrawForSignOut())
                ended.append(reply);
            break;
        case Session::Status::SigningIn:
        case Session::Status::Restoring:
            reply->holdForSignIn(); // ends nothing, calls nobody
            break;
        case Session::Status::SignedIn:
            if (reply->withdrawFromAnotherUser())
                ended.append(reply);
            break;
        default:
            break;
        }
    }
    const QPointer<AuthNetworkAccessManager> self(this);
    for (const QPointer<AuthReply> &reply : std::as_const(ended)) {
        if (!self)
            return;
        if (reply)
            reply->endWithdrawn();
    }
}

AuthNetworkAccessManager::~AuthNetworkAccessManager()
{
    // QNetworkAccessManager deletes its replies after this destructor, when
    // the list they unregister from is gone: delete ours now.
    d->closing = true; // a place freed now goes to nobody
    const auto replies = d->replies;
    for (AuthReply *reply : replies)
        delete reply;
}

Session *AuthNetworkAccessManager::session() const
{
    return d->session;
}

void AuthNetworkAccessManager::setAllowedOrigins(const QList<QUrl> &origins)
{
    d->allowed.clear();
    for (const auto &url : origins)
        d->allow(url);
}

void AuthNetworkAccessManager::addAllowedOrigin(const QUrl &url)
{
    d->allow(url);
}

bool AuthNetworkAccessManager::isAllowed(const QUrl &url) const
{
    return !allowedOrigin(url).isEmpty();
}

QString AuthNetworkAccessManager::allowedOrigin(const QUrl &url) const
{
    if (!url.isValid())
        return {};
    const QString host = url.host();
    if (host.isEmpty())
        return {};
    const QString scheme = url.scheme();
    const int port = Private::portOf(url, scheme);
    for (const Private::Origin &origin : std::as_const(d->allowed)) {
        if (origin.port == port && origin.scheme.compare(scheme, Qt::CaseInsensitive) == 0
            && origin.host.compare(host, Qt::CaseInsensitive) == 0) {
            if (origin.plainRemote && !(d->session && d->session->isPlainHttpAllowed()))
                return {};
            return origin.key;
        }
    }
    return {};
}

void AuthNetworkAccessManager::setMaximumReplayBodySize(qint64 bytes)
{
    d->maximumReplayBody = qMax<qint64>(0, bytes);
}

qint64 AuthNetworkAccessManager::maximumReplayBodySize() const
{
    return d->maximumReplayBody;
}

void AuthNetworkAccessManager::setRequestWindow(int requests)
{
    d->http1Window = qBound(1, requests, http2Window);
    for (Private::Lane &lane : d->lanes) {
        if (!lane.http2)
            lane.window = d->http1Window;
    }
    schedulePump(); // a wider window lets waiting requests go
}

int AuthNetworkAccessManager::requestWindow() const
{
    return d->http1Window;
}

QNetworkReply *AuthNetworkAccessManager::createRequest(Operation op, const QNetworkRequest &request,
                                                       QIODevice *outgoingData)
{
    // Only requests that carry the token need anything of ours; the rest are
    // plain QNetworkAccessManager requests, the caller's headers untouched.
    const bool authenticate
        = !request.attribute(QNetworkRequest::Attribute(NoAuthenticationAttribute)).toBool()
        && isAllowed(request.url());
    if (!authenticate)
        return QNetworkAccessManager::createRequest(op, request, outgoingData);
    auto *reply = new AuthReply(this, op, request, outgoingData);
    if (d->session && d->session->thread() != QThread::currentThread()) {
        if (!d->warnedThread)
            qCWarning(lcNet) << "AuthNetworkAccessManager used from another thread than its "
                                "Session's; the request fails";
        d->warnedThread = true;
        reply->failLater(QNetworkReply::ProtocolFailure,
                         tr("The session belongs to another thread."));
    } else {
        reply->launch();
    }
    return reply;
}

QNetworkReply *AuthNetworkAccessManager::sendDirect(Operation op, const QNetworkRequest &request,
                                                    QIODevice *data)
{
    return QNetworkAccessManager::createRequest(op, request, data);
}

void AuthNetworkAccessManager::track(AuthReply *reply, bool live)
{
    if (live)
        d->replies.insert(reply);
    else
        d->replies.remove(reply);
}

bool AuthNetworkAccessManager::takeSlot(AuthReply *reply, const QString &from)
{
    Private::Lane &lane = d->lanes[from];
    if (lane.window == 0)
        lane.window = d->http1Window;
    if (lane.inFlight < lane.window && lane.waiting.isEmpty()) {
        ++lane.inFlight;
        return true;
    }
    lane.waiting.append(reply);
    return false;
}

void AuthNetworkAccessManager::releaseSlot(const QString &from)
{
    auto lane = d->lanes.find(from);
    if (lane == d->lanes.end())
        return;
    --lane->inFlight;
    if (d->closing)
        return;
    const QPointer<AuthNetworkAccessManager> self(this);
    // A waiting request that only has to go is handed the place at once. One
    // that would wait or end goes from the event loop (pump()): its caller
    // may then do anything, while the reply that let it go is still inside
    // its own handler.
    while (!lane->waiting.isEmpty() && lane->inFlight < lane->window) {
        AuthReply *next = lane->waiting.constFirst();
        if (next && next->isQueued() && !next->leavesQueueAtOnce()) {
            schedulePump();
            return;
        }
        lane->waiting.removeFirst();
        if (!next || !next->isQueued())
            continue;
        ++lane->inFlight;
        next->leaveQueue(from); // sends; an observer of that may do anything
        if (!self)
            return;
        lane = d->lanes.find(from);
        if (lane == d->lanes.end())
            return;
    }
}

void AuthNetworkAccessManager::schedulePump()
{
    if (d->pumpPosted)
        return;
    // From the event loop: a request that leaves the queue may end at once,
    // and its caller may then do anything, while the reply that let it go is
    // still inside its own handler.
    d->pumpPosted = true;
    QMetaObject::invokeMethod(this, &AuthNetworkAccessManager::pump, Qt::QueuedConnection);
}

void AuthNetworkAccessManager::learnHttp2(const QString &from)
{
    Private::Lane &lane = d->lanes[from];
    if (lane.http2)
        return;
    lane.http2 = true;
    lane.window = http2Window;
    if (!lane.waiting.isEmpty())
        schedulePump();
}

void AuthNetworkAccessManager::pump()
{
    d->pumpPosted = false;
    const QPointer<AuthNetworkAccessManager> self(this);
    const auto origins = d->lanes.keys();
    for (const QString &from : origins) {
        while (true) {
            auto lane = d->lanes.find(from);
            if (lane == d->lanes.end() || lane->waiting.isEmpty() || lane->inFlight >= lane->window)
                break;
            QPointer<AuthReply> next = lane->waiting.takeFirst();
            if (!next || !next->isQueued())
                continue;
            ++lane->inFlight;
            next->leaveQueue(from); // sends, waits or ends; the slot is its own now
            if (!self)
                return; // deleted by a handler of what that did
        }
    }
}

} // namespace SilentAuth
