#pragma once

#include <QtCore/QProcess>
#include <QtCore/QStringList>
#include <QtCore/QTemporaryDir>
#include <QtCore/QUrl>

namespace SilentAuth::Test {

// nghttpx (Debian: nghttp2-proxy) before a plain HTTP/1.1 backend on
// loopback, as many deployments put an HTTP/2 front before an API: one TLS
// front (h2 or http/1.1 by ALPN) with the given key and certificate, and
// one cleartext front (h2c with prior knowledge, or http/1.1). Stopped when
// destroyed.
class Http2Front
{
public:
    Http2Front() = default;
    Http2Front(const Http2Front &) = delete;
    Http2Front &operator=(const Http2Front &) = delete;
    ~Http2Front();

    // False (and a warning saying why) when nghttpx is missing or did not
    // start listening within five seconds.
    bool start(quint16 backendPort, const QString &keyFile, const QString &certificateFile);

    QUrl tlsUrl(const char *path = "/") const;
    QUrl clearUrl(const char *path = "/") const;

    // One line per request the front received: the protocol the client
    // spoke (as ALPN named it: "h2", "http/1.1"; "h2c" without TLS), the
    // method and the path, e.g. "h2 GET /profile".
    QStringList accessLog() const;

private:
    QProcess m_process;
    QTemporaryDir m_logDir;
    QString m_accessLog;
    quint16 m_tlsPort = 0;
    quint16 m_clearPort = 0;
};

} // namespace SilentAuth::Test
