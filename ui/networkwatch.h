#pragma once

#include <QtCore/QObject>

namespace SilentAuth::Ui {

// Says when the network is back, so that what failed for want of it is tried again at
// once instead of at the next backoff. Without one (or without a backend) the backoff
// alone brings things back.
class NetworkWatch : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

Q_SIGNALS:
    //! The network became reachable (again).
    void online();
};

} // namespace SilentAuth::Ui
