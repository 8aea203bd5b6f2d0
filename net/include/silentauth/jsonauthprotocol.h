#pragma once

#include <silentauth/authprotocol.h>

#include <QtCore/QUrl>

namespace SilentAuth {

/*!
    The seed backend's JSON API: POST /auth/login, /auth/refresh and
    /auth/logout with camelCase JSON bodies.

    The refresh token travels in the JSON body (\c refreshToken), or, for a
    backend built for browsers, in an \c HttpOnly cookie (setRefreshTransport()):
    then it is read from the \c Set-Cookie of the sign-in and refresh answers
    and sent back as a \c Cookie header to /auth/refresh and /auth/logout only.
    No QNetworkCookieJar ever holds it; the TokenStore keeps it like any
    refresh token.
*/
class SILENTAUTH_NET_EXPORT JsonAuthProtocol : public AuthProtocol
{
public:
    enum class RefreshTransport {
        Body, //!< \c refreshToken in the JSON bodies (the default)
        Cookie, //!< a cookie the server sets and the client sends back
    };

    //! \a baseUrl is the auth service, e.g. http://127.0.0.1:8080
    explicit JsonAuthProtocol(const QUrl &baseUrl);

    QUrl baseUrl() const { return m_baseUrl; }

    /*!
        Where the refresh token travels; \a cookieName names the cookie. With Cookie, a
        sign-in or refresh answer must set the cookie: one that does not, or whose cookie
        cannot be read, does not cover /auth/refresh and /auth/logout (\c Path, \c Domain),
        or holds what a token cannot, is a malformed answer (the current session stays); one
        that removes it (expired, or empty) ends the session as a rejected token would.
    */
    void setRefreshTransport(RefreshTransport transport,
                             const QByteArray &cookieName = QByteArrayLiteral("refreshToken"));
    RefreshTransport refreshTransport() const { return m_transport; }
    QByteArray refreshCookieName() const { return m_cookieName; }

    Request signInRequest(const QString &username, const QString &password) const override;
    Request refreshRequest(const QByteArray &refreshToken) const override;
    Request signOutRequest(const QByteArray &refreshToken) const override;
    Outcome readTokenReply(QNetworkReply::NetworkError error, int httpStatus,
                           const QByteArray &retryAfter, const QByteArray &body) const override;
    Outcome readTokenAnswer(const QNetworkReply &reply, const QByteArray &body) const override;
    //! With the cookie transport: RFC 6265 cookie-octets only.
    bool canCarryRefreshToken(const QByteArray &refreshToken) const override;
    QList<QUrl> endpoints() const override { return {m_baseUrl}; }
    //! The base URL, unless setIssuerIdentifier() named the server otherwise.
    QString issuerIdentifier() const override;
    //! A name for the server that stays when its address does not (a bundled server on a
    //! free port): what a TokenStore keeps its accounts under.
    void setIssuerIdentifier(const QString &identifier) { m_issuerIdentifier = identifier; }

private:
    Request post(const char *path, const QJsonObject &body) const;
    Request withRefreshToken(const char *path, const QByteArray &refreshToken) const;

    QUrl m_baseUrl;
    RefreshTransport m_transport = RefreshTransport::Body;
    QByteArray m_cookieName = QByteArrayLiteral("refreshToken");
    QString m_issuerIdentifier;
};

} // namespace SilentAuth
