#pragma once

#include "jwt.h"

#include <QtCore/QString>

#include <chrono>

namespace SilentAuth::Mock {

// Issues and checks the server's JWTs. jti starts with the issue time in
// milliseconds, so "reject everything issued before now" needs no list.
class TokenIssuer
{
public:
    struct Issued
    {
        QByteArray token;
        QByteArray jti;
        qint64 expiresAtMs = 0;
    };

    struct Check
    {
        bool ok = false;
        QByteArray reason; // for logs and stats: missing, expired, bad_signature…
        QString description; // for the WWW-Authenticate challenge
        QJsonObject claims;
    };

    TokenIssuer(const QByteArray &secret, std::chrono::seconds accessTtl,
                std::chrono::seconds refreshTtl);

    // jkt: the thumbprint of the DPoP key the token is bound to (RFC 9449
    // §6.1, cnf.jkt); empty for a bearer token.
    Issued issueAccess(const QString &subject, const QString &scope, qint64 nowMs,
                       qint64 skewSeconds = 0, const QByteArray &jkt = {}) const;
    // extraClaims go into the token as they are (a browser sign-in's scope,
    // client_id and nonce, kept across rotations and restarts).
    Issued issueRefresh(const QString &subject, qint64 nowMs,
                        const QJsonObject &extraClaims = {}) const;
    Check checkAccess(const QByteArray &token, qint64 nowMs) const;
    Jwt::Verified verify(const QByteArray &token, qint64 nowMs) const;

    //! Access tokens issued up to \a us (microseconds since the epoch) are refused.
    void rejectIssuedUpTo(qint64 us) { m_rejectUpToUs = us; }
    qint64 accessTtlSeconds() const { return m_accessTtl.count(); }
    qint64 refreshTtlSeconds() const { return m_refreshTtl.count(); }

private:
    // Stamped with the time of issue in microseconds, after the cutoff of this issuer:
    // another server's cutoff (a resource server's expire-now) is a whole request earlier.
    QByteArray newJti() const;

    QByteArray m_secret;
    std::chrono::seconds m_accessTtl;
    std::chrono::seconds m_refreshTtl;
    qint64 m_rejectUpToUs = -1;
};

} // namespace SilentAuth::Mock
