#include "dpop_p.h"

#include "challenge_p.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QRandomGenerator>
#include <QtNetwork/QNetworkReply>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

namespace SilentAuth::Internal {

namespace {

constexpr qsizetype longestNonce = 512;
const char recordKeyPrefix[] = "dpop-es256 ";
const char recordExpiryPrefix[] = "expires ";

// An ECDSA-Sig-Value for P-256 in DER: two INTEGERs of up to 33 bytes.
constexpr qsizetype maxEcdsaDerBytes = 72;

QByteArray base64url(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QByteArray sha256(const QByteArray &data)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(data.constData(), size_t(data.size()), digest, &length, EVP_sha256(), nullptr)
        <= 0)
        return {};
    return QByteArray(reinterpret_cast<const char *>(digest), int(length));
}

// A public EC coordinate, big-endian and padded to 32 bytes as RFC 7518 §6.2.1 asks.
QByteArray coordinate(EVP_PKEY *key, const char *name)
{
    BIGNUM *number = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &number) <= 0)
        return {};
    QByteArray out(32, Qt::Uninitialized);
    const bool ok
        = BN_bn2binpad(number, reinterpret_cast<unsigned char *>(out.data()), int(out.size()))
        == 32;
    BN_free(number);
    return ok ? out : QByteArray();
}

bool isP256(EVP_PKEY *key)
{
    char group[64] = {};
    size_t length = 0;
    return EVP_PKEY_is_a(key, "EC")
        && EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                          &length)
        > 0
        && qstrcmp(group, "prime256v1") == 0;
}

// The challenge of \a scheme (lower case) in the reply's WWW-Authenticate.
QByteArray challengeError(const QNetworkReply *reply, const QByteArray &scheme, bool *found)
{
    const auto challenges = parseChallenges(reply->rawHeader("WWW-Authenticate"));
    for (const auto &challenge : challenges) {
        if (challenge.scheme == scheme) {
            *found = true;
            return challenge.params.value("error");
        }
    }
    *found = false;
    return {};
}

QString originOf(const QUrl &url)
{
    return url.scheme().toLower() + QLatin1String("://") + url.host().toLower() + QLatin1Char(':')
        + QString::number(url.port(url.scheme() == QLatin1String("https") ? 443 : 80));
}

} // namespace

DpopKey::DpopKey(EVP_PKEY *key)
    : m_key(key)
    , m_signer(EVP_MD_CTX_new())
{
    if (m_signer && EVP_DigestSignInit(m_signer, nullptr, EVP_sha256(), nullptr, m_key) <= 0) {
        EVP_MD_CTX_free(m_signer);
        m_signer = nullptr;
        ERR_clear_error();
    }
    const QByteArray x = base64url(coordinate(key, OSSL_PKEY_PARAM_EC_PUB_X));
    const QByteArray y = base64url(coordinate(key, OSSL_PKEY_PARAM_EC_PUB_Y));
    // Public members only (RFC 9449 §4.2): never d.
    const QJsonObject jwk {{QStringLiteral("kty"), QStringLiteral("EC")},
                           {QStringLiteral("crv"), QStringLiteral("P-256")},
                           {QStringLiteral("x"), QString::fromLatin1(x)},
                           {QStringLiteral("y"), QString::fromLatin1(y)}};
    const QJsonObject header {{QStringLiteral("typ"), QStringLiteral("dpop+jwt")},
                              {QStringLiteral("alg"), QStringLiteral("ES256")},
                              {QStringLiteral("jwk"), jwk}};
    m_header = base64url(QJsonDocument(header).toJson(QJsonDocument::Compact));
    // RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
    m_thumbprint = base64url(
        sha256("{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + x + "\",\"y\":\"" + y + "\"}"));
}

DpopKey::~DpopKey()
{
    EVP_MD_CTX_free(m_signer);
    EVP_PKEY_free(m_key);
}

