#include <silentauth/authnetworkaccessmanager.h>

#include <silentauth/authprotocol.h>
#include <silentauth/session.h>

#include "authreply_p.h"

#include <QtCore/QPointer>

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
        d->allowed.insert(origin(url));
}

void AuthNetworkAccessManager::addAllowedOrigin(const QUrl &url)
{
    d->allowed.insert(origin(url));
}

bool AuthNetworkAccessManager::isAllowed(const QUrl &url) const
{
    return url.isValid() && !url.host().isEmpty() && d->allowed.contains(origin(url));
}

QNetworkReply *AuthNetworkAccessManager::createRequest(Operation op, const QNetworkRequest &request,
                                                       QIODevice *outgoingData)
{
    const QString scheme = request.url().scheme();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        return QNetworkAccessManager::createRequest(op, request, outgoingData);
    return new AuthReply(this, op, request, outgoingData);
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
