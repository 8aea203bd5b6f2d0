#pragma once

#include "dpop.h"
#include "exchange.h"

namespace SilentAuth::Mock {

struct ServerContext;

// DPoP as the server's routes use it: the proof of a token request or of a
// resource request checked against this request, the replay cache, the
// nonces, the QA scenarios and the counters.
class DpopGuard
{
public:
    explicit DpopGuard(ServerContext &context)
        : m_context(context)
    {
    }

    // Takes the settings of the configuration; call once before serving.
    void configure();
    // Once listening (the port known): the URLs a proof's htu may name, a
    // route's path after them. From the configuration only, never from a
    // request: the --issuer URL when one is set (a server behind a reverse
    // proxy is configured with its public name that way), else this
    // server's scheme and port with each loopback name its address answers
    // on (127.0.0.1 and localhost, [::1] and localhost), or the address
    // itself when it is no loopback or wildcard one.
    void configureOrigins();
    bool enabled() const;
    bool required() const;
    bool noncesOn() const;

    struct Check
    {
        Dpop::Rejection rejection = Dpop::Rejection::None;
        QString description;
        QByteArray jkt; // the proof's key; empty when no proof came (optional mode)
        QByteArray logNote;
        QByteArray jti;
        qint64 iat = 0;
        bool ok() const { return rejection == Dpop::Rejection::None; }
    };
    // A token endpoint's request: its DPoP header, if any (required mode: it
    // must have one). Rejections are counted.
    Check tokenRequest(const Request &request);
    // A resource request with a token bound to boundJkt: the proof must be
    // valid, for this token (ath), by that key. Rejections are counted.
    Check resourceRequest(const Request &request, const QByteArray &accessToken,
                          const QByteArray &boundJkt);
    // Counts a rejection found outside the proof (a bound token as bearer, a
    // bound refresh token refreshed with another key).
    void count(Dpop::Rejection rejection);

    // The current nonce (rotated when due); empty when nonces are off.
    QByteArray currentNonce();
    void rotateNonce(qint64 graceMs);
    // Every request but the admin routes, before it is handled: the
    // dpop-nonce-rotation scenario rotates on every N-th.
    void beforeRequest();

    // {"mode", "accepted", "rejected": {reason: n}, "rejectedTotal", "jtiCached", …}
    QJsonObject stats();
    void reset();

private:
    Check verify(const Request &request, const QByteArray &accessToken);
    QStringList expectedUrls(const Request &request) const;
    Check rejected(Dpop::Rejection rejection, const QString &description);
    // Puts an otherwise valid proof's jti in the replay cache: refused when
    // it is there already (or the dpop-replayed-proof scenario says so).
    Check record(Check check);

    ServerContext &m_context;
    Dpop::ReplayCache m_replay;
    Dpop::KeyCache m_keys;
    Dpop::Nonces m_nonces;
    QList<QUrl> m_htuBases; // scheme://host[:port][/issuer path], normalized
};

} // namespace SilentAuth::Mock
