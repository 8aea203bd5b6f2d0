#include "dpop.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QRandomGenerator>

#include "ownedssl.h"
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>

#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <cmath>
#include <memory>

namespace SilentAuth::Mock::Dpop {

namespace {

constexpr auto base64url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

using Pkey = Owned<EVP_PKEY>;
using PkeyCtx = Owned<EVP_PKEY_CTX>;
using MdCtx = Owned<EVP_MD_CTX>;
using Bn = Owned<BIGNUM>;

const unsigned char *bytes(const QByteArray &data)
{
    return reinterpret_cast<const unsigned char *>(data.constData());
}

// Strict base64url as JWS uses it: no padding, no other alphabet.
bool decodeBase64Url(const QByteArray &text, QByteArray *decoded)
{
    for (const char c : text) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == '-' || c == '_';
        if (!ok)
            return false;
    }
    if (text.size() % 4 == 1)
        return false;
    const auto result = QByteArray::fromBase64Encoding(
        text, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!result)
        return false;
    *decoded = result.decoded;
    return true;
}

bool decodeObject(const QByteArray &part, QJsonObject *object)
{
    QByteArray json;
    if (!decodeBase64Url(part, &json))
        return false;
    QJsonParseError error;
    const auto document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return false;
    *object = document.object();
    return true;
}

QByteArray sha256(const QByteArray &data)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(data.constData(), size_t(data.size()), digest, &length, EVP_sha256(), nullptr)
        != 1) {
        ERR_clear_error();
        return {};
    }
    return QByteArray(reinterpret_cast<const char *>(digest), int(length));
}

// A member of a JWK as raw bytes; empty when absent or not base64url.
QByteArray member(const QJsonObject &jwk, const char *name)
{
    const QJsonValue value = jwk.value(QLatin1String(name));
    QByteArray decoded;
    if (!value.isString() || !decodeBase64Url(value.toString().toLatin1(), &decoded))
        return {};
    return decoded;
}

// A big-endian unsigned integer without leading zero bytes (RFC 7518 §2,
// Base64urlUInt), so that thumbprints do not depend on how it was written.
QByteArray minimal(QByteArray number)
{
    while (number.size() > 1 && number.at(0) == '\0')
        number.remove(0, 1);
    return number;
}

bool hasPrivateMembers(const QJsonObject &jwk)
{
    for (const char *name : {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
        if (jwk.contains(QLatin1String(name)))
            return true;
    }
    return false;
}

// The canonical members of a supported public key: kty EC with crv P-256
// and 32-byte x and y, or kty RSA with n and e. Empty kty when not one.
struct PublicKey
{
    QByteArray kty;
    QByteArray x, y; // EC
    QByteArray n, e; // RSA
};

PublicKey publicKey(const QJsonObject &jwk)
{
    PublicKey key;
    const QString kty = jwk.value(QLatin1String("kty")).toString();
    if (kty == QLatin1String("EC")) {
        if (jwk.value(QLatin1String("crv")).toString() != QLatin1String("P-256"))
            return key;
        key.x = member(jwk, "x");
        key.y = member(jwk, "y");
        if (key.x.size() == 32 && key.y.size() == 32)
            key.kty = "EC";
    } else if (kty == QLatin1String("RSA")) {
        key.n = minimal(member(jwk, "n"));
        key.e = minimal(member(jwk, "e"));
        if (!key.n.isEmpty() && !key.e.isEmpty())
            key.kty = "RSA";
    }
    return key;
}

QByteArray thumbprintOf(const PublicKey &key)
{
    // RFC 7638 §3.2: the required members in lexicographic order, no spaces.
    QByteArray input;
    if (key.kty == "EC") {
        input = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + key.x.toBase64(base64url)
            + "\",\"y\":\"" + key.y.toBase64(base64url) + "\"}";
    } else if (key.kty == "RSA") {
        input = "{\"e\":\"" + key.e.toBase64(base64url) + "\",\"kty\":\"RSA\",\"n\":\""
            + key.n.toBase64(base64url) + "\"}";
    } else {
        return {};
    }
    return sha256(input).toBase64(base64url);
}

Pkey importKey(const PublicKey &key)
{
    const Owned<OSSL_PARAM_BLD> builder(OSSL_PARAM_BLD_new());
    if (!builder)
        return nullptr;
    QByteArray point;
    Bn n, e;
    if (key.kty == "EC") {
        point = '\x04' + key.x + key.y; // SEC 1 uncompressed point
        if (!OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                             "prime256v1", 0)
            || !OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                                 point.constData(), size_t(point.size())))
            return nullptr;
    } else {
        n.reset(BN_bin2bn(bytes(key.n), int(key.n.size()), nullptr));
        e.reset(BN_bin2bn(bytes(key.e), int(key.e.size()), nullptr));
        if (!n || !e || !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get())
            || !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()))
            return nullptr;
    }
    const Owned<OSSL_PARAM> parameters(OSSL_PARAM_BLD_to_param(builder.get()));
    const PkeyCtx context(
        EVP_PKEY_CTX_new_from_name(nullptr, key.kty == "EC" ? "EC" : "RSA", nullptr));
    EVP_PKEY *imported = nullptr;
    if (!parameters || !context || EVP_PKEY_fromdata_init(context.get()) <= 0
        || EVP_PKEY_fromdata(context.get(), &imported, EVP_PKEY_PUBLIC_KEY, parameters.get()) <= 0)
        return nullptr;
    Pkey pkey(imported);
    // The point must lie on the curve; an RSA key must be of a sane size
    // (RFC 7518 §3.3: 2048 bits or more; 4096 at most keeps checks cheap).
    const PkeyCtx check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr));
    if (!check || EVP_PKEY_public_check(check.get()) != 1)
        return nullptr;
    if (key.kty == "RSA") {
        const int bits = EVP_PKEY_get_bits(pkey.get());
        if (bits < 2048 || bits > 4096)
            return nullptr;
    }
    return pkey;
}

