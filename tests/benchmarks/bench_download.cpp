// Peak memory of a large download read slowly with a read buffer, through a
// plain QNetworkAccessManager and through AuthNetworkAccessManager, side by
// side in one run. Each download runs in a process of its own (peak RSS is
// per process), against a server in a third process that sends as fast as
// the socket takes it; the reader takes 256 KiB every millisecond, so only
// the read buffer (setReadBufferSize) keeps the rest in the kernel.
//
//   bench_download [--megabytes 1024] [--rounds 3] [--read-buffer-kib 1024]
//
// Prints peak RSS (VmHWM) and time per download. Exits 1 when a download
// did not arrive whole.
#include <silentauth/authnetworkaccessmanager.h>
#include <silentauth/jsonauthprotocol.h>
#include <silentauth/memorytokenstore.h>
#include <silentauth/session.h>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QTimer>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

#include <algorithm>
#include <cstdio>
#include <memory>

using namespace SilentAuth;

namespace {

constexpr qint64 chunk = 1 << 20;

qint64 peakRssKib()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// Answers every GET with \a bytes of data, writing while less than 4 MiB
// waits in the socket. Prints its port, then serves until killed.
int serve(qint64 bytes)
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 1;
    const QByteArray block(chunk, 'x');
    QObject::connect(&server, &QTcpServer::newConnection, &server, [&] {
        while (QTcpSocket *socket = server.nextPendingConnection()) {
            auto request = std::make_shared<QByteArray>();
            auto left = std::make_shared<qint64>(-1);
            auto pump = [socket, left, &block] {
                while (*left > 0 && socket->bytesToWrite() < 4 * chunk) {
                    const qint64 n = std::min(*left, chunk);
                    socket->write(block.constData(), n);
                    *left -= n;
                }
            };
            QObject::connect(socket, &QTcpSocket::bytesWritten, socket, pump);
            QObject::connect(socket, &QTcpSocket::readyRead, socket,
                             [socket, request, left, pump, bytes] {
                                 request->append(socket->readAll());
                                 if (*left >= 0 || !request->contains("\r\n\r\n"))
                                     return;
                                 socket->write("HTTP/1.1 200 OK\r\nContent-Type: "
                                               "application/octet-stream\r\nContent-Length: "
                                               + QByteArray::number(bytes) + "\r\n\r\n");
                                 *left = bytes;
                                 pump();
                             });
            QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
    std::printf("%d\n", server.serverPort());
    std::fflush(stdout);
    return QCoreApplication::exec();
}

// Downloads \a url through a plain or an authenticating manager, reading
// 256 KiB per millisecond; prints "bytes ms peak-kib".
int fetch(const QUrl &url, bool authenticating, qint64 readBuffer)
{
    QNetworkAccessManager plain;
    MemoryTokenStore store;
    Session session(std::make_unique<JsonAuthProtocol>(url.adjusted(QUrl::RemovePath)), &store);
    AuthNetworkAccessManager auth(&session); // the URL's origin is the protocol's: allowed
    QNetworkAccessManager &manager = authenticating ? auth : plain;
    if (authenticating && !auth.isAllowed(url)) {
        std::fprintf(stderr, "bench_download: the URL is not allow-listed\n");
        return 1;
    }
    QElapsedTimer clock;
    clock.start();
    QNetworkReply *reply = manager.get(QNetworkRequest(url));
    reply->setReadBufferSize(readBuffer);
    qint64 received = 0;
    QByteArray sink(256 * 1024, Qt::Uninitialized);
    QTimer reader;
    QObject::connect(&reader, &QTimer::timeout, reply, [&] {
        const qint64 n = reply->read(sink.data(), sink.size());
        if (n > 0)
            received += n;
        if (reply->isFinished() && reply->bytesAvailable() == 0)
            QCoreApplication::quit();
    });
    reader.start(1);
    QCoreApplication::exec();
    std::printf("%lld %lld %lld\n", static_cast<long long>(received),
                static_cast<long long>(clock.elapsed()), static_cast<long long>(peakRssKib()));
    return reply->error() == QNetworkReply::NoError ? 0 : 1;
}

struct Result
{
    qint64 bytes = 0, ms = 0, peakKib = 0;
};

Result runChild(const QStringList &arguments)
{
    QProcess child;
    child.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    child.start(QCoreApplication::applicationFilePath(), arguments);
    if (!child.waitForFinished(600000) || child.exitCode() != 0)
        return {};
    const QList<QByteArray> fields = child.readAllStandardOutput().trimmed().split(' ');
    return {fields.value(0).toLongLong(), fields.value(1).toLongLong(),
            fields.value(2).toLongLong()};
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Peak memory of a large, slowly read download: plain QNAM against "
                       "AuthNetworkAccessManager."));
    parser.addHelpOption();
    const QCommandLineOption megabytes(QStringLiteral("megabytes"),
                                       QStringLiteral("Size of the download in MiB."),
                                       QStringLiteral("n"), QStringLiteral("1024"));
    const QCommandLineOption rounds(QStringLiteral("rounds"), QStringLiteral("Rounds."),
                                    QStringLiteral("n"), QStringLiteral("3"));
    const QCommandLineOption readBuffer(QStringLiteral("read-buffer-kib"),
                                        QStringLiteral("setReadBufferSize in KiB."),
                                        QStringLiteral("n"), QStringLiteral("1024"));
    const QCommandLineOption serveOption(QStringLiteral("serve"),
                                         QStringLiteral("(internal) serve this many bytes"),
                                         QStringLiteral("bytes"));
    const QCommandLineOption fetchOption(QStringLiteral("fetch"),
                                         QStringLiteral("(internal) plain or auth"),
                                         QStringLiteral("kind"));
    const QCommandLineOption urlOption(QStringLiteral("url"), QStringLiteral("(internal)"),
                                       QStringLiteral("url"));
    parser.addOptions({megabytes, rounds, readBuffer, serveOption, fetchOption, urlOption});
    parser.process(app);
    const qint64 bufferBytes = parser.value(readBuffer).toLongLong() * 1024;
    if (parser.isSet(serveOption))
        return serve(parser.value(serveOption).toLongLong());
    if (parser.isSet(fetchOption))
        return fetch(QUrl(parser.value(urlOption)),
                     parser.value(fetchOption) == QLatin1String("auth"), bufferBytes);

    const qint64 bytes = parser.value(megabytes).toLongLong() * chunk;
    QProcess server;
    server.start(QCoreApplication::applicationFilePath(),
                 {QStringLiteral("--serve"), QString::number(bytes)});
    if (!server.waitForReadyRead(10000)) {
        std::fprintf(stderr, "bench_download: the server did not start\n");
        return 1;
    }
    const QString url = QStringLiteral("http://127.0.0.1:%1/file")
                            .arg(QString::fromLatin1(server.readLine().trimmed()));
    std::printf("download: %lld MiB, read buffer %lld KiB, reader 256 KiB/ms, %d rounds\n",
                static_cast<long long>(bytes / chunk), static_cast<long long>(bufferBytes / 1024),
                parser.value(rounds).toInt());
    std::printf("%-6s %14s %14s %7s %10s %10s\n", "round", "plain peak MB", "auth peak MB", "ratio",
                "plain ms", "auth ms");
    bool whole = true;
    QList<double> ratios;
    for (int round = 1; round <= parser.value(rounds).toInt(); ++round) {
        const QStringList common {QStringLiteral("--url"), url, QStringLiteral("--read-buffer-kib"),
                                  parser.value(readBuffer)};
        const Result a
            = runChild(QStringList {QStringLiteral("--fetch"), QStringLiteral("plain")} + common);
        const Result b
            = runChild(QStringList {QStringLiteral("--fetch"), QStringLiteral("auth")} + common);
        whole = whole && a.bytes == bytes && b.bytes == bytes;
        const double ratio = a.peakKib > 0 ? double(b.peakKib) / a.peakKib : 0;
        ratios << ratio;
        std::printf("%-6d %14.1f %14.1f %7.3f %10lld %10lld\n", round, a.peakKib / 1024.0,
                    b.peakKib / 1024.0, ratio, static_cast<long long>(a.ms),
                    static_cast<long long>(b.ms));
    }
    std::sort(ratios.begin(), ratios.end());
    std::printf("median ratio %.3f\n", ratios.value(ratios.size() / 2));
    server.kill();
    server.waitForFinished(5000);
    if (!whole) {
        std::fprintf(stderr, "bench_download: a download did not arrive whole\n");
        return 1;
    }
    return 0;
}
