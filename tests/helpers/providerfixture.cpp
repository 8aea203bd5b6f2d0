#include "providerfixture.h"

#include "testserver.h"

#include <QtCore/QElapsedTimer>
#include <QtNetwork/QNetworkAccessManager>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

namespace SilentAuth::Test {

QUrl issuerOf(const Mock::MockServer &server)
{
    QUrl url = server.url();
    url.setPath(QString());
    return url.adjusted(QUrl::StripTrailingSlash);
}

std::optional<ProviderMetadata> discover(const QUrl &issuer, QString *error, bool plainHttp)
{
    QNetworkAccessManager network;
    ProviderDiscovery discovery(&network);
    discovery.setPlainHttpAllowed(plainHttp);
    std::optional<ProviderMetadata> found;
    QSignalSpy failed(&discovery, &ProviderDiscovery::failed);
    QObject::connect(&discovery, &ProviderDiscovery::discovered,
                     [&found](const ProviderMetadata &provider) { found = provider; });
    discovery.discover(issuer);
    QElapsedTimer clock;
    clock.start();
    while (!found && failed.isEmpty() && clock.elapsed() < 10000)
        QTest::qWait(5);
    if (error && !failed.isEmpty())
        *error = failed.first().at(0).toString();
    return found;
}

StartedProvider startProvider(Mock::MockServerConfig config)
{
    StartedProvider started;
    started.server = startServer(std::move(config));
    if (started.server)
        started.provider = discover(issuerOf(*started.server));
    return started;
}

} // namespace SilentAuth::Test
