// The desktop's links to the system, through Qt's own backends, against the
// services a desktop session has, played on D-Bus by tests/tools/fakedesktopservices:
// a NetworkManager (QNetworkInformation's backend) and a tray with desktop
// notifications (QSystemTrayIcon's StatusNotifierItem). Runs under
// scripts/with-desktop-session: an X display, a system bus of its own, a keyring.
// The last test runs the whole silentauth program there, under a window manager.
#include "sessionfixture.h"
#include "testserver.h"

#include <silentauth/mock/mockserver.h>

#include <networkwatch.h>
#include <signinwindow.h>
#include <systemnetworkwatch.h>
#include <traynotifier.h>

#include <QtCore/QProcess>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
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

    // Requests the server has had for the board (the main window's list).
    static int boardLoads(const Mock::MockServer &server)
    {
        return Test::stat(server, "routes", "GET /boards");
    }

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

    // The whole program on the played desktop, under a window manager: restored from the
    // keychain; a board that cannot be loaded is said to a screen
    // reader and loaded again the moment NetworkManager reports the network back (not at
    // the next backoff); and a session that ends while the window is minimised is said by
    // a desktop notification, from an icon that only then enters the tray.
    void wholeProgramOnTheDesktop()
    {
        for (const char *tool : {"openbox", "xdotool"}) {
            if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty())
                QFAIL(qPrintable(QStringLiteral("%1 is missing: run scripts/install-deps")
                                     .arg(QLatin1String(tool))));
        }
        m_seen += m_services.readAllStandardOutput();
        m_seen.clear(); // from here on, what the program does
        Mock::MockServerConfig config;
        config.accessTtl = std::chrono::seconds(4);
        auto server = Test::startServer(config);
        QVERIFY(server);
        QVERIFY(Test::storeDesktopSession(*server)); // the program refreshes from here on
        QString error;
        QVERIFY2(server->setScenario(QStringLiteral("flaky-resources"),
                                     {{QStringLiteral("failureRate"), 1.0}}, &error),
                 qPrintable(error));

        QProcess windowManager;
        windowManager.start(QStringLiteral("openbox"), {QStringLiteral("--sm-disable")});
        QVERIFY(windowManager.waitForStarted(5000));
        QTemporaryDir home;
        QVERIFY(home.isValid());
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), home.path());
        env.insert(QStringLiteral("TMPDIR"), home.path());
        QProcess app;
        app.setProcessEnvironment(env);
        app.setProcessChannelMode(QProcess::ForwardedChannels);
        app.start(QStringLiteral(DESKTOP_EXECUTABLE),
                  {QStringLiteral("--server"), server->url().toString()});
        QVERIFY(app.waitForStarted(5000));
        auto stop = qScopeGuard([&] {
            app.terminate();
            if (!app.waitForFinished(5000))
                app.kill();
            windowManager.terminate();
            windowManager.waitForFinished(5000);
        });

        // Restored silently: no password asked.
        QTRY_VERIFY_WITH_TIMEOUT(boardLoads(*server) >= 1, 15000);
        QCOMPARE(Test::stat(*server, "logins", "ok"), 1); // the test's own sign-in only

        // The failed load is announced as an alert.
        QVERIFY2(waitFor("tries again on its own.\n", 10000), m_seen.constData());
        QVERIFY(m_seen.contains("showing 2 "));

        // Tried again after 2 s and after 4 more: the next try would be 8 s later.
        QTRY_VERIFY_WITH_TIMEOUT(boardLoads(*server) >= 3, 15000);
        QCOMPARE(boardLoads(*server), 3);
        QTest::qWait(500); // the program has taken the failure in
        QVERIFY2(server->setScenario(QStringLiteral("normal"), {}, &error), qPrintable(error));
        tell("state 20"); // NM_STATE_DISCONNECTED
        QTest::qWait(300);
        QElapsedTimer sinceOnline;
        tell("state 70"); // NM_STATE_CONNECTED_GLOBAL
        sinceOnline.start();
        QTRY_VERIFY_WITH_TIMEOUT(boardLoads(*server) >= 4, 4000);
        QVERIFY2(sinceOnline.elapsed() < 4000, "loaded again at the next backoff, not at once");

        // Minimised, the session ends: the desktop is told.
        QProcess search;
        search.start(QStringLiteral("xdotool"),
                     {QStringLiteral("search"), QStringLiteral("--onlyvisible"),
                      QStringLiteral("--pid"), QString::number(app.processId())});
        QVERIFY(search.waitForFinished(5000));
        const QList<QByteArray> windows = search.readAllStandardOutput().trimmed().split('\n');
        QCOMPARE(windows.size(), 1);
        QCOMPARE(QProcess::execute(QStringLiteral("xdotool"),
                                   {QStringLiteral("windowminimize"), QStringLiteral("--sync"),
                                    QString::fromLatin1(windows.first())}),
                 0);
        QVERIFY(!m_seen.contains("item "));
        QVERIFY(Test::expireThen(*server, QStringLiteral("revoked-refresh")));
        QVERIFY2(waitFor("item ", 20000), m_seen.constData());
        QVERIFY2(waitFor("notify SilentAuth|Your session has ended. Sign in again to continue; "
                         "nothing is lost.\n",
                         20000),
                 m_seen.constData());
        QVERIFY(app.state() == QProcess::Running);
    }
};

QTEST_MAIN(TestDesktopSystem)
#include "tst_desktopsystem.moc"
