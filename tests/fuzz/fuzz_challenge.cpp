// WWW-Authenticate parsing: any bytes, no crash, no read outside the input.
#include "challenge_p.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray header(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto challenges = SilentAuth::Internal::parseChallenges(header);
    if (const auto *bearer = SilentAuth::Internal::bearerChallenge(challenges))
        (void)bearer->params.value("error");
    return 0;
}
