#pragma once

#include <silentauth/authnetworkaccessmanager.h>

#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <QtNetwork/QNetworkReply>

#include <memory>

namespace SilentAuth {

class Session;

// What the caller holds: one reply that finishes once, with the final
// outcome, however many requests (refresh wait, replay, redirects) it took.
class AuthReply : public QNetworkReply
{
    Q_OBJECT

public:
    AuthReply(AuthNetworkAccessManager *manager, QNetworkAccessManager::Operation op,
              const QNetworkRequest &request, QIODevice *outgoingData);
    ~AuthReply() override;

    void abort() override;
    // Still queued inside QNetworkAccessManager with a token of \a generation,
    // which the origin has just rejected: take it back and send it after the
    // refresh instead of collecting a certain 401.
    void withdrawIfUnsent(int generation);
    qint64 bytesAvailable() const override;
    bool isSequential() const override { return true; }

protected:
    qint64 readData(char *data, qint64 maxSize) override;

private:
    void spool();
    bool keep(const char *data, qint64 size);
    void start();
    void send();
    void onMetaData();
    void onReadyRead();
    void onFinished();
    void handleUnauthorized();
    bool followRedirect();
    void waitForRefresh(bool replay);
    void waitForRelease(bool replay);
    void resume(bool replay);
    void failForSession(Session *session);
    void copyMetaData(QNetworkReply *from);
    QByteArray verb() const;
    void finishWith(QNetworkReply::NetworkError error, const QString &message);

    QPointer<AuthNetworkAccessManager> m_manager;
    QNetworkRequest m_original;
    QIODevice *m_body = nullptr; // seekable; the caller's or m_ownedBody
    std::unique_ptr<QIODevice> m_ownedBody;
    qint64 m_bodyStart = 0;
    QPointer<QIODevice> m_source; // a sequential body still being read
    qint64 m_expected = -1; // its Content-Length, when the caller gave one
    qint64 m_spooled = 0;
    bool m_sourceFinished = false;
    QPointer<QNetworkReply> m_inner;
    QMetaObject::Connection m_wait; // to the session, while this request waits for it
    QTimer m_deadline; // offline wait
    int m_sentGeneration = -1;
    bool m_authenticate = false;
    bool m_mayRefresh = true;
    bool m_replayed = false;
    bool m_innerSent = false; // the inner request has left QNetworkAccessManager
    bool m_passthrough = false;
    bool m_done = false;
    int m_redirects = 0;
    QByteArray m_buffer;
};

} // namespace SilentAuth
