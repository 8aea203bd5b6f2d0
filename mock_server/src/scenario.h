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
        DpopNonceRotation,
        DpopReplayedProof,
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
    int remaining = -1; // refresh calls (device-slow-down: polls; dpop-replayed-proof: proofs)
                        // left before falling back to normal; -1 = no limit
    int every = 0; // dpop-nonce-rotation: rotate again on every N-th request (0: only once)
    int graceSeconds = 0; // dpop-nonce-rotation: how long the replaced nonce stays good
    int requestsSeen = 0; // dpop-nonce-rotation: requests since the scenario was set

    // True when the scenario changes how a refresh is answered.
    bool affectsRefresh() const;

    static QList<Description> all();
    static bool parse(const QString &name, const QJsonObject &parameters, Scenario *scenario,
                      QString *error);
};

} // namespace SilentAuth::Mock
