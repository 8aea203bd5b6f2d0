#pragma once

#include <silentauth/authprotocol.h>

#include <QtCore/QJsonValue>

#include <optional>

namespace SilentAuth::Internal {

// The field names of a token answer in one dialect.
struct TokenFields
{
    const char *accessToken;
    const char *tokenType;
    const char *refreshToken;
    const char *expiresIn;
    const char *message; // the human-readable part of an error answer
    const char *idToken = nullptr; // OpenID Connect: the ID token, when the dialect has one
};

// Reads a JSON token answer the same way for every dialect: a status other
// than 200 is a network failure, throttling, a rejection or a server fault;
// a 200 must carry a Bearer access token (token_type may be left out), and
// everything else in it is optional.
AuthProtocol::Outcome readTokenAnswer(const TokenFields &fields, QNetworkReply::NetworkError error,
                                      int httpStatus, const QByteArray &retryAfter,
                                      const QByteArray &body);

// RFC 6750 b64token: what may follow "Bearer " in a header.
bool isHeaderSafeAccessToken(const QByteArray &token);
// RFC 6749 VSCHAR only.
bool isSafeRefreshToken(const QByteArray &token);

// Plain http to a host other than loopback: anyone on the path reads what is sent.
bool isPlainHttpToRemoteHost(const QUrl &url);

// A network failure in words, for logs and messages.
QString networkErrorText(QNetworkReply::NetworkError error);

// Retry-After as delta-seconds or an HTTP date (RFC 9110 §10.2.3); 0 if unreadable.
int retryAfterSeconds(const QByteArray &value);

// A lifetime in seconds: a positive number, or a string holding one (some
// servers send "3600").
std::optional<qint64> lifetimeSeconds(const QJsonValue &value);

// A URL with \a path appended to its own path.
QUrl withPath(const QUrl &base, const char *path);

} // namespace SilentAuth::Internal
