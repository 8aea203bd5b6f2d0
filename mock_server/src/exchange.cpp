#include "exchange.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QUrl>

namespace SilentAuth::Mock {

QByteArray Request::bearerToken() const
{
    const QByteArray value = header("authorization").trimmed();
    const int space = value.indexOf(' ');
    if (space <= 0 || value.left(space).toLower() != "bearer")
        return {};
    return value.mid(space + 1).trimmed();
}

QByteArray Request::cookie(const QByteArray &name) const
{
    // RFC 6265 §5.4: "name=value" pairs separated by "; ".
    for (const QByteArray &pair : header("cookie").split(';')) {
        const QByteArray trimmed = pair.trimmed();
        const qsizetype equals = trimmed.indexOf('=');
        if (equals > 0 && trimmed.left(equals) == name)
            return trimmed.mid(equals + 1);
    }
    return {};
}

bool Request::jsonObject(QJsonObject *object, QString *error) const
{
    QJsonParseError parseError;
    const auto document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = QStringLiteral("The body is not valid JSON: %1 at offset %2")
                     .arg(parseError.errorString())
                     .arg(parseError.offset);
        return false;
    }
    if (!document.isObject()) {
        *error = QStringLiteral("The body must be a JSON object");
        return false;
    }
    *object = document.object();
    return true;
}

QList<QPair<QString, QString>> formItems(const QByteArray &encoded)
{
    QList<QPair<QString, QString>> items;
    for (QByteArray item : encoded.split('&')) {
        if (item.isEmpty())
            continue;
        item.replace('+', ' ');
        const qsizetype equals = item.indexOf('=');
        const QByteArray name = equals < 0 ? item : item.left(equals);
        const QByteArray value = equals < 0 ? QByteArray() : item.mid(equals + 1);
        items.append({QUrl::fromPercentEncoding(name), QUrl::fromPercentEncoding(value)});
    }
    return items;
}

Reply Reply::json(int status, const QJsonObject &object)
{
    Reply reply;
    reply.status = status;
    reply.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    reply.withHeader("Content-Type", "application/json");
    return reply;
}

Reply Reply::error(int status, const QString &error, const QString &message)
{
    return json(status, {{QStringLiteral("error"), error}, {QStringLiteral("message"), message}});
}

Reply Reply::html(int status, const QString &page)
{
    Reply reply;
    reply.status = status;
    reply.body = page.toUtf8();
    reply.withHeader("Content-Type", "text/html; charset=utf-8");
    return reply;
}

Reply &Reply::withHeader(const QByteArray &name, const QByteArray &value)
{
    headers.append({name, value});
    return *this;
}

} // namespace SilentAuth::Mock
