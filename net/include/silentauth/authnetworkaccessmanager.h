#pragma once

#include <silentauth/global.h>
#include <silentauth/session.h>

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

    Requests that carry no token (other origins, NoAuthenticationAttribute,
    non-HTTP schemes) are plain QNetworkAccessManager requests, untouched. The
    others behave like a plain reply in every way a caller can observe
    (signals and their order, errors, attributes, redirect policies, TLS
    errors and ignoreSslErrors(), sslConfiguration(), setReadBufferSize()),
    except that a 401 is healed, and that a redirect never takes the token
    (or the caller's own Authorization header) to an origin outside the
    allow-list. authenticationRequired() for a server's Basic or Digest
    challenge names the caller's reply, as it would through a plain manager.

    Threading: use the manager in the thread its Session lives in. A request
    made from another thread fails at once with ProtocolFailure and a warning.
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

    //! Origins (scheme, host, port) that may see the token. The auth protocol's are
    //! allowed from the start. A plain-http origin counts only on a loopback host, unless
    //! the session allows plain http (Session::setPlainHttpAllowed()).
    void setAllowedOrigins(const QList<QUrl> &origins);
    void addAllowedOrigin(const QUrl &origin);
    bool isAllowed(const QUrl &url) const;

    /*!
        The largest sequential (pipe-like) request body kept for a possible replay (default
        256 MiB). Such a body is read as it arrives, in memory up to 4 MiB and in a
        temporary file beyond; a larger one fails with UnknownContentError, and one that
        stops arriving for the transfer timeout (60 s when none is set) with TimeoutError.
        Seekable bodies (QBuffer, QFile, QHttpMultiPart) are rewound instead and have no
        limit.
    */
    void setMaximumReplayBodySize(qint64 bytes);
    qint64 maximumReplayBodySize() const;

    /*!
        How many requests that carry the token are handed to QNetworkAccessManager at once
        per HTTP/1.1 origin (1 to 100, default 12: one on each of Qt's six connections and
        one queued behind it); the others wait here and leave as places free up. When the
        server stops accepting the token, at most this many collect a 401; the rest leave
        once, with the new token. 6 keeps that to the requests on the wire, at a cost in
        throughput on fast links (docs/benchmarks.md); more than 12 gains nothing. An
        origin that answers over HTTP/2 takes 100.
    */
    void setRequestWindow(int requests);
    int requestWindow() const;

protected:
    QNetworkReply *createRequest(Operation op, const QNetworkRequest &request,
                                 QIODevice *outgoingData) override;
    void disconnectNotify(const QMetaMethod &signal) override;

private:
    friend class AuthReply;
    QNetworkReply *sendDirect(Operation op, const QNetworkRequest &request, QIODevice *data);
    // The allow-listed origin \a url is on ("scheme://host:port", its lane's key); empty
    // when the token may not go there.
    QString allowedOrigin(const QUrl &url) const;
    void track(AuthReply *reply, bool live);
    bool takeSlot(AuthReply *reply, const QString &origin);
    void releaseSlot(const QString &origin);
    void learnHttp2(const QString &origin);
    void schedulePump();
    void pump();
    void sessionChanged(Session::Status status);
    void nameCallersReply();

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace SilentAuth
