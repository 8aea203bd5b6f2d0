#include "protocolsupport_p.h"

#include <QtCore/QDateTime>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QLocale>

namespace SilentAuth {

AuthProtocol::~AuthProtocol() = default;

namespace Internal {

int retryAfterSeconds(const QByteArray &value)
{
    bool ok = false;
    const int seconds = value.trimmed().toInt(&ok);
    if (ok)
        return qMax(0, seconds);
    const QDateTime when = QLocale::c().toDateTime(
        QString::fromLatin1(value.trimmed()), QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"));
    if (!when.isValid())
        return 0;
    QDateTime utc = when;
    utc.setTimeSpec(Qt::UTC);
    return int(qMax<qint64>(0, QDateTime::currentDateTimeUtc().secsTo(utc)));
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
    outcome.message = json.value(QLatin1String(fields.message)).toString(outcome.error);
    if (httpStatus == 0) {
        outcome.kind = Kind::Transient;
        outcome.message = QStringLiteral("network error %1").arg(int(error));
        return outcome;
    }
    if (httpStatus == 429) {
        outcome.kind = Kind::Throttled;
        outcome.retryAfterSeconds = retryAfterSeconds(retryAfter);
        return outcome;
    }
    if (httpStatus == 400 || httpStatus == 401 || httpStatus == 403) {
        outcome.kind = Kind::Rejected;
        return outcome;
    }
    if (httpStatus != 200) {
        outcome.kind = Kind::Transient;
        outcome.message = QStringLiteral("HTTP %1").arg(httpStatus);
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
    if (type.compare(QLatin1String("bearer"), Qt::CaseInsensitive) != 0) {
        outcome.kind = Kind::Malformed;
        outcome.message = QStringLiteral("unsupported token type \"%1\"").arg(type);
        return outcome;
    }
    outcome.kind = Kind::Ok;
    outcome.tokens.accessToken = access.toLatin1();
    outcome.tokens.refreshToken
        = json.value(QLatin1String(fields.refreshToken)).toString().toLatin1();
    outcome.tokens.expiresIn = lifetimeSeconds(json.value(QLatin1String(fields.expiresIn)));
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
