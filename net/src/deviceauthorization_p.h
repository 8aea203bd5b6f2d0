#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtCore/QUrl>

#include <chrono>
#include <optional>

namespace SilentAuth::Internal {

// A device authorization answer (RFC 8628 §3.2) that can be shown to the
// user and polled with.
struct DeviceAuthorization
{
    QByteArray deviceCode;
    QString userCode;
    QUrl verificationUri;
    QUrl verificationUriComplete; // empty when absent or not acceptable
    std::chrono::seconds lifetime {0};
    std::chrono::seconds interval {0};
};

// Reads a 200 answer's body. A user code with control or formatting
// characters or over 64 characters, a verification address that is not
// https (http only on loopback, or when \a plainHttpAllowed), has user info
// or is over 2 KiB, a device code a form could not carry, or no expires_in:
// nothing, and *problem says which. The interval is 5 s when absent, and
// bounded to 1 to 300 s; the lifetime to an hour.
std::optional<DeviceAuthorization> readDeviceAuthorization(const QByteArray &body,
                                                           bool plainHttpAllowed, QString *problem);

} // namespace SilentAuth::Internal
