#include "authreply_p.h"
#include "challenge_p.h"

#include <silentauth/session.h>

#include <QtCore/QBuffer>
#include <QtCore/QLoggingCategory>
#include <QtCore/QTemporaryFile>
#include <QtCore/QTimer>

Q_DECLARE_LOGGING_CATEGORY(lcNet)

namespace SilentAuth {

namespace {

// Sequential bodies larger than this are spooled to a temporary file
// instead of memory while they wait for a possible replay.
constexpr qint64 spoolThreshold = 4 * 1024 * 1024;

bool sameOrigin(const QUrl &a, const QUrl &b)
{
    return a.scheme() == b.scheme() && a.host() == b.host()
        && a.port(a.scheme() == QLatin1String("https") ? 443 : 80)
        == b.port(b.scheme() == QLatin1String("https") ? 443 : 80);
}

// A 401 that a new access token could fix: no challenge at all (many APIs
// send none), or a Bearer challenge that is not about the request itself or
// its scope (RFC 6750 §3.1). A 401 that asks for another scheme (Basic,
// Digest…) is not ours to answer, and reaches the caller as it came.
bool isTokenProblem(QNetworkReply *reply)
{
    const QByteArray header = reply->rawHeader("WWW-Authenticate");
    if (header.trimmed().isEmpty())
        return true;
    const auto challenges = Internal::parseChallenges(header);
    const Internal::Challenge *bearer = Internal::bearerChallenge(challenges);
    if (!bearer)
        return challenges.isEmpty();
    const QByteArray error = bearer->params.value("error");
    return error != "invalid_request" && error != "insufficient_scope";
}

} // namespace

AuthReply::AuthReply(AuthNetworkAccessManager *manager, QNetworkAccessManager::Operation op,
                     const QNetworkRequest &request, QIODevice *outgoingData)
    : QNetworkReply(manager)
    , m_manager(manager)
    , m_original(request)
{
    setOperation(op);
    setRequest(request);
    setUrl(request.url());
    open(QIODevice::ReadOnly | QIODevice::Unbuffered);

    m_authenticate = !request
                          .attribute(QNetworkRequest::Attribute(
                              AuthNetworkAccessManager::NoAuthenticationAttribute))
                          .toBool()
        && manager->isAllowed(request.url());
    m_mayRefresh
        = !request
               .attribute(QNetworkRequest::Attribute(AuthNetworkAccessManager::NoRefreshAttribute))
               .toBool();

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
    }
    manager->track(this, true);
    // Start from the event loop, like QNetworkReply: signals never fire
    // before the caller had a chance to connect.
    QTimer::singleShot(0, this, m_source ? &AuthReply::spool : &AuthReply::start);
}

void AuthReply::spool()
{
    if (m_done || !m_ownedBody || m_body)
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
        } else if (!keep(chunk.constData(), n)) {
            finishWith(QNetworkReply::UnknownNetworkError,
                       tr("The request body could not be buffered for a replay."));
            return;
        }
    }
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
    if (m_manager)
        m_manager->track(this, false);
    if (m_inner) {
        m_inner->disconnect(this);
        m_inner->abort();
        m_inner->deleteLater();
    }
}

void AuthReply::start()
{
    if (m_done)
        return;
    Session *session = m_manager ? m_manager->session() : nullptr;
    // A refresh is under way, or the session waits for a re-login: going out
    // now would only collect a 401.
    if (m_authenticate && session && session->isHoldingRequests()) {
        waitForRelease(false);
        return;
    }
    if (m_authenticate && session && session->isRefreshing()) {
        waitForRefresh(false);
        return;
    }
    send();
}

void AuthReply::waitForRefresh(bool replay)
{
    Session *session = m_manager->session();
    m_wait = connect(session, &Session::refreshFinished, this, [this, session, replay](bool ok) {
        if (ok) {
            resume(replay);
            return;
        }
        if (session->isHoldingRequests()) {
            disconnect(m_wait);
            waitForRelease(replay);
            return;
        }
        if (session->status() == Session::Status::Offline && session->offlineWait().count() > 0) {
            // Keep listening: the session retries with backoff, and a later
            // success releases this request, unless the deadline comes first.
            if (!m_deadline.isActive()) {
                m_deadline.setSingleShot(true);
                connect(&m_deadline, &QTimer::timeout, this,
                        [this, session] { failForSession(session); });
                m_deadline.start(int(session->offlineWait().count()));
            }
            return;
        }
        failForSession(session);
    });
}

