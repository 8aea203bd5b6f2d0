#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QMap>
#include <QtCore/QString>

namespace SilentAuth::Mock {

// Counters QA reads from GET /__admin/stats.
struct Stats
{
    int loginsOk = 0;
    int loginsFailed = 0;
    int loginsThrottled = 0;
    int refreshesOk = 0;
    int refreshesFailed = 0;
    int reuseDetected = 0;
    int graceReplays = 0;
    int logouts = 0;
    int revocations = 0;
    int accessRevocations = 0; // access tokens presented to /oauth/revoke
    int blacklistPurged = 0;
    // Browser sign-in: codes issued at the authorization endpoint, codes
    // exchanged at the token endpoint, consents denied, and failed
    // exchanges (all of them; PKCE mismatches and reused codes also on
    // their own).
    int authorizationsIssued = 0;
    int authorizationsExchanged = 0;
    int authorizationsDenied = 0;
    int authorizationsFailed = 0;
    int authorizationsPkceFailed = 0;
    int authorizationsCodeReuse = 0;
    // Device sign-in: user codes issued, approved and denied on the
    // verification page, exchanged for tokens, and the device's polls, the
    // slow_down answers among them (tooFast: polls that came before the
    // interval) and the polls answered expired_token.
    int devicesIssued = 0;
    int devicesApproved = 0;
    int devicesDenied = 0;
    int devicesExchanged = 0;
    int devicePolls = 0;
    int deviceSlowDowns = 0;
    int devicePollsTooFast = 0;
    int devicesExpired = 0;
    int tlsExpiredServed = 0; // connections given the expired certificate (tls-expired-cert)
    // DPoP: proofs accepted, tokens bound to a key, and rejections by reason
    // (Dpop::reasonName()); reported under "dpop" when DPoP is on.
    int dpopAccepted = 0;
    int dpopBoundTokensIssued = 0;
    QMap<QString, int> dpopRejected;
    QMap<QString, int> unauthorized; // 401s sent, by reason
    QMap<QString, int> routes; // "GET /profile" → requests

    QJsonObject toJson() const;
};

} // namespace SilentAuth::Mock
