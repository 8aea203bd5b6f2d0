#pragma once

#include <QtCore/QObject>

namespace SilentAuth::Ui {

// Where the user is told something while no window of ours is looked at: a desktop
// notification. The Shell asks isAvailable() and falls back to the taskbar entry
// (QApplication::alert) where there is none.
class Notifier : public QObject
{
    Q_OBJECT

public:
    using QObject::QObject;

    //! Whether notify() reaches the user (a system tray exists).
    virtual bool isAvailable() const = 0;
    virtual void notify(const QString &title, const QString &message) = 0;

Q_SIGNALS:
    //! The user clicked the notification or the icon: bring the window back.
    void activated();
};

} // namespace SilentAuth::Ui
