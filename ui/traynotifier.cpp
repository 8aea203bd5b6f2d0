#include "traynotifier.h"

#include <QtGui/QIcon>
#include <QtWidgets/QSystemTrayIcon>

namespace SilentAuth::Ui {

TrayNotifier::TrayNotifier(QObject *parent)
    : Notifier(parent)
{
}

TrayNotifier::~TrayNotifier() = default;

bool TrayNotifier::isAvailable() const
{
    return QSystemTrayIcon::isSystemTrayAvailable();
}

void TrayNotifier::notify(const QString &title, const QString &message)
{
    if (!isAvailable())
        return;
    if (!m_tray) {
        m_tray = std::make_unique<QSystemTrayIcon>(
            QIcon(QStringLiteral(":/silentauth/icons/app.svg")));
        m_tray->setToolTip(QStringLiteral("SilentAuth"));
        connect(m_tray.get(), &QSystemTrayIcon::activated, this, &Notifier::activated);
        connect(m_tray.get(), &QSystemTrayIcon::messageClicked, this, &Notifier::activated);
    }
    m_tray->show();
    m_tray->showMessage(title, message);
}

} // namespace SilentAuth::Ui
