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
// a 200 must carry a Bearer or DPoP access token (token_type may be left out), and
// everything else in it is optional.
AuthProtocol::Outcome readTokenAnswer(const TokenFields &fields, QNetworkReply::NetworkError error,
                                      int httpStatus, const QByteArray &retryAfter,
                                      const QByteArray &body);

// RFC 6750 b64token: what may follow "Bearer " in a header.
bool isHeaderSafeAccessToken(const QByteArray &token);
// RFC 6749 VSCHAR only.
bool isSafeRefreshToken(const QByteArray &token);

// Two issuer identifiers compared as RFC 8414 §3.3 and RFC 9207 ask: as
// strings, with no normalisation of case, encoding or address forms. One
// trailing slash is the only difference tolerated.
bool sameIssuer(QString a, QString b);

// Plain http to a host other than loopback: anyone on the path reads what is sent.
// Text from a server that is shown to people (a user code, a name, an
// error description): nothing that could move a terminal's cursor, change
// its colours, reorder the text around it or hide in it. isShowableText()
// says whether all of \a text is such; showable() replaces the rest with
// U+FFFD.
bool isShowableChar(QChar c);
bool isShowableText(const QString &text);
QString showable(const QString &text);

bool isPlainHttpToRemoteHost(const QUrl &url);

// A request to an auth server as it must go (its deadline is boundReply()'s):
// always from the network, no redirect followed (tokens never cross to
// another origin), no cookie jar read or written (a refresh cookie is the
// protocol's to send), and over HTTP/1.1: Qt 6.4 sends a POST's body over
// HTTP/2 in a second small write that waits out the peer's delayed
// acknowledgement, about 40 ms per token request behind an HTTP/2 front.
QNetworkRequest authServerRequest(QNetworkRequest request);

// How long a deadline of \a timeoutMs that has passed is confirmed for before
// it is acted on: a tenth of it, 50 ms to 1 s. Whatever the program did not
// see because it was stopped (SIGSTOP, a debugger, a suspended machine) is
// delivered in that time, and an answer that arrived must not be given up.
int deadlineGrace(int timeoutMs);

// Bounds a request to an auth server: aborted when it has taken \a timeoutMs in
// all, confirmed after a short grace (a server that trickles bytes is not
// waited for; a transfer timeout only sees silence), or when its answer grows
// past \a maxBytes.
void boundReply(QNetworkReply *reply, int timeoutMs, qint64 maxBytes = 1024 * 1024);
bool replyTimedOut(const QNetworkReply *reply);
bool replyTooLarge(const QNetworkReply *reply);

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
