#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QDateTime>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QString>

#include <memory>
#include <optional>

namespace SilentAuth::Internal {

// One public key from a JWKS (RFC 7517): RSA (RS256) or EC P-256 (ES256).
// The key itself is OpenSSL's; copies share it.
struct Jwk
{
    QString kid;
    QString alg; // as published; may be empty
    std::shared_ptr<void> key; // EVP_PKEY
    bool rsa = false;
};

// The signing keys of a JWKS document. Keys that are not for signatures,
// or of a type or curve this client does not verify, are left out; an
// unreadable document gives nothing and \a error.
QList<Jwk> parseJwks(const QByteArray &document, QString *error);

// The claims of a JWS-signed JWT whose signature one of \a keys verifies
// (RS256 or ES256 only: "none" and HMAC are refused). \a unknownKid is set
// when the token names a kid that \a keys do not have (the provider may
// have rotated its keys).
std::optional<QJsonObject> verifyJwt(const QByteArray &jwt, const QList<Jwk> &keys, QString *error,
                                     bool *unknownKid = nullptr);

// OpenID Connect Core §3.1.3.7: iss, aud (and azp when several audiences),
// exp, iat and nonce, with \a leewaySeconds for clocks. Empty when valid,
// else why not.
QString checkIdTokenClaims(const QJsonObject &claims, const QString &issuer,
                           const QString &clientId, const QByteArray &nonce, const QDateTime &now,
                           int leewaySeconds = 120);

} // namespace SilentAuth::Internal
