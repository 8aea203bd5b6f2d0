// Both protocols' token answers: the first byte picks the dialect and the
// HTTP status, the next line is a Retry-After value, the rest is the body.
#include "protocolsupport_p.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace SilentAuth::Internal;
    if (size < 1)
        return 0;
    static constexpr TokenFields seed {"accessToken", "tokenType", "refreshToken", "expiresIn",
                                       "message"};
    static constexpr TokenFields oauth {"access_token", "token_type", "refresh_token", "expires_in",
                                        "error_description"};
    static constexpr int statuses[] = {200, 200, 200, 400, 401, 403, 429, 500, 503, 0};
    const uint8_t pick = data[0];
    const QByteArray rest(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    const qsizetype newline = rest.indexOf('\n');
    const QByteArray retryAfter = newline < 0 ? QByteArray() : rest.left(newline);
    const QByteArray body = newline < 0 ? rest : rest.mid(newline + 1);
    const int status = statuses[(pick >> 1) % (sizeof statuses / sizeof *statuses)];
    const auto error = status == 0 ? QNetworkReply::RemoteHostClosedError : QNetworkReply::NoError;
    const auto outcome = readTokenAnswer(pick & 1 ? oauth : seed, error, status, retryAfter, body);
    (void)outcome;
    (void)retryAfterSeconds(body.left(64));
    return 0;
}
