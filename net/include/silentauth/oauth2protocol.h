#pragma once

#include <silentauth/authprotocol.h>
#include <silentauth/providermetadata.h>

#include <QtCore/QUrl>

#include <memory>

namespace SilentAuth {

/*!
    Standard OAuth 2.0: the RFC 6749 token endpoint (the \c refresh_token
    grant, and \c password where the server allows it) and RFC 7009 token
    revocation.

    Written for any standards-compliant authorization server: \c token_type
    is compared case-insensitively, \c expires_in is optional (and may be a
    string), an answer without \c refresh_token keeps the current one, and
    unknown fields are ignored.

    \code
    auto protocol = std::make_unique<SilentAuth::OAuth2Protocol>(
        QUrl("https://idp.example.com/oauth2/token"), QStringLiteral("my-desktop-app"));
    protocol->setScope(QStringLiteral("openid profile"));
    protocol->setRevocationUrl(QUrl("https://idp.example.com/oauth2/revoke"));
    \endcode
*/
class SILENTAUTH_NET_EXPORT OAuth2Protocol : public AuthProtocol
{
public:
    //! How the client proves who it is (RFC 6749 §2.3).
    enum class ClientAuthentication {
        None, //!< public client: only client_id in the form (the default)
        Basic, //!< client_secret_basic: HTTP Basic with the form-encoded id and secret
        Post, //!< client_secret_post: client_id and client_secret in the form
    };

    OAuth2Protocol(const QUrl &tokenUrl, const QString &clientId);
    ~OAuth2Protocol() override;

    QUrl tokenUrl() const;
    QString clientId() const;

    //! A confidential client. An empty secret makes the client public again.
    void setClientSecret(const QString &secret,
                         ClientAuthentication method = ClientAuthentication::Basic);
    ClientAuthentication clientAuthentication() const;

    //! Space-separated scopes sent with every grant; empty sends none.
    void setScope(const QString &scope);
    QString scope() const;

    //! The RFC 7009 endpoint. Without one, signing out only forgets the tokens locally.
    void setRevocationUrl(const QUrl &url);
    QUrl revocationUrl() const;

    /*!
        The token endpoint, the revocation endpoint and the client of a discovered provider;
        \a scope as for setScope().
    */
    static std::unique_ptr<OAuth2Protocol> forProvider(const ProviderMetadata &provider,
                                                       const QString &clientId,
                                                       const QString &scope = {});

    //! The RFC 6749 §4.1.3 code exchange, with the RFC 7636 PKCE verifier.
    Request authorizationCodeRequest(const QByteArray &code, const QByteArray &codeVerifier,
                                     const QUrl &redirectUri) const;
    //! RFC 8628 §3.1: asks \a endpoint (the device authorization endpoint) for a user code.
    Request deviceAuthorizationRequest(const QUrl &endpoint) const;
    //! RFC 8628 §3.4: the token request a device polls with.
    Request deviceCodeRequest(const QByteArray &deviceCode) const;

    Request signInRequest(const QString &username, const QString &password) const override;
    Request refreshRequest(const QByteArray &refreshToken) const override;
    //! An empty request (invalid URL) when no revocation endpoint is set.
    Request signOutRequest(const QByteArray &refreshToken) const override;
    //! The revocation endpoint again, with \c token_type_hint=access_token.
    Request accessTokenRevocationRequest(const QByteArray &accessToken) const override;
    Outcome readTokenReply(QNetworkReply::NetworkError error, int httpStatus,
                           const QByteArray &retryAfter, const QByteArray &body) const override;
    QList<QUrl> endpoints() const override;
    //! The provider's issuer (forProvider(), setIssuer()), else the token endpoint.
    QString issuerIdentifier() const override;
    QString clientIdentifier() const override { return clientId(); }
    //! The issuer identifier of the provider, for the accounts a TokenStore keeps apart.
    void setIssuer(const QUrl &issuer);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace SilentAuth