std::shared_ptr<DpopKey> DpopKey::generate()
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    if (!key) {
        ERR_clear_error();
        return nullptr;
    }
    return std::shared_ptr<DpopKey>(new DpopKey(key));
}

std::shared_ptr<DpopKey> DpopKey::fromPrivateKey(const QByteArray &der)
{
    const auto *bytes = reinterpret_cast<const unsigned char *>(der.constData());
    EVP_PKEY *key = d2i_AutoPrivateKey(nullptr, &bytes, long(der.size()));
    if (!key || !isP256(key)) {
        EVP_PKEY_free(key);
        ERR_clear_error();
        return nullptr;
    }
    return std::shared_ptr<DpopKey>(new DpopKey(key));
}

QByteArray DpopKey::privateKey() const
{
    PKCS8_PRIV_KEY_INFO *info = EVP_PKEY2PKCS8(m_key);
    if (!info) {
        ERR_clear_error();
        return {};
    }
    unsigned char *der = nullptr;
    const int length = i2d_PKCS8_PRIV_KEY_INFO(info, &der);
    PKCS8_PRIV_KEY_INFO_free(info);
    if (length <= 0) {
        ERR_clear_error();
        return {};
    }
    const QByteArray out(reinterpret_cast<const char *>(der), length);
    OPENSSL_clear_free(der, size_t(length));
    return out;
}

QByteArray DpopKey::proof(const QByteArray &method, const QUrl &url, const QByteArray &accessToken,
                          const QByteArray &nonce) const
{
    QByteArray jti(16, Qt::Uninitialized);
    QRandomGenerator::system()->generate(reinterpret_cast<quint32 *>(jti.data()),
                                         reinterpret_cast<quint32 *>(jti.data() + jti.size()));
    // htu: the URL as Qt sends it (dot segments resolved), without query,
    // fragment and user info (RFC 9449 §4.2).
    QJsonObject claims {
        {QStringLiteral("jti"), QString::fromLatin1(base64url(jti))},
        {QStringLiteral("htm"), QString::fromLatin1(method)},
        {QStringLiteral("htu"),
         QString::fromLatin1(url.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment
                                          | QUrl::RemoveUserInfo | QUrl::NormalizePathSegments)
                                 .toEncoded())},
        {QStringLiteral("iat"), QDateTime::currentSecsSinceEpoch()}};
    if (!accessToken.isEmpty()) {
        if (accessToken != m_athToken) {
            m_ath = base64url(sha256(accessToken));
            m_athToken = accessToken;
        }
        claims.insert(QStringLiteral("ath"), QString::fromLatin1(m_ath));
    }
    if (!nonce.isEmpty())
        claims.insert(QStringLiteral("nonce"), QString::fromLatin1(nonce));
    const QByteArray input
        = m_header + '.' + base64url(QJsonDocument(claims).toJson(QJsonDocument::Compact));

    // One signature per context: FINALISE spares OpenSSL a copy of it.
    QByteArray der(maxEcdsaDerBytes, Qt::Uninitialized);
    size_t length = size_t(der.size());
    EVP_MD_CTX *context = m_signer ? EVP_MD_CTX_new() : nullptr;
    if (context && EVP_MD_CTX_copy_ex(context, m_signer) <= 0) {
        EVP_MD_CTX_free(context);
        context = nullptr;
    }
    if (context)
        EVP_MD_CTX_set_flags(context, EVP_MD_CTX_FLAG_FINALISE);
    const auto *data = reinterpret_cast<const unsigned char *>(input.constData());
    if (context
        && EVP_DigestSign(context, reinterpret_cast<unsigned char *>(der.data()), &length, data,
                          size_t(input.size()))
            > 0)
        der.truncate(qsizetype(length));
    else
        der.clear();
    EVP_MD_CTX_free(context);
    // EVP gives a DER ECDSA-Sig-Value; JWS ES256 is r || s, 32 bytes each (RFC 7518 §3.4).
    QByteArray signature;
    const auto *in = reinterpret_cast<const unsigned char *>(der.constData());
    if (ECDSA_SIG *parsed
        = der.isEmpty() ? nullptr : d2i_ECDSA_SIG(nullptr, &in, long(der.size()))) {
        signature.resize(64);
        auto *out = reinterpret_cast<unsigned char *>(signature.data());
        if (BN_bn2binpad(ECDSA_SIG_get0_r(parsed), out, 32) != 32
            || BN_bn2binpad(ECDSA_SIG_get0_s(parsed), out + 32, 32) != 32)
            signature.clear();
        ECDSA_SIG_free(parsed);
    }
    if (signature.isEmpty()) {
        ERR_clear_error();
        return {};
    }
    return input + '.' + base64url(signature);
}

