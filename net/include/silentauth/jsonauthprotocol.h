#pragma once

#include <silentauth/authprotocol.h>

#include <QtCore/QUrl>

namespace SilentAuth {

/*!
    The seed backend's JSON API: POST /auth/login, /auth/refresh and
    /auth/logout with camelCase JSON bodies.
*/
class SILENTAUTH_NET_EXPORT JsonAuthProtocol : public AuthProtocol
{
public:
    //! \a baseUrl is the auth service, e.g. http://127.0.0.1:8080
    explicit JsonAuthProtocol(const QUrl &baseUrl);

    QUrl baseUrl() const { return m_baseUrl; }

    Request signInRequest(const QString &username, const QString &password) const override;
    Request refreshRequest(const QByteArray &refreshToken) const override;
    Request signOutRequest(const QByteArray &refreshToken) const override;
    Outcome readTokenReply(QNetworkReply::NetworkError error, int httpStatus,
                           const QByteArray &retryAfter, const QByteArray &body) const override;
    QList<QUrl> endpoints() const override { return {m_baseUrl}; }

private:
    Request post(const char *path, const QJsonObject &body) const;

    QUrl m_baseUrl;
};

} // namespace SilentAuth
