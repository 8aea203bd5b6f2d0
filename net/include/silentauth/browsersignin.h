#pragma once

#include <silentauth/global.h>
#include <silentauth/providermetadata.h>

#include <QtCore/QObject>
#include <QtCore/QUrl>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

class QHostAddress;

namespace SilentAuth {

class Session;

/*!
    Sign-in through the system browser: the OAuth 2.0 authorization code grant
    with PKCE (RFC 7636, S256) and a loopback redirect (RFC 8252 §7.3).

    start() listens on 127.0.0.1 (else [::1]) on a free port, never on other
    interfaces, and emits authorizationUrlReady() with the address to open; the
    browser launcher, when one is set, opens it. The provider sends the browser
    back to the loopback port with a code; \c state, and \c iss where the
    provider sends it (RFC 9207), are checked, the first valid callback closes
    the port, and the code is exchanged at the token endpoint. When the scope
    has \c openid, the ID token must come and is verified against the
    provider's published keys (RS256 or ES256; the keys are fetched once and
    again when the token names one they lack) and its claims checked (iss,
    aud, azp, exp, iat, nonce). The tokens then go to the Session
    (Session::signInWithTokens()), with the ID token's \c sub as identity and
    its \c preferred_username (or \c name) as the name shown, and the Session
    runs as after any sign-in. The browser tab shows a short page telling the
    user to return to the program.

    The Session's protocol must be an OAuth2Protocol for the provider's token
    endpoint (OAuth2Protocol::forProvider()). No widgets are involved: the
    program decides how to open the browser and how to show progress.
*/
class SILENTAUTH_NET_EXPORT BrowserSignIn : public QObject
{
    Q_OBJECT

public:
    enum class Error {
        NoError,
        Unsupported, //!< no authorization endpoint, no S256, or not an OAuth2Protocol
        ListenFailed, //!< no loopback port could be opened
        AccessDenied, //!< the user (or the provider) declined
        ProviderError, //!< the provider answered another error
        StateMismatch, //!< a callback that does not belong to this attempt
        IssuerMismatch, //!< RFC 9207: the callback names another issuer
        Timeout,
        Canceled,
        SignInFailed, //!< the code exchange failed, or the Session could not take the tokens
        //! OpenID Connect: the ID token is missing, or its signature or claims (iss, aud, azp,
        //! exp, iat, nonce) do not check out against the provider's published keys
        IdTokenInvalid,
    };
    Q_ENUM(Error)

    BrowserSignIn(Session *session, const ProviderMetadata &provider, QObject *parent = nullptr);
    ~BrowserSignIn() override;

    //! Fixed ports to try in order, for providers that need the redirect URI registered with
    //! a port. Empty (the default): any free port.
    void setPorts(const QList<quint16> &ports);
    /*!
        Reads a port list as a command line or a setting gives it: numbers from 1 to 65535,
        separated by commas or spaces ("8400,8401"). Nothing when the list is not one; an
        empty list for an empty text.
    */
    static std::optional<QList<quint16>> portsFromText(const QString &text);
    //! The provider's error code behind the last failed() (\c invalid_scope, …), when the
    //! provider named one; empty otherwise.
    QString providerError() const;
    //! How long to wait for the browser to come back (default 5 minutes).
    void setTimeout(std::chrono::milliseconds timeout);
    //! Opens the authorization URL; returns false when it could not. Without one, the program
    //! shows authorizationUrlReady()'s URL itself.
    void setBrowserLauncher(std::function<bool(const QUrl &)> launcher);

    //! Starts an attempt (a running one is canceled first).
    void start();
    /*!
        Ends the attempt with Error::Canceled, closes the port and stops the code exchange and
        the ID token check. Only in the last moment, once the checked tokens are with the
        Session (it is then storing them and emits signedIn() next), does it come too late.
    */
    void cancel();
    bool isActive() const;

    //! The address the browser is sent to; empty before start().
    QUrl authorizationUrl() const;
    //! \c http://127.0.0.1:port/callback (or [::1]); empty when not listening.
    QUrl redirectUri() const;
    //! Where the callback listener is bound; null when not listening.
    QHostAddress listeningAddress() const;

Q_SIGNALS:
    //! The URL to open; show it with a "copy link" fallback.
    void authorizationUrlReady(const QUrl &url);
    //! The launcher could not open a browser: the user has to open the URL.
    void browserFailed();
    //! The browser came back with a code; it is being exchanged.
    void callbackReceived();
    //! Signed in: the Session is SignedIn.
    void finished();
    //! The attempt is over. When the Session could not take the tokens, \a message is the
    //! one Session::errorOccurred() has already given.
    void failed(SilentAuth::BrowserSignIn::Error error, const QString &message);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace SilentAuth
