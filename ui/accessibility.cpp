#include "accessibility.h"

#include <QtCore/QCoreApplication>
#include <QtGui/QAccessible>
#include <QtWidgets/QAccessibleWidget>
#include <QtWidgets/QWidget>

namespace SilentAuth::Ui {

namespace {

const char liveRegionProperty[] = "silentauthLiveRegion";

QAccessibleInterface *windowFactory(const QString &className, QObject *object)
{
    if (!object || !object->isWidgetType())
        return nullptr;
    auto *widget = static_cast<QWidget *>(object);
    if (className == QLatin1String("SilentAuth::Ui::SignInWindow"))
        return new QAccessibleWidget(widget, QAccessible::Window);
    // An announcing label is an alert (AT-SPI's role "alert"): a screen reader speaks one
    // whenever it is shown, wherever the user is. Its name is the message.
    if (object->property(liveRegionProperty).toBool())
        return new QAccessibleWidget(widget, QAccessible::AlertMessage);
    return nullptr;
}

} // namespace

Announcer *Announcer::instance()
{
    static Announcer *announcer = new Announcer(QCoreApplication::instance());
    return announcer;
}

void announce(QWidget *label, const QString &message)
{
    if (!label)
        return;
    label->setAccessibleName(message);
    if (message.isEmpty())
        return;
    // Shown again for AT-SPI, which passes no Alert event on but speaks an alert that
    // shows; the Alert event for the platforms that take it.
    QAccessibleEvent shown(label, QAccessible::ObjectShow);
    QAccessible::updateAccessibility(&shown);
    QAccessibleEvent event(label, QAccessible::Alert);
    QAccessible::updateAccessibility(&event);
    Q_EMIT Announcer::instance()->announced(label, message);
}

void makeLiveRegion(QWidget *label)
{
    installAccessibleWindowFactory();
    label->setProperty(liveRegionProperty, true);
}

void installAccessibleWindowFactory()
{
    static bool installed = false;
    if (installed)
        return;
    installed = true;
    QAccessible::installFactory(windowFactory);
}

} // namespace SilentAuth::Ui
