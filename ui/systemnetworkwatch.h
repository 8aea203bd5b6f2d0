#pragma once

#include "networkwatch.h"

namespace SilentAuth::Ui {

// The system's view (QNetworkInformation: NetworkManager, GLib): online() when it reports
// the network reachable after it was not. Says nothing where no backend loads.
class SystemNetworkWatch : public NetworkWatch
{
    Q_OBJECT

public:
    explicit SystemNetworkWatch(QObject *parent = nullptr);

    //! Whether a backend reports anything at all.
    bool isActive() const;

private:
    bool m_active = false;
};

} // namespace SilentAuth::Ui
