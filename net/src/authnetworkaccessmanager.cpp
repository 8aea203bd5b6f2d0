#include <silentauth/authnetworkaccessmanager.h>

#include <silentauth/authprotocol.h>
#include <silentauth/session.h>

#include "authreply_p.h"
#include "protocolsupport_p.h"

#include <QtCore/QLoggingCategory>
#include <QtCore/QPointer>
#include <QtCore/QThread>
#include <QtNetwork/QHostAddress>

Q_DECLARE_LOGGING_CATEGORY(lcNet)

namespace SilentAuth {

namespace {

QString origin(const QUrl &url)
{
    const int defaultPort = url.scheme() == QLatin1String("https") ? 443 : 80;
    return url.scheme().toLower() + QLatin1String("://") + url.host().toLower() + QLatin1Char(':')
        + QString::number(url.port(defaultPort));
}

} // namespace

struct AuthNetworkAccessManager::Private
{
    QPointer<Session> session;
    QSet<QString> allowed;
    QSet<AuthReply *> replies; // alive, whatever their state
    qint64 maximumReplayBody = qint64(256) * 1024 * 1024;
    bool warnedThread = false;

    bool insecure(const QUrl &url) const
    {
        return Internal::isPlainHttpToRemoteHost(url)
            && !(session && session->isPlainHttpAllowed());
    }
    void allow(const QUrl &url)
    {
        if (insecure(url))
            qCWarning(lcNet).noquote()
                << "no token goes to" << origin(url)
                << "over plain http unless Session::setPlainHttpAllowed(true); use https";
        allowed.insert(origin(url));
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
            d->allowed.insert(origin(endpoint));
        if (session->thread() != thread())
            qCWarning(lcNet) << "AuthNetworkAccessManager: the Session lives in another thread; "
                                "requests from this thread fail";
        // After a sign-out no request leaves with the token, not even one
        // that was queued before it.
        connect(session, &Session::statusChanged, this, [this](Session::Status status) {
            if (status != Session::Status::SignedOut)
                return;
            const auto replies = d->replies; // cancelling finishes replies
            for (AuthReply *reply : replies) {
                if (d->replies.contains(reply))
                    reply->cancelUnsent();
            }
        });
    }
}

AuthNetworkAccessManager::~AuthNetworkAccessManager()
{
    // QNetworkAccessManager deletes its replies after this destructor, when
    // the list they unregister from is gone: delete ours now.
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
    return url.isValid() && !url.host().isEmpty() && d->allowed.contains(origin(url))
        && !d->insecure(url);
}

void AuthNetworkAccessManager::setMaximumReplayBodySize(qint64 bytes)
{
    d->maximumReplayBody = qMax<qint64>(0, bytes);
}

qint64 AuthNetworkAccessManager::maximumReplayBodySize() const
{
    return d->maximumReplayBody;
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

void AuthNetworkAccessManager::withdrawUnsent(int generation, const QUrl &url)
{
    const QString from = origin(url);
    const auto replies = d->replies; // withdrawing may finish a reply
    for (AuthReply *reply : replies) {
        if (d->replies.contains(reply) && origin(reply->url()) == from)
            reply->withdrawIfUnsent(generation);
    }
}

} // namespace SilentAuth
