// The silentauth program as users start it: one instance per user, and a
// command line that answers --help without a display.
#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFileInfo>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

class TestDesktopProcess : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_tmp; // the instance socket lives here, away from a real session

    QProcessEnvironment environment() const
    {
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("TMPDIR"), m_tmp.path());
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("QT_LOGGING_RULES"),
                   QStringLiteral("silentauth.desktop.info=true"));
        return env;
    }

    QString instanceSocket() const
    {
        return m_tmp.filePath(QStringLiteral("silentauth-%1")
                                  .arg(qEnvironmentVariable("USER", QStringLiteral("user"))));
    }

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
};

QTEST_GUILESS_MAIN(TestDesktopProcess)
#include "tst_desktopprocess.moc"
