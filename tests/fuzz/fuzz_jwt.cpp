// JWT decoding: the server's verification (structure, alg, signature, exp)
// and the client's unverified read of the claims.
#include "jwtclaims_p.h"

#include "jwt.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using SilentAuth::Mock::Jwt;
    const QByteArray token(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto verified = Jwt::verify(token, "fuzzing-secret", 1700000000);
    if (verified.error == Jwt::Error::None)
        (void)verified.claims.value(QLatin1String("sub"));
    QJsonObject claims;
    (void)Jwt::decodeClaims(token, &claims);
    (void)SilentAuth::Internal::unverifiedClaims(token);
    (void)SilentAuth::Internal::redacted(token);
    return 0;
}
