#pragma once

#include <QtCore/QProcess>
#include <QtCore/QStringList>
#include <QtCore/QUrl>

namespace SilentAuth::Test {

// Starts the silentauth-mock-server executable with \a arguments and returns
// the URL from its first line ("listening on http://127.0.0.1:PORT"), or an
// invalid URL when it did not start within ten seconds. The request log
// (stderr) stays readable unless \a quiet.
QUrl startMockProcess(QProcess &process, const QString &executable, const QStringList &arguments,
                      bool quiet = false);

} // namespace SilentAuth::Test
