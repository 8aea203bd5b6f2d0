#pragma once

#include <QtCore/QUrl>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

namespace SilentAuth::Test {

// A listener that records every request it receives and answers with a
// fixed response: proves what did (or did not) reach an origin.
class CapturingServer : public QTcpServer
{
public:
    explicit CapturingServer(QByteArray response)
        : m_response(std::move(response))
    {
        listen(QHostAddress::LocalHost, 0);
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = nextPendingConnection()) {
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    received += socket->readAll();
                    if (complete()) {
                        socket->write(responses.isEmpty() ? m_response : responses.takeFirst());
                        socket->disconnectFromHost();
                    }
                });
            }
        });
    }
    QUrl url(const char *path = "/") const
    {
        return QUrl(
            QStringLiteral("http://127.0.0.1:%1%2").arg(serverPort()).arg(QLatin1String(path)));
    }
    QByteArray received;
    // Answers for the next requests, in order; the fixed response after them.
    QList<QByteArray> responses;

    // The body of the (last) request received.
    QByteArray body() const
    {
        const int end = received.lastIndexOf("\r\n\r\n");
        return end < 0 ? QByteArray() : received.mid(end + 4);
    }

private:
    // Headers in, and as many body bytes as Content-Length announced.
    bool complete() const
    {
        const int end = received.lastIndexOf("\r\n\r\n");
        if (end < 0)
            return false;
        const QByteArray headers = received.left(end).toLower();
        const int at = headers.lastIndexOf("content-length:");
        if (at < 0)
            return true;
        const int lineEnd = headers.indexOf("\r\n", at);
        const qint64 length
            = headers.mid(at + 15, lineEnd < 0 ? -1 : lineEnd - at - 15).trimmed().toLongLong();
        return received.size() - (end + 4) >= length;
    }

    QByteArray m_response;
};

} // namespace SilentAuth::Test
