#include "jwt.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QJsonDocument>
#include <QtCore/QMessageAuthenticationCode>

namespace SilentAuth::Mock {

namespace {

constexpr auto b64Options = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

QByteArray encodePart(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact).toBase64(b64Options);
}

bool decodePart(const QByteArray &part, QJsonObject *object)
{
    const auto decoded = QByteArray::fromBase64Encoding(
        part, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return false;
    QJsonParseError error;
    const auto document = QJsonDocument::fromJson(*decoded, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return false;
    *object = document.object();
    return true;
}

QByteArray mac(const QByteArray &signingInput, const QByteArray &secret)
{
    return QMessageAuthenticationCode::hash(signingInput, secret, QCryptographicHash::Sha256);
}

// Compares without an early exit, so timing reveals nothing about how many
// leading bytes of a forged signature were right.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

// The header this server always writes; recognising its exact bytes spares a
// base64 and JSON decode on every verification.
const QByteArray &standardHeader()
{
    static const QByteArray header = encodePart({{QStringLiteral("alg"), QStringLiteral("HS256")},
                                                 {QStringLiteral("typ"), QStringLiteral("JWT")}});
    return header;
}

} // namespace

QByteArray Jwt::sign(const QJsonObject &claims, const QByteArray &secret)
{
    const QByteArray signingInput = standardHeader() + '.' + encodePart(claims);
    return signingInput + '.' + mac(signingInput, secret).toBase64(b64Options);
}

bool Jwt::decodeClaims(const QByteArray &token, QJsonObject *claims)
{
    const auto parts = token.split('.');
    if (parts.size() != 3)
        return false;
    QJsonObject header;
    return decodePart(parts[0], &header) && decodePart(parts[1], claims);
}

Jwt::Verified Jwt::verify(const QByteArray &token, const QByteArray &secret, qint64 nowSecs)
{
    Verified result;
    const auto parts = token.split('.');
    if (parts.size() != 3)
        return result;
    if (parts[0] != standardHeader()) {
        QJsonObject header;
        if (!decodePart(parts[0], &header))
            return result;
        if (header.value(QLatin1String("alg")).toString() != QLatin1String("HS256")) {
            result.error = Error::BadAlgorithm;
            return result;
        }
    }
    if (!decodePart(parts[1], &result.claims))
        return result;
    const auto signature = QByteArray::fromBase64Encoding(
        parts[2], QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!signature)
        return result;
    const QByteArray signingInput = parts[0] + '.' + parts[1];
    if (!constantTimeEquals(*signature, mac(signingInput, secret))) {
        result.error = Error::BadSignature;
        return result;
    }
    const auto exp = result.claims.value(QLatin1String("exp"));
    if (!exp.isDouble()) {
        result.error = Error::Malformed;
        return result;
    }
    if (static_cast<qint64>(exp.toDouble()) <= nowSecs) {
        result.error = Error::Expired;
        return result;
    }
    result.error = Error::None;
    return result;
}

QByteArray Jwt::errorName(Error error)
{
    switch (error) {
    case Error::None:
        return "none";
    case Error::Malformed:
        return "malformed";
    case Error::BadAlgorithm:
        return "bad_algorithm";
    case Error::BadSignature:
        return "bad_signature";
    case Error::Expired:
        return "expired";
    }
    return "unknown";
}

} // namespace SilentAuth::Mock