// JWS ES256 signatures are r || s, 32 bytes each (RFC 7518 §3.4); EVP
// verifies the DER encoding of ECDSA-Sig-Value.
QByteArray derFromRawEcdsa(const QByteArray &raw)
{
    if (raw.size() != 64)
        return {};
    Owned<ECDSA_SIG> signature(ECDSA_SIG_new());
    BIGNUM *r = BN_bin2bn(bytes(raw), 32, nullptr);
    BIGNUM *s = BN_bin2bn(bytes(raw) + 32, 32, nullptr);
    if (!signature || !r || !s || ECDSA_SIG_set0(signature.get(), r, s) != 1) {
        BN_free(r);
        BN_free(s);
        return {};
    }
    const int length = i2d_ECDSA_SIG(signature.get(), nullptr);
    if (length <= 0)
        return {};
    QByteArray der(length, Qt::Uninitialized);
    auto *out = reinterpret_cast<unsigned char *>(der.data());
    if (i2d_ECDSA_SIG(signature.get(), &out) != length)
        return {};
    return der;
}

bool signatureVerifies(EVP_PKEY *key, const QByteArray &signature, const QByteArray &input)
{
    const MdCtx verifier(EVP_MD_CTX_new());
    return verifier && EVP_DigestVerifyInit(verifier.get(), nullptr, EVP_sha256(), nullptr, key) > 0
        && EVP_DigestVerify(verifier.get(), bytes(signature), size_t(signature.size()),
                            bytes(input), size_t(input.size()))
        == 1;
}

// RFC 3986 §5.2.4 remove_dot_segments (QUrl::NormalizePathSegments in Qt
// 6.4 leaves "/a/./b/../c" as "/a//c").
QString withoutDotSegments(const QString &path)
{
    QStringList output;
    const QStringList segments = path.split(QLatin1Char('/'));
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const QString &segment = segments.at(i);
        const bool last = i == segments.size() - 1;
        if (segment == QLatin1String(".") || segment == QLatin1String("..")) {
            if (segment == QLatin1String("..") && output.size() > 1)
                output.removeLast();
            if (last)
                output.append(QString()); // "/a/b/.." is "/a/"
            continue;
        }
        output.append(segment);
    }
    return output.join(QLatin1Char('/'));
}

