#include "authreply_p.h"
#include "challenge_p.h"
#include "dpop_p.h"

#include <silentauth/session.h>

#include <QtCore/QBuffer>
#include <QtCore/QCoreApplication>
#include <QtCore/QLoggingCategory>
#include <QtCore/QMetaMethod>
#include <QtCore/QTemporaryFile>
#include <QtCore/QTimer>

Q_DECLARE_LOGGING_CATEGORY(lcNet)

namespace SilentAuth {

namespace {

// Sequential bodies larger than this are spooled to a temporary file
// instead of memory while they wait for a possible replay.
constexpr qint64 spoolThreshold = 4 * 1024 * 1024;
// A sequential body that stops arriving for this long fails the request.
constexpr int spoolIdleMs = 60000;

bool sameOrigin(const QUrl &a, const QUrl &b)
{
    return a.scheme() == b.scheme() && a.host() == b.host()
        && a.port(a.scheme() == QLatin1String("https") ? 443 : 80)
        == b.port(b.scheme() == QLatin1String("https") ? 443 : 80);
}

bool isRedirect(int status)
{
    return status == 301 || status == 302 || status == 303 || status == 305 || status == 307
        || status == 308;
}

// A 401 that a new access token could fix: no challenge at all (many APIs
// send none), or a Bearer challenge (a DPoP one for a DPoP-bound token,
// RFC 9449 §7.1) that is not about the request itself, its scope or its
// proof (RFC 6750 §3.1). A 401 that asks for another scheme (Basic,
// Digest…) is not ours to answer, and reaches the caller as it came.
bool isTokenProblem(QNetworkReply *reply, bool dpop)
{
    const QByteArray header = reply->rawHeader("WWW-Authenticate");
    if (header.trimmed().isEmpty())
        return true;
    const auto challenges = Internal::parseChallenges(header);
    const Internal::Challenge *bearer = Internal::bearerChallenge(challenges);
    const Internal::Challenge *proof = nullptr;
    for (const auto &challenge : challenges) {
        if (challenge.scheme == "dpop" && !proof)
            proof = &challenge;
    }
    const Internal::Challenge *ours = dpop && proof ? proof : bearer ? bearer : proof;
    if (!ours)
        return challenges.isEmpty();
    const QByteArray error = ours->params.value("error");
    return error != "invalid_request" && error != "insufficient_scope"
        && error != "invalid_dpop_proof" && error != "use_dpop_nonce";
}

// The method a redirect continues with, as QNetworkAccessManager does it:
// 307 and 308 keep it, HEAD stays HEAD, everything else becomes GET.
QNetworkAccessManager::Operation redirectOperation(QNetworkAccessManager::Operation op, int status)
{
    if (status == 307 || status == 308)
        return op;
    if (op == QNetworkAccessManager::HeadOperation)
        return op;
    return QNetworkAccessManager::GetOperation;
}

// The signals relayed only once somebody listens (relayProgressOnDemand()).
struct OnDemandSignals
{
    QMetaMethod upload = QMetaMethod::fromSignal(&QNetworkReply::uploadProgress);
    QMetaMethod download = QMetaMethod::fromSignal(&QNetworkReply::downloadProgress);
    QMetaMethod connecting = QMetaMethod::fromSignal(&QNetworkReply::socketStartedConnecting);
};

const OnDemandSignals &onDemandSignals()
{
    static const OnDemandSignals relayed;
    return relayed;
}

} // namespace

AuthReply::AuthReply(AuthNetworkAccessManager *manager, QNetworkAccessManager::Operation op,
                     const QNetworkRequest &request, QIODevice *outgoingData)
    : QNetworkReply(manager)
    , m_manager(manager)
    , m_session(manager->session())
    , m_original(request)
{
    setOperation(op);
    setRequest(request);
    setUrl(request.url());
    open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    // Whose request this is: the user signed in when it was made, not
    // whoever is signed in by the time it starts.
    if (m_session)
        m_identity = m_session->identity();

    m_authenticate = true;
    m_mayRefresh
        = !request
               .attribute(QNetworkRequest::Attribute(AuthNetworkAccessManager::NoRefreshAttribute))
               .toBool();
    m_redirectsLeft = request.maximumRedirectsAllowed();
    m_spoolLimit = manager->maximumReplayBodySize();

    if (outgoingData && !outgoingData->isSequential()) {
        m_body = outgoingData;
        m_bodyStart = outgoingData->pos();
        if (!m_original.header(QNetworkRequest::ContentLengthHeader).isValid())
            m_original.setHeader(QNetworkRequest::ContentLengthHeader,
                                 m_body->size() - m_bodyStart);
    } else if (outgoingData) {
        // QNetworkReply keeps no copy of what it sent, and a sequential body
        // cannot be rewound: read it as it arrives, in memory up to the spool
        // threshold and in a temporary file beyond, then send.
        m_source = outgoingData;
        const QVariant length = m_original.header(QNetworkRequest::ContentLengthHeader);
        m_expected = length.isValid() ? length.toLongLong() : -1;
        if (m_expected > m_spoolLimit) {
            failLater(QNetworkReply::UnknownContentError,
                      tr("The request body is larger than the %1 bytes kept for a replay.")
                          .arg(m_spoolLimit));
            manager->track(this, true);
            return;
        }
        auto buffer = std::make_unique<QBuffer>();
        buffer->open(QIODevice::ReadWrite);
        m_ownedBody = std::move(buffer);
        connect(outgoingData, &QIODevice::readyRead, this, &AuthReply::spool);
        connect(outgoingData, &QIODevice::readChannelFinished, this, [this] {
            m_sourceFinished = true;
            spool();
        });
        connect(outgoingData, &QIODevice::aboutToClose, this, [this] {
            m_sourceFinished = true;
            spool();
        });
        const int transfer = request.transferTimeout() > 0 ? request.transferTimeout()
                                                           : manager->transferTimeout();
        m_spoolIdleMs = transfer > 0 ? transfer : spoolIdleMs;
        m_spoolIdle.start(m_spoolIdleMs, this);
    }
    manager->track(this, true);
}

void AuthReply::launch()
{
    // Nothing to wait for and nothing that could end the reply: handed to
    // QNetworkAccessManager at once, whose reply starts from the event loop.
    if (!m_refused && !m_source && sendsAtOnce()) {
        send();
        return;
    }
    // Otherwise from the event loop, like QNetworkReply: signals never fire
    // before the caller had a chance to connect.
    QTimer::singleShot(0, this, m_source ? &AuthReply::spool : &AuthReply::start);
}

// Whether start() would send now, with no wait and no way to end the reply
// before its caller has connected to it.
bool AuthReply::sendsAtOnce() const
{
    const Session *session = m_session;
    return session && session->status() == Session::Status::SignedIn
        && !session->isHoldingRequests() && !session->isRefreshing() && !session->isRefreshDue();
}

void AuthReply::timerEvent(QTimerEvent *event)
{
    const int id = event->timerId();
    if (id == m_spoolIdle.timerId()) {
        m_spoolIdle.stop();
        finishWith(QNetworkReply::TimeoutError, tr("The request body stopped arriving."));
    } else if (id == m_queueDeadline.timerId()) {
        m_queueDeadline.stop();
        queueTimedOut();
    } else if (id == m_deadline.timerId()) {
        m_deadline.stop();
        failForSession();
    } else {
        QNetworkReply::timerEvent(event);
    }
}

void AuthReply::failLater(QNetworkReply::NetworkError code, const QString &message)
{
    m_refused = true;
    QTimer::singleShot(0, this, [this, code, message] { finishWith(code, message); });
}

void AuthReply::spool()
{
    if (m_done || m_refused || !m_ownedBody || m_body)
        return;
    QByteArray chunk(64 * 1024, Qt::Uninitialized);
    bool complete = !m_source;
    while (!complete) {
        qint64 want = chunk.size();
        if (m_expected >= 0)
            want = qMin(want, m_expected - m_spooled);
        const qint64 n = want > 0 ? m_source->read(chunk.data(), want) : -1;
        if (n < 0) {
            complete = true;
        } else if (n == 0) {
            complete = m_sourceFinished || !m_source->isOpen();
            if (!complete)
                return; // more arrives with readyRead or readChannelFinished
        } else if (m_spooled + n > m_spoolLimit) {
            finishWith(QNetworkReply::UnknownContentError,
                       tr("The request body is larger than the %1 bytes kept for a replay.")
                           .arg(m_spoolLimit));
            return;
        } else if (!keep(chunk.constData(), n)) {
            finishWith(QNetworkReply::UnknownNetworkError,
                       tr("The request body could not be buffered for a replay."));
            return;
        } else {
            m_spoolIdle.start(m_spoolIdleMs, this);
        }
    }
    m_spoolIdle.stop();
    if (m_source)
        m_source->disconnect(this);
    m_source = nullptr;
    m_body = m_ownedBody.get();
    m_bodyStart = 0;
    m_body->seek(0);
    if (!m_original.header(QNetworkRequest::ContentLengthHeader).isValid())
        m_original.setHeader(QNetworkRequest::ContentLengthHeader, m_spooled);
    start();
}

bool AuthReply::keep(const char *data, qint64 size)
{
    if (m_spooled + size > spoolThreshold && qobject_cast<QBuffer *>(m_ownedBody.get())) {
        auto file = std::make_unique<QTemporaryFile>();
        const QByteArray &held = static_cast<QBuffer *>(m_ownedBody.get())->data();
        if (!file->open() || file->write(held) != held.size())
            return false;
        m_ownedBody = std::move(file);
    }
    if (m_ownedBody->write(data, size) != size)
        return false;
    m_spooled += size;
    return true;
}

AuthReply::~AuthReply()
{
    leaveLane();
    if (m_manager)
        m_manager->track(this, false);
    if (m_inner) {
        if (m_inner->isFinished() && !m_relayingFinish) {
            delete m_inner.data(); // idle, as a caller deletes a finished reply
            return;
        }
        m_inner->disconnect(this);
        m_inner->abort();
        m_inner->deleteLater();
    }
}

bool AuthReply::leavesQueueAtOnce() const
{
    return m_queued && sendsAtOnce()
        && (m_identity.isEmpty() || m_session->identity() == m_identity);
}

void AuthReply::start()
{
    if (m_done || m_refused)
        return;
    // Waits first: while a sign-in or restore is under way, nobody's identity
    // is known yet.
    if (waitUntilReady())
        return;
    Session *session = m_session;
    if (!m_identity.isEmpty() && session && session->identity() != m_identity) {
        notSent(QNetworkReply::AuthenticationRequiredError,
                tr("Another user is signed in now; the request was not sent."));
        return;
    }
    send();
}

// Diverts the request into a wait when sending it now would only collect a
// 401 or go out with a token about to lapse; false when it may go.
bool AuthReply::waitUntilReady()
{
    Session *session = m_session;
    if (!session)
        return false;
    // A refresh is under way, or the session waits for a re-login.
    if (session->isHoldingRequests()) {
        waitForRelease(false);
        return true;
    }
    if (session->isRefreshing()) {
        waitForRefresh(false);
        return true;
    }
    // A sign-in or restore is under way: the request goes out with its token,
    // or not at all if it fails.
    if (session->status() == Session::Status::SigningIn
        || session->status() == Session::Status::Restoring) {
        waitForSignIn();
        return true;
    }
    // Offline with no access token yet (a restore waiting for its retry), or
    // with one the server has already rejected.
    if (session->tokenUnusable()) {
        if (session->offlineWait().count() > 0)
            waitForRefresh(false);
        else
            failForSession();
        return true;
    }
    // The token is due for renewal by the wall clock (the machine slept
    // through the proactive refresh): renewed first, not sent to collect a 401.
    if (session->refreshIfDue()) {
        waitForRefresh(false);
        return true;
    }
    return false;
}

void AuthReply::watchSession()
{
    // A session deleted while this request waits for it ends the wait.
    m_waits.append(connect(m_session, &QObject::destroyed, this, [this] {
        finishWith(QNetworkReply::OperationCanceledError,
                   tr("The session was closed before the request could be sent."));
    }));
}

void AuthReply::waitForRefresh(bool replay)
{
    if (!m_session) {
        failForSession();
        return;
    }
    watchSession();
    m_waits.append(connect(m_session, &Session::refreshFinished, this, [this, replay](bool ok) {
        Session *session = m_session;
        if (ok) {
            resume(replay);
            return;
        }
        if (session->isHoldingRequests()) {
            dropInner();
            for (const auto &c : std::as_const(m_waits))
                disconnect(c);
            m_waits.clear();
            waitForRelease(replay);
            return;
        }
        if (session->isRefreshing())
            return; // another attempt is already on its way
        if (session->status() == Session::Status::Offline && session->offlineWait().count() > 0) {
            // Keep listening: the session retries with backoff, and a later
            // success releases this request, unless the deadline comes first.
            startOfflineDeadline();
            return;
        }
        failForSession();
    }));
    // Joining a retry the session has scheduled: the offline wait starts now.
    if (!m_session->isRefreshing() && m_session->status() == Session::Status::Offline)
        startOfflineDeadline();
}

void AuthReply::startOfflineDeadline()
{
    if (m_deadline.isActive() || !m_session)
        return;
    m_deadline.start(int(qMin<qint64>(m_session->offlineWait().count(), INT_MAX)), this);
}

void AuthReply::waitForSignIn()
{
    watchSession();
    m_waits.append(
        connect(m_session, &Session::statusChanged, this, [this](Session::Status status) {
            switch (status) {
            case Session::Status::SignedIn:
                resume(false);
                return;
            case Session::Status::SignedOut:
            case Session::Status::Expired:
                if (m_session && m_session->isHoldingRequests()) {
                    for (const auto &c : std::as_const(m_waits))
                        disconnect(c);
                    m_waits.clear();
                    waitForRelease(false);
                    return;
                }
                notSent(QNetworkReply::AuthenticationRequiredError,
                        tr("The sign-in did not succeed; the request was not sent."));
                return;
            case Session::Status::Offline:
                // A restore that could not reach the server: waits for its
                // retry as long as requests may wait offline.
                for (const auto &c : std::as_const(m_waits))
                    disconnect(c);
                m_waits.clear();
                start();
                return;
            default:
                return; // still on the way (a restore that superseded the sign-in)
            }
        }));
}

void AuthReply::waitForRelease(bool replay)
{
    if (!m_session) {
        failForSession();
        return;
    }
    watchSession();
    m_waits.append(connect(m_session, &Session::requestsReleased, this, [this, replay](bool ok) {
        if (ok)
            resume(replay);
        else
            failForSession();
    }));
}

void AuthReply::resume(bool replay)
{
    for (const auto &c : std::as_const(m_waits))
        disconnect(c);
    m_waits.clear();
    m_deadline.stop();
    Session *session = m_session;
    if (!session) {
        failForSession();
        return;
    }
    // Never sent under another identity than the one it was made with.
    if (!m_identity.isEmpty() && session->identity() != m_identity) {
        // A replay had its 401; a request that waited from the start had nothing.
        m_neverSent = !replay;
        finishWith(QNetworkReply::AuthenticationRequiredError,
                   tr("Another user is signed in now; the request was not sent."));
        return;
    }
    if (replay)
        session->record(Session::Event::Replayed, url().path());
    send();
}

void AuthReply::failForSession()
{
    for (const auto &c : std::as_const(m_waits))
        disconnect(c);
    m_waits.clear();
    m_deadline.stop();
    if (m_session && m_session->status() == Session::Status::Offline)
        finishWith(QNetworkReply::TemporaryNetworkFailureError,
                   tr("The sign-in server cannot be reached; try again shortly."));
    else
        finishWith(QNetworkReply::AuthenticationRequiredError,
                   tr("Your session has ended; sign in again."));
}

int AuthReply::redirectPolicy() const
{
    return m_original
        .attribute(QNetworkRequest::RedirectPolicyAttribute,
                   m_manager ? int(m_manager->redirectPolicy())
                             : int(QNetworkRequest::NoLessSafeRedirectPolicy))
        .toInt();
}

void AuthReply::send()
{
    if (m_done || !m_manager)
        return;
    Session *session = m_session;
    const QString origin = m_leftAllowed ? QString() : m_manager->allowedOrigin(url());
    const bool allowedHop = !origin.isEmpty();
    const bool carriesToken = allowedHop && session && !session->accessToken().isEmpty();
    // Every hop, a redirect's included, goes out only under the identity the
    // request was made with: never with another user's token.
    if (carriesToken && !m_identity.isEmpty() && session->identity() != m_identity) {
        finishWith(QNetworkReply::AuthenticationRequiredError,
                   tr("Another user is signed in now; the request was not sent."));
        return;
    }
    // Made while nobody's identity was known (during a sign-in or restore):
    // it is the user's whose token it first carries.
    if (carriesToken && m_identity.isEmpty())
        m_identity = session->identity();
    if (carriesToken && m_lane.isEmpty()) {
        if (!m_manager->takeSlot(this, origin)) {
            queue();
            return;
        }
        m_lane = origin;
    }
    QNetworkRequest request = m_original;
    request.setUrl(url());
    // Redirects are followed here, with QNetworkAccessManager's rules, so that
    // the token never crosses to another origin.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    m_hopToken = false;
    m_hopProof = false;
    m_sentSignedOut = !session || session->status() == Session::Status::SignedOut
        || session->status() == Session::Status::Expired;
    if (allowedHop) {
        if (session && !session->accessToken().isEmpty()) {
            // A DPoP-bound token goes with a proof of its own for every send:
            // replays, redirects and resends included (RFC 9449 §7).
            const QByteArray proof = session->accessTokenProof(verb(), url());
            m_hopProof = !proof.isEmpty();
            request.setRawHeader("Authorization", session->authorization(m_hopProof));
            if (m_hopProof)
                request.setRawHeader("DPoP", proof);
            m_sentGeneration = session->tokenGeneration();
            m_hopToken = true;
        }
    } else {
        // Neither the session's token nor the caller's credentials go to an
        // origin a redirect led to.
        request.setRawHeader("Authorization", QByteArray());
        request.setRawHeader("DPoP", QByteArray());
    }
    if (m_body) {
        if (m_bodyStart == 0)
            m_body->reset();
        else
            m_body->seek(m_bodyStart);
    }
    m_passthrough = false;
    m_sawMetaData = false;
    m_innerSent = false;
    QNetworkReply *inner
        = m_manager->sendDirect(QNetworkAccessManager::Operation(operation()), request,
                                operation() == QNetworkAccessManager::GetOperation
                                        || operation() == QNetworkAccessManager::HeadOperation
                                    ? nullptr
                                    : m_body);
    m_inner = inner;
    if (readBufferSize() > 0)
        inner->setReadBufferSize(readBufferSize());
#if QT_CONFIG(ssl)
    if (m_sslConfiguration)
        inner->setSslConfiguration(*m_sslConfiguration);
    if (m_ignoreAllSsl)
        inner->ignoreSslErrors();
    else if (!m_ignoreSsl.isEmpty())
        inner->ignoreSslErrors(m_ignoreSsl);
    // TLS signals come from https hops only (the manager listens to them on
    // every reply, so whether anyone listens says nothing).
    if (url().scheme() == QLatin1String("https")) {
        connect(inner, &QNetworkReply::sslErrors, this, [this](const QList<QSslError> &errors) {
            Q_EMIT sslErrors(errors); // the manager relays it with this reply
        });
        connect(inner, &QNetworkReply::encrypted, this, &QNetworkReply::encrypted);
        connect(inner, &QNetworkReply::preSharedKeyAuthenticationRequired, this,
                &QNetworkReply::preSharedKeyAuthenticationRequired);
    }
#endif
    m_progressRelayed = false;
    relayProgressOnDemand();
    connect(inner, &QNetworkReply::requestSent, this, [this] {
        m_innerSent = true;
        Q_EMIT requestSent();
    });
    // Qt reports a body's progress before requestSent(): once any of it is
    // written, the request has left.
    if (m_body && operation() != QNetworkAccessManager::GetOperation
        && operation() != QNetworkAccessManager::HeadOperation)
        connect(inner, &QNetworkReply::uploadProgress, this, [this](qint64 sent, qint64) {
            if (sent > 0)
                m_innerSent = true;
        });
    if (session && session->isObserved())
        session->record(Session::Event::RequestSent,
                        QString::fromLatin1(verb()) + QLatin1Char(' ') + url().path());
    connect(inner, &QNetworkReply::metaDataChanged, this, &AuthReply::onMetaData);
    connect(inner, &QNetworkReply::readyRead, this, &AuthReply::onReadyRead);
    connect(inner, &QNetworkReply::errorOccurred, this, &AuthReply::onError);
    connect(inner, &QNetworkReply::finished, this, &AuthReply::onFinished);
}

// Progress and connecting signals are relayed from the hop under way once
// somebody listens to them: most callers never do, and each relay is a
// connection made and torn down for every request.
void AuthReply::relayProgressOnDemand()
{
    if (m_progressRelayed || !m_inner)
        return;
    const OnDemandSignals &relayed = onDemandSignals();
    if (!isSignalConnected(relayed.upload) && !isSignalConnected(relayed.download)
        && !isSignalConnected(relayed.connecting))
        return;
    m_progressRelayed = true;
    QNetworkReply *inner = m_inner;
    connect(inner, &QNetworkReply::socketStartedConnecting, this,
            &QNetworkReply::socketStartedConnecting);
    connect(inner, &QNetworkReply::uploadProgress, this, [this](qint64 sent, qint64 total) {
        // Like a plain reply's, the last progress stays the body's: nothing from a hop
        // whose answer is a redirect being followed (Qt ends it with 0/0), nor from a
        // hop a redirect turned into a GET, which uploads nothing.
        if (!m_passthrough && m_sawMetaData)
            return;
        if (m_body || m_source || m_redirectsLeft == m_original.maximumRedirectsAllowed())
            Q_EMIT uploadProgress(sent, total);
    });
    connect(inner, &QNetworkReply::downloadProgress, this, [this](qint64 received, qint64 total) {
        if (m_passthrough)
            Q_EMIT downloadProgress(received, total);
    });
}

void AuthReply::connectNotify(const QMetaMethod &signal)
{
    QNetworkReply::connectNotify(signal);
    const OnDemandSignals &relayed = onDemandSignals();
    if (signal == relayed.upload || signal == relayed.download || signal == relayed.connecting)
        relayProgressOnDemand();
}

QByteArray AuthReply::verb() const
{
    switch (operation()) {
    case QNetworkAccessManager::HeadOperation:
        return "HEAD";
    case QNetworkAccessManager::GetOperation:
        return "GET";
    case QNetworkAccessManager::PutOperation:
        return "PUT";
    case QNetworkAccessManager::PostOperation:
        return "POST";
    case QNetworkAccessManager::DeleteOperation:
        return "DELETE";
    default:
        return m_original.attribute(QNetworkRequest::CustomVerbAttribute).toByteArray();
    }
}

void AuthReply::onMetaData()
{
    m_sawMetaData = true;
    if (!m_lane.isEmpty() && m_inner->attribute(QNetworkRequest::Http2WasUsedAttribute).toBool())
        m_manager->learnHttp2(m_lane);
    const int status = m_inner->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (m_hopProof && m_session) {
        // The origin's newest DPoP nonce goes into the next proof to it.
        m_session->learnNonce(m_inner);
        if (status == 401 && !m_nonceResent && Internal::isResourceNonceChallenge(m_inner)) {
            resendForNonce();
            return;
        }
    }
    if (isRedirect(status) && redirectPolicy() != QNetworkRequest::ManualRedirectPolicy) {
        // Followed when it finishes; like a plain reply, the caller sees each
        // hop's answer first.
        copyMetaData(m_inner);
        setAttribute(QNetworkRequest::RedirectionTargetAttribute, QVariant()); // as Qt does
        Q_EMIT metaDataChanged();
        return;
    }
    if (status == 401 && m_hopToken && m_mayRefresh && !m_replayed
        && isTokenProblem(m_inner, m_hopProof)) {
        handleUnauthorized();
        if (m_inner == nullptr || m_done)
            return; // healing: the caller never sees this 401
    } else if (m_hopToken && status != 401 && m_session) {
        m_session->proven(m_sentGeneration);
    }
    m_passthrough = true;
    copyMetaData(m_inner);
    QPointer<AuthReply> self(this);
    Q_EMIT metaDataChanged();
    Q_UNUSED(self);
}

void AuthReply::onReadyRead()
{
    if (!m_passthrough) {
        m_inner->readAll(); // a redirect body nobody will read
        return;
    }
    Q_EMIT readyRead();
}

void AuthReply::onError(QNetworkReply::NetworkError code)
{
    // Before any answer (connection refused, TLS failure …) or while passing
    // the answer through: the caller sees the error when Qt would show it.
    if (m_done || (!m_passthrough && m_sawMetaData))
        return;
    if (!m_passthrough)
        m_passthrough = true;
    setError(code, m_inner->errorString());
    m_errorEmitted = true;
    Q_EMIT errorOccurred(code);
}

void AuthReply::copyMetaData(QNetworkReply *from)
{
    for (const auto code :
         {QNetworkRequest::HttpStatusCodeAttribute, QNetworkRequest::HttpReasonPhraseAttribute,
          QNetworkRequest::Http2WasUsedAttribute, QNetworkRequest::ConnectionEncryptedAttribute,
          QNetworkRequest::SourceIsFromCacheAttribute, QNetworkRequest::RedirectionTargetAttribute,
          QNetworkRequest::HttpPipeliningWasUsedAttribute,
          QNetworkRequest::OriginalContentLengthAttribute}) {
        QVariant value = from->attribute(code);
        if (value.isValid() || attribute(code).isValid())
            setAttribute(code, std::move(value));
    }
    // Each hop's headers replace the last hop's, as in a plain reply.
    const auto stale = rawHeaderList();
    for (const auto &name : stale)
        setRawHeader(name, QByteArray());
    for (const auto &header : from->rawHeaderPairs())
        setRawHeader(header.first, header.second);
}

void AuthReply::onFinished()
{
    QNetworkReply *inner = m_inner;
    if (m_done || !inner)
        return;
    if (!m_passthrough && m_sawMetaData) {
        const int status = inner->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (isRedirect(status) && redirectPolicy() != QNetworkRequest::ManualRedirectPolicy) {
            followRedirect(inner);
            return;
        }
    }
    if (!m_passthrough) {
        m_passthrough = true;
        copyMetaData(inner);
    }
    // The final inner reply stays: the caller reads from it, at its own pace.
    setError(inner->error(), inner->errorString());
    m_done = true;
    setFinished(true);
    QPointer<AuthReply> self(this);
    // The connection is free for the next request, which may go at once;
    // this reply is finished by then, whatever an observer of that does.
    leaveLane();
    if (!self)
        return;
    // Inside the inner reply's own finished(): a caller that deletes this
    // reply now leaves the inner one to the event loop.
    m_relayingFinish = true;
    if (error() != QNetworkReply::NoError && !m_errorEmitted) {
        m_errorEmitted = true;
        Q_EMIT errorOccurred(error());
        if (!self)
            return;
    }
    Q_EMIT finished();
    if (self)
        m_relayingFinish = false;
}

void AuthReply::followRedirect(QNetworkReply *inner)
{
    const int status = inner->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const auto translate
        = [](const char *text) { return QCoreApplication::translate("QHttp", text); };
    const QByteArray location = inner->rawHeader("Location");
    QUrl target = QUrl::fromEncoded(location);
#if QT_CONFIG(ssl)
    // Only an https hop has one: asking a plain one would load the TLS
    // backend and the system's CA certificates (megabytes) for nothing.
    if (!m_sslConfiguration && url().scheme() == QLatin1String("https"))
        m_lastSsl = inner->sslConfiguration();
#endif
    const QPointer<AuthReply> self(this);
    dropInner(); // frees the lane place: the next request may go at once
    if (!self || m_done)
        return;
    if (location.isEmpty() || !target.isValid()) {
        finishWith(QNetworkReply::ProtocolUnknownError, translate("Unknown protocol specified"));
        return;
    }
    if (m_redirectsLeft <= 0) {
        finishWith(QNetworkReply::TooManyRedirectsError, translate("Too many redirects"));
        return;
    }
    if (target.isRelative())
        target = url().resolved(target);
    const QString scheme = target.scheme();
    if (scheme != QLatin1String("http") && scheme != QLatin1String("https")) {
        // Never file:, data: or anything else a server names.
        finishWith(QNetworkReply::ProtocolUnknownError, translate("Unknown protocol specified"));
        return;
    }
    const int policy = redirectPolicy();
    if (policy == QNetworkRequest::SameOriginRedirectPolicy && !sameOrigin(url(), target)) {
        finishWith(QNetworkReply::InsecureRedirectError, translate("Insecure redirect"));
        return;
    }
    if (policy == QNetworkRequest::NoLessSafeRedirectPolicy
        && url().scheme() == QLatin1String("https") && scheme == QLatin1String("http")) {
        setUrl(target); // as QNetworkAccessManager reports it
        finishWith(QNetworkReply::InsecureRedirectError, translate("Insecure redirect"));
        return;
    }
    --m_redirectsLeft;
    const auto next = redirectOperation(operation(), status);
    if (next != operation()) {
        setOperation(next);
        m_body = nullptr;
        m_original.setHeader(QNetworkRequest::ContentLengthHeader, QVariant());
        m_original.setHeader(QNetworkRequest::ContentTypeHeader, QVariant());
    }
    setUrl(target);
    // Once a redirect led outside the allow-list, no later hop carries the
    // token, and a 401 there is that origin's answer, not a rejected token.
    if (m_manager && !m_manager->isAllowed(target))
        m_leftAllowed = true;
    if (policy == QNetworkRequest::UserVerifiedRedirectPolicy) {
        auto allowed = std::make_shared<QMetaObject::Connection>();
        *allowed = connect(this, &QNetworkReply::redirectAllowed, this, [this, allowed] {
            disconnect(*allowed);
            sendHop();
        });
        Q_EMIT redirected(target);
        return;
    }
    // The next hop has started: like a plain reply, the last hop's headers go.
    const auto stale = rawHeaderList();
    for (const auto &name : stale)
        setRawHeader(name, QByteArray());
    sendHop();
    if (self && !m_done)
        Q_EMIT redirected(target);
}

// The next hop of a redirect: to the allow-list, it waits for what any
// request with the token would wait for (a sign-in, a refresh), and goes
// only under its own user's identity.
void AuthReply::sendHop()
{
    if (!m_leftAllowed && m_manager && m_manager->isAllowed(url()) && waitUntilReady())
        return;
    send();
}

void AuthReply::leaveLane()
{
    if (m_lane.isEmpty())
        return;
    const QString from = m_lane;
    m_lane.clear();
    if (m_manager)
        m_manager->releaseSlot(from);
}

// Waits for a place in its origin's lane. Qt's transfer timeout runs for a
// request waiting in Qt's own queue: it runs here too.
void AuthReply::queue()
{
    m_queued = true; // leaveQueue() goes on
    const int transfer = m_original.transferTimeout() > 0
        ? m_original.transferTimeout()
        : (m_manager ? m_manager->transferTimeout() : 0);
    if (transfer <= 0)
        return;
    m_queueDeadline.start(transfer, this);
}

void AuthReply::queueTimedOut()
{
    if (!m_queued)
        return;
    m_queued = false;
    m_neverSent = !m_replayed;
    finishWith(QNetworkReply::OperationCanceledError, tr("Operation canceled"));
}

void AuthReply::leaveQueue(const QString &origin)
{
    m_queued = false;
    m_queueDeadline.stop();
    m_lane = origin;
    Session *session = m_session;
    if (!session) {
        finishWith(QNetworkReply::OperationCanceledError,
                   tr("The session was closed before the request could be sent."));
        return;
    }
    // Whatever happened while it waited decides, as when it first started.
    if (waitUntilReady()) {
        leaveLane();
        return;
    }
    if (!m_identity.isEmpty() && session->identity() != m_identity) {
        m_neverSent = !m_replayed;
        finishWith(QNetworkReply::AuthenticationRequiredError,
                   tr("Another user is signed in now; the request was not sent."));
        return;
    }
    send();
}

void AuthReply::dropInner()
{
    leaveLane();
    QNetworkReply *inner = m_inner;
    m_inner = nullptr;
    if (!inner)
        return;
    inner->disconnect(this);
    if (inner->isFinished()) {
        inner->deleteLater();
        return;
    }
    // Let a small answer finish on its own so the connection can be reused.
    connect(inner, &QNetworkReply::readyRead, inner, [inner] { inner->readAll(); });
    connect(inner, &QNetworkReply::finished, inner, &QObject::deleteLater);
}

void AuthReply::handleUnauthorized()
{
    Session *session = m_session;
    if (!session)
        return; // passed through: nobody can heal it
    // Made while nobody was signed in: the 401 is the answer, and a user who
    // signs in meanwhile does not take the request over.
    if (m_sentSignedOut && !m_hopToken)
        return;
    session->record(Session::Event::Unauthorized, url().path());
    const Session::Healing healing = session->heal(m_sentGeneration);
    if (healing == Session::Healing::GiveUp)
        return; // the caller gets the 401 as it came
    dropInner();
    m_replayed = true;
    switch (healing) {
    case Session::Healing::Replay:
        resume(true);
        return;
    case Session::Healing::WaitForRelease:
        waitForRelease(true);
        return;
    case Session::Healing::WaitForRefresh:
        waitForRefresh(true);
        return;
    case Session::Healing::Unreachable:
        failForSession();
        return;
    case Session::Healing::GiveUp:
        return;
    }
}

// RFC 9449 §9: the resource wants a proof with its nonce. Sent once more,
// with a new proof; a second such answer reaches the caller. Apart from the
// refresh-and-replay: each may happen once.
void AuthReply::resendForNonce()
{
    m_nonceResent = true;
    if (Session *session = m_session)
        session->countNonceResend();
    dropInner();
    send();
}

// Takes back a request that carries the session's token and has not left:
// still in its origin's lane, or queued inside QNetworkAccessManager.
// requestSent() crosses threads, so one Qt has not reported may just have
// left.
bool AuthReply::takeBackUnsent()
{
    if (m_done)
        return false;
    if (m_queued) {
        m_queued = false; // nothing was handed over
        m_queueDeadline.stop();
        return true;
    }
    if (!m_inner || m_innerSent || m_sawMetaData || !m_hopToken)
        return false;
    abandonInner();
    return true;
}

// Gives up the hop under way: its lane place is freed and whatever Qt still
// has of it is cancelled, unseen by the caller.
void AuthReply::abandonInner()
{
    leaveLane();
    m_inner->disconnect(this);
    m_inner->abort();
    m_inner->deleteLater();
    m_inner = nullptr;
}

bool AuthReply::outcomeKnown() const
{
    return m_passthrough && (m_errorEmitted || (m_inner && m_inner->isFinished()));
}

bool AuthReply::withdrawForSignOut()
{
    // Its error is out, or its whole answer is in: that outcome stands.
    if (outcomeKnown())
        return false;
    // Every method: after a sign-out the token must not leave, and a request
    // Qt has not reported as sent is, at worst, one the caller sends again.
    if (takeBackUnsent()) {
        m_withdrawn = Withdrawn::NotSent;
        return true;
    }
    // On the wire with the token and not yet answered: should its connection
    // drop, Qt 6.4 sends the request again by itself (a POST too), token and
    // all, after the sign-out. It is abandoned; the server may have had it.
    if (m_done || !m_inner || !m_hopToken || m_sawMetaData)
        return false;
    abandonInner();
    m_withdrawn = Withdrawn::SignedOut;
    return true;
}

bool AuthReply::withdrawFromAnotherUser()
{
    // Still with the last user's token inside Qt, or on the wire without an
    // answer: Qt would send it (again, if its connection drops) with that
    // token while another user is signed in.
    const Session *session = m_session;
    if (m_done || !session || !m_inner || !m_hopToken || m_sawMetaData || outcomeKnown()
        || m_identity.isEmpty() || session->identity() == m_identity)
        return false;
    abandonInner();
    m_withdrawn = Withdrawn::AnotherUser;
    return true;
}

void AuthReply::endWithdrawn()
{
    const Withdrawn why = m_withdrawn;
    m_withdrawn = Withdrawn::No;
    switch (why) {
    case Withdrawn::No:
        return;
    case Withdrawn::NotSent:
        notSent(QNetworkReply::AuthenticationRequiredError,
                tr("You signed out before the request was sent."));
        return;
    case Withdrawn::SignedOut:
        finishWith(QNetworkReply::OperationCanceledError,
                   tr("You signed out before the answer came; the server may have had the "
                      "request."));
        return;
    case Withdrawn::AnotherUser:
        finishWith(QNetworkReply::OperationCanceledError,
                   tr("Another user signed in before the answer came; the server may have had "
                      "the request."));
        return;
    }
}

void AuthReply::holdForSignIn()
{
    // Sent once the sign-in is done, if it is still its user's; ended unsent if not.
    if (m_session && takeBackUnsent())
        start(); // waits for what is under way
}

// Ends a request that never reached the server: no HTTP status is made up.
void AuthReply::notSent(QNetworkReply::NetworkError code, const QString &message)
{
    m_neverSent = true;
    finishWith(code, message);
}

void AuthReply::finishWith(QNetworkReply::NetworkError code, const QString &message)
{
    if (m_done)
        return;
    m_done = true;
    m_queued = false;
    m_queueDeadline.stop();
    leaveLane();
    for (const auto &c : std::as_const(m_waits))
        disconnect(c);
    m_waits.clear();
    m_deadline.stop();
    m_spoolIdle.stop();
    if (m_source)
        m_source->disconnect(this);
    if (!m_passthrough)
        dropInner();
    if (code == QNetworkReply::AuthenticationRequiredError && !m_neverSent
        && !attribute(QNetworkRequest::HttpStatusCodeAttribute).isValid())
        setAttribute(QNetworkRequest::HttpStatusCodeAttribute, 401);
    setError(code, message);
    setFinished(true);
    QPointer<AuthReply> self(this);
    m_errorEmitted = true;
    Q_EMIT errorOccurred(code);
    if (self)
        Q_EMIT finished();
}

void AuthReply::abort()
{
    if (m_done) {
        QNetworkReply::close();
        return;
    }
    // As a plain reply: once its error is out, or its answer complete (the
    // last downloadProgress()), the outcome stands and finished() follows.
    if (outcomeKnown())
        return;
    m_queued = false;
    m_queueDeadline.stop();
    leaveLane();
    if (m_inner) {
        QNetworkReply *inner = m_inner;
        m_inner = nullptr;
        inner->disconnect(this);
        inner->abort();
        inner->deleteLater();
    }
    m_passthrough = false;
    QNetworkReply::close();
    finishWith(QNetworkReply::OperationCanceledError, tr("Operation canceled"));
}

// As a plain reply: closing one under way ends it, canceled, at once; a
// finished one stays as it is.
void AuthReply::close()
{
    if (m_done)
        return;
    abort();
}

void AuthReply::ignoreSslErrors()
{
#if QT_CONFIG(ssl)
    m_ignoreAllSsl = true;
    if (m_inner)
        m_inner->ignoreSslErrors();
#endif
}

#if QT_CONFIG(ssl)
void AuthReply::ignoreSslErrorsImplementation(const QList<QSslError> &errors)
{
    m_ignoreSsl = errors;
    if (m_inner)
        m_inner->ignoreSslErrors(errors);
}

void AuthReply::setSslConfigurationImplementation(const QSslConfiguration &configuration)
{
    m_sslConfiguration = configuration;
    if (m_inner)
        m_inner->setSslConfiguration(configuration);
}

void AuthReply::sslConfigurationImplementation(QSslConfiguration &configuration) const
{
    if (m_inner)
        configuration = m_inner->sslConfiguration();
    else if (m_sslConfiguration)
        configuration = *m_sslConfiguration;
    else if (m_lastSsl)
        configuration = *m_lastSsl;
}
#endif

void AuthReply::setReadBufferSize(qint64 size)
{
    QNetworkReply::setReadBufferSize(size);
    if (m_inner)
        m_inner->setReadBufferSize(size);
}

qint64 AuthReply::bytesAvailable() const
{
    const qint64 inner = m_passthrough && m_inner ? m_inner->bytesAvailable() : 0;
    return inner + QNetworkReply::bytesAvailable();
}

qint64 AuthReply::readData(char *data, qint64 maxSize)
{
    if (!m_passthrough || !m_inner)
        return m_done ? -1 : 0;
    const qint64 n = m_inner->read(data, maxSize);
    if (n <= 0)
        return m_done ? -1 : 0;
    return n;
}

} // namespace SilentAuth
