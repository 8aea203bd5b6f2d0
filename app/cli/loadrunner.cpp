#include "loadrunner.h"

#include <silentauth/authnetworkaccessmanager.h>

#include <QtCore/QBuffer>
#include <QtCore/QMetaEnum>
#include <QtNetwork/QNetworkReply>

namespace SilentAuth {

LoadRunner::LoadRunner(AuthNetworkAccessManager *manager, Plan plan, QObject *parent)
    : QObject(parent)
    , m_manager(manager)
    , m_plan(std::move(plan))
{
    m_plan.concurrency = qMax(1, m_plan.concurrency);
    if (m_plan.ratePerSecond > 0) {
        m_pace.setTimerType(Qt::PreciseTimer);
        m_pace.setInterval(qMax(1, int(1000.0 / m_plan.ratePerSecond)));
        connect(&m_pace, &QTimer::timeout, this, [this] {
            if (!wantMore()) {
                m_pace.stop();
                if (m_inFlight == 0)
                    onReplyFinished(nullptr);
                return;
            }
            if (m_inFlight < m_plan.concurrency)
                issue();
        });
    }
}

void LoadRunner::start()
{
    m_clock.start();
    if (m_plan.ratePerSecond > 0)
        m_pace.start();
    else
        fill();
    if (!wantMore() && m_inFlight == 0)
        QTimer::singleShot(0, this, [this] { onReplyFinished(nullptr); });
}

bool LoadRunner::wantMore() const
{
    if (m_plan.duration.count() > 0)
        return m_clock.elapsed() < m_plan.duration.count();
    return m_issued < m_plan.requests;
}

void LoadRunner::fill()
{
    while (m_inFlight < m_plan.concurrency && wantMore())
        issue();
}

void LoadRunner::issue()
{
    ++m_issued;
    ++m_inFlight;
    QNetworkRequest request(m_plan.url);
    QNetworkReply *reply = nullptr;
    if (m_plan.body.isEmpty() && m_plan.method == "GET") {
        reply = m_manager->get(request);
    } else {
        request.setHeader(QNetworkRequest::ContentTypeHeader, m_plan.contentType);
        reply = m_manager->sendCustomRequest(request, m_plan.method, m_plan.body);
    }
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onReplyFinished(reply); });
}

void LoadRunner::onReplyFinished(QNetworkReply *reply)
{
    if (reply) {
        reply->deleteLater();
        --m_inFlight;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        m_statuses[QString::number(status)] += 1;
        if (reply->error() == QNetworkReply::NoError && status >= 200 && status < 300) {
            ++m_ok;
        } else {
            ++m_failed;
            m_errors[QString::fromLatin1(
                QMetaEnum::fromType<QNetworkReply::NetworkError>().valueToKey(reply->error()))]
                += 1;
        }
    }
    if (m_done)
        return;
    if (m_plan.ratePerSecond <= 0)
        fill();
    if (m_inFlight == 0 && !wantMore()) {
        m_done = true;
        m_pace.stop();
        m_elapsedMs = m_clock.elapsed();
        Q_EMIT finished();
    }
}

QJsonObject LoadRunner::results() const
{
    auto toObject = [](const QMap<QString, int> &map) {
        QJsonObject object;
        for (auto it = map.cbegin(); it != map.cend(); ++it)
            object.insert(it.key(), it.value());
        return object;
    };
    return {{QStringLiteral("requests"), m_issued},
            {QStringLiteral("ok"), m_ok},
            {QStringLiteral("failed"), m_failed},
            {QStringLiteral("elapsedMs"), m_elapsedMs},
            {QStringLiteral("requestsPerSecond"),
             m_elapsedMs > 0 ? qRound(m_issued * 10000.0 / double(m_elapsedMs)) / 10.0 : 0.0},
            {QStringLiteral("statuses"), toObject(m_statuses)},
            {QStringLiteral("errors"), toObject(m_errors)}};
}

} // namespace SilentAuth
