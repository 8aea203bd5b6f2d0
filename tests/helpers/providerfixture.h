#pragma once

#include <silentauth/mock/mockserver.h>
#include <silentauth/providermetadata.h>

#include <QtCore/QUrl>

#include <memory>
#include <optional>

namespace SilentAuth::Test {

// The issuer identifier of the mock server as an OpenID provider.
QUrl issuerOf(const Mock::MockServer &server);

// Discovers \a issuer with ProviderDiscovery and waits (10 s at most) for
// what it finds; *error says why when it finds nothing.
std::optional<ProviderMetadata> discover(const QUrl &issuer, QString *error = nullptr,
                                         bool plainHttp = false);

// The mock server as an OpenID provider, and what its discovery says.
struct StartedProvider
{
    std::unique_ptr<Mock::MockServer> server;
    std::optional<ProviderMetadata> provider;
};

StartedProvider startProvider(Mock::MockServerConfig config = {});

} // namespace SilentAuth::Test
