#include <silentauth/jsonauthprotocol.h>

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>

namespace SilentAuth {

AuthProtocol::~AuthProtocol() = default;

JsonAuthProtocol::JsonAuthProtocol(const QUrl &baseUrl)
    : m_baseUrl(baseUrl)
{
}

AuthProtocol::Request JsonAuthProtocol::post(const char *path, const QJsonObject &body) const
{
    QUrl url = m_baseUrl;
    QString base = url.path();
    if (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    url.setPath(base + QLatin1String(path));
    Request request;
    request.request.setUrl(url);
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
    Outcome outcome;
    QJsonParseError parseError;
    const QJsonObject json = QJsonDocument::fromJson(body, &parseError).object();
    outcome.error = json.value(QLatin1String("error")).toString();
    outcome.message = json.value(QLatin1String("message")).toString();

    if (httpStatus == 0) {
        outcome.kind = Outcome::Kind::Transient;
        outcome.message = QStringLiteral("network error %1").arg(int(error));
        return outcome;
    }
    if (httpStatus == 429) {
        outcome.kind = Outcome::Kind::Throttled;
        outcome.retryAfterSeconds = retryAfter.toInt();
        return outcome;
    }
    if (httpStatus == 400 || httpStatus == 401 || httpStatus == 403) {
        outcome.kind = Outcome::Kind::Rejected;
        return outcome;
    }
    if (httpStatus != 200) {
        outcome.kind = Outcome::Kind::Transient;
        outcome.message = QStringLiteral("HTTP %1").arg(httpStatus);
        return outcome;
    }
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
    const auto expiresIn = json.value(QLatin1String("expiresIn"));
    if (expiresIn.isDouble() && expiresIn.toDouble() > 0)
        outcome.tokens.expiresIn = qint64(expiresIn.toDouble());
    return outcome;
}

} // namespace SilentAuth
