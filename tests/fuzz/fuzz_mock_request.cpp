// The mock server's request handling, without sockets. Input: a first line
// "METHOD /path", header lines "name: value", an empty line, the body.
// Admin routes are reachable (the request comes from loopback), so
// scenarios switch and state resets along the way.
#include <silentauth/mock/mockserver.h>

#include "exchange.h"

#include <QtCore/QCoreApplication>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace {

SilentAuth::Mock::MockServer &server()
{
    static int argc = 1;
    static char name[] = "fuzz_mock_request";
    static char *argv[] = {name, nullptr};
    static QCoreApplication app(argc, argv);
    static std::unique_ptr<SilentAuth::Mock::MockServer> instance = [] {
        SilentAuth::Mock::MockServerConfig config;
        config.logRequests = false;
        config.secret = "fuzzing-secret";
        config.passwordIterations = 1; // logins are cheap; the logic is the same
        auto s = std::make_unique<SilentAuth::Mock::MockServer>(config);
        QString error;
        if (!s->start(&error))
            qFatal("the mock server did not start: %s", qPrintable(error));
        return s;
    }();
    return *instance;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype split = input.indexOf("\n\n");
    const QByteArray head = split < 0 ? input : input.left(split);
    SilentAuth::Mock::Request request;
    request.body = split < 0 ? QByteArray() : input.mid(split + 2);
    request.remote = QHostAddress::LocalHost;
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> first = lines.value(0).split(' ');
    request.method = first.value(0);
    request.path = QString::fromUtf8(first.value(1));
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            request.headers.insert(lines[i].left(colon).trimmed().toLower(),
                                   lines[i].mid(colon + 1).trimmed());
    }
    const auto reply = server().handle(request);
    if (reply.status < 100 || reply.status > 599)
        __builtin_trap(); // every answer is a real HTTP status
    return 0;
}
