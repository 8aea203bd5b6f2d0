#include "dpopguard.h"

#include "servercontext.h"

namespace SilentAuth::Mock {

using Dpop::Rejection;

void DpopGuard::configure()
{
    const MockServerConfig &config = m_context.config;
    m_replay = Dpop::ReplayCache(config.dpopReplayCacheSize);
    m_nonces.configure(config.dpopNonceRotate.count() * 1000, config.dpopNonceGrace.count() * 1000);
}

bool DpopGuard::enabled() const
{
    return m_context.config.dpop != MockServerConfig::DpopMode::Off;
}

bool DpopGuard::required() const
{
    return m_context.config.dpop == MockServerConfig::DpopMode::Required;
}

bool DpopGuard::noncesOn() const
{
    return enabled() && m_context.config.dpopNonce;
}

QByteArray DpopGuard::currentNonce()
{
    return noncesOn() ? m_nonces.current(ServerContext::nowMs()) : QByteArray();
}

void DpopGuard::rotateNonce(qint64 graceMs)
{
    m_nonces.current(ServerContext::nowMs()); // there is one to replace
    m_nonces.rotate(ServerContext::nowMs(), graceMs);
}

void DpopGuard::beforeRequest()
{
    Scenario &scenario = m_context.scenario;
    if (scenario.kind != Scenario::Kind::DpopNonceRotation || scenario.every <= 0 || !noncesOn())
        return;
    if (++scenario.requestsSeen % scenario.every == 0)
        rotateNonce(qint64(scenario.graceSeconds) * 1000);
}

void DpopGuard::count(Rejection rejection)
{
    ++m_context.stats.dpopRejected[QString::fromLatin1(Dpop::reasonName(rejection))];
}

DpopGuard::Check DpopGuard::rejected(Rejection rejection, const QString &description)
{
    count(rejection);
    Check check;
    check.rejection = rejection;
    check.description = description;
    check.logNote = "dpop=" + Dpop::reasonName(rejection);
    return check;
}

QStringList DpopGuard::expectedUrls(const Request &request) const
{
    QStringList urls;
    auto add = [&urls](const QUrl &url) {
        const QString normalized = Dpop::normalizedUrl(url);
        if (!normalized.isEmpty() && !urls.contains(normalized))
            urls.append(normalized);
    };
    const QUrl base(m_context.baseUrl);
    // Where the client sent it: this server's scheme, the Host header, the path.
    const QByteArray host = request.header("host");
    if (!host.isEmpty()) {
        QUrl sent;
        sent.setScheme(base.scheme());
        sent.setAuthority(QString::fromLatin1(host), QUrl::StrictMode);
        sent.setPath(request.path);
        add(sent);
    }
    QUrl listening = base;
    listening.setPath(request.path);
    add(listening);
    // The name clients know the server by (--issuer), routes at its root.
    QUrl issuer(m_context.issuerUrl);
    if (issuer.isValid() && !issuer.host().isEmpty()) {
        issuer.setPath(request.path);
        add(issuer);
    }
    return urls;
}

DpopGuard::Check DpopGuard::verify(const Request &request, const QByteArray &accessToken)
{
    const qint64 nowMs = ServerContext::nowMs();
    Dpop::Expected expected;
    expected.method = request.method;
    expected.urls = expectedUrls(request);
    expected.nowSecs = nowMs / 1000;
    expected.windowSecs = m_context.config.dpopProofWindow.count();
    expected.accessToken = accessToken;
    if (noncesOn())
        expected.nonces = m_nonces.accepted(nowMs);
    const Dpop::Proof proof = Dpop::verify(request.header("dpop"), expected);
    if (!proof.ok())
        return rejected(proof.rejection, proof.description);
    Check check;
    check.jkt = proof.jkt;
    check.jti = proof.jti;
    check.iat = proof.iat;
    return check;
}

DpopGuard::Check DpopGuard::tokenRequest(const Request &request)
{
    if (!enabled())
        return {};
    if (request.header("dpop").isEmpty()) {
        if (required())
            return rejected(Rejection::Missing,
                            QStringLiteral("This server requires a DPoP proof with every token "
                                           "request"));
        return {};
    }
    Check check = verify(request, {});
    if (!check.ok())
        return check;
    return record(check);
}

DpopGuard::Check DpopGuard::resourceRequest(const Request &request, const QByteArray &accessToken,
                                            const QByteArray &boundJkt)
{
    Check check = verify(request, accessToken);
    if (!check.ok())
        return check;
    if (check.jkt != boundJkt)
        return rejected(Rejection::KeyMismatch,
                        QStringLiteral("The proof is signed by another key than the one the "
                                       "access token is bound to"));
    return record(check);
}

DpopGuard::Check DpopGuard::record(Check check)
{
    const qint64 nowSecs = ServerContext::nowMs() / 1000;
    const auto outcome = m_replay.record(
        check.jkt, check.jti, check.iat + m_context.config.dpopProofWindow.count(), nowSecs);
    if (outcome == Dpop::ReplayCache::Outcome::Replayed)
        return rejected(Rejection::JtiReplayed,
                        QStringLiteral("This proof was used before; every request needs a "
                                       "proof with a new jti"));
    if (outcome == Dpop::ReplayCache::Outcome::Full)
        return rejected(Rejection::ReplayCacheFull,
                        QStringLiteral("The server cannot check a proof this old for reuse; "
                                       "send one with a current iat"));
    Scenario &scenario = m_context.scenario;
    if (scenario.kind == Scenario::Kind::DpopReplayedProof && scenario.remaining != 0) {
        // As if an attacker had sent this very proof first.
        if (scenario.remaining > 0)
            --scenario.remaining;
        Check replayed = rejected(Rejection::JtiReplayed,
                                  QStringLiteral("This proof was used before; every request "
                                                 "needs a proof with a new jti"));
        replayed.logNote += " scenario=dpop-replayed-proof";
        return replayed;
    }
    ++m_context.stats.dpopAccepted;
    return check;
}

QJsonObject DpopGuard::stats()
{
    QJsonObject rejectedByReason;
    int total = 0;
    for (const Rejection rejection : Dpop::allRejections()) {
        const QString name = QString::fromLatin1(Dpop::reasonName(rejection));
        const int n = m_context.stats.dpopRejected.value(name);
        rejectedByReason.insert(name, n);
        total += n;
    }
    const auto mode = m_context.config.dpop;
    return {
        {QStringLiteral("mode"),
         mode == MockServerConfig::DpopMode::Required ? QStringLiteral("required")
                                                      : QStringLiteral("optional")},
        {QStringLiteral("nonces"), noncesOn()},
        {QStringLiteral("accepted"), m_context.stats.dpopAccepted},
        {QStringLiteral("rejected"), rejectedByReason},
        {QStringLiteral("rejectedTotal"), total},
        {QStringLiteral("boundTokensIssued"), m_context.stats.dpopBoundTokensIssued},
        {QStringLiteral("jtiCached"), m_replay.size(ServerContext::nowMs() / 1000)},
        {QStringLiteral("jtiEvicted"), m_replay.evicted()},
        {QStringLiteral("nonceRotations"), m_nonces.rotations()},
    };
}

void DpopGuard::reset()
{
    m_replay.clear();
}

} // namespace SilentAuth::Mock
