#include "httpclient.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QEventLoop>
#include <QtCore/QJsonDocument>
#include <QtCore/QTimer>
#include <QtNetwork/QNetworkRequest>

namespace SilentAuth::Test {

QJsonObject HttpResult::json() const
{
    return QJsonDocument::fromJson(body).object();
}

bool waitForFinished(QNetworkReply *reply, int timeoutMs)
{
    if (reply->isFinished())
        return true;
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    loop.exec();
    return reply->isFinished();
}

HttpResult HttpClient::send(const QByteArray &method, const QUrl &url, const QByteArray &body,
                            const Headers &headers, int timeoutMs)
{
    QNetworkRequest request(url);
    for (const auto &header : headers)
        request.setRawHeader(header.first, header.second);
    QElapsedTimer timer;
    timer.start();
    QNetworkReply *reply = body.isNull() && method == "GET"
        ? m_manager.get(request)
        : m_manager.sendCustomRequest(request, method, body);
    HttpResult result;
    if (!waitForFinished(reply, timeoutMs)) {
        result.timedOut = true;
        reply->abort();
    }
    result.elapsedMs = timer.elapsed();
    result.error = reply->error();
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    for (const auto &pair : reply->rawHeaderPairs())
        result.headers.insert(pair.first.toLower(), pair.second);
    reply->deleteLater();
    return result;
}

HttpResult HttpClient::postJson(const QUrl &url, const QJsonObject &object, const Headers &headers)
{
    Headers all = headers;
    all.append(qMakePair(QByteArray("Content-Type"), QByteArray("application/json")));
    return send("POST", url, QJsonDocument(object).toJson(QJsonDocument::Compact), all);
}

HttpResult HttpClient::getBearer(const QUrl &url, const QByteArray &token)
{
    return send("GET", url, {}, {{"Authorization", "Bearer " + token}});
}

HttpResult HttpClient::postForm(const QUrl &url, const QByteArray &form, const Headers &headers)
{
    Headers all = headers;
    all.append(
        qMakePair(QByteArray("Content-Type"), QByteArray("application/x-www-form-urlencoded")));
    return send("POST", url, form, all);
}

} // namespace SilentAuth::Test
