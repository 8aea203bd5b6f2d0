#include "dpopguard.h"

#include "servercontext.h"

#include <QtCore/QJsonArray>

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

void DpopGuard::configureOrigins()
{
    m_htuBases.clear();
    auto add = [this](QUrl url) {
        // Normalized as htu is: scheme and host in lower case, no default port.
        const QString normalized = Dpop::normalizedUrl(url);
        if (normalized.isEmpty())
            return;
        url = QUrl(normalized.endsWith(QLatin1Char('/')) ? normalized.chopped(1) : normalized);
        if (!m_htuBases.contains(url))
            m_htuBases.append(url);
    };
    const MockServerConfig &config = m_context.config;
    if (!config.issuer.isEmpty()) {
        // The public name, path included: the URLs discovery advertises.
        add(QUrl(m_context.issuerUrl, QUrl::StrictMode));
        return;
    }
    QUrl listening(m_context.baseUrl, QUrl::StrictMode);
    listening.setPath(QString());
    const QHostAddress &address = config.address;
    QStringList hosts;
    if (address == QHostAddress::Any) // IPv4 and IPv6
        hosts = {QStringLiteral("127.0.0.1"), QStringLiteral("localhost"), QStringLiteral("::1")};
    else if (address == QHostAddress::AnyIPv4 || address == QHostAddress::LocalHost)
        hosts = {QStringLiteral("127.0.0.1"), QStringLiteral("localhost")};
    else if (address == QHostAddress::AnyIPv6 || address == QHostAddress::LocalHostIPv6)
        hosts = {QStringLiteral("::1"), QStringLiteral("localhost")};
    else
        hosts = {address.toString()};
    for (const QString &host : std::as_const(hosts)) {
        listening.setHost(host);
        add(listening);
    }
}

QStringList DpopGuard::expectedUrls(const Request &request) const
{
    // Never the Host header: a proof made for another server must not pass
    // here because its name was sent along (RFC 9449 §11.1).
    QStringList urls;
    for (const QUrl &base : m_htuBases) {
        QUrl url = base;
        url.setPath(base.path() + request.path);
        const QString normalized = Dpop::normalizedUrl(url);
        if (!normalized.isEmpty() && !urls.contains(normalized))
            urls.append(normalized);
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
    const Dpop::Proof proof = Dpop::verify(request.header("dpop"), expected, &m_keys);
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
    QJsonArray htuBases;
    for (const QUrl &base : m_htuBases)
        htuBases.append(base.toString(QUrl::FullyEncoded));
    const auto mode = m_context.config.dpop;
    return {
        {QStringLiteral("mode"),
         mode == MockServerConfig::DpopMode::Required ? QStringLiteral("required")
                                                      : QStringLiteral("optional")},
        {QStringLiteral("nonces"), noncesOn()},
        {QStringLiteral("htuBases"), htuBases},
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
