#pragma once

#include <silentauth/authnetworkaccessmanager.h>

#include <QtCore/QBasicTimer>
#include <QtCore/QPointer>
#include <QtNetwork/QNetworkReply>
#if QT_CONFIG(ssl)
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QSslError>
#endif

#include <memory>
#include <optional>

namespace SilentAuth {

class Session;

namespace Internal {
// "scheme://host:port", the key of the allow-list and of the request lanes.
QString originOf(const QUrl &url);
} // namespace Internal

// What the caller holds for a request that carries the session's token: one
// reply that finishes once, with the final outcome, however many requests
// (refresh wait, replay, redirects) it took. Everything else a caller can
// observe matches a plain QNetworkReply: signals and their order, errors,
// attributes, redirect rules, TLS, read-buffer back-pressure.
class AuthReply : public QNetworkReply
{
    Q_OBJECT

public:
    AuthReply(AuthNetworkAccessManager *manager, QNetworkAccessManager::Operation op,
              const QNetworkRequest &request, QIODevice *outgoingData);
    ~AuthReply() override;

    void abort() override;
    void close() override;
    void ignoreSslErrors() override;
    void setReadBufferSize(qint64 size) override;
    qint64 bytesAvailable() const override;
    bool isSequential() const override { return true; }

    // Signed out: a request still queued with the token never leaves, and one on the
    // wire without an answer yet is abandoned. True when the reply is to be ended
    // with endWithdrawn(); nothing is emitted here.
    bool withdrawForSignOut();
    // Another user is signed in: a request of the last one's that has not had its
    // answer is abandoned. As withdrawForSignOut().
    bool withdrawFromAnotherUser();
    void endWithdrawn();
    // A new sign-in started: a request still queued with the old token waits for it.
    void holdForSignIn();
    // Ends the reply from the event loop with \a code, without sending anything.
    void failLater(QNetworkReply::NetworkError code, const QString &message);
    // Sends, or starts from the event loop: called once, after construction.
    void launch();
    // \a inner is the request this reply has under way (not one it gave up).
    bool isCarriedBy(const QNetworkReply *inner) const { return inner && m_inner == inner; }
    // Waiting for a free place in its origin's lane (see AuthNetworkAccessManager).
    bool isQueued() const { return m_queued; }
    // Queued, and leaving the queue now would send it: nothing to wait for, nothing that
    // ends it.
    bool leavesQueueAtOnce() const;
    // The lane has a place for it now, held from here on: sends, waits or ends.
    void leaveQueue(const QString &origin);

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    void connectNotify(const QMetaMethod &signal) override;
    void timerEvent(QTimerEvent *event) override;
#if QT_CONFIG(ssl)
    void ignoreSslErrorsImplementation(const QList<QSslError> &errors) override;
    void setSslConfigurationImplementation(const QSslConfiguration &configuration) override;
    void sslConfigurationImplementation(QSslConfiguration &configuration) const override;
#endif

private:
    bool takeBackUnsent();
    bool outcomeKnown() const;
    void abandonInner();
    void notSent(QNetworkReply::NetworkError code, const QString &message);
    void spool();
    bool keep(const char *data, qint64 size);
    bool sendsAtOnce() const;
    void start();
    bool waitUntilReady();
    void send();
    void relayProgressOnDemand();
    void onMetaData();
    void onReadyRead();
    void onError(QNetworkReply::NetworkError code);
    void onFinished();
    void handleUnauthorized();
    void resendForNonce();
    void followRedirect(QNetworkReply *inner);
    void sendHop();
    void waitForRefresh(bool replay);
    void startOfflineDeadline();
    void waitForSignIn();
    void waitForRelease(bool replay);
    void watchSession();
    void resume(bool replay);
    void failForSession();
    void dropInner();
    void leaveLane();
    void queue();
    void queueTimedOut();
    void copyMetaData(QNetworkReply *from);
    QByteArray verb() const;
    int redirectPolicy() const;
    void finishWith(QNetworkReply::NetworkError error, const QString &message);

    QPointer<AuthNetworkAccessManager> m_manager;
    QPointer<Session> m_session;
    QNetworkRequest m_original;
    QString m_identity; // whose request this is; see Session::identity()
    QIODevice *m_body = nullptr; // seekable; the caller's or m_ownedBody
    std::unique_ptr<QIODevice> m_ownedBody;
    qint64 m_bodyStart = 0;
    QPointer<QIODevice> m_source; // a sequential body still being read
    qint64 m_expected = -1; // its Content-Length, when the caller gave one
    qint64 m_spooled = 0;
    qint64 m_spoolLimit = 0;
    bool m_sourceFinished = false;
    QBasicTimer m_spoolIdle; // a sequential body that stopped arriving
    int m_spoolIdleMs = 0;
    QPointer<QNetworkReply> m_inner;
    bool m_progressRelayed = false; // for the hop under way: see relayProgressOnDemand()
    bool m_relayingFinish = false; // emitting finished() from the inner reply's
    QString m_lane; // the origin whose lane place this reply holds, if any
    bool m_queued = false; // waiting for a place in the lane
    QBasicTimer m_queueDeadline; // the transfer timeout, while it waits there
    QList<QMetaObject::Connection> m_waits; // to the session, while this request waits for it
    QBasicTimer m_deadline; // offline wait
    int m_sentGeneration = -1;
    int m_redirectsLeft = 0;
    bool m_authenticate = false; // allow-listed origin, authentication wanted
    bool m_hopToken = false; // the current hop carries the session's token
    bool m_hopProof = false; // ... as a DPoP-bound token, with a proof
    bool m_nonceResent = false; // sent once more for a DPoP nonce (RFC 9449 §9): never again
    bool m_neverSent = false; // ended before any server answered it
    bool m_sentSignedOut = false; // the current hop went out while nobody was signed in
    bool m_leftAllowed = false; // a redirect went to an origin that may not see the token
    bool m_mayRefresh = true;
    bool m_replayed = false;
    bool m_innerSent = false; // the inner request has left QNetworkAccessManager
    bool m_sawMetaData = false;
    bool m_passthrough = false;
    bool m_errorEmitted = false;
    bool m_done = false;
    bool m_refused = false; // failLater(): never sends
    enum class Withdrawn { No, NotSent, SignedOut, AnotherUser };
    Withdrawn m_withdrawn = Withdrawn::No; // how endWithdrawn() ends it
#if QT_CONFIG(ssl)
    bool m_ignoreAllSsl = false;
    QList<QSslError> m_ignoreSsl;
    std::optional<QSslConfiguration> m_sslConfiguration;
    std::optional<QSslConfiguration> m_lastSsl; // of the last https hop, once it is gone
#endif
};

} // namespace SilentAuth
