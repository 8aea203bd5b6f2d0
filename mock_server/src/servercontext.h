#pragma once

#include "scenario.h"
#include "stats.h"
#include "store.h"
#include "tokenissuer.h"

#include <silentauth/mock/mockserverconfig.h>

#include <QtCore/QDateTime>

#include <memory>

namespace SilentAuth::Mock {

// The state every service of one server shares.
struct ServerContext
{
    explicit ServerContext(const MockServerConfig &c)
        : config(c)
    {
    }

    const MockServerConfig &config;
    Store store;
    std::unique_ptr<TokenIssuer> issuer;
    Scenario scenario;
    Stats stats;
    QHash<QString, QList<qint64>> failedLogins; // username → failure times (ms)

    static qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }
};

} // namespace SilentAuth::Mock
