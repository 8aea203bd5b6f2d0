#pragma once

#include "authorization.h"
#include "dpopguard.h"
#include "scenario.h"
#include "signingkeys.h"
#include "stats.h"
#include "store.h"
#include "tokenissuer.h"

#include <silentauth/mock/mockserverconfig.h>

#include <QtCore/QDateTime>

#include <chrono>
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
    QString issuerUrl; // the OpenID issuer identifier, known once listening
    QString baseUrl; // http(s)://address:port this server listens on, known once listening
    SigningKeys signingKeys; // ID tokens
    QHash<QByteArray, AuthorizationCode> authorizationCodes;
    QHash<QByteArray, DeviceAuthorization> deviceAuthorizations; // by device_code
    Scenario scenario;
    Stats stats;
    QHash<QString, QList<qint64>> failedLogins; // username → failure times (ms)
    DpopGuard dpop {*this};

    static qint64 nowMs() { return QDateTime::currentMSecsSinceEpoch(); }
    static qint64 nowUs()
    {
        return std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
};

} // namespace SilentAuth::Mock