bool isUsableNonce(const QByteArray &nonce)
{
    if (nonce.isEmpty() || nonce.size() > longestNonce)
        return false;
    return std::all_of(nonce.cbegin(), nonce.cend(),
                       [](char c) { return c >= 0x21 && c <= 0x7e && c != '"' && c != '\\'; });
}

QByteArray DpopNonces::nonceFor(const QUrl &url) const
{
    return m_nonces.value(originOf(url));
}

void DpopNonces::learn(const QNetworkReply *reply)
{
    const QByteArray nonce = reply->rawHeader("DPoP-Nonce");
    if (isUsableNonce(nonce))
        m_nonces.insert(originOf(reply->url()), nonce);
}

bool isTokenEndpointNonceChallenge(QNetworkReply *reply)
{
    if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 400
        || !isUsableNonce(reply->rawHeader("DPoP-Nonce")))
        return false;
    const QJsonObject body = QJsonDocument::fromJson(reply->peek(64 * 1024)).object();
    return body.value(QLatin1String("error")).toString() == QLatin1String("use_dpop_nonce");
}

bool isResourceNonceChallenge(const QNetworkReply *reply)
{
    if (reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() != 401
        || !isUsableNonce(reply->rawHeader("DPoP-Nonce")))
        return false;
    bool found = false;
    return challengeError(reply, "dpop", &found) == "use_dpop_nonce";
}

QByteArray storedRecord(const QByteArray &refreshToken, const QByteArray &privateKey,
                        const QDateTime &expiresAt)
{
    QByteArray record = refreshToken;
    if (!privateKey.isEmpty())
        record += '\n' + QByteArray(recordKeyPrefix) + privateKey.toBase64();
    if (expiresAt.isValid())
        record += '\n' + QByteArray(recordExpiryPrefix)
            + QByteArray::number(expiresAt.toSecsSinceEpoch());
    return record;
}

QByteArray refreshTokenOfRecord(const QByteArray &record, QByteArray *privateKey,
                                QDateTime *expiresAt)
{
    privateKey->clear();
    if (expiresAt)
        *expiresAt = QDateTime();
    const qsizetype end = record.indexOf('\n');
    if (end < 0)
        return record;
    // Lines this version does not know are left alone: a later one may add some.
    for (const QByteArray &line : record.mid(end + 1).split('\n')) {
        if (line.startsWith(recordKeyPrefix))
            *privateKey = QByteArray::fromBase64(line.mid(qsizetype(sizeof recordKeyPrefix) - 1));
        if (!expiresAt || !line.startsWith(recordExpiryPrefix))
            continue;
        // Read strictly: the earliest of several, and one that is not a time in the future
        // of 1970 (0, negative) is already over.
        bool ok = false;
        const qint64 seconds
            = line.mid(qsizetype(sizeof recordExpiryPrefix) - 1).trimmed().toLongLong(&ok);
        const QDateTime when
            = QDateTime::fromSecsSinceEpoch(ok ? qMax<qint64>(seconds, 0) : 0, Qt::UTC);
        if (!expiresAt->isValid() || when < *expiresAt)
            *expiresAt = when;
    }
    return record.left(end);
}

} // namespace SilentAuth::Internal
