#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QJsonObject>
#include <QtCore/QUrl>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>

namespace SilentAuth::Test {

struct HttpResult
{
    int status = 0; // 0: no HTTP answer (see error)
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    bool timedOut = false;
    QByteArray body;
    QHash<QByteArray, QByteArray> headers; // names lower-cased
    qint64 elapsedMs = 0;

    QJsonObject json() const;
    QByteArray header(const QByteArray &lowerCaseName) const
    {
        return headers.value(lowerCaseName);
    }
};

// A plain HTTP client that waits for its answer (with a timeout) so that
// tests read like the protocol table.
class HttpClient
{
public:
    using Headers = QList<QPair<QByteArray, QByteArray>>;

    HttpResult send(const QByteArray &method, const QUrl &url, const QByteArray &body = {},
                    const Headers &headers = {}, int timeoutMs = 10000);
    HttpResult postJson(const QUrl &url, const QJsonObject &object, const Headers &headers = {});
    HttpResult getBearer(const QUrl &url, const QByteArray &token);
    HttpResult postForm(const QUrl &url, const QByteArray &form, const Headers &headers = {});

    QNetworkAccessManager &manager() { return m_manager; }

private:
    QNetworkAccessManager m_manager;
};

// Waits for a QNetworkReply with a timeout; false if it timed out.
bool waitForFinished(QNetworkReply *reply, int timeoutMs);

} // namespace SilentAuth::Test
