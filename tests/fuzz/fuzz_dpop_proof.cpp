// DPoP proof verification (RFC 9449 §4.3) as the mock server does it: the
// input is a DPoP header value, checked against a fixed request (POST
// http://127.0.0.1:8080/auth/login and GET /profile with an access token, at
// a fixed time, with a fixed nonce). The seeds are valid ES256 and RS256
// proofs for it, so mutations reach the claim checks past the signature.
#include "dpop.h"

#include <QtCore/QJsonDocument>

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    namespace Dpop = SilentAuth::Mock::Dpop;
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));

    Dpop::Expected token;
    token.method = "POST";
    token.urls = {Dpop::normalizedUrl(QUrl(QStringLiteral("http://127.0.0.1:8080/auth/login")))};
    token.nowSecs = 1700000000;
    token.windowSecs = 60;
    token.nonces = {"fuzz-nonce"};
    const Dpop::Proof proof = Dpop::verify(input, token);
    if (proof.ok() && (proof.jkt.isEmpty() || proof.jti.isEmpty()))
        __builtin_trap(); // an accepted proof always names its key and jti

    Dpop::Expected resource = token;
    resource.method = "GET";
    resource.urls = {Dpop::normalizedUrl(QUrl(QStringLiteral("http://127.0.0.1:8080/profile")))};
    resource.accessToken = "fuzz-access-token";
    resource.nonces.clear();
    const Dpop::Proof resourceProof = Dpop::verify(input, resource);

    static Dpop::ReplayCache cache(64);
    for (const Dpop::Proof *accepted : {&proof, &resourceProof}) {
        if (accepted->ok())
            (void)cache.record(accepted->jkt, accepted->jti, accepted->iat + 60, 1700000000);
    }

    // The pieces on their own: a header's jwk, and the input as an htu.
    const QByteArray header = input.left(input.indexOf('.'));
    const QJsonObject object
        = QJsonDocument::fromJson(QByteArray::fromBase64(header, QByteArray::Base64UrlEncoding))
              .object();
    (void)Dpop::thumbprint(object.value(QLatin1String("jwk")).toObject());
    (void)Dpop::normalizedUrl(QUrl(QString::fromUtf8(input)));
    return 0;
}
