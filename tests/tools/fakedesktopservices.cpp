// The desktop services a SilentAuth desktop session talks to over D-Bus, played
// for tests on a machine that has none:
//
//   --network-manager  org.freedesktop.NetworkManager on the system bus (as
//                      $DBUS_SYSTEM_BUS_ADDRESS names it): the State and
//                      Connectivity properties QNetworkInformation reads, changed
//                      by "state N" lines on stdin (NetworkManager's NMState:
//                      20 disconnected, 70 connected to the internet).
//   --tray             org.kde.StatusNotifierWatcher (with a host registered) and
//                      org.freedesktop.Notifications on the session bus, as a
//                      desktop with a tray has: registered items and the
//                      notifications shown are printed.
//   --a11y             org.a11y.Bus on the session bus, saying a screen reader
//                      runs and that the accessibility bus is the system bus
//                      here, and the AT-SPI registry there, with a screen reader's interest in
//                      object events: what an application then shows is printed
//                      as a screen reader sees it, its role and name read back
//                      from the application over AT-SPI.
//
// Prints "ready" once every service is registered, then one line per thing
// seen: "item SERVICE", "notify SUMMARY|BODY", "showing ROLE NAME" (ROLE the
// AT-SPI role number: 2 is an alert).
#include <QtCore/QCoreApplication>
#include <QtCore/QSocketNotifier>
#include <QtCore/QStringList>
#include <QtCore/QTimer>
#include <QtDBus/QDBusAbstractAdaptor>
#include <QtDBus/QDBusArgument>
#include <QtDBus/QDBusConnection>
#include <QtDBus/QDBusConnectionInterface>
#include <QtDBus/QDBusMessage>
#include <QtDBus/QDBusMetaType>
#include <QtDBus/QDBusReply>
#include <QtDBus/QDBusVariant>

#include <cstdio>
#include <unistd.h>

// An AT-SPI event listener: who listens, to which events (a(ss)).
struct EventListener
{
    QString bus;
    QString event;
};
Q_DECLARE_METATYPE(EventListener)

QDBusArgument &operator<<(QDBusArgument &argument, const EventListener &listener)
{
    argument.beginStructure();
    argument << listener.bus << listener.event;
    argument.endStructure();
    return argument;
}

const QDBusArgument &operator>>(const QDBusArgument &argument, EventListener &listener)
{
    argument.beginStructure();
    argument >> listener.bus >> listener.event;
    argument.endStructure();
    return argument;
}

namespace {

void say(const QString &line)
{
    std::printf("%s\n", line.toUtf8().constData());
    std::fflush(stdout);
}

class NetworkManager : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.NetworkManager")
    Q_PROPERTY(uint State READ state)
    Q_PROPERTY(uint Connectivity READ connectivity)

public:
    uint state() const { return m_state; }
    // NMConnectivityState: 4 full, 1 none.
    uint connectivity() const { return m_state == 70 ? 4 : 1; }

    void setState(uint state)
    {
        m_state = state;
        QDBusMessage changed = QDBusMessage::createSignal(
            QStringLiteral("/org/freedesktop/NetworkManager"),
            QStringLiteral("org.freedesktop.DBus.Properties"), QStringLiteral("PropertiesChanged"));
        changed << QStringLiteral("org.freedesktop.NetworkManager")
                << QVariantMap {{QStringLiteral("State"), QVariant::fromValue(state)},
                                {QStringLiteral("Connectivity"),
                                 QVariant::fromValue(connectivity())}}
                << QStringList();
        QDBusConnection::systemBus().send(changed);
        Q_EMIT StateChanged(state);
    }

Q_SIGNALS:
    void StateChanged(uint state);

private:
    uint m_state = 70;
};

class StatusNotifierWatcher : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.kde.StatusNotifierWatcher")
    Q_PROPERTY(bool IsStatusNotifierHostRegistered READ isHostRegistered)
    Q_PROPERTY(int ProtocolVersion READ protocolVersion)
    Q_PROPERTY(QStringList RegisteredStatusNotifierItems READ items)

public:
    bool isHostRegistered() const { return true; }
    int protocolVersion() const { return 0; }
    QStringList items() const { return m_items; }

