#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QJsonObject>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtNetwork/QHostAddress>

#include <chrono>

namespace SilentAuth::Mock {

// Everything the mock server can be told at start. The defaults are the
// seed backend's: 1 h access tokens, 2 week refresh tokens, rotation on,
// blacklisted refresh tokens purged after 7 days by a daily cleanup.
struct MockServerConfig
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 0; // 0 picks a free port
    QByteArray secret; // HS256 key; empty = random per start (or kept in the database)
    std::chrono::seconds accessTtl {3600};
    std::chrono::seconds refreshTtl {14 * 24 * 3600};
    bool rotateRefreshTokens = true;
    std::chrono::seconds reuseGrace {0};
    QString databaseFile; // empty = in memory
    QString usersFile; // JSON; the demo users are always there
    QStringList services {QStringLiteral("auth"), QStringLiteral("profile"),
                          QStringLiteral("board")};
    QString scenario = QStringLiteral("normal");
    QJsonObject scenarioParameters;
    std::chrono::milliseconds blacklistRetention {std::chrono::hours(24 * 7)};
    std::chrono::milliseconds cleanupInterval {std::chrono::hours(24)};
    QByteArray adminToken; // when set, admin routes need X-Admin-Token from everywhere
    qint64 maxBodyBytes = 1024 * 1024;
    // A connection that has sent nothing for this long, with no answer owed
    // to it, is closed (Qt HttpServer 6.4 would keep it open forever).
    std::chrono::milliseconds idleTimeout {std::chrono::seconds(60)};
    int loginAttemptLimit = 5;
    std::chrono::seconds loginAttemptWindow {60};
    int passwordIterations = 10000;
    QString realm = QStringLiteral("silentauth");
    // The OpenID provider's issuer identifier (discovery, iss, ID tokens):
    // an http or https URL, no query or fragment, a trailing slash dropped.
    // Empty = http://<listening address>:<port>, with 127.0.0.1 (or [::1])
    // for a wildcard address.
    QString issuer;
    std::chrono::seconds authorizationCodeTtl {60}; // browser sign-in codes
    // Loopback redirect URIs registered for the clients (RFC 8252 §7.3: the
    // port is chosen at the time of the request, so any port matches). Empty:
    // any loopback redirect URI is taken.
    QStringList redirectUris;
    // Scopes this provider lists but does not give these clients: an authorization
    // request that asks for one is answered error=invalid_scope (as some providers do
    // for offline_access).
    QStringList refusedScopes;
    // Device sign-in (RFC 8628): how long a user code can be entered, and the
    // poll interval the device is told (and held to: earlier polls get
    // slow_down).
    std::chrono::seconds deviceCodeTtl {600};
    std::chrono::seconds devicePollInterval {5};
    // ID tokens carry name and preferred_username (true), or only the claims
    // OpenID Connect requires, the profile coming from /oauth/userinfo alone
    // (false), as many providers do.
    bool profileInIdToken = true;
    // Where the seed JSON API (/auth/login, /auth/refresh, /auth/logout)
    // carries the refresh token: the JSON body, an HttpOnly cookie the
    // client never reads in a browser, or both (body or cookie accepted,
    // both sent).
    enum class RefreshTransport { Body, Cookie, Both };
    RefreshTransport refreshTransport = RefreshTransport::Body;
    QByteArray refreshCookieName = "refreshToken";
    // HTTPS (TLS 1.2 or later): the certificate chain and its private key as
    // PEM files. Or a directory where the server makes a CA of its own and a
    // certificate for 127.0.0.1, ::1 and localhost (ca.pem, server.pem,
    // server-key.pem, server-expired.pem), for tests and QA. Neither: http.
    QString tlsCertificateFile;
    QString tlsKeyFile;
    QString tlsSelfSignedDir;
    // DPoP (RFC 9449). Off: the DPoP header is ignored and every token is a
    // bearer token, as before. Optional: a token request with a valid proof
    // gets tokens bound to its key, one without gets bearer tokens. Required:
    // token requests without a proof are refused, and so are bearer tokens.
    enum class DpopMode { Off, Optional, Required };
    DpopMode dpop = DpopMode::Off;
    // Proofs must carry the server's current nonce (DPoP-Nonce); the
    // executable turns this on with --dpop-nonce and with --dpop required.
    bool dpopNonce = false;
    std::chrono::seconds dpopNonceRotate {300}; // a new nonce this often
    std::chrono::seconds dpopNonceGrace {10}; // the one before stays good this long
    std::chrono::seconds dpopProofWindow {60}; // |iat - now| at most this
    int dpopReplayCacheSize = 100000; // jti entries kept at most
    bool logRequests = true;
};

} // namespace SilentAuth::Mock
