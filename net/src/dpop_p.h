#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QDateTime>
#include <QtCore/QHash>
#include <QtCore/QUrl>

#include <memory>

class QNetworkReply;
typedef struct evp_pkey_st EVP_PKEY;
typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace SilentAuth::Internal {

// A DPoP key pair (RFC 9449): EC P-256, signing ES256 proofs through
// OpenSSL's EVP API. The private key leaves it only for the token store.
class DpopKey
{
public:
    ~DpopKey();
    DpopKey(const DpopKey &) = delete;
    DpopKey &operator=(const DpopKey &) = delete;

    // A new key pair; null when OpenSSL cannot make one.
    static std::shared_ptr<DpopKey> generate();
    // The key privateKey() gave; null when \a der is not an EC P-256 private key.
    static std::shared_ptr<DpopKey> fromPrivateKey(const QByteArray &der);

    // PKCS #8 DER: for the token store only, never a file or a log.
    QByteArray privateKey() const;
    // RFC 7638 SHA-256 thumbprint of the public key, base64url.
    QByteArray thumbprint() const { return m_thumbprint; }
    // The proof for one send (RFC 9449 §4.2): a fresh jti, htm, htu (\a url
    // without query and fragment), iat, ath when there is an \a accessToken
    // and nonce when there is a \a nonce. Empty if signing failed.
    QByteArray proof(const QByteArray &method, const QUrl &url, const QByteArray &accessToken = {},
                     const QByteArray &nonce = {}) const;

private:
    explicit DpopKey(EVP_PKEY *key);

    EVP_PKEY *m_key = nullptr;
    // A signing context set up once (algorithm fetched, key bound); every
    // proof signs with a copy of it.
    EVP_MD_CTX *m_signer = nullptr;
    QByteArray m_header; // base64url of the JOSE header, the same for every proof
    QByteArray m_thumbprint;
    // ath of the access token last proven for: the same for every request
    // until the next refresh.
    mutable QByteArray m_athToken;
    mutable QByteArray m_ath;
};

// RFC 9449 §8.1: a nonce is 1*NQCHAR (visible ASCII without '"' and '\');
// over 512 bytes it is not taken either.
bool isUsableNonce(const QByteArray &nonce);

// The newest usable DPoP-Nonce each origin (scheme, host, port) sent. A
// token endpoint and each resource server have their own.
class DpopNonces
{
public:
    QByteArray nonceFor(const QUrl &url) const;
    // Takes \a reply's DPoP-Nonce for its origin, when usable.
    void learn(const QNetworkReply *reply);

private:
    QHash<QString, QByteArray> m_nonces;
};

// The 400 {"error":"use_dpop_nonce"} of a token endpoint (RFC 9449 §8),
// with a usable DPoP-Nonce to resend with. Peeks: the body stays unread.
bool isTokenEndpointNonceChallenge(QNetworkReply *reply);
// The 401 WWW-Authenticate: DPoP error="use_dpop_nonce" of a resource
// (RFC 9449 §9), with a usable DPoP-Nonce.
bool isResourceNonceChallenge(const QNetworkReply *reply);

// What the token store holds: the refresh token alone (as every earlier
// version wrote it), or the refresh token and, each on a line of its own,
// "dpop-es256 " with the base64 PKCS #8 private key (DPoP) and "expires "
// with the seconds since the epoch when the server stops taking the token
// (a refresh cookie's Max-Age or Expires). A refresh token has no line
// break, so an entry without either reads as before.
QByteArray storedRecord(const QByteArray &refreshToken, const QByteArray &privateKey,
                        const QDateTime &expiresAt = {});
// Splits a record; \a privateKey is cleared when the entry has none, and
// \a expiresAt made invalid.
QByteArray refreshTokenOfRecord(const QByteArray &record, QByteArray *privateKey,
                                QDateTime *expiresAt = nullptr);

} // namespace SilentAuth::Internal
