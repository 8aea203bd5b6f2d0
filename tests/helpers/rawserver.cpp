#include "rawserver.h"

#include <QtCore/QTimer>
#include <QtNetwork/QSslSocket>

namespace SilentAuth::Test {

namespace {

QByteArray reasonPhrase(int code)
{
    switch (code) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 500:
        return "Internal Server Error";
    default:
        return "Status";
    }
}

bool sameName(const QByteArray &a, const QByteArray &b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

} // namespace

RawResponse RawResponse::ok(QByteArray body, const QByteArray &contentType)
{
    RawResponse response;
    response.headers = {{"Content-Type", contentType}};
    response.body = std::move(body);
    return response;
}

RawResponse RawResponse::status(int code, QByteArray body, QByteArray reason)
{
    RawResponse response;
    response.statusLine = "HTTP/1.1 " + QByteArray::number(code) + ' '
        + (reason.isEmpty() ? reasonPhrase(code) : reason);
    if (!body.isEmpty())
        response.headers = {{"Content-Type", "text/plain"}};
    response.body = std::move(body);
    return response;
}

RawResponse RawResponse::redirect(int code, const QByteArray &location)
{
    RawResponse response = status(code, "redirecting");
    if (!location.isNull())
        response.headers.append({"Location", location});
    return response;
}

QByteArray RawRequest::header(const QByteArray &name) const
{
    for (const auto &header : headers) {
        if (sameName(header.first, name))
            return header.second;
    }
    return {};
}

bool RawRequest::hasHeader(const QByteArray &name) const
{
    for (const auto &header : headers) {
        if (sameName(header.first, name))
            return true;
    }
    return false;
}

QByteArray RawRequest::path() const
{
    const int query = target.indexOf('?');
    return query < 0 ? target : target.left(query);
}

// One client connection: parses requests as their bytes arrive and writes
// the scripted answers, one request at a time.
class RawServer::Connection : public QObject
{
public:
    Connection(RawServer *server, QTcpSocket *socket)
        : QObject(server)
        , m_server(server)
        , m_socket(socket)
    {
        socket->setParent(this);
        connect(socket, &QTcpSocket::readyRead, this, &Connection::onReadyRead);
        connect(socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
        connect(&m_trickle, &QTimer::timeout, this, &Connection::trickle);
    }

private:
    void onReadyRead()
    {
        const QByteArray data = m_socket->readAll();
        m_server->m_received += data;
        m_in += data;
        serveNext();
    }

    void serveNext()
    {
        while (!m_busy && !m_closing) {
            RawRequest request;
            if (!parse(&request))
                return;
            request.encrypted = m_server->m_tls;
            m_server->m_requests.append(request);
            const RawResponse response = m_server->responseFor(request);
            Q_EMIT m_server->requestReceived();
            answer(request, response);
        }
    }

    // Takes one complete request off the input, or returns false until it is complete.
    bool parse(RawRequest *request)
    {
        const int headEnd = m_in.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return false;
        const QList<QByteArray> lines = m_in.left(headEnd).split('\n');
        const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
        request->method = requestLine.value(0);
        request->target = requestLine.value(1);
        request->version = requestLine.value(2);
        for (int i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const int colon = line.indexOf(':');
            if (colon > 0)
                request->headers.append(
                    {line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
        }
        qsizetype consumed = headEnd + 4;
        if (request->header("Transfer-Encoding").toLower().contains("chunked")) {
            request->chunked = true;
            for (;;) {
                const qsizetype lineEnd = m_in.indexOf("\r\n", consumed);
                if (lineEnd < 0)
                    return false;
                QByteArray sizeField = m_in.mid(consumed, lineEnd - consumed);
                const int extension = sizeField.indexOf(';');
                if (extension >= 0)
                    sizeField.truncate(extension);
                bool ok = false;
                const qsizetype size = sizeField.trimmed().toLongLong(&ok, 16);
                if (!ok)
                    return false;
                if (size == 0) {
                    // Trailers, if any, up to an empty line.
                    const qsizetype trailersEnd = m_in.indexOf("\r\n\r\n", lineEnd);
                    if (m_in.mid(lineEnd, 4) == "\r\n\r\n") {
                        consumed = lineEnd + 4;
                    } else if (trailersEnd >= 0) {
                        consumed = trailersEnd + 4;
                    } else {
                        return false;
                    }
                    break;
                }
                if (m_in.size() < lineEnd + 2 + size + 2)
                    return false;
                request->body += m_in.mid(lineEnd + 2, size);
                consumed = lineEnd + 2 + size + 2;
            }
        } else {
            const qsizetype length = request->header("Content-Length").trimmed().toLongLong();
            if (m_in.size() < consumed + length)
                return false;
            request->body = m_in.mid(consumed, length);
            consumed += length;
        }
        m_in.remove(0, consumed);
        return true;
    }

    void answer(const RawRequest &request, const RawResponse &response)
    {
        if (response.delayMs > 0) {
            m_busy = true;
            RawResponse later = response;
            later.delayMs = 0;
            QTimer::singleShot(response.delayMs, this, [this, request, later] {
                m_busy = false;
                answer(request, later); // the next request is served after it
            });
            return;
        }
        if (response.closeWithoutAnswer) {
            close();
            return;
        }
        m_response = response;
        m_head = request.method == "HEAD";
        m_bodyWanted = m_head ? 0 : response.body.size();
        if (response.closeAfterBodyBytes >= 0)
            m_bodyWanted = qMin(m_bodyWanted, response.closeAfterBodyBytes);
        m_bodySent = 0;
        m_closeAfter = response.closeAfter || response.closeAfterBodyBytes >= 0
            || response.framing == RawResponse::Framing::CloseDelimited
            || sameName(request.header("Connection"), "close");
        for (const auto &header : response.headers) {
            if (sameName(header.first, "Connection") && sameName(header.second, "close"))
                m_closeAfter = true;
        }
        m_chunked = response.framing == RawResponse::Framing::Chunked;

        QByteArray head = response.statusLine + "\r\n";
        for (const auto &header : response.headers)
            head += header.first + ": " + header.second + "\r\n";
        if (response.framing == RawResponse::Framing::ContentLength)
            head += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
        else if (m_chunked)
            head += "Transfer-Encoding: chunked\r\n";
        head += "\r\n";
        m_socket->write(head);
        m_busy = true;
        if (response.trickleBytes > 0 && m_bodyWanted > 0) {
            m_trickle.start(response.trickleIntervalMs);
            return;
        }
        writeBody(m_bodyWanted);
        finishAnswer();
    }

    void trickle()
    {
        writeBody(qMin<qint64>(m_response.trickleBytes, m_bodyWanted - m_bodySent));
        if (m_bodySent >= m_bodyWanted) {
            m_trickle.stop();
            finishAnswer();
        }
    }

    void writeBody(qint64 count)
    {
        while (count > 0) {
            const qint64 piece = m_chunked ? qMin<qint64>(count, m_response.chunkSize) : count;
            const QByteArray data = m_response.body.mid(m_bodySent, piece);
            if (m_chunked)
                m_socket->write(QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n");
            else
                m_socket->write(data);
            m_bodySent += piece;
            count -= piece;
        }
    }

    void finishAnswer()
    {
        const bool cut = m_response.closeAfterBodyBytes >= 0;
        if (m_chunked && !cut && !m_head)
            m_socket->write("0\r\n\r\n");
        m_busy = false;
        if (m_closeAfter) {
            close();
            return;
        }
        // The next request may already be waiting in the input.
        QTimer::singleShot(0, this, [this] { serveNext(); });
    }

    void close()
    {
        m_closing = true;
        m_socket->disconnectFromHost();
    }

    RawServer *m_server;
    QTcpSocket *m_socket;
    QByteArray m_in;
    RawResponse m_response;
    qint64 m_bodyWanted = 0;
    qint64 m_bodySent = 0;
    bool m_chunked = false;
    bool m_head = false;
    bool m_closeAfter = false;
    bool m_busy = false;
    bool m_closing = false;
    QTimer m_trickle;
};

RawServer::RawServer(QObject *parent)
    : QTcpServer(parent)
{
}

RawServer::~RawServer() = default;

void RawServer::setTlsConfiguration(const QSslConfiguration &configuration)
{
    m_tls = true;
    m_tlsConfiguration = configuration;
}

bool RawServer::start()
{
    return listen(QHostAddress::LocalHost, 0);
}

QUrl RawServer::url(const QByteArray &path) const
{
    return QUrl::fromEncoded(origin() + path);
}

QByteArray RawServer::origin() const
{
    return QByteArray(m_tls ? "https" : "http")
        + "://127.0.0.1:" + QByteArray::number(serverPort());
}

void RawServer::route(const QByteArray &path, const RawResponse &response)
{
    m_routes.insert(path, response);
}

void RawServer::clearRecords()
{
    m_requests.clear();
    m_received.clear();
}

RawResponse RawServer::responseFor(const RawRequest &request) const
{
    const auto found = m_routes.constFind(request.path());
    if (found != m_routes.cend()) {
        if (!found->requiredAuthorization.isEmpty()
            && request.header("Authorization") != found->requiredAuthorization) {
            RawResponse challenge = RawResponse::status(401, "who are you?");
            challenge.headers.append(
                qMakePair(QByteArray("WWW-Authenticate"), QByteArray("Basic realm=\"files\"")));
            return challenge;
        }
        return *found;
    }
    return RawResponse::status(404, "no route for " + request.path());
}

void RawServer::incomingConnection(qintptr descriptor)
{
    QTcpSocket *socket = nullptr;
    if (m_tls) {
        auto *ssl = new QSslSocket;
        if (!ssl->setSocketDescriptor(descriptor)) {
            delete ssl;
            return;
        }
        ssl->setSslConfiguration(m_tlsConfiguration);
        ssl->startServerEncryption();
        socket = ssl;
    } else {
        socket = new QTcpSocket;
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
    }
    ++m_connections;
    new Connection(this, socket);
}

} // namespace SilentAuth::Test
