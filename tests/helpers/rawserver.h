#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QPair>
#include <QtCore/QUrl>
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QTcpServer>

namespace SilentAuth::Test {

using RawHeaders = QList<QPair<QByteArray, QByteArray>>;

// One canned answer, written to the socket byte for byte: what a test
// needs to reproduce a server's exact framing (sized, chunked, close
// delimited), its timing (a trickled body) or its failure (closed early).
struct RawResponse
{
    enum class Framing {
        ContentLength, // Content-Length: body size
        Chunked, // Transfer-Encoding: chunked, chunkSize bytes per chunk
        CloseDelimited, // neither: the body ends when the connection closes
    };

    QByteArray statusLine = "HTTP/1.1 200 OK";
    RawHeaders headers; // as given; the framing header is added after them
    QByteArray body;
    Framing framing = Framing::ContentLength;
    int chunkSize = 1000;
    int trickleBytes = 0; // > 0: the body goes out this many bytes at a time...
    int trickleIntervalMs = 5; // ...this often
    qint64 closeAfterBodyBytes = -1; // >= 0: the connection closes after this much body
    bool closeWithoutAnswer = false; // the connection closes once the request is in
    bool closeAfter = false; // the connection closes once the answer is out
    int delayMs = 0; // nothing (no answer, no close) until this long after the request is in
    // Not empty: a request whose Authorization header is not exactly this gets
    // 401 with a Basic challenge (realm "files") instead of this answer.
    QByteArray requiredAuthorization;

    static RawResponse ok(QByteArray body, const QByteArray &contentType = "text/plain");
    // \a reason may be empty: the usual phrase for \a code is used.
    static RawResponse status(int code, QByteArray body = {}, QByteArray reason = {});
    // A null \a location sends no Location header at all; an empty one sends it empty.
    static RawResponse redirect(int code, const QByteArray &location);
};

struct RawRequest
{
    QByteArray method;
    QByteArray target; // path and query, as sent
    QByteArray version;
    RawHeaders headers; // as sent, in order
    QByteArray body; // chunked framing removed
    bool chunked = false;
    bool encrypted = false;

    // The first header called \a name (case-insensitive), or a null array.
    QByteArray header(const QByteArray &name) const;
    bool hasHeader(const QByteArray &name) const;
    QByteArray path() const; // target without query
};

// A scriptable HTTP/1.1 origin on a free loopback port: each path answers
// with the RawResponse a test registered for it (404 otherwise), and every
// request is recorded as it arrived. Request bodies may be sized or chunked;
// connections are kept alive unless a response or request says otherwise.
// With a TLS configuration (certificate and key) every connection is
// encrypted first.
class RawServer : public QTcpServer
{
    Q_OBJECT

public:
    explicit RawServer(QObject *parent = nullptr);
    ~RawServer() override;

    void setTlsConfiguration(const QSslConfiguration &configuration); // before start()
    bool isTls() const { return m_tls; }
    bool start(); // 127.0.0.1, port 0

    QUrl url(const QByteArray &path = "/") const;
    QByteArray origin() const; // scheme://127.0.0.1:port

    void route(const QByteArray &path, const RawResponse &response);
    const QList<RawRequest> &requests() const { return m_requests; }
    // Every byte read from clients (after decryption), all connections.
    const QByteArray &receivedBytes() const { return m_received; }
    int connectionCount() const { return m_connections; }
    void clearRecords();

Q_SIGNALS:
    void requestReceived();

protected:
    void incomingConnection(qintptr descriptor) override;

private:
    class Connection;
    friend class Connection;

    RawResponse responseFor(const RawRequest &request) const;

    bool m_tls = false;
    QSslConfiguration m_tlsConfiguration;
    QHash<QByteArray, RawResponse> m_routes;
    QList<RawRequest> m_requests;
    QByteArray m_received;
    int m_connections = 0;
};

} // namespace SilentAuth::Test
