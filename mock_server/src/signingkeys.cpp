#include "signingkeys.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>

#include "ownedssl.h"
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>

#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

namespace SilentAuth::Mock {

namespace {

constexpr auto base64url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

using Pkey = Owned<EVP_PKEY>;
using PkeyCtx = Owned<EVP_PKEY_CTX>;
using MdCtx = Owned<EVP_MD_CTX>;
using Bn = Owned<BIGNUM>;

// The last OpenSSL error, for a message; clears the queue.
QString openSslError(const char *what)
{
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    char text[256] = {};
    if (code)
        ERR_error_string_n(code, text, sizeof text);
    return QStringLiteral("%1 failed: %2")
        .arg(QLatin1String(what), code ? QString::fromLatin1(text) : QStringLiteral("unknown"));
}

QByteArray bigEndian(const BIGNUM *number)
{
    QByteArray bytes(BN_num_bytes(number), Qt::Uninitialized);
    BN_bn2bin(number, reinterpret_cast<unsigned char *>(bytes.data()));
    return bytes;
}

Bn bignum(const QJsonObject &jwk, const char *member)
{
    const auto decoded = QByteArray::fromBase64Encoding(
        jwk.value(QLatin1String(member)).toString().toLatin1(),
        QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.isEmpty())
        return nullptr;
    return Bn(BN_bin2bn(reinterpret_cast<const unsigned char *>(decoded.decoded.constData()),
                        int(decoded.decoded.size()), nullptr));
}

} // namespace

struct SigningKeys::Key
{
    Pkey pkey;
    QByteArray kid;
    QJsonObject jwk;
};

SigningKeys::SigningKeys() = default;
SigningKeys::~SigningKeys() = default;

bool SigningKeys::ensureKey(QString *error)
{
    return !m_keys.isEmpty() || rotate(error);
}

bool SigningKeys::rotate(QString *error)
{
    auto fail = [error](const char *what) {
        if (error)
            *error = openSslError(what);
        return false;
    };
    PkeyCtx context(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    if (!context || EVP_PKEY_keygen_init(context.get()) <= 0
        || EVP_PKEY_CTX_set_rsa_keygen_bits(context.get(), 2048) <= 0)
        return fail("RSA key setup");
    EVP_PKEY *generated = nullptr;
    if (EVP_PKEY_keygen(context.get(), &generated) <= 0)
        return fail("RSA key generation");
    auto key = std::make_shared<Key>();
    key->pkey.reset(generated);

    BIGNUM *n = nullptr;
    BIGNUM *e = nullptr;
    const bool gotN = EVP_PKEY_get_bn_param(generated, OSSL_PKEY_PARAM_RSA_N, &n) > 0;
    const Bn modulus(n);
    const bool gotE = EVP_PKEY_get_bn_param(generated, OSSL_PKEY_PARAM_RSA_E, &e) > 0;
    const Bn exponent(e);
    if (!gotN || !gotE)
        return fail("reading the RSA public key");
    const QByteArray nText = bigEndian(modulus.get()).toBase64(base64url);
    const QByteArray eText = bigEndian(exponent.get()).toBase64(base64url);
    // RFC 7638 §3: the required members, in lexicographic order, no spaces.
    const QByteArray thumbprintInput
        = "{\"e\":\"" + eText + "\",\"kty\":\"RSA\",\"n\":\"" + nText + "\"}";
    key->kid
        = QCryptographicHash::hash(thumbprintInput, QCryptographicHash::Sha256).toBase64(base64url);
    key->jwk = {{QStringLiteral("kty"), QStringLiteral("RSA")},
                {QStringLiteral("kid"), QString::fromLatin1(key->kid)},
                {QStringLiteral("use"), QStringLiteral("sig")},
                {QStringLiteral("alg"), QStringLiteral("RS256")},
                {QStringLiteral("n"), QString::fromLatin1(nText)},
                {QStringLiteral("e"), QString::fromLatin1(eText)}};
    m_keys.prepend(key);
    while (m_keys.size() > keysKept)
        m_keys.removeLast();
    return true;
}

QByteArray SigningKeys::currentKid() const
{
    return m_keys.isEmpty() ? QByteArray() : m_keys.first()->kid;
}

QJsonObject SigningKeys::jwks()
{
    ensureKey();
    QJsonArray keys;
    for (const auto &key : std::as_const(m_keys))
        keys.append(key->jwk);
    return {{QStringLiteral("keys"), keys}};
}

QByteArray SigningKeys::sign(const QJsonObject &claims)
{
    if (!ensureKey())
        return {};
    const Key &key = *m_keys.first();
    const QJsonObject header {{QStringLiteral("alg"), QStringLiteral("RS256")},
                              {QStringLiteral("kid"), QString::fromLatin1(key.kid)},
                              {QStringLiteral("typ"), QStringLiteral("JWT")}};
    const QByteArray signingInput
        = QJsonDocument(header).toJson(QJsonDocument::Compact).toBase64(base64url) + '.'
        + QJsonDocument(claims).toJson(QJsonDocument::Compact).toBase64(base64url);
    const MdCtx context(EVP_MD_CTX_new());
    size_t length = 0;
    if (!context
        || EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, key.pkey.get()) <= 0
        || EVP_DigestSign(context.get(), nullptr, &length,
                          reinterpret_cast<const unsigned char *>(signingInput.constData()),
                          size_t(signingInput.size()))
            <= 0) {
        ERR_clear_error();
        return {};
    }
    QByteArray signature(qsizetype(length), Qt::Uninitialized);
    if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char *>(signature.data()), &length,
                       reinterpret_cast<const unsigned char *>(signingInput.constData()),
                       size_t(signingInput.size()))
        <= 0) {
        ERR_clear_error();
        return {};
    }
    signature.truncate(qsizetype(length));
    return signingInput + '.' + signature.toBase64(base64url);
}

