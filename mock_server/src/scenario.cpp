#include "scenario.h"

namespace SilentAuth::Mock {

namespace {

struct Entry
{
    Scenario::Kind kind;
    const char *name;
    const char *summary;
    QJsonObject parameters;
};

const QString countHelp = QStringLiteral("refresh calls affected before the server returns to "
                                         "normal (default: all)");

QList<Entry> entries()
{
    return {
        {Scenario::Kind::Normal, "normal", "Everything works as specified.", {}},
        {Scenario::Kind::ExpireNow,
         "expire-now",
         "Every access token issued before this moment is rejected as expired; new ones work.",
         {}},
        {Scenario::Kind::SlowRefresh,
         "slow-refresh",
         "Refresh works, but each answer is delayed.",
         {{QStringLiteral("delayMs"), QStringLiteral("delay in milliseconds (default 3000)")},
          {QStringLiteral("count"), countHelp}}},
        {Scenario::Kind::RefreshUnavailable,
         "refresh-unavailable",
         "Refresh answers 503 Service Unavailable with Retry-After: 1.",
         {{QStringLiteral("count"), countHelp}}},
        {Scenario::Kind::RefreshDrop,
         "refresh-drop",
         "Refresh closes the connection without answering; nothing changes on the server.",
         {{QStringLiteral("count"), countHelp}}},
        {Scenario::Kind::LostRefreshResponse,
         "lost-refresh-response",
         "Refresh rotates the token on the server, then closes the connection before answering.",
         {{QStringLiteral("count"), countHelp}}},
        {Scenario::Kind::RevokedRefresh,
         "revoked-refresh",
         "Refresh answers 401 invalid_grant, as for a revoked refresh token.",
         {{QStringLiteral("count"), countHelp}}},
        {Scenario::Kind::MalformedRefresh,
         "malformed-refresh",
         "Refresh answers 200 with a body that is not JSON.",
         {{QStringLiteral("count"), countHelp}}},
        {Scenario::Kind::FlakyResources,
         "flaky-resources",
         "A fraction of profile, board and echo calls answer 500.",
         {{QStringLiteral("failureRate"),
           QStringLiteral("fraction of calls that fail, 0 to 1 (default 0.3)")}}},
        {Scenario::Kind::ClockSkew,
         "clock-skew",
         "Access tokens are issued by a clock that is off: iat and exp are shifted, expiresIn "
         "is not.",
         {{QStringLiteral("seconds"),
           QStringLiteral("shift in seconds, negative = behind (default -3590)")}}},
        {Scenario::Kind::DenyConsent,
         "deny-consent",
         "The browser sign-in page answers every submission with access_denied, as if the user "
         "had declined, whatever the button.",
         {}},
        {Scenario::Kind::SlowConsent,
         "slow-consent",
         "The browser sign-in page works, but its redirect back to the application is delayed.",
         {{QStringLiteral("delayMs"), QStringLiteral("delay in milliseconds (default 3000)")}}},
        {Scenario::Kind::RotateSigningKey,
         "rotate-signing-key",
         "A new ID token signing key with a new kid signs from now on; the JWKS lists it first and "
         "keeps the previous keys, so tokens they signed still verify.",
         {}},
        {Scenario::Kind::DeviceSlowDown,
         "device-slow-down",
         "Device sign-in polls are answered slow_down, and the interval the device is held to "
         "grows by 5 seconds each time, as RFC 8628 says.",
         {{QStringLiteral("count"),
           QStringLiteral("polls answered slow_down before the server returns to normal "
                          "(default 1)")}}},
        {Scenario::Kind::TlsExpiredCert,
         "tls-expired-cert",
         "Open connections are closed, and new ones get a server certificate that expired "
         "yesterday (same CA, same key); needs --tls-self-signed.",
         {{QStringLiteral("count"),
           QStringLiteral("connections given the expired certificate before the server returns "
                          "to normal (default: all)")}}},
        {Scenario::Kind::CaptivePortal,
         "captive-portal",
         "As behind a hotel or airport portal: every request but /__admin is answered 200 with "
         "an HTML sign-in page, and nothing reaches the services.",
         {}},
        {Scenario::Kind::DpopNonceRotation,
         "dpop-nonce-rotation",
         "The DPoP nonce is replaced now (and on every N-th request with every): the next proof "
         "with the old nonce is answered use_dpop_nonce with the new one in DPoP-Nonce; needs "
         "DPoP nonces (--dpop-nonce or --dpop required).",
         {{QStringLiteral("every"),
           QStringLiteral("rotate again on every N-th request, admin routes not counted "
                          "(default 0: only now)")},
          {QStringLiteral("graceSeconds"),
           QStringLiteral("how long the replaced nonce is still accepted (default 0)")}}},
        {Scenario::Kind::DpopReplayedProof,
         "dpop-replayed-proof",
         "Valid DPoP proofs are refused as replayed, as if an attacker had sent each one first: "
         "400 invalid_dpop_proof at a token endpoint, 401 with WWW-Authenticate: DPoP "
         "error=\"invalid_dpop_proof\" at a resource; counted under jti_replayed; needs --dpop.",
         {{QStringLiteral("count"),
           QStringLiteral("proofs refused before the server returns to normal (default 1)")}}},
    };
}

} // namespace

bool Scenario::affectsRefresh() const
{
    switch (kind) {
    case Kind::SlowRefresh:
    case Kind::RefreshUnavailable:
    case Kind::RefreshDrop:
    case Kind::LostRefreshResponse:
    case Kind::RevokedRefresh:
    case Kind::MalformedRefresh:
        return remaining != 0;
    default:
        return false;
    }
}

QList<Scenario::Description> Scenario::all()
{
    QList<Description> list;
    for (const auto &entry : entries())
        list.append({QString::fromLatin1(entry.name), QString::fromLatin1(entry.summary),
                     entry.parameters});
    return list;
}

bool Scenario::parse(const QString &name, const QJsonObject &parameters, Scenario *scenario,
                     QString *error)
{
    for (const auto &entry : entries()) {
        if (name != QLatin1String(entry.name))
            continue;
        Scenario s;
        s.kind = entry.kind;
        s.name = name;
        s.parameters = parameters;
        for (auto it = parameters.begin(); it != parameters.end(); ++it) {
            if (it.key() != QLatin1String("name") && !entry.parameters.contains(it.key())) {
                *error = QStringLiteral("Scenario %1 takes no parameter %2").arg(name, it.key());
                return false;
            }
            if (!it.value().isDouble()) {
                *error = QStringLiteral("Parameter %1 must be a number").arg(it.key());
                return false;
            }
        }
        s.delayMs = parameters.value(QLatin1String("delayMs")).toInt(3000);
        s.failureRate = parameters.value(QLatin1String("failureRate")).toDouble(0.3);
        s.skewSeconds = qint64(parameters.value(QLatin1String("seconds")).toDouble(-3590));
        const bool countsOne
            = entry.kind == Kind::DeviceSlowDown || entry.kind == Kind::DpopReplayedProof;
        s.remaining = parameters.value(QLatin1String("count")).toInt(countsOne ? 1 : -1);
        s.every = parameters.value(QLatin1String("every")).toInt(0);
        s.graceSeconds = parameters.value(QLatin1String("graceSeconds")).toInt(0);
        if (s.delayMs < 0 || s.failureRate < 0 || s.failureRate > 1 || s.remaining < -1
            || s.every < 0 || s.graceSeconds < 0) {
            *error = QStringLiteral("A parameter of %1 is out of range").arg(name);
            return false;
        }
        *scenario = s;
        return true;
    }
    *error = QStringLiteral("Unknown scenario %1; GET /__admin/scenarios lists them").arg(name);
    return false;
}

} // namespace SilentAuth::Mock