public Q_SLOTS:
    void RegisterStatusNotifierItem(const QString &service)
    {
        m_items.append(service);
        say(QStringLiteral("item %1").arg(service));
        Q_EMIT StatusNotifierItemRegistered(service);
    }
    void RegisterStatusNotifierHost(const QString &) { }

Q_SIGNALS:
    void StatusNotifierItemRegistered(const QString &service);
    void StatusNotifierItemUnregistered(const QString &service);
    void StatusNotifierHostRegistered();

private:
    QStringList m_items;
};

class Notifications : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")

public Q_SLOTS:
    uint Notify(const QString &application, uint replaces, const QString &icon,
                const QString &summary, const QString &body, const QStringList &actions,
                const QVariantMap &hints, int timeout)
    {
        Q_UNUSED(application);
        Q_UNUSED(replaces);
        Q_UNUSED(icon);
        Q_UNUSED(actions);
        Q_UNUSED(hints);
        Q_UNUSED(timeout);
        say(QStringLiteral("notify %1|%2").arg(summary, body));
        return ++m_last;
    }
    QStringList GetCapabilities() { return {QStringLiteral("body"), QStringLiteral("actions")}; }
    void CloseNotification(uint) { }
    QString GetServerInformation(QString &vendor, QString &version, QString &spec)
    {
        vendor = QStringLiteral("SilentAuth tests");
        version = QStringLiteral("1");
        spec = QStringLiteral("1.2");
        return QStringLiteral("fakedesktopservices");
    }

Q_SIGNALS:
    void NotificationClosed(uint id, uint reason);
    void ActionInvoked(uint id, const QString &action);

private:
    uint m_last = 0;
};

// Where applications learn that a screen reader runs, and where the accessibility bus is.
class A11yBus : public QDBusAbstractAdaptor
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.a11y.Bus")

public:
    explicit A11yBus(QObject *parent)
        : QDBusAbstractAdaptor(parent)
    {
    }

public Q_SLOTS:
    QString GetAddress() { return qEnvironmentVariable("DBUS_SYSTEM_BUS_ADDRESS"); }
};

class A11yStatus : public QDBusAbstractAdaptor
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.a11y.Status")
    Q_PROPERTY(bool IsEnabled READ isEnabled)
    Q_PROPERTY(bool ScreenReaderEnabled READ isEnabled)

public:
    explicit A11yStatus(QObject *parent)
        : QDBusAbstractAdaptor(parent)
    {
    }
    bool isEnabled() const { return true; }
};

// The AT-SPI registry as a screen reader makes it look: someone listens to object events
// (so applications send them), and each thing an application shows is looked at.
class AtspiRegistry : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.a11y.atspi.Registry")

public:
    explicit AtspiRegistry(QDBusConnection bus)
        : m_bus(bus)
    {
        m_bus.connect(QString(), QString(), QStringLiteral("org.a11y.atspi.Event.Object"),
                      QStringLiteral("StateChanged"), this, SLOT(onStateChanged(QDBusMessage)));
    }

    //! Tells the applications already there that someone now listens.
    void announceListener()
    {
        Q_EMIT EventListenerRegistered(m_bus.baseService(), QStringLiteral("object:"));
    }

public Q_SLOTS:
    QList<EventListener> GetRegisteredEvents()
    {
        return {{m_bus.baseService(), QStringLiteral("object:")}};
    }
    void RegisterEvent(const QString &) { }
    void DeregisterEvent(const QString &) { }

private Q_SLOTS:
    void onStateChanged(const QDBusMessage &message)
    {
        const QVariantList arguments = message.arguments();
        if (arguments.size() < 2 || arguments.at(0).toString() != QLatin1String("showing")
            || arguments.at(1).toInt() != 1)
            return;
        // As a screen reader would: ask the application what it is and what it says.
        const QDBusReply<uint> role
            = m_bus.call(QDBusMessage::createMethodCall(message.service(), message.path(),
                                                        QStringLiteral("org.a11y.atspi.Accessible"),
                                                        QStringLiteral("GetRole")),
                         QDBus::Block, 5000);
        QDBusMessage nameCall = QDBusMessage::createMethodCall(
            message.service(), message.path(), QStringLiteral("org.freedesktop.DBus.Properties"),
            QStringLiteral("Get"));
        nameCall << QStringLiteral("org.a11y.atspi.Accessible") << QStringLiteral("Name");
        const QDBusReply<QDBusVariant> name = m_bus.call(nameCall, QDBus::Block, 5000);
        say(QStringLiteral("showing %1 %2")
                .arg(role.isValid() ? QString::number(role.value()) : QStringLiteral("?"),
                     name.isValid() ? name.value().variant().toString() : QStringLiteral("?")));
    }