bool SigningKeys::verify(const QByteArray &token, const QJsonObject &jwk, QJsonObject *claims,
                         QString *error)
{
    auto fail = [error](const QString &message) {
        if (error)
            *error = message;
        ERR_clear_error();
        return false;
    };
    const QList<QByteArray> parts = token.split('.');
    if (parts.size() != 3)
        return fail(QStringLiteral("not a compact JWS"));
    const auto decode = [](const QByteArray &part) {
        return QByteArray::fromBase64Encoding(
            part, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    };
    const auto header = decode(parts[0]);
    const auto payload = decode(parts[1]);
    const auto signature = decode(parts[2]);
    if (!header || !payload || !signature)
        return fail(QStringLiteral("not base64url"));
    const QJsonObject headerObject = QJsonDocument::fromJson(header.decoded).object();
    if (headerObject.value(QLatin1String("alg")).toString() != QLatin1String("RS256"))
        return fail(QStringLiteral("alg is not RS256"));
    if (headerObject.value(QLatin1String("kid")) != jwk.value(QLatin1String("kid")))
        return fail(QStringLiteral("kid does not match the key"));
    if (jwk.value(QLatin1String("kty")).toString() != QLatin1String("RSA"))
        return fail(QStringLiteral("the key is not an RSA key"));

    const Bn n = bignum(jwk, "n");
    const Bn e = bignum(jwk, "e");
    if (!n || !e)
        return fail(QStringLiteral("the key has no usable n and e"));
    const Owned<OSSL_PARAM_BLD> builder(OSSL_PARAM_BLD_new());
    if (!builder || !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get())
        || !OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()))
        return fail(openSslError("building the key parameters"));
    const Owned<OSSL_PARAM> parameters(OSSL_PARAM_BLD_to_param(builder.get()));
    const PkeyCtx context(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
    EVP_PKEY *imported = nullptr;
    if (!parameters || !context || EVP_PKEY_fromdata_init(context.get()) <= 0
        || EVP_PKEY_fromdata(context.get(), &imported, EVP_PKEY_PUBLIC_KEY, parameters.get()) <= 0)
        return fail(openSslError("importing the key"));
    const Pkey key(imported);

    const QByteArray signingInput = parts[0] + '.' + parts[1];
    const MdCtx verifier(EVP_MD_CTX_new());
    if (!verifier
        || EVP_DigestVerifyInit(verifier.get(), nullptr, EVP_sha256(), nullptr, key.get()) <= 0)
        return fail(openSslError("setting up the verification"));
    if (EVP_DigestVerify(verifier.get(),
                         reinterpret_cast<const unsigned char *>(signature.decoded.constData()),
                         size_t(signature.decoded.size()),
                         reinterpret_cast<const unsigned char *>(signingInput.constData()),
                         size_t(signingInput.size()))
        != 1)
        return fail(QStringLiteral("the signature does not verify"));
    QJsonParseError parseError;
    const auto document = QJsonDocument::fromJson(payload.decoded, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return fail(QStringLiteral("the payload is not a JSON object"));
    *claims = document.object();
    return true;
}

} // namespace SilentAuth::Mock
