#include "accessibility.h"

#include <QtCore/QCoreApplication>
#include <QtGui/QAccessible>
#include <QtWidgets/QAccessibleWidget>
#include <QtWidgets/QWidget>

namespace SilentAuth::Ui {

namespace {

QAccessibleInterface *windowFactory(const QString &className, QObject *object)
{
    if (className != QLatin1String("SilentAuth::Ui::SignInWindow") || !object
        || !object->isWidgetType())
        return nullptr;
    return new QAccessibleWidget(static_cast<QWidget *>(object), QAccessible::Window);
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
    QAccessibleEvent event(label, QAccessible::Alert);
    QAccessible::updateAccessibility(&event);
    Q_EMIT Announcer::instance()->announced(label, message);
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
