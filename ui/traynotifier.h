#pragma once

#include "notifier.h"

#include <memory>

QT_BEGIN_NAMESPACE
class QSystemTrayIcon;
QT_END_NAMESPACE

namespace SilentAuth::Ui {

// A notification from an icon in the system tray (QSystemTrayIcon), shown from the first
// notification on.
class TrayNotifier : public Notifier
{
    Q_OBJECT

public:
    explicit TrayNotifier(QObject *parent = nullptr);
    ~TrayNotifier() override;

    bool isAvailable() const override;
    void notify(const QString &title, const QString &message) override;

private:
    std::unique_ptr<QSystemTrayIcon> m_tray;
};

} // namespace SilentAuth::Ui
