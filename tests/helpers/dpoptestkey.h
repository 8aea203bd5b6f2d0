#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QJsonObject>
#include <QtCore/QUrl>

#include <memory>

namespace SilentAuth::Test {

// A DPoP key pair for tests (OpenSSL EVP): EC P-256 (ES256) or RSA 2048
// (RS256), and the proofs (RFC 9449 §4.2) it signs. Each proof has a fresh
// random jti unless one is given.
class DpopTestKey
{
public:
    enum class Type { Ec, Rsa };

    explicit DpopTestKey(Type type = Type::Ec);
    ~DpopTestKey();
    DpopTestKey(const DpopTestKey &) = delete;
    DpopTestKey &operator=(const DpopTestKey &) = delete;

    bool isValid() const;
    Type type() const { return m_type; }
    QByteArray alg() const { return m_type == Type::Ec ? "ES256" : "RS256"; }
    QJsonObject publicJwk() const;
    // The public JWK plus the private exponent d: what a careless client leaks.
    QJsonObject privateJwk() const;
    // RFC 7638 SHA-256 thumbprint, base64url.
    QByteArray thumbprint() const;

    // {"typ":"dpop+jwt","alg":…,"jwk":public}
    QJsonObject header() const;
    // {"jti","htm","htu","iat"} plus ath (the access token's hash) and
    // nonce when given. htu is url without query and fragment.
    QJsonObject claims(const QByteArray &method, const QUrl &url,
                       const QByteArray &accessToken = {}, const QByteArray &nonce = {}) const;
    // A compact JWS of header and claims, signed with this key whatever
    // header says.
    QByteArray sign(const QJsonObject &header, const QJsonObject &claims) const;
    // The proof a well-behaved client sends.
    QByteArray proof(const QByteArray &method, const QUrl &url, const QByteArray &accessToken = {},
                     const QByteArray &nonce = {}) const;

    // base64url(SHA-256(token)).
    static QByteArray accessTokenHash(const QByteArray &token);
    static QByteArray base64url(const QByteArray &data);

private:
    struct Private;
    Type m_type;
    std::unique_ptr<Private> d;
};

} // namespace SilentAuth::Test