void AuthReply::waitForRelease(bool replay)
{
    Session *session = m_manager->session();
    m_wait = connect(session, &Session::requestsReleased, this, [this, session, replay](bool ok) {
        if (ok)
            resume(replay);
        else
            failForSession(session);
    });
}

void AuthReply::resume(bool replay)
{
    disconnect(m_wait);
    m_deadline.stop();
    Session *session = m_manager ? m_manager->session() : nullptr;
    if (replay && session) {
        session->record(Session::Event::Replayed, url().path());
    }
    send();
}

void AuthReply::failForSession(Session *session)
{
    disconnect(m_wait);
    m_deadline.stop();
    if (session->status() == Session::Status::Offline)
        finishWith(QNetworkReply::TemporaryNetworkFailureError,
                   tr("The sign-in server cannot be reached; try again shortly."));
    else
        finishWith(QNetworkReply::AuthenticationRequiredError,
                   tr("Your session has ended; sign in again."));
}

void AuthReply::send()
{
    if (m_done || !m_manager)
        return;
    QNetworkRequest request = m_original;
    request.setUrl(url());
    // Redirects are followed here, so the token never crosses to another origin.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    Session *session = m_manager->session();
    const bool attach = m_authenticate && session && m_manager->isAllowed(url());
    if (attach && !session->accessToken().isEmpty()) {
        request.setRawHeader("Authorization", "Bearer " + session->accessToken());
        m_sentGeneration = session->tokenGeneration();
    } else {
        request.setRawHeader("Authorization", QByteArray());
    }
    if (m_body)
        m_body->seek(m_bodyStart);
    m_passthrough = false;
    m_innerSent = false;
    m_inner = m_manager->sendDirect(QNetworkAccessManager::Operation(operation()), request, m_body);
    connect(m_inner, &QNetworkReply::requestSent, this, [this] { m_innerSent = true; });
    if (session)
        session->record(Session::Event::RequestSent,
                        QString::fromLatin1(verb()) + QLatin1Char(' ') + url().path());
    connect(m_inner, &QNetworkReply::metaDataChanged, this, &AuthReply::onMetaData);
    connect(m_inner, &QNetworkReply::readyRead, this, &AuthReply::onReadyRead);
    connect(m_inner, &QNetworkReply::finished, this, &AuthReply::onFinished);
    connect(m_inner, &QNetworkReply::uploadProgress, this, &QNetworkReply::uploadProgress);
    connect(m_inner, &QNetworkReply::downloadProgress, this, [this](qint64 received, qint64 total) {
        if (m_passthrough)
            Q_EMIT downloadProgress(received, total);
    });
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
    const int status = m_inner->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const bool redirect = status >= 300 && status < 400
        && m_inner->attribute(QNetworkRequest::RedirectionTargetAttribute).isValid();
    const bool intercept
        = status == 401 && m_authenticate && !m_replayed && isTokenProblem(m_inner);
    if (intercept || redirect)
        return; // handled when the inner reply finishes
    m_passthrough = true;
    copyMetaData(m_inner);
    Q_EMIT metaDataChanged();
}

void AuthReply::onReadyRead()
{
    if (!m_passthrough) {
        m_inner->readAll(); // a 401 or redirect body nobody will read
        return;
    }
    m_buffer += m_inner->readAll();
    Q_EMIT readyRead();
}

void AuthReply::copyMetaData(QNetworkReply *from)
{
    for (const auto attribute :
         {QNetworkRequest::HttpStatusCodeAttribute, QNetworkRequest::HttpReasonPhraseAttribute,
          QNetworkRequest::Http2WasUsedAttribute, QNetworkRequest::ConnectionEncryptedAttribute,
          QNetworkRequest::SourceIsFromCacheAttribute, QNetworkRequest::RedirectionTargetAttribute})
        setAttribute(attribute, from->attribute(attribute));
    for (const auto &header : from->rawHeaderPairs())
        setRawHeader(header.first, header.second);
}

void AuthReply::onFinished()
{
    QNetworkReply *inner = m_inner;
    inner->deleteLater();
    if (m_done)
        return;
    if (!m_passthrough) {
        const int status = inner->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 401 && m_authenticate && !m_replayed && isTokenProblem(inner)) {
            m_inner = nullptr;
            handleUnauthorized();
            return;
        }
        if (followRedirect())
            return;
        m_passthrough = true;
        copyMetaData(inner);
        Q_EMIT metaDataChanged();
    }
    m_buffer += inner->readAll();
    m_inner = nullptr;
    setError(inner->error(), inner->errorString());
    m_done = true;
    setFinished(true);
    if (error() != QNetworkReply::NoError)
        Q_EMIT errorOccurred(error());
    Q_EMIT finished();
}

