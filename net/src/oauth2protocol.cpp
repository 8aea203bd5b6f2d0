#include <silentauth/oauth2protocol.h>

#include "protocolsupport_p.h"

#include <QtCore/QUrlQuery>

namespace SilentAuth {

namespace {

// application/x-www-form-urlencoded as RFC 6749 Appendix B defines it:
// everything but unreserved characters percent-encoded, space as '+'.
QByteArray formEncode(const QString &value)
{
    return QUrl::toPercentEncoding(value).replace("%20", "+");
}

} // namespace

struct OAuth2Protocol::Private
{
    QUrl tokenUrl;
    QUrl revocationUrl;
    QUrl issuer;
    QString clientId;
    QString clientSecret;
    QString scope;
    ClientAuthentication authentication = ClientAuthentication::None;

    Request post(const QUrl &url, QList<QPair<QString, QString>> form) const;
};

AuthProtocol::Request OAuth2Protocol::Private::post(const QUrl &url,
                                                    QList<QPair<QString, QString>> form) const
{
    Request request;
    request.request.setUrl(url);
    request.request.setHeader(QNetworkRequest::ContentTypeHeader,
                              QByteArray("application/x-www-form-urlencoded"));
    request.request.setRawHeader("Accept", "application/json");
    switch (authentication) {
    case ClientAuthentication::Basic:
        request.request.setRawHeader(
            "Authorization",
            "Basic " + (formEncode(clientId) + ':' + formEncode(clientSecret)).toBase64());
        break;
    case ClientAuthentication::Post:
        form.append(qMakePair(QStringLiteral("client_id"), clientId));
        form.append(qMakePair(QStringLiteral("client_secret"), clientSecret));
        break;
    case ClientAuthentication::None:
        form.append(qMakePair(QStringLiteral("client_id"), clientId));
        break;
    }
    QByteArray body;
    for (const auto &field : form) {
        if (!body.isEmpty())
            body += '&';
        body += formEncode(field.first) + '=' + formEncode(field.second);
    }
    request.body = body;
    return request;
}

OAuth2Protocol::OAuth2Protocol(const QUrl &tokenUrl, const QString &clientId)
    : d(std::make_unique<Private>())
{
    d->tokenUrl = tokenUrl;
    d->clientId = clientId;
}

OAuth2Protocol::~OAuth2Protocol() = default;

QUrl OAuth2Protocol::tokenUrl() const
{
    return d->tokenUrl;
}
QString OAuth2Protocol::clientId() const
{
    return d->clientId;
}
OAuth2Protocol::ClientAuthentication OAuth2Protocol::clientAuthentication() const
{
    return d->authentication;
}
QString OAuth2Protocol::scope() const
{
    return d->scope;
}
QUrl OAuth2Protocol::revocationUrl() const
{
    return d->revocationUrl;
}

void OAuth2Protocol::setClientSecret(const QString &secret, ClientAuthentication method)
{
    d->clientSecret = secret;
    d->authentication = secret.isEmpty() ? ClientAuthentication::None : method;
}

void OAuth2Protocol::setScope(const QString &scope)
{
    d->scope = scope.simplified();
}

void OAuth2Protocol::setRevocationUrl(const QUrl &url)
{
    d->revocationUrl = url;
}

std::unique_ptr<OAuth2Protocol> OAuth2Protocol::forProvider(const ProviderMetadata &provider,
                                                            const QString &clientId,
                                                            const QString &scope)
{
    auto protocol = std::make_unique<OAuth2Protocol>(provider.tokenEndpoint, clientId);
    protocol->setRevocationUrl(provider.revocationEndpoint);
    protocol->setIssuer(provider.issuer);
    protocol->setScope(scope);
    return protocol;
}

AuthProtocol::Request OAuth2Protocol::authorizationCodeRequest(const QByteArray &code,
                                                               const QByteArray &codeVerifier,
                                                               const QUrl &redirectUri) const
{
    return d->post(
        d->tokenUrl,
        {qMakePair(QStringLiteral("grant_type"), QStringLiteral("authorization_code")),
         qMakePair(QStringLiteral("code"), QString::fromLatin1(code)),
         qMakePair(QStringLiteral("redirect_uri"), redirectUri.toString(QUrl::FullyEncoded)),
         qMakePair(QStringLiteral("code_verifier"), QString::fromLatin1(codeVerifier))});
}

AuthProtocol::Request OAuth2Protocol::deviceAuthorizationRequest(const QUrl &endpoint) const
{
    QList<QPair<QString, QString>> form;
    if (!d->scope.isEmpty())
        form.append(qMakePair(QStringLiteral("scope"), d->scope));
    return d->post(endpoint, form);
}

AuthProtocol::Request OAuth2Protocol::deviceCodeRequest(const QByteArray &deviceCode) const
{
    return d->post(d->tokenUrl,
                   {qMakePair(QStringLiteral("grant_type"),
                              QStringLiteral("urn:ietf:params:oauth:grant-type:device_code")),
                    qMakePair(QStringLiteral("device_code"), QString::fromLatin1(deviceCode))});
}

AuthProtocol::Request OAuth2Protocol::signInRequest(const QString &username,
                                                    const QString &password) const
{
    QList<QPair<QString, QString>> form {
        qMakePair(QStringLiteral("grant_type"), QStringLiteral("password")),
        qMakePair(QStringLiteral("username"), username),
        qMakePair(QStringLiteral("password"), password)};
    if (!d->scope.isEmpty())
        form.append(qMakePair(QStringLiteral("scope"), d->scope));
    return d->post(d->tokenUrl, form);
}

AuthProtocol::Request OAuth2Protocol::refreshRequest(const QByteArray &refreshToken) const
{
    QList<QPair<QString, QString>> form {
        qMakePair(QStringLiteral("grant_type"), QStringLiteral("refresh_token")),
        qMakePair(QStringLiteral("refresh_token"), QString::fromLatin1(refreshToken))};
    if (!d->scope.isEmpty())
        form.append(qMakePair(QStringLiteral("scope"), d->scope));
    return d->post(d->tokenUrl, form);
}

AuthProtocol::Request OAuth2Protocol::signOutRequest(const QByteArray &refreshToken) const
{
    if (!d->revocationUrl.isValid())
        return {};
    return d->post(d->revocationUrl,
                   {qMakePair(QStringLiteral("token"), QString::fromLatin1(refreshToken)),
                    qMakePair(QStringLiteral("token_type_hint"), QStringLiteral("refresh_token"))});
}

AuthProtocol::Request
OAuth2Protocol::accessTokenRevocationRequest(const QByteArray &accessToken) const
{
    if (!d->revocationUrl.isValid())
        return {};
    return d->post(d->revocationUrl,
                   {qMakePair(QStringLiteral("token"), QString::fromLatin1(accessToken)),
                    qMakePair(QStringLiteral("token_type_hint"), QStringLiteral("access_token"))});
}

AuthProtocol::Outcome OAuth2Protocol::readTokenReply(QNetworkReply::NetworkError error,
                                                     int httpStatus, const QByteArray &retryAfter,
                                                     const QByteArray &body) const
{
    // RFC 6749 §5.1 (success) and §5.2 (error, error_description).
    static constexpr Internal::TokenFields fields {"access_token",      "token_type",
                                                   "refresh_token",     "expires_in",
                                                   "error_description", "id_token"};
    return Internal::readTokenAnswer(fields, error, httpStatus, retryAfter, body);
}

void OAuth2Protocol::setIssuer(const QUrl &issuer)
{
    d->issuer = issuer;
}

QString OAuth2Protocol::issuerIdentifier() const
{
    return (d->issuer.isValid() ? d->issuer : d->tokenUrl).toString(QUrl::FullyEncoded);
}

QList<QUrl> OAuth2Protocol::endpoints() const
{
    QList<QUrl> urls {d->tokenUrl};
    if (d->revocationUrl.isValid())
        urls.append(d->revocationUrl);
    return urls;
}

} // namespace SilentAuth
