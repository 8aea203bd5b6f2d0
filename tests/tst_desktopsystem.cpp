// The desktop's links to the system, through Qt's own backends, against the
// services a desktop session has, played on D-Bus by tests/tools/fakedesktopservices:
// a NetworkManager (QNetworkInformation's backend) and a tray with desktop
// notifications (QSystemTrayIcon's StatusNotifierItem). Runs under
// scripts/with-desktop-session: an X display, a system bus of its own, a keyring.
#include <networkwatch.h>
#include <signinwindow.h>
#include <systemnetworkwatch.h>
#include <traynotifier.h>

#include <QtCore/QProcess>
#include <QtGui/QAccessible>
#include <QtNetwork/QNetworkInformation>
#include <QtTest/QtTest>
#include <QtWidgets/QApplication>

using namespace SilentAuth;

class TestDesktopSystem : public QObject
{
    Q_OBJECT

    QProcess m_services;
    QByteArray m_seen; // what the services printed

    bool waitFor(const QByteArray &line, int timeoutMs = 5000)
    {
        return QTest::qWaitFor(
            [&] {
                m_seen += m_services.readAllStandardOutput();
                return m_seen.contains(line);
            },
            timeoutMs);
    }

    void tell(const QByteArray &command) { m_services.write(command + '\n'); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(qEnvironmentVariableIsSet("DBUS_SYSTEM_BUS_ADDRESS"),
                 "run under scripts/with-desktop-session");
        QCOMPARE(QGuiApplication::platformName(), QStringLiteral("xcb"));
        m_services.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_services.start(QStringLiteral(FAKE_DESKTOP_SERVICES),
                         {QStringLiteral("--network-manager"), QStringLiteral("--tray"),
                          QStringLiteral("--a11y")});
        QVERIFY(m_services.waitForStarted(5000));
        QVERIFY2(waitFor("ready\n"), m_seen.constData());
    }

    void cleanupTestCase()
    {
        m_services.closeWriteChannel(); // it ends when its input does
        if (!m_services.waitForFinished(5000))
            m_services.kill();
    }

    // QNetworkInformation's NetworkManager backend loads from the system bus; the watch
    // says "online" when NetworkManager reports the internet back, once, and nothing
    // when it goes away.
    void networkWatchFollowsNetworkManager()
    {
        Ui::SystemNetworkWatch watch;
        QVERIFY(watch.isActive());
        QNetworkInformation *information = QNetworkInformation::instance();
        QVERIFY(information);
        QCOMPARE(information->backendName(), QStringLiteral("networkmanager"));
        QTRY_COMPARE(information->reachability(), QNetworkInformation::Reachability::Online);
        QSignalSpy online(&watch, &Ui::NetworkWatch::online);

        tell("state 20"); // NM_STATE_DISCONNECTED
        QTRY_COMPARE(information->reachability(), QNetworkInformation::Reachability::Disconnected);
        QCOMPARE(online.count(), 0);

        tell("state 70"); // NM_STATE_CONNECTED_GLOBAL
        QTRY_COMPARE(online.count(), 1);
        QCOMPARE(information->reachability(), QNetworkInformation::Reachability::Online);
        QTest::qWait(200);
        QCOMPARE(online.count(), 1);
    }

    // An error reaches a screen reader through Qt's AT-SPI bridge: shown as an alert (the
    // role a screen reader speaks whenever one shows) whose name is the message; so do
    // the notice and a second error in its place.
    void errorsReachAScreenReaderAsAlerts()
    {
        Ui::SignInWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const QString message = QStringLiteral("The username or password is wrong.");
        window.showError(message);
        QVERIFY2(waitFor("showing 2 " + message.toUtf8() + '\n', 10000), m_seen.constData());

        const QString again = QStringLiteral("The sign-in server could not be reached.");
        window.showError(again);
        QVERIFY2(waitFor("showing 2 " + again.toUtf8() + '\n'), m_seen.constData());

        const QString notice = QStringLiteral("Your unsaved post is kept on this computer.");
        window.showNotice(notice);
        QVERIFY2(waitFor("showing 2 " + notice.toUtf8() + '\n'), m_seen.constData());
    }

    // Where a tray exists, a notification reaches the desktop's notification service
    // through QSystemTrayIcon, with its icon registered as a StatusNotifierItem.
    void trayNotificationReachesTheDesktop()
    {
        Ui::TrayNotifier notifier;
        QVERIFY(notifier.isAvailable());
        notifier.notify(QStringLiteral("Sign in again"),
                        QStringLiteral("Your session has ended. Please sign in again."));
        QVERIFY2(waitFor("item "), m_seen.constData());
        QVERIFY2(waitFor("notify Sign in again|Your session has ended. Please sign in again.\n"),
                 m_seen.constData());
    }
};

QTEST_MAIN(TestDesktopSystem)
#include "tst_desktopsystem.moc"
