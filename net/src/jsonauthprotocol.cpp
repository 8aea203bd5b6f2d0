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
    QJsonParseError parseError;
    const QJsonObject json = QJsonDocument::fromJson(body, &parseError).object();
    Outcome outcome;
    if (auto failure = Internal::classifyFailure(error, httpStatus, retryAfter))
        outcome = *failure;
    outcome.error = json.value(QLatin1String("error")).toString();
    if (outcome.message.isEmpty())
        outcome.message = json.value(QLatin1String("message")).toString();
    if (httpStatus != 200)
        return outcome;

    const QString access = json.value(QLatin1String("accessToken")).toString();
    const QString type = json.value(QLatin1String("tokenType")).toString(QStringLiteral("Bearer"));
    if (parseError.error != QJsonParseError::NoError || access.isEmpty()
        || type.compare(QLatin1String("bearer"), Qt::CaseInsensitive) != 0) {
        outcome.kind = Outcome::Kind::Malformed;
        outcome.message = QStringLiteral("the token answer could not be read");
        return outcome;
    }
    outcome.kind = Outcome::Kind::Ok;
    outcome.tokens.accessToken = access.toLatin1();
    outcome.tokens.refreshToken = json.value(QLatin1String("refreshToken")).toString().toLatin1();
    outcome.tokens.expiresIn = Internal::lifetimeSeconds(json.value(QLatin1String("expiresIn")));
    return outcome;
}

} // namespace SilentAuth
