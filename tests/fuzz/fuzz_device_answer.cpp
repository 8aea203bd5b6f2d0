// A device authorization answer as a hostile server could send it: what
// passes is shown on a terminal and polled with.
#include "deviceauthorization_p.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const bool plainHttp = data[0] & 1;
    const QByteArray body(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    QString problem;
    const auto answer = SilentAuth::Internal::readDeviceAuthorization(body, plainHttp, &problem);
    if (!answer) {
        if (problem.isEmpty())
            __builtin_trap(); // a refusal always says why
        return 0;
    }
    for (const QChar c : answer->userCode) {
        if (!c.isPrint() || c.category() == QChar::Other_Format)
            __builtin_trap(); // nothing that cannot be shown reaches the screen
    }
    const QString scheme = answer->verificationUri.scheme();
    if (scheme != QLatin1String("https") && scheme != QLatin1String("http"))
        __builtin_trap();
    if (answer->deviceCode.isEmpty() || answer->deviceCode.contains('\n')
        || answer->interval.count() < 1 || answer->lifetime.count() < 1)
        __builtin_trap();
    return 0;
}
