#include "testserver.h"

#include <QtCore/QDebug>

namespace SilentAuth::Test {

std::unique_ptr<Mock::MockServer> startServer(Mock::MockServerConfig config)
{
    config.port = 0;
    config.logRequests = false;
    // Tests log in often; the demo hash cost stays realistic in production runs.
    config.passwordIterations = qMin(config.passwordIterations, 1000);
    if (qEnvironmentVariable("SILENTAUTH_REFRESH_TRANSPORT") == QLatin1String("cookie"))
        config.refreshTransport = Mock::MockServerConfig::RefreshTransport::Cookie;
    auto server = std::make_unique<Mock::MockServer>(config);
    QString error;
    if (!server->start(&error)) {
        qWarning().noquote() << "mock server did not start:" << error;
        return nullptr;
    }
    return server;
}

QUrl endpoint(const Mock::MockServer &server, const char *path)
{
    QUrl url = server.url();
    url.setPath(QString::fromLatin1(path));
    return url;
}

} // namespace SilentAuth::Test
