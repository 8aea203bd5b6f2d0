#include "dpoptestkey.h"

#include <ownedssl.h>

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QRandomGenerator>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

namespace SilentAuth::Test {

namespace {

using Bn = Mock::Owned<BIGNUM>;

QByteArray bigEndian(const BIGNUM *number, int width = 0)
{
    QByteArray out(width > 0 ? width : BN_num_bytes(number), Qt::Uninitialized);
    BN_bn2binpad(number, reinterpret_cast<unsigned char *>(out.data()), int(out.size()));
    return out;
}

Bn bnParam(EVP_PKEY *key, const char *name)
{
    BIGNUM *number = nullptr;
    if (EVP_PKEY_get_bn_param(key, name, &number) <= 0)
        return nullptr;
    return Bn(number);
}

QByteArray sha256(const QByteArray &data)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(data.constData(), size_t(data.size()), digest, &length, EVP_sha256(), nullptr);
    return QByteArray(reinterpret_cast<const char *>(digest), int(length));
}

QByteArray encodeJson(const QJsonObject &object)
{
    return DpopTestKey::base64url(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

} // namespace

struct DpopTestKey::Private
{
    EVP_PKEY *key = nullptr;
    QJsonObject jwk;
    QByteArray d;
    ~Private() { EVP_PKEY_free(key); }
};

DpopTestKey::DpopTestKey(Type type)
    : m_type(type)
    , d(std::make_unique<Private>())
{
    d->key = type == Type::Ec ? EVP_EC_gen("P-256") : EVP_RSA_gen(2048);
    if (!d->key)
        return;
    if (type == Type::Ec) {
        const Bn x = bnParam(d->key, OSSL_PKEY_PARAM_EC_PUB_X);
        const Bn y = bnParam(d->key, OSSL_PKEY_PARAM_EC_PUB_Y);
        const Bn priv = bnParam(d->key, OSSL_PKEY_PARAM_PRIV_KEY);
        d->jwk = {{QStringLiteral("kty"), QStringLiteral("EC")},
                  {QStringLiteral("crv"), QStringLiteral("P-256")},
                  {QStringLiteral("x"), QString::fromLatin1(base64url(bigEndian(x.get(), 32)))},
                  {QStringLiteral("y"), QString::fromLatin1(base64url(bigEndian(y.get(), 32)))}};
        d->d = base64url(bigEndian(priv.get(), 32));
    } else {
        const Bn n = bnParam(d->key, OSSL_PKEY_PARAM_RSA_N);
        const Bn e = bnParam(d->key, OSSL_PKEY_PARAM_RSA_E);
        const Bn priv = bnParam(d->key, OSSL_PKEY_PARAM_RSA_D);
        d->jwk = {{QStringLiteral("kty"), QStringLiteral("RSA")},
                  {QStringLiteral("n"), QString::fromLatin1(base64url(bigEndian(n.get())))},
                  {QStringLiteral("e"), QString::fromLatin1(base64url(bigEndian(e.get())))}};
        d->d = base64url(bigEndian(priv.get()));
    }
}

DpopTestKey::~DpopTestKey() = default;

bool DpopTestKey::isValid() const
{
    return d->key != nullptr;
}

QJsonObject DpopTestKey::publicJwk() const
{
    return d->jwk;
}

QJsonObject DpopTestKey::privateJwk() const
{
    QJsonObject jwk = d->jwk;
    jwk.insert(QStringLiteral("d"), QString::fromLatin1(d->d));
    return jwk;
}

QByteArray DpopTestKey::thumbprint() const
{
    // RFC 7638 §3.2: required members only, sorted, no whitespace.
    const auto member = [this](const char *name) {
        return d->jwk.value(QLatin1String(name)).toString().toLatin1();
    };
    const QByteArray input = m_type == Type::Ec
        ? "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + member("x") + "\",\"y\":\"" + member("y")
            + "\"}"
        : "{\"e\":\"" + member("e") + "\",\"kty\":\"RSA\",\"n\":\"" + member("n") + "\"}";
    return base64url(sha256(input));
}

QJsonObject DpopTestKey::header() const
{
    return {{QStringLiteral("typ"), QStringLiteral("dpop+jwt")},
            {QStringLiteral("alg"), QString::fromLatin1(alg())},
            {QStringLiteral("jwk"), d->jwk}};
}

QJsonObject DpopTestKey::claims(const QByteArray &method, const QUrl &url,
                                const QByteArray &accessToken, const QByteArray &nonce) const
{
    QByteArray jti(18, Qt::Uninitialized);
    for (char &c : jti)
        c = char(QRandomGenerator::global()->bounded(256));
    QJsonObject claims {
        {QStringLiteral("jti"), QString::fromLatin1(base64url(jti))},
        {QStringLiteral("htm"), QString::fromLatin1(method)},
        {QStringLiteral("htu"),
         url.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment).toString(QUrl::FullyEncoded)},
        {QStringLiteral("iat"), QDateTime::currentSecsSinceEpoch()}};
    if (!accessToken.isEmpty())
        claims.insert(QStringLiteral("ath"), QString::fromLatin1(accessTokenHash(accessToken)));
    if (!nonce.isEmpty())
        claims.insert(QStringLiteral("nonce"), QString::fromLatin1(nonce));
    return claims;
}

QByteArray DpopTestKey::sign(const QJsonObject &header, const QJsonObject &claims) const
{
    const QByteArray input = encodeJson(header) + '.' + encodeJson(claims);
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    size_t length = 0;
    QByteArray signature;
    if (context && EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, d->key) > 0
        && EVP_DigestSign(context, nullptr, &length,
                          reinterpret_cast<const unsigned char *>(input.constData()),
                          size_t(input.size()))
            > 0) {
        signature.resize(qsizetype(length));
        if (EVP_DigestSign(context, reinterpret_cast<unsigned char *>(signature.data()), &length,
                           reinterpret_cast<const unsigned char *>(input.constData()),
                           size_t(input.size()))
            > 0)
            signature.truncate(qsizetype(length));
        else
            signature.clear();
    }
    EVP_MD_CTX_free(context);
    if (m_type == Type::Ec && !signature.isEmpty()) {
        // EVP gives DER; JWS ES256 wants r || s, 32 bytes each.
        const auto *der = reinterpret_cast<const unsigned char *>(signature.constData());
        ECDSA_SIG *parsed = d2i_ECDSA_SIG(nullptr, &der, long(signature.size()));
        if (!parsed)
            return {};
        signature
            = bigEndian(ECDSA_SIG_get0_r(parsed), 32) + bigEndian(ECDSA_SIG_get0_s(parsed), 32);
        ECDSA_SIG_free(parsed);
    }
    ERR_clear_error();
    return input + '.' + base64url(signature);
}

QByteArray DpopTestKey::proof(const QByteArray &method, const QUrl &url,
                              const QByteArray &accessToken, const QByteArray &nonce) const
{
    return sign(header(), claims(method, url, accessToken, nonce));
}

QByteArray DpopTestKey::accessTokenHash(const QByteArray &token)
{
    return base64url(sha256(token));
}

QByteArray DpopTestKey::base64url(const QByteArray &data)
{
    return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

} // namespace SilentAuth::Test