Proof rejected(Proof proof, Rejection rejection, const QString &description)
{
    ERR_clear_error();
    proof.rejection = rejection;
    proof.description = description;
    return proof;
}

} // namespace

QByteArray reasonName(Rejection rejection)
{
    switch (rejection) {
    case Rejection::None:
        return "none";
    case Rejection::Missing:
        return "proof_missing";
    case Rejection::Malformed:
        return "malformed";
    case Rejection::BadTyp:
        return "bad_typ";
    case Rejection::BadAlg:
        return "bad_alg";
    case Rejection::BadJwk:
        return "bad_jwk";
    case Rejection::BadSignature:
        return "bad_signature";
    case Rejection::HtmMismatch:
        return "htm_mismatch";
    case Rejection::HtuMismatch:
        return "htu_mismatch";
    case Rejection::IatOutOfWindow:
        return "iat_out_of_window";
    case Rejection::AthMismatch:
        return "ath_mismatch";
    case Rejection::NonceMissing:
        return "nonce_missing";
    case Rejection::NonceStale:
        return "nonce_stale";
    case Rejection::JtiReplayed:
        return "jti_replayed";
    case Rejection::ReplayCacheFull:
        return "replay_cache_full";
    case Rejection::KeyMismatch:
        return "key_mismatch";
    case Rejection::BoundTokenAsBearer:
        return "bound_token_as_bearer";
    }
    return "unknown";
}

QList<Rejection> allRejections()
{
    return {Rejection::Missing,        Rejection::Malformed,
            Rejection::BadTyp,         Rejection::BadAlg,
            Rejection::BadJwk,         Rejection::BadSignature,
            Rejection::HtmMismatch,    Rejection::HtuMismatch,
            Rejection::IatOutOfWindow, Rejection::AthMismatch,
            Rejection::NonceMissing,   Rejection::NonceStale,
            Rejection::JtiReplayed,    Rejection::ReplayCacheFull,
            Rejection::KeyMismatch,    Rejection::BoundTokenAsBearer};
}

QByteArray thumbprint(const QJsonObject &jwk)
{
    return thumbprintOf(publicKey(jwk));
}

QString normalizedUrl(const QUrl &input)
{
    if (!input.isValid() || input.isRelative() || input.host().isEmpty())
        return {};
    QUrl url = input.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment);
    const QString scheme = url.scheme().toLower();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
        return {};
    url.setScheme(scheme);
    url.setHost(url.host().toLower());
    if ((scheme == QLatin1String("http") && url.port() == 80)
        || (scheme == QLatin1String("https") && url.port() == 443))
        url.setPort(-1);
    url.setPath(withoutDotSegments(url.path(QUrl::FullyEncoded)), QUrl::StrictMode);
    if (url.path().isEmpty())
        url.setPath(QStringLiteral("/"));
    return url.toString(QUrl::FullyEncoded);
}

QByteArray accessTokenHash(const QByteArray &token)
{
    return sha256(token).toBase64(base64url);
}

QByteArray newNonce()
{
    QByteArray random(16, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(random.data()), 4);
    return random.toBase64(base64url);
}

void KeyCache::insert(const QByteArray &jkt, std::shared_ptr<EVP_PKEY> key)
{
    if (m_keys.size() >= m_capacity)
        m_keys.clear();
    m_keys.insert(jkt, std::move(key));
}