Q_SIGNALS:
    void EventListenerRegistered(const QString &bus, const QString &path);
    void EventListenerDeregistered(const QString &bus, const QString &path);

private:
    QDBusConnection m_bus;
};

bool offer(QDBusConnection bus, const QString &service, const QString &path, QObject *object)
{
    if (!bus.isConnected()) {
        std::fprintf(stderr, "fakedesktopservices: no bus for %s\n", qPrintable(service));
        return false;
    }
    if (!bus.registerObject(path, object,
                            QDBusConnection::ExportAllSlots | QDBusConnection::ExportAllSignals
                                | QDBusConnection::ExportAllProperties)
        || !bus.registerService(service)) {
        std::fprintf(stderr, "fakedesktopservices: %s: %s\n", qPrintable(service),
                     qPrintable(bus.lastError().message()));
        return false;
    }
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList arguments = app.arguments();
    NetworkManager networkManager;
    StatusNotifierWatcher watcher;
    Notifications notifications;
    if (arguments.contains(QStringLiteral("--network-manager"))
        && !offer(QDBusConnection::systemBus(), QStringLiteral("org.freedesktop.NetworkManager"),
                  QStringLiteral("/org/freedesktop/NetworkManager"), &networkManager))
        return 1;
    if (arguments.contains(QStringLiteral("--tray"))
        && (!offer(QDBusConnection::sessionBus(), QStringLiteral("org.kde.StatusNotifierWatcher"),
                   QStringLiteral("/StatusNotifierWatcher"), &watcher)
            || !offer(QDBusConnection::sessionBus(),
                      QStringLiteral("org.freedesktop.Notifications"),
                      QStringLiteral("/org/freedesktop/Notifications"), &notifications)))
        return 1;

    qDBusRegisterMetaType<EventListener>();
    qDBusRegisterMetaType<QList<EventListener>>();
    AtspiRegistry registry(QDBusConnection::systemBus());
    QObject a11yBus;
    new A11yBus(&a11yBus);
    new A11yStatus(&a11yBus);
    if (arguments.contains(QStringLiteral("--a11y"))) {
        // The registry first: an application told of the bus goes straight to it.
        if (!offer(QDBusConnection::systemBus(), QStringLiteral("org.a11y.atspi.Registry"),
                   QStringLiteral("/org/a11y/atspi/registry"), &registry))
            return 1;
        QDBusConnection session = QDBusConnection::sessionBus();
        if (!session.registerObject(QStringLiteral("/org/a11y/bus"), &a11yBus,
                                    QDBusConnection::ExportAdaptors)
            || !session.registerService(QStringLiteral("org.a11y.Bus"))) {
            std::fprintf(stderr, "fakedesktopservices: org.a11y.Bus: %s\n",
                         qPrintable(session.lastError().message()));
            return 1;
        }
        registry.announceListener();
        // And again now and then, for an application whose bridge came up in between.
        auto *again = new QTimer(&app);
        QObject::connect(again, &QTimer::timeout, &registry, &AtspiRegistry::announceListener);
        again->start(1000);
    }

    QSocketNotifier input(STDIN_FILENO, QSocketNotifier::Read);
    QByteArray pending;
    QObject::connect(&input, &QSocketNotifier::activated, &app, [&] {
        char buffer[256];
        const ssize_t got = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (got <= 0) {
            QCoreApplication::quit(); // the test is gone
            return;
        }
        pending.append(buffer, got);
        qsizetype end = 0;
        while ((end = pending.indexOf('\n')) >= 0) {
            const QByteArray line = pending.left(end).trimmed();
            pending.remove(0, end + 1);
            if (line.startsWith("state "))
                networkManager.setState(line.mid(6).toUInt());
        }
    });
    say(QStringLiteral("ready"));
    return app.exec();
}

#include "fakedesktopservices.moc"
