#include "testserver.h"

#include <QtCore/QDebug>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QTcpServer>

#include <list>

namespace SilentAuth::Test {

std::unique_ptr<Mock::MockServer> startServer(Mock::MockServerConfig config)
{
    config.port = 0;
    config.logRequests = false;
    // Tests log in often; the demo hash cost stays realistic in production runs.
    config.passwordIterations = qMin(config.passwordIterations, 1000);
    if (qEnvironmentVariable("SILENTAUTH_REFRESH_TRANSPORT") == QLatin1String("cookie"))
        config.refreshTransport = Mock::MockServerConfig::RefreshTransport::Cookie;
    // The certificates live as long as the test process.
    static std::list<QTemporaryDir> tlsDirs;
    if (qEnvironmentVariableIsSet("SILENTAUTH_TLS") && config.tlsCertificateFile.isEmpty()
        && config.tlsSelfSignedDir.isEmpty()) {
        tlsDirs.emplace_back();
        config.tlsSelfSignedDir = tlsDirs.back().path();
    }
    auto server = std::make_unique<Mock::MockServer>(config);
    QString error;
    if (!server->start(&error)) {
        qWarning().noquote() << "mock server did not start:" << error;
        return nullptr;
    }
    if (!server->caCertificateFile().isEmpty()) {
        // Trusted the way an application trusts a private CA: added to the
        // TLS configuration requests use, every check left on.
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.addCaCertificates(server->caCertificateFile());
        QSslConfiguration::setDefaultConfiguration(tls);
    }
    return server;
}

QUrl endpoint(const Mock::MockServer &server, const char *path)
{
    QUrl url = server.url();
    url.setPath(QString::fromLatin1(path));
    return url;
}

quint16 freeLoopbackPort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : quint16(0);
}

} // namespace SilentAuth::Test
