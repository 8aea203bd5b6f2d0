#include <silentauth/jsonauthprotocol.h>

#include "protocolsupport_p.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtNetwork/QNetworkCookie>

#include <optional>

namespace SilentAuth {

namespace {

const char refreshPath[] = "/auth/refresh";
const char signOutPath[] = "/auth/logout";

// RFC 6265 §5.1.4: does a cookie with path \a cookiePath go with a request
// for \a requestPath?
bool pathMatches(const QString &cookiePath, const QString &requestPath)
{
    if (cookiePath == requestPath)
        return true;
    return requestPath.startsWith(cookiePath)
        && (cookiePath.endsWith(QLatin1Char('/'))
            || requestPath.at(cookiePath.size()) == QLatin1Char('/'));
}

// RFC 6265 §5.1.3.
bool domainMatches(QString domain, const QString &host)
{
    if (domain.startsWith(QLatin1Char('.')))
        domain.remove(0, 1);
    return host.compare(domain, Qt::CaseInsensitive) == 0
        || host.endsWith(QLatin1Char('.') + domain, Qt::CaseInsensitive);
}

// RFC 6265 §5.1.4: a cookie without Path applies under the directory of the
// request that set it.
QString defaultPath(const QString &requestPath)
{
    const qsizetype slash = requestPath.lastIndexOf(QLatin1Char('/'));
    return slash <= 0 ? QStringLiteral("/") : requestPath.left(slash);
}

} // namespace

JsonAuthProtocol::JsonAuthProtocol(const QUrl &baseUrl)
    : m_baseUrl(baseUrl)
{
}

QString JsonAuthProtocol::issuerIdentifier() const
{
    return m_issuerIdentifier.isEmpty() ? AuthProtocol::issuerIdentifier() : m_issuerIdentifier;
}

void JsonAuthProtocol::setRefreshTransport(RefreshTransport transport, const QByteArray &cookieName)
{
    m_transport = transport;
    m_cookieName = cookieName;
}

AuthProtocol::Request JsonAuthProtocol::post(const char *path, const QJsonObject &body) const
{
    Request request;
    request.request.setUrl(Internal::withPath(m_baseUrl, path));
    request.request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    request.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    return request;
}

AuthProtocol::Request JsonAuthProtocol::withRefreshToken(const char *path,
                                                         const QByteArray &refreshToken) const
{
    if (m_transport == RefreshTransport::Body)
        return post(path, {{QStringLiteral("refreshToken"), QString::fromLatin1(refreshToken)}});
    Request request = post(path, {});
    request.request.setRawHeader("Cookie", m_cookieName + '=' + refreshToken);
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
    return withRefreshToken(refreshPath, refreshToken);
}

AuthProtocol::Request JsonAuthProtocol::signOutRequest(const QByteArray &refreshToken) const
{
    return withRefreshToken(signOutPath, refreshToken);
}

AuthProtocol::Outcome JsonAuthProtocol::readTokenReply(QNetworkReply::NetworkError error,
                                                       int httpStatus, const QByteArray &retryAfter,
                                                       const QByteArray &body) const
{
    static constexpr Internal::TokenFields fields {"accessToken", "tokenType", "refreshToken",
                                                   "expiresIn", "message"};
    return Internal::readTokenAnswer(fields, error, httpStatus, retryAfter, body);
}

AuthProtocol::Outcome JsonAuthProtocol::readTokenAnswer(const QNetworkReply &reply,
                                                        const QByteArray &body) const
{
    Outcome outcome = AuthProtocol::readTokenAnswer(reply, body);
    if (m_transport == RefreshTransport::Body || outcome.kind != Outcome::Kind::Ok)
        return outcome;
    // The body's refresh token, if any, is not this dialect's.
    outcome.tokens.refreshToken.clear();
    const auto malformed = [&outcome](const QString &why) {
        outcome.kind = Outcome::Kind::Malformed;
        outcome.message = why;
        outcome.tokens = {};
        return outcome;
    };
    const QByteArray header = reply.rawHeader("Set-Cookie");
    std::optional<QNetworkCookie> cookie;
    for (const QNetworkCookie &candidate : QNetworkCookie::parseCookies(header)) {
        if (candidate.name() == m_cookieName)
            cookie = candidate;
    }
    if (!cookie)
        return malformed(header.contains(m_cookieName + '=')
                             ? QStringLiteral("the refresh cookie could not be read")
                             : QStringLiteral("the answer set no refresh cookie"));
    const QDateTime expiry = cookie->expirationDate();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (cookie->value().isEmpty() || (expiry.isValid() && expiry <= now)) {
        // The server took the cookie back: there is no refresh token now.
        outcome.kind = Outcome::Kind::Rejected;
        outcome.message = QStringLiteral("the server removed the refresh cookie");
        outcome.tokens = {};
        return outcome;
    }
    const QUrl refreshUrl = Internal::withPath(m_baseUrl, refreshPath);
    const QUrl signOutUrl = Internal::withPath(m_baseUrl, signOutPath);
    const QString path
        = cookie->path().isEmpty() ? defaultPath(reply.url().path()) : cookie->path();
    if (!pathMatches(path, refreshUrl.path()) || !pathMatches(path, signOutUrl.path()))
        return malformed(QStringLiteral("the refresh cookie's path %1 does not cover %2 and %3")
                             .arg(path, refreshUrl.path(), signOutUrl.path()));
    if (!cookie->domain().isEmpty() && !domainMatches(cookie->domain(), m_baseUrl.host()))
        return malformed(
            QStringLiteral("the refresh cookie is for another site (%1)").arg(cookie->domain()));
    if (!Internal::isSafeRefreshToken(cookie->value()))
        return malformed(QStringLiteral("the refresh cookie holds characters a token cannot "
                                        "contain"));
    outcome.tokens.refreshToken = cookie->value();
    if (expiry.isValid())
        outcome.tokens.refreshExpiresIn = now.secsTo(expiry);
    return outcome;
}

} // namespace SilentAuth
