#include "http2front.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDebug>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QStandardPaths>
#include <QtCore/QThread>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

namespace SilentAuth::Test {

namespace {

quint16 freePort()
{
    QTcpServer probe;
    return probe.listen(QHostAddress::LocalHost, 0) ? probe.serverPort() : 0;
}

bool accepts(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    return socket.waitForConnected(200);
}

QUrl local(const char *scheme, quint16 port, const char *path)
{
    QUrl url;
    url.setScheme(QString::fromLatin1(scheme));
    url.setHost(QStringLiteral("127.0.0.1"));
    url.setPort(port);
    url.setPath(QString::fromLatin1(path));
    return url;
}

} // namespace

Http2Front::~Http2Front()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(5000))
            m_process.kill();
        m_process.waitForFinished(2000);
    }
}

bool Http2Front::start(quint16 backendPort, const QString &keyFile, const QString &certificateFile)
{
    QString program = QStandardPaths::findExecutable(QStringLiteral("nghttpx"));
    if (program.isEmpty())
        program = QStandardPaths::findExecutable(
            QStringLiteral("nghttpx"), {QStringLiteral("/usr/sbin"), QStringLiteral("/sbin")});
    if (program.isEmpty()) {
        qWarning("nghttpx is not installed (Debian: nghttp2-proxy; scripts/install-deps)");
        return false;
    }
    // Free ports are probed, then taken by nghttpx: another process may win
    // the race, so a failed start is tried again on others.
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_tlsPort = freePort();
        m_clearPort = freePort();
        if (!m_tlsPort || !m_clearPort || m_tlsPort == m_clearPort)
            continue;
        m_accessLog = m_logDir.filePath(QStringLiteral("access.log"));
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        m_process.start(program,
                        {QStringLiteral("--conf=/dev/null"),
                         QStringLiteral("--frontend=127.0.0.1,%1").arg(m_tlsPort),
                         QStringLiteral("--frontend=127.0.0.1,%1;no-tls").arg(m_clearPort),
                         QStringLiteral("--backend=127.0.0.1,%1").arg(backendPort),
                         QStringLiteral("--workers=1"), QStringLiteral("--log-level=WARN"),
                         QStringLiteral("--no-ocsp"), QStringLiteral("--no-via"),
                         QStringLiteral("--frontend-http2-max-concurrent-streams=100"),
                         QStringLiteral("--accesslog-file=") + m_accessLog,
                         QStringLiteral("--accesslog-format=$alpn $method $path"), keyFile,
                         certificateFile});
        if (!m_process.waitForStarted(5000))
            return false;
        QElapsedTimer waited;
        waited.start();
        while (waited.elapsed() < 5000 && m_process.state() == QProcess::Running) {
            if (accepts(m_tlsPort) && accepts(m_clearPort))
                return true;
            QCoreApplication::processEvents();
            QThread::msleep(50);
        }
        m_process.kill();
        m_process.waitForFinished(2000);
    }
    qWarning("nghttpx did not start listening");
    return false;
}

QStringList Http2Front::accessLog() const
{
    QFile file(m_accessLog);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
}

QUrl Http2Front::tlsUrl(const char *path) const
{
    return local("https", m_tlsPort, path);
}

QUrl Http2Front::clearUrl(const char *path) const
{
    return local("http", m_clearPort, path);
}

} // namespace SilentAuth::Test
