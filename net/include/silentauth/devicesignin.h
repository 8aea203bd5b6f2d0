#pragma once

#include <silentauth/global.h>
#include <silentauth/providermetadata.h>

#include <QtCore/QObject>
#include <QtCore/QUrl>

#include <chrono>
#include <memory>

namespace SilentAuth {

class Session;

/*!
    Sign-in for a program without a browser at hand: the OAuth 2.0 device
    authorization grant (RFC 8628).

    start() asks the provider's device authorization endpoint for a user code
    and emits userCodeReady(): the program shows the code and the address
    where the user enters it, on any device. It then polls the token endpoint
    at the interval the provider gave (5 s when it gave none), waits 5 s
    longer for every \c slow_down, and backs off exponentially while the
    provider cannot be reached. \c authorization_pending keeps it waiting;
    \c access_denied, \c expired_token (or the code's lifetime running out)
    end the attempt with a specific error. Tokens that arrive are checked as
    BrowserSignIn checks them (the ID token when the scope has \c openid) and
    go to the Session, which runs as after any sign-in.

    What the provider sends to be shown is checked first: a user code with
    control characters, or a verification address that is not https (or
    loopback http), is refused rather than printed.

    The Session's protocol must be an OAuth2Protocol for the provider's token
    endpoint (OAuth2Protocol::forProvider()).
*/
class SILENTAUTH_NET_EXPORT DeviceSignIn : public QObject
{
    Q_OBJECT

public:
    enum class Error {
        NoError,
        Unsupported, //!< no device authorization endpoint, or not an OAuth2Protocol
        ProviderError, //!< the provider refused the request or answered something unreadable
        AccessDenied, //!< the user (or the provider) declined
        Expired, //!< the user code expired before the user finished
        Canceled,
        SignInFailed, //!< the Session could not take the tokens
        IdTokenInvalid, //!< as BrowserSignIn::Error::IdTokenInvalid
    };
    Q_ENUM(Error)

    DeviceSignIn(Session *session, const ProviderMetadata &provider, QObject *parent = nullptr);
    ~DeviceSignIn() override;

    //! Starts an attempt (a running one is canceled first).
    void start();
    //! Ends the attempt with Error::Canceled. Tokens a poll already under way brings are
    //! revoked.
    void cancel();
    bool isActive() const;

    //! What the user enters; empty before userCodeReady().
    QString userCode() const;
    //! Where the user enters it.
    QUrl verificationUri() const;
    //! The same address with the code already in it, when the provider gives one.
    QUrl verificationUriComplete() const;
    //! The current wait between two polls.
    std::chrono::seconds pollInterval() const;
    //! Polls sent in this attempt.
    int pollCount() const;

Q_SIGNALS:
    //! Show \a userCode and \a verificationUri (or \a verificationUriComplete, which may be
    //! empty) to the user.
    void userCodeReady(const QString &userCode, const QUrl &verificationUri,
                       const QUrl &verificationUriComplete);
    //! The provider asked to poll less often (\c slow_down): the wait is now \a interval.
    void slowedDown(std::chrono::seconds interval);
    //! Signed in: the Session is SignedIn.
    void finished();
    //! The attempt is over.
    void failed(SilentAuth::DeviceSignIn::Error error, const QString &message);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace SilentAuth
