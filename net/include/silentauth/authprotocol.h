#pragma once

#include <silentauth/global.h>

#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QNetworkRequest>

#include <optional>

namespace SilentAuth {

//! The tokens an authorization server hands out.
struct TokenResponse
{
    QByteArray accessToken;
    QByteArray refreshToken; //!< empty: keep the current one
    std::optional<qint64> expiresIn; //!< seconds, when the server said
    //! OpenID Connect: the ID token of a sign-in, as received (not verified by the protocol).
    QByteArray idToken;
    //! Seconds the refresh token lives, when the server said (a refresh cookie's Max-Age or
    //! Expires). Past that time the Session does not present it: the session ends as if the
    //! server had refused it.
    std::optional<qint64> refreshExpiresIn;
    //! The token type the server named: \c Bearer (also when it named none) or \c DPoP
    //! (RFC 9449: the access token is bound to the key of the request's proof).
    QByteArray tokenType = QByteArrayLiteral("Bearer");
};

/*!
    How sign-in, refresh and sign-out requests are built and their answers
    read. Implement it to talk to another server dialect.
*/
class SILENTAUTH_NET_EXPORT AuthProtocol
{
public:
    struct Request
    {
        QNetworkRequest request;
        QByteArray body;
    };

    struct Outcome
    {
        enum class Kind {
            Ok,
            Rejected, //!< terminal: wrong credentials, invalid_grant, 400/401/403
            Throttled, //!< too many attempts; see retryAfterSeconds
            Transient, //!< network error, timeout, 5xx: try again later
            Malformed, //!< the answer could not be read; treated as transient
            //! The server refused this client, not the user's grant (invalid_client,
            //! invalid_scope, unauthorized_client, unsupported_grant_type): a setting is
            //! wrong. The refresh token is kept.
            Misconfigured,
        };
        Kind kind = Kind::Transient;
        TokenResponse tokens;
        QString error; //!< the server's error code, when it sent one
        QString message; //!< for logs and messages
        int retryAfterSeconds = 0; //!< from Retry-After on 429 and 503, 0 when absent
        //! The answer's HTTP status, 0 when none came; the Session fills it in from the reply.
        int httpStatus = 0;
    };

    virtual ~AuthProtocol();

    virtual Request signInRequest(const QString &username, const QString &password) const = 0;
    virtual Request refreshRequest(const QByteArray &refreshToken) const = 0;
    virtual Request signOutRequest(const QByteArray &refreshToken) const = 0;
    //! Revokes an access token at sign-out, after the refresh token (RFC 7009 §2.1). Best
    //! effort: access tokens expire soon anyway. The default (an invalid URL) sends nothing.
    virtual Request accessTokenRevocationRequest(const QByteArray &accessToken) const;
    //! Reads the answer to a sign-in or refresh request.
    virtual Outcome readTokenReply(QNetworkReply::NetworkError error, int httpStatus,
                                   const QByteArray &retryAfter, const QByteArray &body) const = 0;
    /*!
        Reads the answer to a sign-in or refresh request from the finished \a reply and its
        \a body (already read from it). The default reads the status, Retry-After and body
        with readTokenReply(); a dialect that carries a token in a header reads it here.
    */
    virtual Outcome readTokenAnswer(const QNetworkReply &reply, const QByteArray &body) const;
    //! The origins (scheme, host, port) this protocol talks to.
    virtual QList<QUrl> endpoints() const = 0;
    //! Who issues the tokens (TokenAccount::issuer); by default the first endpoint.
    virtual QString issuerIdentifier() const;
    //! Which client they are issued to (TokenAccount::clientId); by default none.
    virtual QString clientIdentifier() const { return {}; }
    /*!
        Whether \a refreshToken can travel the way this protocol sends it (a cookie carries
        fewer characters than a form). One that cannot is refused before anything is sent.
        By default every token the Session takes can.
    */
    virtual bool canCarryRefreshToken(const QByteArray &refreshToken) const;
};

} // namespace SilentAuth