Proof verify(const QByteArray &compact, const Expected &expected, KeyCache *keys)
{
    Proof proof;
    if (compact.isEmpty())
        return rejected(proof, Rejection::Missing, QStringLiteral("No DPoP proof was sent"));
    if (compact.size() > maxProofBytes)
        return rejected(
            proof, Rejection::Malformed,
            QStringLiteral("The DPoP proof is longer than %1 bytes").arg(maxProofBytes));
    const QList<QByteArray> parts = compact.split('.');
    QJsonObject header;
    QJsonObject claims;
    QByteArray signature;
    if (parts.size() != 3 || !decodeObject(parts[0], &header) || !decodeObject(parts[1], &claims)
        || !decodeBase64Url(parts[2], &signature))
        return rejected(proof, Rejection::Malformed,
                        QStringLiteral("The DPoP proof is not a compact JWS of JSON objects"));

    // RFC 9449 §4.3, checks 4 to 7.
    if (header.value(QLatin1String("typ")).toString() != QLatin1String("dpop+jwt"))
        return rejected(proof, Rejection::BadTyp, QStringLiteral("typ must be dpop+jwt"));
    const QString alg = header.value(QLatin1String("alg")).toString();
    if (alg != QLatin1String("ES256") && alg != QLatin1String("RS256"))
        return rejected(proof, Rejection::BadAlg,
                        QStringLiteral("alg must be ES256 or RS256, an asymmetric algorithm"));
    if (header.contains(QLatin1String("crit")))
        return rejected(proof, Rejection::Malformed,
                        QStringLiteral("No crit header parameter is understood"));
    const QJsonValue jwkValue = header.value(QLatin1String("jwk"));
    if (!jwkValue.isObject())
        return rejected(proof, Rejection::BadJwk, QStringLiteral("The header has no jwk object"));
    const QJsonObject jwk = jwkValue.toObject();
    if (hasPrivateMembers(jwk))
        return rejected(proof, Rejection::BadJwk,
                        QStringLiteral("The jwk must be a public key: it has private members"));
    const PublicKey key = publicKey(jwk);
    if (key.kty.isEmpty())
        return rejected(proof, Rejection::BadJwk,
                        QStringLiteral("The jwk must be an EC P-256 or an RSA public key"));
    if ((alg == QLatin1String("ES256")) != (key.kty == "EC"))
        return rejected(
            proof, Rejection::BadAlg,
            QStringLiteral("alg %1 does not fit a %2 key").arg(alg, QString::fromLatin1(key.kty)));
    const QByteArray jkt = thumbprintOf(key);
    std::shared_ptr<EVP_PKEY> pkey = keys ? keys->find(jkt) : nullptr;
    if (!pkey) {
        pkey = std::shared_ptr<EVP_PKEY>(importKey(key).release(), EVP_PKEY_free);
        if (!pkey)
            return rejected(proof, Rejection::BadJwk,
                            QStringLiteral("The jwk is not a usable public key (an EC point on "
                                           "P-256, or RSA of 2048 to 4096 bits)"));
        if (keys)
            keys->insert(jkt, pkey);
    }

    // Check 8: the signature, over the bytes as sent.
    const QByteArray signingInput = parts[0] + '.' + parts[1];
    const QByteArray der = key.kty == "EC" ? derFromRawEcdsa(signature) : signature;
    if (der.isEmpty() || !signatureVerifies(pkey.get(), der, signingInput))
        return rejected(proof, Rejection::BadSignature,
                        QStringLiteral("The DPoP proof's signature does not verify"));
    proof.jkt = jkt;

    // Checks 3, 9 to 12: the claims.
    const QJsonValue jti = claims.value(QLatin1String("jti"));
    const QJsonValue htm = claims.value(QLatin1String("htm"));
    const QJsonValue htu = claims.value(QLatin1String("htu"));
    const QJsonValue iat = claims.value(QLatin1String("iat"));
    if (!jti.isString() || jti.toString().isEmpty() || jti.toString().size() > maxJtiLength)
        return rejected(
            proof, Rejection::Malformed,
            QStringLiteral("jti must be a string of 1 to %1 characters").arg(maxJtiLength));
    if (!htm.isString() || !htu.isString() || !iat.isDouble() || !std::isfinite(iat.toDouble()))
        return rejected(proof, Rejection::Malformed,
                        QStringLiteral("htm and htu must be strings, iat a number"));
    proof.jti = jti.toString().toUtf8();
    if (htm.toString().toLatin1() != expected.method || htm.toString().isEmpty())
        return rejected(proof, Rejection::HtmMismatch,
                        QStringLiteral("htm must be the request's method, %1")
                            .arg(QString::fromLatin1(expected.method)));
    const QString proofUrl = normalizedUrl(QUrl(htu.toString(), QUrl::StrictMode));
    if (proofUrl.isEmpty() || !expected.urls.contains(proofUrl))
        return rejected(proof, Rejection::HtuMismatch,
                        QStringLiteral("htu must be the request's URL without query and fragment, "
                                       "%1")
                            .arg(expected.urls.value(0)));
    const double iatSecs = iat.toDouble();
    if (std::fabs(iatSecs - double(expected.nowSecs)) > double(expected.windowSecs))
        return rejected(proof, Rejection::IatOutOfWindow,
                        QStringLiteral("iat must be within %1 s of the server's time")
                            .arg(expected.windowSecs));
    proof.iat = qint64(std::floor(iatSecs));
    if (!expected.accessToken.isEmpty()) {
        const QJsonValue ath = claims.value(QLatin1String("ath"));
        if (!ath.isString() || ath.toString().toLatin1() != accessTokenHash(expected.accessToken))
            return rejected(proof, Rejection::AthMismatch,
                            QStringLiteral("ath must be the base64url SHA-256 of the access "
                                           "token"));
    }
    if (!expected.nonces.isEmpty()) {
        const QJsonValue nonce = claims.value(QLatin1String("nonce"));
        if (!nonce.isString() || nonce.toString().isEmpty())
            return rejected(proof, Rejection::NonceMissing,
                            QStringLiteral("The proof needs the server's nonce (DPoP-Nonce)"));
        const QString text = nonce.toString();
        if (text.size() > maxNonceLength || !expected.nonces.contains(text.toLatin1()))
            return rejected(proof, Rejection::NonceStale,
                            QStringLiteral("The nonce is not current; use the DPoP-Nonce of this "
                                           "answer"));
    }
    proof.rejection = Rejection::None;
    return proof;
}

