#pragma once

#include <silentauth/mock/mockserver.h>

#include <QtCore/QUrl>

#include <memory>

namespace SilentAuth::Test {

// A mock server on a free loopback port, quiet unless a test asks to log.
// Returns null (and says why with qWarning) when it cannot start. With
// SILENTAUTH_REFRESH_TRANSPORT=cookie in the environment (a suite's second
// run), its seed API carries the refresh token in a cookie, and
// makeClient() talks to it that way. With SILENTAUTH_TLS set, it serves
// HTTPS with a CA of its own, which the process's default
// QSslConfiguration then trusts.
std::unique_ptr<Mock::MockServer> startServer(Mock::MockServerConfig config = {});

// server.url() + path, e.g. endpoint(*server, "/auth/login").
QUrl endpoint(const Mock::MockServer &server, const char *path);

// A port on 127.0.0.1 that nothing listens on when asked (0 when none could be had).
quint16 freeLoopbackPort();

} // namespace SilentAuth::Test
