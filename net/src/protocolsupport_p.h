#pragma once

#include <silentauth/authprotocol.h>

#include <QtCore/QJsonValue>

#include <optional>

namespace SilentAuth::Internal {

// What every token endpoint shares: an answer that is not a 200 is a network
// failure, throttling, a rejection or a server fault, whatever the dialect.
// Returns nothing for a 200, which the protocol reads itself.
std::optional<AuthProtocol::Outcome> classifyFailure(QNetworkReply::NetworkError error,
                                                     int httpStatus,
                                                     const QByteArray &retryAfter);

// Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3); 0 if unreadable.
int retryAfterSeconds(const QByteArray &value);

// A lifetime in seconds: a positive number, or a string holding one (some
// servers send "3600").
std::optional<qint64> lifetimeSeconds(const QJsonValue &value);

// A URL with \a path appended to its own path.
QUrl withPath(const QUrl &base, const char *path);

} // namespace SilentAuth::Internal
