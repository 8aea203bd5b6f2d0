#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QJsonObject>

namespace SilentAuth::Mock {

// HS256 JSON Web Tokens (RFC 7519), the only algorithm the mock server
// issues or accepts.
class Jwt
{
public:
    enum class Error {
        None,
        Malformed, // not three base64url parts of JSON
        BadAlgorithm, // any alg other than HS256, "none" included
        BadSignature,
        Expired,
    };

    struct Verified
    {
        Error error = Error::Malformed;
        QJsonObject claims;
    };

    static QByteArray sign(const QJsonObject &claims, const QByteArray &secret);
    // Checks structure, algorithm, signature and exp against nowSecs.
    static Verified verify(const QByteArray &token, const QByteArray &secret, qint64 nowSecs);
    // Claims without any check; for logout, which accepts expired tokens.
    static bool decodeClaims(const QByteArray &token, QJsonObject *claims);
    static QByteArray errorName(Error error);
};

} // namespace SilentAuth::Mock