ReplayCache::Outcome ReplayCache::record(const QByteArray &jkt, const QByteArray &jti,
                                         qint64 expiresAtSecs, qint64 nowSecs)
{
    expire(nowSecs);
    const QByteArray key = jkt + ' ' + jti;
    if (m_seen.contains(key))
        return Outcome::Replayed;
    if (expiresAtSecs <= m_floor)
        return Outcome::Full;
    if (m_seen.size() >= m_capacity) {
        const auto first = m_byExpiry.begin();
        if (first.key() >= expiresAtSecs)
            return Outcome::Full; // the new proof would be the first to go
        m_floor = qMax(m_floor, first.key());
        m_seen.remove(first.value());
        m_byExpiry.erase(first);
        ++m_evicted;
    }
    m_seen.insert(key, expiresAtSecs);
    m_byExpiry.insert(expiresAtSecs, key);
    return Outcome::Fresh;
}

void ReplayCache::expire(qint64 nowSecs)
{
    // A proof is good while now <= iat + window: past that, its jti can go.
    while (!m_byExpiry.isEmpty() && m_byExpiry.firstKey() < nowSecs) {
        const auto first = m_byExpiry.begin();
        m_seen.remove(first.value());
        m_byExpiry.erase(first);
    }
}

int ReplayCache::size(qint64 nowSecs)
{
    expire(nowSecs);
    return int(m_seen.size());
}

void ReplayCache::clear()
{
    m_seen.clear();
    m_byExpiry.clear();
    m_floor = 0;
    m_evicted = 0;
}

void Nonces::configure(qint64 rotateMs, qint64 graceMs)
{
    m_rotateMs = qMax<qint64>(1, rotateMs);
    m_graceMs = qMax<qint64>(0, graceMs);
}

QByteArray Nonces::current(qint64 nowMs)
{
    if (m_current.isEmpty()) {
        m_current = newNonce();
        m_madeAtMs = nowMs;
    } else if (nowMs - m_madeAtMs >= m_rotateMs) {
        rotate(nowMs, m_graceMs);
    }
    return m_current;
}

QList<QByteArray> Nonces::accepted(qint64 nowMs)
{
    QList<QByteArray> nonces {current(nowMs)};
    if (!m_previous.isEmpty() && nowMs < m_previousUntilMs)
        nonces.append(m_previous);
    return nonces;
}

void Nonces::rotate(qint64 nowMs, qint64 graceMs)
{
    m_previous = m_current;
    m_previousUntilMs = nowMs + graceMs;
    m_current = newNonce();
    m_madeAtMs = nowMs;
    ++m_rotations;
}

} // namespace SilentAuth::Mock::Dpop
