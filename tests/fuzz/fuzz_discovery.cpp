// A provider's discovery document as a hostile server could send it,
// checked against the issuer that was asked for.
#include <silentauth/providermetadata.h>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    static const QUrl issuers[] = {QUrl(QStringLiteral("https://idp.example")),
                                   QUrl(QStringLiteral("https://idp.example/realms/main")),
                                   QUrl(QStringLiteral("http://127.0.0.1:8080"))};
    const QUrl &issuer = issuers[data[0] % 3];
    const QByteArray document(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    QString error;
    const auto provider = SilentAuth::ProviderMetadata::fromJson(document, issuer, &error);
    if (provider) {
        (void)provider->supportsGrant(QStringLiteral("authorization_code"));
        if (provider->tokenEndpoint.isEmpty())
            __builtin_trap(); // a usable provider always names a token endpoint
    } else if (error.isEmpty()) {
        __builtin_trap(); // a refusal always says why
    }
    return 0;
}