bool AuthReply::followRedirect()
{
    const QUrl target = m_inner->attribute(QNetworkRequest::RedirectionTargetAttribute).toUrl();
    const auto policy = m_original.attribute(QNetworkRequest::RedirectPolicyAttribute,
                                             int(m_manager->redirectPolicy()));
    if (!target.isValid() || policy.toInt() == QNetworkRequest::ManualRedirectPolicy
        || ++m_redirects > m_original.maximumRedirectsAllowed())
        return false;
    const QUrl next = url().resolved(target);
    if (policy.toInt() == QNetworkRequest::SameOriginRedirectPolicy && !sameOrigin(url(), next))
        return false;
    if (url().scheme() == QLatin1String("https") && next.scheme() != QLatin1String("https"))
        return false;
    const int status = m_inner->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 303
        || ((status == 301 || status == 302)
            && operation() == QNetworkAccessManager::PostOperation)) {
        setOperation(QNetworkAccessManager::GetOperation);
        m_body = nullptr;
        m_original.setHeader(QNetworkRequest::ContentLengthHeader, QVariant());
        m_original.setHeader(QNetworkRequest::ContentTypeHeader, QVariant());
    }
    m_inner = nullptr;
    setUrl(next);
    Q_EMIT redirected(next);
    send();
    return true;
}

void AuthReply::handleUnauthorized()
{
    Session *session = m_manager ? m_manager->session() : nullptr;
    if (!session) {
        finishWith(QNetworkReply::AuthenticationRequiredError, tr("Not signed in."));
        return;
    }
    session->record(Session::Event::Unauthorized, url().path());
    if (m_sentGeneration >= 0 && m_sentGeneration < session->tokenGeneration()
        && !session->accessToken().isEmpty() && !session->isRefreshing()) {
        // Sent with a token that has since been replaced: replay, no refresh.
        m_replayed = true;
        resume(true);
        return;
    }
    if (!m_mayRefresh) {
        m_replayed = true; // lets the 401 through to the caller
        send();
        return;
    }
    m_replayed = true;
    waitForRefresh(true);
    const bool starts = !session->isRefreshing();
    session->refresh();
    if (starts && session->isRefreshing() && m_manager)
        m_manager->withdrawUnsent(m_sentGeneration, url());
}

void AuthReply::withdrawIfUnsent(int generation)
{
    // requestSent() crosses threads, so a request may already be on the wire:
    // only methods that may be repeated (RFC 9110 §9.2.2) are taken back.
    const QByteArray method = verb();
    const bool idempotent = method == "GET" || method == "HEAD" || method == "PUT"
        || method == "DELETE" || method == "OPTIONS";
    if (m_done || !m_inner || m_innerSent || m_passthrough || !m_authenticate || !m_mayRefresh
        || m_sentGeneration != generation || !idempotent)
        return;
    m_inner->disconnect(this);
    m_inner->abort();
    m_inner->deleteLater();
    m_inner = nullptr;
    waitForRefresh(false);
}

void AuthReply::finishWith(QNetworkReply::NetworkError code, const QString &message)
{
    if (m_done)
        return;
    m_done = true;
    if (code == QNetworkReply::AuthenticationRequiredError)
        setAttribute(QNetworkRequest::HttpStatusCodeAttribute, 401);
    setError(code, message);
    setFinished(true);
    Q_EMIT errorOccurred(code);
    Q_EMIT finished();
}

void AuthReply::abort()
{
    if (m_done)
        return;
    disconnect(m_wait);
    m_deadline.stop();
    if (m_inner) {
        m_inner->disconnect(this);
        m_inner->abort();
        m_inner->deleteLater();
        m_inner = nullptr;
    }
    finishWith(QNetworkReply::OperationCanceledError, tr("Operation canceled"));
}

qint64 AuthReply::bytesAvailable() const
{
    return m_buffer.size() + QNetworkReply::bytesAvailable();
}

qint64 AuthReply::readData(char *data, qint64 maxSize)
{
    if (m_buffer.isEmpty())
        return m_done ? -1 : 0;
    const qint64 n = qMin<qint64>(maxSize, m_buffer.size());
    memcpy(data, m_buffer.constData(), size_t(n));
    m_buffer.remove(0, n);
    return n;
}

} // namespace SilentAuth
