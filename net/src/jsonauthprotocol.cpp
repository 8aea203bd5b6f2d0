#include <silentauth/jsonauthprotocol.h>

#include "protocolsupport_p.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

namespace SilentAuth {

JsonAuthProtocol::JsonAuthProtocol(const QUrl &baseUrl)
    : m_baseUrl(baseUrl)
{
}

AuthProtocol::Request JsonAuthProtocol::post(const char *path, const QJsonObject &body) const
{
    Request request;
    request.request.setUrl(Internal::withPath(m_baseUrl, path));
    request.request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return request;
}

AuthProtocol::Request JsonAuthProtocol::signInRequest(const QString &username,
                                                      const QString &password) const
{
    return post("/auth/login",
                {{QStringLiteral("username"), username}, {QStringLiteral("password"), password}});
}

AuthProtocol::Request JsonAuthProtocol::refreshRequest(const QByteArray &refreshToken) const
{
    return post("/auth/refresh",
                {{QStringLiteral("refreshToken"), QString::fromLatin1(refreshToken)}});
}

AuthProtocol::Request JsonAuthProtocol::signOutRequest(const QByteArray &refreshToken) const
{
    return post("/auth/logout",
                {{QStringLiteral("refreshToken"), QString::fromLatin1(refreshToken)}});
}

AuthProtocol::Outcome JsonAuthProtocol::readTokenReply(QNetworkReply::NetworkError error,
                                                       int httpStatus, const QByteArray &retryAfter,
                                                       const QByteArray &body) const
{
    static constexpr Internal::TokenFields fields {"accessToken", "tokenType", "refreshToken",
                                                   "expiresIn", "message"};
    return Internal::readTokenAnswer(fields, error, httpStatus, retryAfter, body);
}

} // namespace SilentAuth
