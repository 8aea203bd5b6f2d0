// What a browser, or another program on the machine, sends to the loopback
// port a browser sign-in listens on, read as the provider's redirect back.
#include "loopbackcallback_p.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using SilentAuth::Internal::LoopbackCallback;
    const QByteArray head(reinterpret_cast<const char *>(data), qsizetype(size));
    const LoopbackCallback callback
        = SilentAuth::Internal::readLoopbackCallback(head, QStringLiteral("/callback"));
    const bool anyParameter = callback.state || callback.code || callback.iss || callback.error;
    // Parameters are read from the callback only, and a repeat implies one.
    if (callback.kind != LoopbackCallback::Kind::Callback && (anyParameter || callback.repeated))
        __builtin_trap();
    if (callback.repeated && !anyParameter)
        __builtin_trap();
    return 0;
}
