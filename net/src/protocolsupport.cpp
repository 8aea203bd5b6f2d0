#include "protocolsupport_p.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QLocale>
#include <QtCore/QTimer>
#include <QtNetwork/QHostAddress>

#include <algorithm>

namespace SilentAuth {

AuthProtocol::~AuthProtocol() = default;

AuthProtocol::Request AuthProtocol::accessTokenRevocationRequest(const QByteArray &) const
{
    return {};
}

AuthProtocol::Outcome AuthProtocol::readTokenAnswer(const QNetworkReply &reply,
                                                    const QByteArray &body) const
{
    return readTokenReply(reply.error(),
                          reply.attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                          reply.rawHeader("Retry-After"), body);
}

bool AuthProtocol::canCarryRefreshToken(const QByteArray &) const
{
    return true;
}

QString AuthProtocol::issuerIdentifier() const
{
    const QList<QUrl> urls = endpoints();
    return urls.isEmpty() ? QString() : urls.constFirst().toString(QUrl::FullyEncoded);
}

namespace Internal {

bool sameIssuer(QString a, QString b)
{
    if (a.endsWith(QLatin1Char('/')))
        a.chop(1);
    if (b.endsWith(QLatin1Char('/')))
        b.chop(1);
    return !a.isEmpty() && a == b;
}

QNetworkRequest authServerRequest(QNetworkRequest request)
{
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    return request;
}

int deadlineGrace(int timeoutMs)
{
    return std::clamp(timeoutMs / 10, 50, 1000);
}

void boundReply(QNetworkReply *reply, int timeoutMs, qint64 maxBytes)
{
    reply->setProperty("silentauthMaxBytes", maxBytes);
    // The deadline is confirmed once more after a short grace of event-loop
    // time. A program stopped past it (SIGSTOP, a debugger, a frozen cgroup,
    // a suspended machine) finds on waking both this timer due and the
    // answer in its socket, and the timer may come first. A token answer
    // given up then is lost for good: its refresh token was spent, and
    // asking again with it looks like theft to the server.
    const int grace = deadlineGrace(timeoutMs);
    QTimer::singleShot(timeoutMs, reply, [reply, grace] {
        if (reply->isFinished())
            return;
        QTimer::singleShot(grace, reply, [reply] {
            if (reply->isFinished())
                return;
            reply->setProperty("silentauthTimedOut", true);
            reply->abort();
        });
    });
    const auto cutOff = [reply] {
        if (reply->isFinished())
            return;
        reply->setProperty("silentauthTooLarge", true);
        reply->abort();
    };
    // An announced length over the limit is refused before a byte of the
    // body is kept; without one, the reply holds little more than the limit.
    QObject::connect(reply, &QNetworkReply::metaDataChanged, reply, [reply, maxBytes, cutOff] {
        if (reply->header(QNetworkRequest::ContentLengthHeader).toLongLong() > maxBytes)
            cutOff();
    });
    reply->setReadBufferSize(maxBytes + 1);
    QObject::connect(reply, &QNetworkReply::downloadProgress, reply,
                     [maxBytes, cutOff](qint64 received, qint64 total) {
                         if (received > maxBytes || total > maxBytes)
                             cutOff();
                     });
}

bool replyTimedOut(const QNetworkReply *reply)
{
    return reply->property("silentauthTimedOut").toBool();
}

bool replyTooLarge(const QNetworkReply *reply)
{
    // Cut off on the way, or it all arrived at once before it could be.
    const QVariant limit = reply->property("silentauthMaxBytes");
    return reply->property("silentauthTooLarge").toBool()
        || (limit.isValid() && reply->bytesAvailable() > limit.toLongLong());
}

bool isShowableChar(QChar c)
{
    switch (c.category()) {
    case QChar::Other_Control:
    case QChar::Other_Format:
    case QChar::Other_Surrogate:
    case QChar::Other_PrivateUse:
    case QChar::Other_NotAssigned:
    case QChar::Separator_Line:
    case QChar::Separator_Paragraph:
        return false;
    default:
        break;
    }
    // Default-ignorable code points that are not format characters: they
    // show as nothing (a combining grapheme joiner, Hangul fillers, the
    // Mongolian variation selectors, variation selectors).
    const char16_t u = c.unicode();
    if (u == 0x034F || u == 0x115F || u == 0x1160 || u == 0x3164 || u == 0xFFA0
        || (u >= 0x17B4 && u <= 0x17B5) || (u >= 0x180B && u <= 0x180F)
        || (u >= 0xFE00 && u <= 0xFE0F))
        return false;
    return c.isPrint() || c == QLatin1Char(' ');
}

bool isShowableText(const QString &text)
{
    return std::all_of(text.cbegin(), text.cend(), isShowableChar);
}

QString showable(const QString &text)
{
    QString shown = text;
    for (QChar &c : shown) {
        if (!isShowableChar(c))
            c = QChar::ReplacementCharacter;
    }
    return shown;
}

bool isPlainHttpToRemoteHost(const QUrl &url)
{
    if (url.scheme() != QLatin1String("http"))
        return false;
    const QString host = url.host();
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return false;
    const QHostAddress address(host);
    return address.isNull() || !address.isLoopback();
}

QString networkErrorText(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
        return QStringLiteral("connection refused");
    case QNetworkReply::RemoteHostClosedError:
        return QStringLiteral("the server closed the connection");
    case QNetworkReply::HostNotFoundError:
        return QStringLiteral("host not found");
    case QNetworkReply::TimeoutError:
    case QNetworkReply::OperationCanceledError:
        return QStringLiteral("the server did not answer in time");
    case QNetworkReply::SslHandshakeFailedError:
        return QStringLiteral("the secure connection failed");
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
        return QStringLiteral("the network is down");
    case QNetworkReply::ProxyConnectionRefusedError:
    case QNetworkReply::ProxyNotFoundError:
    case QNetworkReply::ProxyTimeoutError:
        return QStringLiteral("the proxy cannot be reached");
    default:
        return QStringLiteral("network error %1").arg(int(error));
    }
}

int retryAfterSeconds(const QByteArray &value)
{
    // A wait longer than a day is a day: every caller waits less than that anyway,
    // and no number a server sends wraps around to "at once".
    constexpr qint64 longest = 24 * 3600;
    const QByteArray text = value.trimmed();
    // RFC 9110 §10.2.3: delay-seconds is 1*DIGIT, of any length.
    if (!text.isEmpty()
        && std::all_of(text.cbegin(), text.cend(), [](char c) { return c >= '0' && c <= '9'; })) {
        bool ok = false;
        const qint64 seconds = text.toLongLong(&ok);
        return int(ok ? qMin(seconds, longest) : longest);
    }
    const QDateTime when = QLocale::c().toDateTime(
        QString::fromLatin1(text), QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"));
    if (!when.isValid())
        return 0;
    QDateTime utc = when;
    utc.setTimeSpec(Qt::UTC);
    return int(qBound<qint64>(0, QDateTime::currentDateTimeUtc().secsTo(utc), longest));
}

bool isHeaderSafeAccessToken(const QByteArray &token)
{
    // RFC 6750 §2.1 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
    if (token.isEmpty())
        return false;
    qsizetype i = 0;
    for (; i < token.size() && token.at(i) != '='; ++i) {
        const char c = token.at(i);
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
        if (!ok)
            return false;
    }
    if (i == 0)
        return false;
    for (; i < token.size(); ++i) {
        if (token.at(i) != '=')
            return false;
    }
    return true;
}

bool isSafeRefreshToken(const QByteArray &token)
{
    // RFC 6749 Appendix A.17: 1*VSCHAR (visible ASCII and space).
    for (const char c : token) {
        if (c < 0x20 || c > 0x7e)
            return false;
    }
    return true;
}

AuthProtocol::Outcome readTokenAnswer(const TokenFields &fields, QNetworkReply::NetworkError error,
                                      int httpStatus, const QByteArray &retryAfter,
                                      const QByteArray &body)
{
    using Kind = AuthProtocol::Outcome::Kind;
    QJsonParseError parseError;
    const QJsonObject json = QJsonDocument::fromJson(body, &parseError).object();
    AuthProtocol::Outcome outcome;
    outcome.error = json.value(QLatin1String("error")).toString();
    outcome.message
        = showable(json.value(QLatin1String(fields.message)).toString(outcome.error).left(300));
    if (httpStatus == 0) {
        outcome.kind = Kind::Transient;
        outcome.message = networkErrorText(error);
        return outcome;
    }
    if (httpStatus == 429) {
        outcome.kind = Kind::Throttled;
        outcome.retryAfterSeconds = retryAfterSeconds(retryAfter);
        return outcome;
    }
    if (httpStatus == 400 || httpStatus == 401 || httpStatus == 403) {
        // RFC 6749 §5.2: only invalid_grant (or an unexplained refusal) is about the user's
        // grant; the others say this client is set up wrongly, which signing in again
        // cannot fix.
        static const QStringList clientErrors {
            QStringLiteral("invalid_client"), QStringLiteral("invalid_scope"),
            QStringLiteral("unauthorized_client"), QStringLiteral("unsupported_grant_type")};
        outcome.kind = clientErrors.contains(outcome.error) ? Kind::Misconfigured : Kind::Rejected;
        return outcome;
    }
    if (httpStatus != 200) {
        outcome.kind = Kind::Transient;
        outcome.message = QStringLiteral("HTTP %1").arg(httpStatus);
        // RFC 9110 §10.2.3 gives Retry-After its meaning on 503 (and 429
        // above); elsewhere it is not a promise, and a wrong one would only
        // keep the session offline longer.
        if (httpStatus == 503)
            outcome.retryAfterSeconds = retryAfterSeconds(retryAfter);
        return outcome;
    }
    const QString access = json.value(QLatin1String(fields.accessToken)).toString();
    const QString type
        = json.value(QLatin1String(fields.tokenType)).toString(QStringLiteral("Bearer"));
    if (parseError.error != QJsonParseError::NoError || access.isEmpty()) {
        outcome.kind = Kind::Malformed;
        outcome.message = QStringLiteral("the token answer could not be read");
        return outcome;
    }
    // DPoP (RFC 9449) is taken here; the Session refuses it for a request sent without a proof.
    const bool dpop = type.compare(QLatin1String("dpop"), Qt::CaseInsensitive) == 0;
    if (!dpop && type.compare(QLatin1String("bearer"), Qt::CaseInsensitive) != 0) {
        outcome.kind = Kind::Malformed;
        outcome.message
            = QStringLiteral("unsupported token type \"%1\"").arg(showable(type.left(40)));
        return outcome;
    }
    const QString refresh = json.value(QLatin1String(fields.refreshToken)).toString();
    // A token goes into a header or a form: one that could inject a header line, or that
    // Latin-1 cannot carry, is refused rather than sent.
    const QByteArray accessBytes = access.toUtf8();
    const QByteArray refreshBytes = refresh.toUtf8();
    if (!isHeaderSafeAccessToken(accessBytes) || !isSafeRefreshToken(refreshBytes)) {
        outcome.kind = Kind::Malformed;
        outcome.message = QStringLiteral("the server sent a token with characters a token "
                                         "cannot contain");
        return outcome;
    }
    outcome.kind = Kind::Ok;
    outcome.tokens.accessToken = accessBytes;
    outcome.tokens.refreshToken = refreshBytes;
    outcome.tokens.expiresIn = lifetimeSeconds(json.value(QLatin1String(fields.expiresIn)));
    outcome.tokens.tokenType = dpop ? QByteArrayLiteral("DPoP") : QByteArrayLiteral("Bearer");
    if (fields.idToken)
        outcome.tokens.idToken = json.value(QLatin1String(fields.idToken)).toString().toLatin1();
    return outcome;
}

std::optional<qint64> lifetimeSeconds(const QJsonValue &value)
{
    double seconds = 0;
    if (value.isDouble()) {
        seconds = value.toDouble();
    } else if (value.isString()) {
        bool ok = false;
        seconds = value.toString().toDouble(&ok);
        if (!ok)
            return std::nullopt;
    }
    if (!(seconds > 0) || seconds > 1e12)
        return std::nullopt;
    return qint64(seconds);
}

QUrl withPath(const QUrl &base, const char *path)
{
    QUrl url = base;
    QString prefix = url.path();
    if (prefix.endsWith(QLatin1Char('/')))
        prefix.chop(1);
    url.setPath(prefix + QLatin1String(path));
    return url;
}

} // namespace Internal
} // namespace SilentAuth
