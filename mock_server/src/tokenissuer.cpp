#include "tokenissuer.h"

#include "servercontext.h"

#include <QtCore/QRandomGenerator>

namespace SilentAuth::Mock {

TokenIssuer::TokenIssuer(const QByteArray &secret, std::chrono::seconds accessTtl,
                         std::chrono::seconds refreshTtl)
    : m_secret(secret)
    , m_accessTtl(accessTtl)
    , m_refreshTtl(refreshTtl)
{
}

QByteArray TokenIssuer::newJti() const
{
    const quint64 random = QRandomGenerator::system()->generate64();
    return QByteArray::number(qMax(ServerContext::nowUs(), m_rejectUpToUs + 1)) + '.'
        + QByteArray::number(random, 16);
}

TokenIssuer::Issued TokenIssuer::issueAccess(const QString &subject, const QString &scope,
                                             qint64 nowMs, qint64 skewSeconds,
                                             const QByteArray &jkt) const
{
    Issued issued;
    // Stamped after an expire-now cutoff even within the same microsecond:
    // a token issued after the cutoff must never count as issued before it.
    issued.jti = newJti();
    const qint64 iat = nowMs / 1000 + skewSeconds;
    // exp is whole seconds (NumericDate), rounded up: a token lives at least
    // its lifetime, never up to a second less, so expiresIn holds.
    const qint64 exp = (nowMs + m_accessTtl.count() * 1000 + 999) / 1000 + skewSeconds;
    issued.expiresAtMs = exp * 1000;
    QJsonObject claims {{QStringLiteral("sub"), subject},
                        {QStringLiteral("iat"), iat},
                        {QStringLiteral("exp"), exp},
                        {QStringLiteral("jti"), QString::fromLatin1(issued.jti)},
                        {QStringLiteral("typ"), QStringLiteral("access")}};
    if (!scope.isEmpty())
        claims.insert(QStringLiteral("scope"), scope);
    if (!jkt.isEmpty())
        claims.insert(QStringLiteral("cnf"),
                      QJsonObject {{QStringLiteral("jkt"), QString::fromLatin1(jkt)}});
    issued.token = Jwt::sign(claims, m_secret);
    return issued;
}

TokenIssuer::Issued TokenIssuer::issueRefresh(const QString &subject, qint64 nowMs,
                                              const QJsonObject &extraClaims) const
{
    Issued issued;
    // Stamped after an expire-now cutoff even within the same microsecond:
    // a token issued after the cutoff must never count as issued before it.
    issued.jti = newJti();
    const qint64 iat = nowMs / 1000;
    issued.expiresAtMs = nowMs + m_refreshTtl.count() * 1000;
    QJsonObject claims = extraClaims;
    claims.insert(QStringLiteral("sub"), subject);
    claims.insert(QStringLiteral("iat"), iat);
    claims.insert(QStringLiteral("exp"), issued.expiresAtMs / 1000);
    claims.insert(QStringLiteral("jti"), QString::fromLatin1(issued.jti));
    claims.insert(QStringLiteral("typ"), QStringLiteral("refresh"));
    issued.token = Jwt::sign(claims, m_secret);
    return issued;
}

Jwt::Verified TokenIssuer::verify(const QByteArray &token, qint64 nowMs) const
{
    return Jwt::verify(token, m_secret, nowMs / 1000);
}

TokenIssuer::Check TokenIssuer::checkAccess(const QByteArray &token, qint64 nowMs) const
{
    Check check;
    if (token.isEmpty()) {
        check.reason = "missing";
        return check;
    }
    const auto verified = verify(token, nowMs);
    check.claims = verified.claims;
    switch (verified.error) {
    case Jwt::Error::None:
        break;
    case Jwt::Error::Expired:
        check.reason = "expired";
        check.description = QStringLiteral("The access token expired");
        return check;
    case Jwt::Error::BadAlgorithm:
        check.reason = "bad_algorithm";
        check.description = QStringLiteral("Only HS256 tokens are accepted");
        return check;
    case Jwt::Error::BadSignature:
        check.reason = "bad_signature";
        check.description = QStringLiteral("The token signature is invalid");
        return check;
    case Jwt::Error::Malformed:
        check.reason = "malformed";
        check.description = QStringLiteral("The token is not a well-formed JWT");
        return check;
    }
    if (check.claims.value(QLatin1String("typ")).toString() != QLatin1String("access")) {
        check.reason = "wrong_type";
        check.description = QStringLiteral("A refresh token cannot be used as an access token");
        return check;
    }
    const QByteArray jti = check.claims.value(QLatin1String("jti")).toString().toLatin1();
    const qint64 issuedUs = jti.left(jti.indexOf('.')).toLongLong();
    if (issuedUs <= m_rejectUpToUs) {
        check.reason = "expired";
        check.description = QStringLiteral("The access token expired");
        return check;
    }
    check.ok = true;
    return check;
}

} // namespace SilentAuth::Mock
