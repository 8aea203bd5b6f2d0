#include "jwtclaims_p.h"

#include <QtCore/QJsonDocument>

namespace SilentAuth::Internal {

QJsonObject unverifiedClaims(const QByteArray &token)
{
    const auto parts = token.split('.');
    if (parts.size() != 3)
        return {};
    const auto payload = QByteArray::fromBase64Encoding(
        parts[1], QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!payload)
        return {};
    return QJsonDocument::fromJson(*payload).object();
}

QByteArray redacted(const QByteArray &token)
{
    if (token.isEmpty())
        return "(none)";
    // The tail is the signature: unique per token, and reveals no claims.
    return "…" + token.right(6);
}

} // namespace SilentAuth::Internal
