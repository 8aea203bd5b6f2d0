#pragma once

#include <silentauth/global.h>

#include <QtCore/QObject>
#include <QtCore/QStringList>
#include <QtCore/QUrl>

#include <memory>
#include <optional>

class QNetworkAccessManager;

namespace SilentAuth {

/*!
    What an OpenID provider (OpenID Connect Discovery 1.0) or an OAuth 2.0
    authorization server (RFC 8414) says about itself.
*/
struct SILENTAUTH_NET_EXPORT ProviderMetadata
{
    QUrl issuer;
    QUrl authorizationEndpoint;
    QUrl tokenEndpoint;
    QUrl revocationEndpoint; //!< RFC 7009; empty when the provider has none
    QUrl userinfoEndpoint;
    QUrl deviceAuthorizationEndpoint; //!< RFC 8628
    QUrl jwksUri;
    QStringList grantTypes; //!< empty: the RFC 8414 default, authorization_code and implicit
    QStringList scopes; //!< scopes_supported, when the provider lists them
    QStringList codeChallengeMethods;
    //! RFC 9207: the authorization response carries \c iss, which must then be checked.
    bool issParameterSupported = false;
    //! RFC 9449 §5.1: the proof algorithms the provider accepts; empty when it has no DPoP.
    QStringList dpopSigningAlgorithms;

    //! The provider takes the DPoP proofs Session::setProofOfPossession() makes (ES256).
    bool supportsProofOfPossession() const
    {
        return dpopSigningAlgorithms.contains(QLatin1String("ES256"));
    }

    /*!
        Reads a discovery document. \a expectedIssuer is the issuer it was asked for: the
        document's \c issuer must be that same string (RFC 8414 §3.3, OpenID Connect
        Discovery §4.3; one trailing slash tolerated), and every endpoint https unless on
        loopback or \a plainHttpAllowed, without user info or fragment. Returns nothing and
        sets \a error (in words) when the document cannot be used.
    */
    static std::optional<ProviderMetadata> fromJson(const QByteArray &document,
                                                    const QUrl &expectedIssuer,
                                                    QString *error = nullptr,
                                                    bool plainHttpAllowed = false);

    bool supportsGrant(const QString &grantType) const;
};

/*!
    Reads a provider's discovery document: \c /.well-known/openid-configuration
    under the issuer, then the RFC 8414 \c /.well-known/oauth-authorization-server
    form when the first is not there. Redirects are not followed.

    \code
    auto *discovery = new SilentAuth::ProviderDiscovery(&network, this);
    connect(discovery, &SilentAuth::ProviderDiscovery::discovered, this,
            [](const SilentAuth::ProviderMetadata &provider) { ... });
    connect(discovery, &SilentAuth::ProviderDiscovery::failed, this,
            [](const QString &message) { ... });
    discovery->discover(QUrl("https://idp.example.com/realms/main"));
    \endcode
*/
class SILENTAUTH_NET_EXPORT ProviderDiscovery : public QObject
{
    Q_OBJECT

public:
    explicit ProviderDiscovery(QNetworkAccessManager *network, QObject *parent = nullptr);
    ~ProviderDiscovery() override;

    //! Limit for each request (default 15 s).
    void setTimeout(std::chrono::milliseconds timeout);
    //! Lets the issuer and its endpoints be plain http on other hosts than loopback.
    void setPlainHttpAllowed(bool allowed);

    //! Starts reading; discovered() or failed() follows from the event loop, once.
    void discover(const QUrl &issuer);
    void cancel();

Q_SIGNALS:
    void discovered(const SilentAuth::ProviderMetadata &provider);
    void failed(const QString &message);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace SilentAuth
