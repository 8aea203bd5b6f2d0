#pragma once

#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QString>

namespace SilentAuth::Mock {

// A named QA scenario: how the server misbehaves, on purpose.
struct Scenario
{
    enum class Kind {
        Normal,
        ExpireNow,
        SlowRefresh,
        RefreshUnavailable,
        RefreshDrop,
        LostRefreshResponse,
        RevokedRefresh,
        MalformedRefresh,
        FlakyResources,
        ClockSkew,
        DenyConsent,
        SlowConsent,
        RotateSigningKey,
        DeviceSlowDown,
        TlsExpiredCert,
        CaptivePortal,
    };

    struct Description
    {
        QString name;
        QString summary;
        QJsonObject parameters; // name → "meaning (default)"
    };

    Kind kind = Kind::Normal;
    QString name = QStringLiteral("normal");
    QJsonObject parameters;
    int delayMs = 0; // slow-refresh, slow-consent
    double failureRate = 0; // flaky-resources
    qint64 skewSeconds = 0; // clock-skew
    int remaining = -1; // refresh calls (device-slow-down: polls) left before falling back to
                        // normal; -1 = no limit

    // True when the scenario changes how a refresh is answered.
    bool affectsRefresh() const;

    static QList<Description> all();
    static bool parse(const QString &name, const QJsonObject &parameters, Scenario *scenario,
                      QString *error);
};

} // namespace SilentAuth::Mock
