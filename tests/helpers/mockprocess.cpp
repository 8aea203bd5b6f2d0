#include "mockprocess.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QProcessEnvironment>

namespace SilentAuth::Test {

QUrl startMockProcess(QProcess &process, const QString &executable, const QStringList &arguments,
                      bool quiet)
{
    // The caller's environment for the process, if it set one.
    auto environment = process.processEnvironment();
    if (environment.isEmpty())
        environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("QT_LOGGING_RULES"));
    if (quiet)
        environment.insert(QStringLiteral("QT_LOGGING_RULES"),
                           QStringLiteral("silentauth.*=false"));
    process.setProcessEnvironment(environment);
    process.start(executable, arguments);
    if (!process.waitForStarted(5000))
        return {};
    QElapsedTimer timer;
    timer.start();
    while (!process.canReadLine() && timer.elapsed() < 10000
           && process.state() == QProcess::Running)
        process.waitForReadyRead(100);
    const QByteArray line = process.readLine().trimmed();
    if (!line.startsWith("listening on "))
        return {};
    return QUrl(QString::fromLatin1(line.mid(13)));
}

} // namespace SilentAuth::Test
