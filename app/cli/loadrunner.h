#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonObject>
#include <QtCore/QMap>
#include <QtCore/QObject>
#include <QtCore/QTimer>
#include <QtCore/QUrl>

#include <chrono>

QT_BEGIN_NAMESPACE
class QNetworkReply;
QT_END_NAMESPACE

namespace SilentAuth {

class AuthNetworkAccessManager;

// Sends a batch of requests through an AuthNetworkAccessManager, a number
// of them in flight at once, optionally paced, and counts what came back.
class LoadRunner : public QObject
{
    Q_OBJECT

public:
    struct Plan
    {
        QUrl url;
        QByteArray method = "GET";
        QByteArray body;
        QByteArray contentType = "application/json";
        int requests = 1; // ignored when duration is set
        int concurrency = 1;
        std::chrono::milliseconds duration {0}; // run for this long instead of a count
        double ratePerSecond = 0; // 0: as fast as concurrency allows
    };

    LoadRunner(AuthNetworkAccessManager *manager, Plan plan, QObject *parent = nullptr);

    void start();
    QJsonObject results() const;
    int failed() const { return m_failed; }

Q_SIGNALS:
    void finished();

private:
    bool wantMore() const;
    void fill();
    void issue();
    void onReplyFinished(QNetworkReply *reply);

    AuthNetworkAccessManager *m_manager;
    Plan m_plan;
    QElapsedTimer m_clock;
    QTimer m_pace;
    qint64 m_elapsedMs = 0;
    int m_issued = 0;
    int m_inFlight = 0;
    int m_ok = 0;
    int m_failed = 0;
    bool m_done = false;
    QMap<QString, int> m_statuses;
    QMap<QString, int> m_errors;
};

} // namespace SilentAuth
