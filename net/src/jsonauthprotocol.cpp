#include <silentauth/jsonauthprotocol.h>

#include "protocolsupport_p.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtNetwork/QNetworkCookie>

#include <algorithm>
#include <optional>

namespace SilentAuth {

namespace {

const char refreshPath[] = "/auth/refresh";
const char signOutPath[] = "/auth/logout";

// The Max-Age attribute of the last Set-Cookie line that sets \a name, if it
// has a valid one (RFC 6265 §5.2.2: an optional '-' and digits).
std::optional<qint64> maxAgeOf(const QByteArray &header, const QByteArray &name)
{
    std::optional<qint64> found;
    for (const QByteArray &line : header.split('\n')) {
        const QList<QByteArray> parts = line.split(';');
        if (parts.isEmpty() || parts.first().trimmed().split('=').first() != name)
            continue;
        found.reset();
        for (qsizetype i = 1; i < parts.size(); ++i) {
            const QByteArray attribute = parts.at(i).trimmed();
            const qsizetype equals = attribute.indexOf('=');
            if (equals < 0 || attribute.left(equals).trimmed().toLower() != "max-age")
                continue;
            const QByteArray value = attribute.mid(equals + 1).trimmed();
            bool ok = false;
            const qint64 seconds = value.toLongLong(&ok);
            const bool wellFormed = ok && !value.isEmpty()
                && (value.at(0) == '-' || (value.at(0) >= '0' && value.at(0) <= '9'));
            if (wellFormed)
                found = seconds;
        }
    }
    return found;
}

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
    // A token with a ';' or a space would add cookies of its own: it goes without one, and
    // the server refuses it as it would any unknown token (restoreFrom() refuses it first).
    if (canCarryRefreshToken(refreshToken) && !refreshToken.isEmpty())
        request.request.setRawHeader("Cookie", m_cookieName + '=' + refreshToken);
    return request;
}

bool JsonAuthProtocol::canCarryRefreshToken(const QByteArray &refreshToken) const
{
    if (m_transport == RefreshTransport::Body)
        return true;
    // RFC 6265 §4.1.1 cookie-octets.
    return std::all_of(refreshToken.cbegin(), refreshToken.cend(), [](char c) {
        const auto b = uchar(c);
        return b >= 0x21 && b <= 0x7e && b != '"' && b != ',' && b != ';' && b != '\\';
    });
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
    const QDateTime now = QDateTime::currentDateTimeUtc();
    QDateTime expiry = cookie->expirationDate();
    // RFC 6265 §5.3 step 3: Max-Age wins over Expires, wherever it stands.
    if (const std::optional<qint64> maxAge = maxAgeOf(header, m_cookieName))
        expiry = *maxAge <= 0 ? now.addSecs(-1) : now.addSecs(*maxAge);
    const QUrl refreshUrl = Internal::withPath(m_baseUrl, refreshPath);
    if (cookie->value().isEmpty() || (expiry.isValid() && expiry <= now)) {
        // The server took the cookie back. In a refresh answer, the session
        // is over; in a sign-in answer it is a server that cannot be used
        // this way (the password was right).
        if (reply.url().path() != refreshUrl.path())
            return malformed(QStringLiteral("the server removed the refresh cookie it was "
                                            "signing in with"));
        outcome.kind = Outcome::Kind::Rejected;
        outcome.message = QStringLiteral("the server removed the refresh cookie");
        outcome.tokens = {};
        return outcome;
    }
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
