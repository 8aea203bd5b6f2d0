#include "loopbackcallback_p.h"

#include <QtCore/QList>
#include <QtCore/QUrl>
#include <QtCore/QUrlQuery>

namespace SilentAuth::Internal {

LoopbackCallback readLoopbackCallback(const QByteArray &head, const QString &callbackPath)
{
    LoopbackCallback callback;
    const QList<QByteArray> line = head.left(head.indexOf("\r\n")).split(' ');
    if (line.size() != 3 || !line.at(2).startsWith("HTTP/1."))
        return callback;
    const QUrl target(QString::fromLatin1(line.at(1)), QUrl::StrictMode);
    if (!target.isValid())
        return callback;
    if (target.path() != callbackPath) {
        callback.kind = LoopbackCallback::Kind::OtherPath;
        return callback;
    }
    if (line.at(0) != "GET") {
        callback.kind = LoopbackCallback::Kind::NotGet;
        return callback;
    }
    callback.kind = LoopbackCallback::Kind::Callback;
    // The parameters are application/x-www-form-urlencoded (RFC 6749 §4.1.2): a '+' is a
    // space ("offline_access+is+not+allowed").
    const QUrlQuery query(
        target.query(QUrl::FullyEncoded).replace(QLatin1Char('+'), QLatin1String("%20")));
    const auto take = [&query, &callback](const char *key, std::optional<QString> *into) {
        const QString name = QLatin1String(key);
        const QStringList values = query.allQueryItemValues(name, QUrl::FullyDecoded);
        // RFC 6749 §3.1: no parameter more than once; a second one is
        // someone trying their own.
        if (values.size() > 1)
            callback.repeated = true;
        if (!values.isEmpty())
            *into = values.constFirst();
    };
    take("state", &callback.state);
    take("code", &callback.code);
    take("iss", &callback.iss);
    take("error", &callback.error);
    callback.errorDescription
        = query.queryItemValue(QStringLiteral("error_description"), QUrl::FullyDecoded);
    return callback;
}

} // namespace SilentAuth::Internal
