#include "deviceauthorization_p.h"

#include "protocolsupport_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

#include <algorithm>

namespace SilentAuth::Internal {

namespace {

using namespace std::chrono_literals;

constexpr auto defaultInterval = 5s; // RFC 8628 §3.2
constexpr auto longestInterval = 300s;
constexpr auto longestLifetime = 3600s;
constexpr qsizetype longestUserCode = 64;
constexpr qsizetype longestDeviceCode = 4096;
constexpr qsizetype longestAddress = 2048;

bool isAcceptableAddress(const QUrl &url, bool plainHttpAllowed)
{
    if (!url.isValid() || url.host().isEmpty() || !url.userInfo().isEmpty()
        || url.toString(QUrl::FullyEncoded).size() > longestAddress)
        return false;
    if (url.scheme() == QLatin1String("https"))
        return true;
    return url.scheme() == QLatin1String("http")
        && (plainHttpAllowed || !isPlainHttpToRemoteHost(url));
}

// The reasons a device authorization answer is refused are shown by the device sign-in.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(SilentAuth::DeviceSignIn)
};

} // namespace

std::optional<DeviceAuthorization> readDeviceAuthorization(const QByteArray &body,
                                                           bool plainHttpAllowed, QString *problem)
{
    QJsonParseError parseError;
    const QJsonObject json = QJsonDocument::fromJson(body, &parseError).object();
    if (parseError.error != QJsonParseError::NoError || json.isEmpty()) {
        *problem = Text::tr("the answer is not a JSON object");
        return std::nullopt;
    }
    const QString device = json.value(QLatin1String("device_code")).toString();
    const QString user = json.value(QLatin1String("user_code")).toString();
    const QUrl address(json.value(QLatin1String("verification_uri")).toString(), QUrl::StrictMode);
    const auto lifetime = lifetimeSeconds(json.value(QLatin1String("expires_in")));
    if (device.isEmpty() || device.size() > longestDeviceCode
        || !isSafeRefreshToken(device.toUtf8())) {
        *problem = Text::tr("device_code is missing or not usable");
        return std::nullopt;
    }
    if (user.trimmed().isEmpty() || user.size() > longestUserCode || !isShowableText(user)) {
        *problem = Text::tr("user_code is missing or has characters that cannot be shown");
        return std::nullopt;
    }
    if (!isAcceptableAddress(address, plainHttpAllowed)) {
        *problem = Text::tr("verification_uri is missing or not an https:// address");
        return std::nullopt;
    }
    if (!lifetime) {
        *problem = Text::tr("expires_in is missing");
        return std::nullopt;
    }
    DeviceAuthorization authorization;
    authorization.deviceCode = device.toUtf8();
    authorization.userCode = user;
    authorization.verificationUri = address;
    const QUrl complete(json.value(QLatin1String("verification_uri_complete")).toString(),
                        QUrl::StrictMode);
    // Optional: one that is not acceptable is left out, not followed.
    if (isAcceptableAddress(complete, plainHttpAllowed))
        authorization.verificationUriComplete = complete;
    // At least a second: a fraction of one is still some time to poll in.
    authorization.lifetime = std::clamp(std::chrono::seconds(*lifetime), 1s, longestLifetime);
    const auto interval = lifetimeSeconds(json.value(QLatin1String("interval")));
    authorization.interval = interval
        ? std::clamp(std::chrono::seconds(*interval), 1s, longestInterval)
        : defaultInterval;
    return authorization;
}

} // namespace SilentAuth::Internal
