#pragma once

#include <silentauth/mock/mockserverconfig.h>

#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QJsonArray>
#include <QtCore/QTimer>
#include <QtCore/QUrl>
#include <QtHttpServer/QAbstractHttpServer>
#include <QtNetwork/QSslConfiguration>

#include <memory>
#include <optional>

namespace SilentAuth::Mock {

class AuthService;
class AuthorizationService;
class ResourceService;
struct ServerContext;
struct Reply;
struct Request;

// The backend SilentAuth targets, in-process: auth (with browser sign-in as
// an OpenID provider), profile and board services plus the /__admin routes
// QA drives scenarios with.
//
// Built on QAbstractHttpServer, but answers are written straight to the
// socket through a QPointer, so a delayed answer to a client that already
// hung up is simply dropped (Qt HttpServer 6.4 crashes in that case).
class MockServer : public QAbstractHttpServer
{
    Q_OBJECT

public:
    explicit MockServer(MockServerConfig config = {}, QObject *parent = nullptr);
    ~MockServer() override;

    bool start(QString *error = nullptr);
    quint16 port() const { return m_port; }
    //! http://…, or https://… when serving TLS.
    QUrl url() const;
    //! The CA that signed the server's certificate with config().tlsSelfSignedDir (PEM);
    //! empty otherwise.
    QString caCertificateFile() const;
    // The OpenID issuer identifier: config().issuer, else url() (with
    // 127.0.0.1 or [::1] for a wildcard address). Known once started.
    QString issuer() const;
    const MockServerConfig &config() const { return m_config; }

    bool setScenario(const QString &name, const QJsonObject &parameters, QString *error);
    QString scenario() const;
    // [{"name", "description", "parameters": {name: meaning}}] for every scenario.
    static QJsonArray scenarios();
    QJsonObject stats() const;
    // Runs the scheduled blacklist cleanup now; returns how many entries went.
    int purgeBlacklist();
    // Forgets tokens, blacklist, posts, throttles and counters; keeps users.
    void reset();
    // Answers one request as the HTTP layer would, without its delay or
    // drop; for the fuzzer and tests that need no socket. start() first.
    Reply handle(const Request &request);

Q_SIGNALS:
    void requestLogged(const QString &line);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    Reply dispatch(const Request &request);
    Reply route(const Request &request);
    Reply admin(const Request &request);
    void deliver(QTcpSocket *socket, const Request &request, Reply reply, QElapsedTimer timer);
    bool loadUsers(QString *error);
    bool loadTls(QString *error);
    // The TLS configuration for a new connection: none for plain http, the
    // expired certificate while the tls-expired-cert scenario runs.
    std::optional<QSslConfiguration> tlsForNewConnection();
    void watchIntake(QTcpSocket *socket);
    void takeIn(QTcpSocket *socket);
    void refuseOversized(QTcpSocket *socket);

    // What a connection has sent since its last complete request: Qt HttpServer
    // 6.4 holds a whole body in memory before handleRequest() sees it, so a
    // body far over the limit is refused while it arrives.
    struct Intake
    {
        qint64 bytes = 0;
        QByteArray method, path; // from the request line, for the log
        QElapsedTimer since;
        QElapsedTimer lastHeard; // for the idle timeout
        int answersOwed = 0; // requests read but not yet answered (delayed ones)
    };
    QHash<QTcpSocket *, Intake> m_intake;
    QTimer m_idleSweep;
    void closeIdleConnections();
    // Closes the connections that owe no answer and were silent this long.
    void closeConnections(qint64 silentForMs);

    MockServerConfig m_config;
    std::unique_ptr<ServerContext> m_context;
    std::unique_ptr<AuthService> m_auth;
    std::unique_ptr<AuthorizationService> m_authorization;
    std::unique_ptr<ResourceService> m_resources;
    QTimer m_cleanupTimer;
    quint16 m_port = 0;
    std::optional<QSslConfiguration> m_tls;
    std::optional<QSslConfiguration> m_tlsExpired;
};

} // namespace SilentAuth::Mock
