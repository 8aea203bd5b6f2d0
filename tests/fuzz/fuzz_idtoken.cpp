// A provider's key set and an ID token as a hostile provider could send
// them: the key set up to the first newline, the token after it.
#include "idtoken_p.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace SilentAuth::Internal;
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype newline = input.indexOf('\n');
    const QByteArray jwks = newline < 0 ? input : input.left(newline);
    const QByteArray jwt = newline < 0 ? QByteArray() : input.mid(newline + 1);
    QString error;
    const QList<Jwk> keys = parseJwks(jwks, &error);
    bool unknownKid = false;
    const auto claims = verifyJwt(jwt, keys, &error, &unknownKid);
    if (claims)
        (void)checkIdTokenClaims(*claims, QStringLiteral("https://idp.example"),
                                 QStringLiteral("app"), "n", QDateTime::currentDateTimeUtc());
    else if (error.isEmpty())
        __builtin_trap(); // a refusal always says why
    return 0;
}
