#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QMultiMap>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QUrl>

#include <memory>

typedef struct evp_pkey_st EVP_PKEY;

// DPoP (RFC 9449): proof verification, JWK thumbprints (RFC 7638), the jti
// replay cache and the server's rotating nonces. Dpop::verify() is pure:
// everything it compares with comes in Dpop::Expected, so a fuzzer can call
// it without a server.
namespace SilentAuth::Mock::Dpop {

// Why a proof (or a request's use of a bound token) was refused. The names
// reasonName() gives are what stats and logs show.
enum class Rejection {
    None,
    Missing, // no DPoP header where a proof is needed
    Malformed, // not a compact JWS of JSON objects, a claim missing or mistyped, too long
    BadTyp, // typ is not dpop+jwt
    BadAlg, // alg other than ES256 / RS256 (none and HS* included), or not the key's
    BadJwk, // not a public EC P-256 or RSA 2048-4096 key; private members
    BadSignature,
    HtmMismatch,
    HtuMismatch,
    IatOutOfWindow,
    AthMismatch, // ath missing or not the hash of the presented access token
    NonceMissing,
    NonceStale,
    JtiReplayed,
    ReplayCacheFull, // the replay cache cannot vouch for a proof this old
    KeyMismatch, // the proof's key is not the one the token is bound to
    BoundTokenAsBearer, // a DPoP-bound access token sent with the Bearer scheme
};

QByteArray reasonName(Rejection rejection);
// The reasons in the order stats list them (None excluded).
QList<Rejection> allRejections();
// True for the two rejections a client answers by resending with the nonce.
inline bool isNonceRejection(Rejection r)
{
    return r == Rejection::NonceMissing || r == Rejection::NonceStale;
}

// What a proof must match.
struct Expected
{
    QByteArray method; // htm
    QStringList urls; // accepted htu values, as normalizedUrl() gives them
    qint64 nowSecs = 0;
    qint64 windowSecs = 60; // |iat - now| at most this
    QByteArray accessToken; // non-empty on resource requests: ath must be its hash
    QList<QByteArray> nonces; // the nonces accepted now; empty: none asked for
};

struct Proof
{
    Rejection rejection = Rejection::Malformed;
    QString description; // for error bodies and challenges
    QByteArray jkt; // RFC 7638 thumbprint of the proof's key
    QByteArray jti;
    qint64 iat = 0;
    bool ok() const { return rejection == Rejection::None; }
};

constexpr qsizetype maxProofBytes = 8192;
constexpr qsizetype maxJtiLength = 256;
constexpr qsizetype maxNonceLength = 256;
constexpr char signingAlgorithms[] = "ES256 RS256";

// Public keys already imported and checked (a point on the curve, an RSA
// modulus of a sane size), by thumbprint. A client proves with one key for
// a whole session, and importing and checking a key costs as much as
// verifying a signature. Bounded: emptied when full.
class KeyCache
{
public:
    explicit KeyCache(int capacity = 1024)
        : m_capacity(qMax(1, capacity))
    {
    }
    std::shared_ptr<EVP_PKEY> find(const QByteArray &jkt) const { return m_keys.value(jkt); }
    void insert(const QByteArray &jkt, std::shared_ptr<EVP_PKEY> key);
    int size() const { return int(m_keys.size()); }

private:
    int m_capacity;
    QHash<QByteArray, std::shared_ptr<EVP_PKEY>> m_keys;
};

// Checks one DPoP header value: structure, typ, alg, jwk, signature (OpenSSL
// EVP), then jti, htm, htu, iat, ath and nonce. Not the replay cache. With
// KEYS, a key seen before is not imported and checked again.
Proof verify(const QByteArray &compact, const Expected &expected, KeyCache *keys = nullptr);

// RFC 7638 SHA-256 thumbprint (base64url) of a public EC P-256 or RSA JWK;
// empty when the JWK is not one.
QByteArray thumbprint(const QJsonObject &jwk);
// RFC 9449 §4.3 / RFC 3986 §6.2.2-6.2.3: scheme and host in lower case, the
// default port dropped, an empty path as "/", dot segments resolved,
// unreserved characters decoded; without query and fragment. Empty when
// not an absolute http or https URL.
QString normalizedUrl(const QUrl &url);
// base64url(SHA-256(token)): the ath claim.
QByteArray accessTokenHash(const QByteArray &token);
// 128 random bits, base64url.
QByteArray newNonce();

// The jti of every accepted proof, until its iat leaves the window. Bounded:
// when full, the entry that expires first makes room and its expiry becomes
// a floor below which no proof is accepted any more (a replay of an evicted
// jti can never get through; under pressure, old proofs are refused).
class ReplayCache
{
public:
    enum class Outcome { Fresh, Replayed, Full };

    explicit ReplayCache(int capacity = 100000)
        : m_capacity(qMax(1, capacity))
    {
    }
    // Records (jkt, jti) accepted until expiresAtSecs.
    Outcome record(const QByteArray &jkt, const QByteArray &jti, qint64 expiresAtSecs,
                   qint64 nowSecs);
    int size(qint64 nowSecs);
    int evicted() const { return m_evicted; }
    void clear();

private:
    void expire(qint64 nowSecs);

    int m_capacity;
    QHash<QByteArray, qint64> m_seen; // jkt ' ' jti → expiry (s)
    QMultiMap<qint64, QByteArray> m_byExpiry;
    qint64 m_floor = 0;
    int m_evicted = 0;
};

// The server's nonces (RFC 9449 §8): a current one, replaced every
// rotation period; the one before stays good for a grace period.
class Nonces
{
public:
    void configure(qint64 rotateMs, qint64 graceMs);
    // The current nonce, after a rotation that is due.
    QByteArray current(qint64 nowMs);
    // The nonces a proof may carry now.
    QList<QByteArray> accepted(qint64 nowMs);
    // A new current nonce now; the old one stays good for graceMs.
    void rotate(qint64 nowMs, qint64 graceMs);
    int rotations() const { return m_rotations; }

private:
    QByteArray m_current;
    QByteArray m_previous;
    qint64 m_madeAtMs = 0;
    qint64 m_previousUntilMs = 0;
    qint64 m_rotateMs = 300000;
    qint64 m_graceMs = 5000;
    int m_rotations = 0;
};

} // namespace SilentAuth::Mock::Dpop
