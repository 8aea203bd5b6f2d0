#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QPair>
#include <QtCore/QString>
#include <QtNetwork/QHostAddress>

namespace SilentAuth::Mock {

// One parsed HTTP request, independent of the server library that read it.
struct Request
{
    QByteArray method;
    QString path;
    QByteArray query; // as sent, percent-encoded, without the '?'
    QHash<QByteArray, QByteArray> headers; // names lower-cased
    QByteArray body;
    QHostAddress remote;

    QByteArray header(const QByteArray &lowerCaseName) const
    {
        return headers.value(lowerCaseName);
    }
    QByteArray bearerToken() const;
    // The value of cookie \a name in the Cookie header; null when absent.
    QByteArray cookie(const QByteArray &name) const;
    // A JSON object body; on failure *error says what was wrong.
    bool jsonObject(QJsonObject *object, QString *error) const;
};

// application/x-www-form-urlencoded pairs in their order, duplicates kept
// ('+' is a space); for form bodies and query strings alike.
QList<QPair<QString, QString>> formItems(const QByteArray &encoded);

// What to answer, and how.
struct Reply
{
    enum class Delivery {
        Send,
        Drop, // close the connection without an answer
    };

    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
    Delivery delivery = Delivery::Send;
    int delayMs = 0;
    QByteArray logNote; // why, for the request log (401 reason, scenario…)

    static Reply json(int status, const QJsonObject &object);
    static Reply error(int status, const QString &error, const QString &message);
    static Reply html(int status, const QString &page);
    Reply &withHeader(const QByteArray &name, const QByteArray &value);
};

} // namespace SilentAuth::Mock
