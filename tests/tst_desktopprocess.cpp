// The silentauth program as users start it: one instance per user, a
// command line that answers --help without a display, and a quiet stderr.
#include "sessionfixture.h"
#include "testserver.h"

#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFileInfo>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

using namespace SilentAuth;

class TestDesktopProcess : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp; // the instance socket lives here, away from a real session

    QProcessEnvironment environment() const
    {
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("TMPDIR"), m_tmp.path());
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), m_tmp.path());
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("QT_LOGGING_RULES"),
                   QStringLiteral("silentauth.desktop.info=true"));
        return env;
    }

    QString instanceSocket() const { return m_tmp.filePath(QStringLiteral("silentauth-instance")); }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_tmp.isValid()); }

    // A second launch hands over to the running program (which brings its
    // window to the front) and exits; the first one keeps running.
    void secondLaunchHandsOverToTheFirst()
    {
        QProcess first;
        first.setProcessEnvironment(environment());
        first.start(QStringLiteral(DESKTOP_EXECUTABLE), {});
        QVERIFY(first.waitForStarted(5000));
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(instanceSocket()), 10000);

        QProcess second;
        second.setProcessEnvironment(environment());
        QElapsedTimer clock;
        clock.start();
        second.start(QStringLiteral(DESKTOP_EXECUTABLE), {});
        QVERIFY(second.waitForFinished(10000));
        QCOMPARE(second.exitStatus(), QProcess::NormalExit);
        QCOMPARE(second.exitCode(), 0);
        qInfo("the second launch handed over in %lld ms", clock.elapsed());

        QByteArray log;
        QTRY_VERIFY_WITH_TIMEOUT((log += first.readAllStandardError())
                                     .contains("another launch: bringing this "
                                               "window to the front"),
                                 5000);
        QCOMPARE(first.state(), QProcess::Running);
        first.terminate();
        QVERIFY(first.waitForFinished(5000));
    }

    // Two launches at the same moment: one program runs, the other hands over to it.
    void twoLaunchesAtOnceRunOneProgram()
    {
        QProcess first;
        QProcess second;
        for (QProcess *process : {&first, &second})
            process->setProcessEnvironment(environment());
        first.start(QStringLiteral(DESKTOP_EXECUTABLE), {});
        second.start(QStringLiteral(DESKTOP_EXECUTABLE), {});
        QVERIFY(first.waitForStarted(5000) && second.waitForStarted(5000));
        QTRY_VERIFY_WITH_TIMEOUT(
            first.state() == QProcess::NotRunning || second.state() == QProcess::NotRunning, 15000);
        QProcess &ended = first.state() == QProcess::NotRunning ? first : second;
        QProcess &running = &ended == &first ? second : first;
        QCOMPARE(ended.exitStatus(), QProcess::NormalExit);
        QCOMPARE(ended.exitCode(), 0);
        QTest::qWait(500);
        QCOMPARE(running.state(), QProcess::Running);
        running.terminate();
        QVERIFY(running.waitForFinished(5000));
    }

    // Another login session of the same user (its own runtime directory) runs its own
    // program: nothing is handed over across sessions.
    void anotherSessionRunsItsOwn()
    {
        QProcess first;
        first.setProcessEnvironment(environment());
        first.start(QStringLiteral(DESKTOP_EXECUTABLE), {});
        QVERIFY(first.waitForStarted(5000));
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(instanceSocket()), 10000);

        QTemporaryDir otherSession;
        QVERIFY(otherSession.isValid());
        QProcessEnvironment env = environment();
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), otherSession.path());
        QProcess second;
        second.setProcessEnvironment(env);
        second.start(QStringLiteral(DESKTOP_EXECUTABLE), {});
        QVERIFY(second.waitForStarted(5000));
        QTRY_VERIFY_WITH_TIMEOUT(
            QFileInfo::exists(
                QDir(otherSession.path()).filePath(QStringLiteral("silentauth-instance"))),
            10000);
        QCOMPARE(second.state(), QProcess::Running);
        QCOMPARE(first.state(), QProcess::Running);
        for (QProcess *process : {&first, &second}) {
            process->terminate();
            QVERIFY(process->waitForFinished(5000));
        }
    }

    // Help and version need no display: with the xcb platform and no X
    // server, they still answer.
    void helpWithoutADisplay()
    {
        auto env = environment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("xcb"));
        env.remove(QStringLiteral("DISPLAY"));
        for (const QString &option : {QStringLiteral("--help"), QStringLiteral("--version")}) {
            QProcess process;
            process.setProcessEnvironment(env);
            process.start(QStringLiteral(DESKTOP_EXECUTABLE), {option});
            QVERIFY(process.waitForFinished(10000));
            QCOMPARE(process.exitStatus(), QProcess::NormalExit);
            QCOMPARE(process.exitCode(), 0);
            const QByteArray out = process.readAllStandardOutput();
            QVERIFY2(out.contains(option == QLatin1String("--help") ? "--server" : "SilentAuth"),
                     out.constData());
        }
    }

    // A normal run prints nothing at the default level: not the absence of a saved
    // session, not a line per refresh. Here a session is restored from the keychain and
    // refreshed every second or so while the program runs.
    void normalRunIsQuiet()
    {
        Mock::MockServerConfig config;
        config.accessTtl = std::chrono::seconds(2);
        auto server = Test::startServer(config);
        QVERIFY(server);
        QVERIFY(Test::storeDesktopSession(*server)); // the program refreshes from here on
        QTemporaryDir home;
        QVERIFY(home.isValid());
        auto env = environment();
        env.remove(QStringLiteral("QT_LOGGING_RULES")); // the default level
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("TMPDIR"), home.path()); // an instance of its own
        QProcess app;
        app.setProcessEnvironment(env);
        app.start(QStringLiteral(DESKTOP_EXECUTABLE),
                  {QStringLiteral("--server"), server->url().toString()});
        QVERIFY(app.waitForStarted(5000));
        // Restored, then refreshed again and again.
        QTRY_VERIFY_WITH_TIMEOUT(Test::stat(*server, "refreshes", "ok") >= 4, 20000);
        app.terminate();
        QVERIFY(app.waitForFinished(5000));
        QStringList printed;
        for (const QByteArray &line : app.readAllStandardError().split('\n')) {
            // The offscreen platform's own notes, not the program's.
            if (!line.isEmpty() && !line.startsWith("This plugin does not support"))
                printed << QString::fromUtf8(line);
        }
        QVERIFY2(printed.isEmpty(), qPrintable(printed.join(QLatin1Char('\n'))));
    }

    // The first start: the bundled server, no saved session, the sign-in window.
    void firstStartIsQuiet()
    {
        QTemporaryDir home;
        QVERIFY(home.isValid());
        auto env = environment();
        env.remove(QStringLiteral("QT_LOGGING_RULES"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("TMPDIR"), home.path());
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), home.path());
        QProcess app;
        app.setProcessEnvironment(env);
        app.start(QStringLiteral(DESKTOP_EXECUTABLE), {});
        QVERIFY(app.waitForStarted(5000));
        // Up: the bundled server's database and the instance socket exist.
        QTRY_VERIFY_WITH_TIMEOUT(
            QFileInfo::exists(home.filePath(QStringLiteral("data/SilentAuth/SilentAuth/"
                                                           "bundled-server.sqlite")))
                && !QDir(home.path())
                        .entryList({QStringLiteral("silentauth-*")}, QDir::System)
                        .isEmpty(),
            10000);
        QTest::qWait(1500);
        app.terminate();
        QVERIFY(app.waitForFinished(5000));
        QStringList printed;
        for (const QByteArray &line : app.readAllStandardError().split('\n')) {
            if (!line.isEmpty() && !line.startsWith("This plugin does not support"))
                printed << QString::fromUtf8(line);
        }
        QVERIFY2(printed.isEmpty(), qPrintable(printed.join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(TestDesktopProcess)
#include "tst_desktopprocess.moc"
