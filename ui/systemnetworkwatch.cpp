#include "systemnetworkwatch.h"

#include <QtNetwork/QNetworkInformation>

namespace SilentAuth::Ui {

SystemNetworkWatch::SystemNetworkWatch(QObject *parent)
    : NetworkWatch(parent)
{
    if (!QNetworkInformation::instance() && !QNetworkInformation::loadDefaultBackend())
        return;
    m_active = true;
    connect(QNetworkInformation::instance(), &QNetworkInformation::reachabilityChanged, this,
            [this](QNetworkInformation::Reachability reachability) {
                if (reachability == QNetworkInformation::Reachability::Online)
                    Q_EMIT online();
            });
}

bool SystemNetworkWatch::isActive() const
{
    return m_active;
}

} // namespace SilentAuth::Ui
