#pragma once

#include <silentauth/global.h>

#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkRequest>

#include <memory>

namespace SilentAuth {

class AuthReply;
class Session;

/*!
    A QNetworkAccessManager that keeps requests authenticated.

    Use the ordinary get(), post(), put(), deleteResource() and
    sendCustomRequest(). Requests to allow-listed origins carry the session's
    bearer token. When one comes back 401 the manager refreshes once (shared
    by every request that failed at the same time), replays the request with
    the same verb, headers and body, and hands the caller the final reply as
    if nothing happened. A replay that gets 401 again fails with
    AuthenticationRequiredError; nothing loops.
*/
class SILENTAUTH_NET_EXPORT AuthNetworkAccessManager : public QNetworkAccessManager
{
    Q_OBJECT

public:
    //! Per-request opt-outs, set with QNetworkRequest::setAttribute().
    enum Attribute {
        NoAuthenticationAttribute = QNetworkRequest::User + 0x5A0, //!< bool: send no token
        NoRefreshAttribute, //!< bool: send the token but do not refresh on 401
    };

    explicit AuthNetworkAccessManager(Session *session, QObject *parent = nullptr);
    ~AuthNetworkAccessManager() override;

    Session *session() const;

    //! Origins (scheme, host, port) that may see the token. The auth protocol's are not
    //! included: it talks to its endpoints itself.
    void setAllowedOrigins(const QList<QUrl> &origins);
    void addAllowedOrigin(const QUrl &origin);
    bool isAllowed(const QUrl &url) const;

protected:
    QNetworkReply *createRequest(Operation op, const QNetworkRequest &request,
                                 QIODevice *outgoingData) override;

private:
    friend class AuthReply;
    QNetworkReply *sendDirect(Operation op, const QNetworkRequest &request, QIODevice *data);
    void track(AuthReply *reply, bool live);
    void withdrawUnsent(int generation, const QUrl &origin);

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace SilentAuth
