#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QJsonObject>
#include <QtCore/QList>

#include <memory>

namespace SilentAuth::Mock {

// The RSA keys that sign ID tokens (RS256, RFC 7518 §3.3), and their public
// halves as a JWK Set (RFC 7517) for GET /oauth/jwks. Each key's kid is its
// JWK thumbprint (RFC 7638). The first key is made when it is first needed;
// rotate() puts a new one in front and keeps a few old ones, so tokens they
// signed still verify.
class SigningKeys
{
public:
    static constexpr int keysKept = 5;

    SigningKeys();
    ~SigningKeys();
    SigningKeys(const SigningKeys &) = delete;
    SigningKeys &operator=(const SigningKeys &) = delete;

    // False, with *error, when no key could be made.
    bool ensureKey(QString *error = nullptr);
    bool rotate(QString *error = nullptr);
    // A compact JWS: header {"alg":"RS256","kid","typ":"JWT"}, these claims,
    // signed with the newest key. Empty when signing failed.
    QByteArray sign(const QJsonObject &claims);
    // {"keys": [newest first]}.
    QJsonObject jwks();
    QByteArray currentKid() const;

    // Checks a compact RS256 JWS against one published JWK (kty, n, e, kid)
    // and returns its claims; for tests and tools that have only the JWKS.
    static bool verify(const QByteArray &token, const QJsonObject &jwk, QJsonObject *claims,
                       QString *error = nullptr);

private:
    struct Key;
    QList<std::shared_ptr<Key>> m_keys; // newest first
};

} // namespace SilentAuth::Mock
