#include "idtoken_p.h"

#include "protocolsupport_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QUrl>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

namespace SilentAuth::Internal {

namespace {

// The reasons an ID token is refused are shown by the browser sign-in: its words.
struct Text
{
    Q_DECLARE_TR_FUNCTIONS(SilentAuth::BrowserSignIn)
};

std::optional<QByteArray> base64Url(const QJsonValue &value)
{
    if (!value.isString())
        return std::nullopt;
    const auto decoded = QByteArray::fromBase64Encoding(
        value.toString().toLatin1(),
        QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.isEmpty())
        return std::nullopt;
    return decoded.decoded;
}

std::shared_ptr<void> keyFromParameters(const char *type, OSSL_PARAM_BLD *builder)
{
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(builder);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
    EVP_PKEY *key = nullptr;
    if (params && ctx && EVP_PKEY_fromdata_init(ctx) == 1
        && EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
        key = nullptr;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    if (!key)
        return {};
    return std::shared_ptr<void>(key, [](void *k) { EVP_PKEY_free(static_cast<EVP_PKEY *>(k)); });
}

std::shared_ptr<void> rsaKey(const QByteArray &n, const QByteArray &e)
{
    if (n.size() < 256 || n.size() > 1024 || e.isEmpty() || e.size() > 8)
        return {}; // 2048 to 8192 bits
    BIGNUM *bn
        = BN_bin2bn(reinterpret_cast<const unsigned char *>(n.constData()), int(n.size()), nullptr);
    BIGNUM *be
        = BN_bin2bn(reinterpret_cast<const unsigned char *>(e.constData()), int(e.size()), nullptr);
    OSSL_PARAM_BLD *builder = OSSL_PARAM_BLD_new();
    std::shared_ptr<void> key;
    if (bn && be && builder && OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_N, bn) == 1
        && OSSL_PARAM_BLD_push_BN(builder, OSSL_PKEY_PARAM_RSA_E, be) == 1)
        key = keyFromParameters("RSA", builder);
    OSSL_PARAM_BLD_free(builder);
    BN_free(bn);
    BN_free(be);
    return key;
}

std::shared_ptr<void> p256Key(const QByteArray &x, const QByteArray &y)
{
    if (x.size() != 32 || y.size() != 32)
        return {};
    const QByteArray point = QByteArray(1, '\x04') + x + y;
    OSSL_PARAM_BLD *builder = OSSL_PARAM_BLD_new();
    std::shared_ptr<void> key;
    char group[] = "prime256v1";
    if (builder
        && OSSL_PARAM_BLD_push_utf8_string(builder, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) == 1
        && OSSL_PARAM_BLD_push_octet_string(builder, OSSL_PKEY_PARAM_PUB_KEY, point.constData(),
                                            size_t(point.size()))
            == 1)
        key = keyFromParameters("EC", builder);
    OSSL_PARAM_BLD_free(builder);
    return key;
}

// JWS ES256 signatures are r || s; OpenSSL verifies DER.
QByteArray derFromRawEcdsa(const QByteArray &raw)
{
    if (raw.size() != 64)
        return {};
    ECDSA_SIG *sig = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(reinterpret_cast<const unsigned char *>(raw.constData()), 32, nullptr);
    BIGNUM *s
        = BN_bin2bn(reinterpret_cast<const unsigned char *>(raw.constData() + 32), 32, nullptr);
    QByteArray der;
    if (sig && r && s && ECDSA_SIG_set0(sig, r, s) == 1) {
        r = s = nullptr; // owned by sig now
        unsigned char *out = nullptr;
        const int length = i2d_ECDSA_SIG(sig, &out);
        if (length > 0)
            der = QByteArray(reinterpret_cast<const char *>(out), length);
        OPENSSL_free(out);
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(sig);
    return der;
}

bool verifySha256(EVP_PKEY *key, const QByteArray &data, const QByteArray &signature)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1
        && EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char *>(signature.constData()),
                            size_t(signature.size()),
                            reinterpret_cast<const unsigned char *>(data.constData()),
                            size_t(data.size()))
            == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

} // namespace

QList<Jwk> parseJwks(const QByteArray &document, QString *error)
{
    const QJsonDocument json = QJsonDocument::fromJson(document);
    if (!json.isObject() || !json.object().value(QLatin1String("keys")).isArray()) {
        if (error)
            *error = Text::tr("the provider's key set could not be read");
        return {};
    }
    QList<Jwk> keys;
    for (const auto &entry : json.object().value(QLatin1String("keys")).toArray()) {
        const QJsonObject o = entry.toObject();
        const QString use = o.value(QLatin1String("use")).toString();
        if (!use.isEmpty() && use != QLatin1String("sig"))
            continue;
        Jwk jwk;
        jwk.kid = o.value(QLatin1String("kid")).toString();
        jwk.alg = o.value(QLatin1String("alg")).toString();
        const QString kty = o.value(QLatin1String("kty")).toString();
        if (kty == QLatin1String("RSA")) {
            const auto n = base64Url(o.value(QLatin1String("n")));
            const auto e = base64Url(o.value(QLatin1String("e")));
            if (n && e)
                jwk.key = rsaKey(*n, *e);
            jwk.rsa = true;
        } else if (kty == QLatin1String("EC")
                   && o.value(QLatin1String("crv")).toString() == QLatin1String("P-256")) {
            const auto x = base64Url(o.value(QLatin1String("x")));
            const auto y = base64Url(o.value(QLatin1String("y")));
            if (x && y)
                jwk.key = p256Key(*x, *y);
        }
        if (jwk.key)
            keys.append(jwk);
    }
    if (keys.isEmpty() && error)
        *error = Text::tr("the provider publishes no key this application can verify with");
    return keys;
}

std::optional<QJsonObject> verifyJwt(const QByteArray &jwt, const QList<Jwk> &keys, QString *error,
                                     bool *unknownKid)
{
    const auto failure = [error](const QString &message) {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (unknownKid)
        *unknownKid = false;
    const QList<QByteArray> parts = jwt.split('.');
    if (parts.size() != 3 || jwt.size() > 64 * 1024)
        return failure(Text::tr("the ID token is not a signed JWT"));
    const auto decode = [](const QByteArray &part) {
        return QByteArray::fromBase64Encoding(
            part, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    };
    const auto header = decode(parts.at(0));
    const auto payload = decode(parts.at(1));
    const auto signature = decode(parts.at(2));
    if (!header || !payload || !signature)
        return failure(Text::tr("the ID token is not a signed JWT"));
    const QJsonObject h = QJsonDocument::fromJson(header.decoded).object();
    const QString alg = h.value(QLatin1String("alg")).toString();
    const bool rs256 = alg == QLatin1String("RS256");
    if (!rs256 && alg != QLatin1String("ES256"))
        return failure(Text::tr("the ID token is signed with %1, which this application does not "
                                "accept")
                           .arg(alg.isEmpty() ? QStringLiteral("nothing") : alg.left(16)));
    const QString kid = h.value(QLatin1String("kid")).toString();
    const QByteArray signingInput = parts.at(0) + '.' + parts.at(1);
    const QByteArray sig = rs256 ? signature.decoded : derFromRawEcdsa(signature.decoded);
    bool candidates = false;
    for (const Jwk &key : keys) {
        if (key.rsa != rs256 || (!kid.isEmpty() && key.kid != kid)
            || (!key.alg.isEmpty() && key.alg != alg))
            continue;
        candidates = true;
        if (!sig.isEmpty()
            && verifySha256(static_cast<EVP_PKEY *>(key.key.get()), signingInput, sig)) {
            QJsonParseError parse;
            const QJsonDocument claims = QJsonDocument::fromJson(payload.decoded, &parse);
            if (parse.error != QJsonParseError::NoError || !claims.isObject())
                return failure(Text::tr("the ID token's claims could not be read"));
            return claims.object();
        }
    }
    if (!candidates) {
        if (unknownKid)
            *unknownKid = true;
        return failure(Text::tr("the ID token is signed with a key the provider does not publish"));
    }
    return failure(Text::tr("the ID token's signature is not valid"));
}

QString checkIdTokenClaims(const QJsonObject &claims, const QString &issuer,
                           const QString &clientId, const QByteArray &nonce, const QDateTime &now,
                           int leewaySeconds)
{
    if (!Internal::sameIssuer(claims.value(QLatin1String("iss")).toString(), issuer))
        return Text::tr("the ID token was issued by another server");
    if (claims.value(QLatin1String("sub")).toString().isEmpty())
        return Text::tr("the ID token names no user");
    QStringList audiences;
    const QJsonValue aud = claims.value(QLatin1String("aud"));
    if (aud.isString())
        audiences.append(aud.toString());
    for (const auto &a : aud.toArray())
        audiences.append(a.toString());
    if (!audiences.contains(clientId))
        return Text::tr("the ID token is meant for another application");
    const QJsonValue azp = claims.value(QLatin1String("azp"));
    if ((audiences.size() > 1 || !azp.isUndefined()) && azp.toString() != clientId)
        return Text::tr("the ID token is meant for another application");
    const qint64 t = now.toSecsSinceEpoch();
    const QJsonValue exp = claims.value(QLatin1String("exp"));
    if (!exp.isDouble() || qint64(exp.toDouble()) + leewaySeconds < t)
        return Text::tr("the ID token has expired (check the computer's clock)");
    const QJsonValue iat = claims.value(QLatin1String("iat"));
    if (!iat.isDouble() || qint64(iat.toDouble()) - leewaySeconds > t)
        return Text::tr("the ID token was issued in the future (check the computer's clock)");
    if (!nonce.isEmpty() && claims.value(QLatin1String("nonce")).toString().toLatin1() != nonce)
        return Text::tr("the ID token belongs to another sign-in");
    return {};
}

} // namespace SilentAuth::Internal
