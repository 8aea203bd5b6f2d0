#include <silentauth/devicesignin.h>

#include <silentauth/oauth2protocol.h>
#include <silentauth/session.h>

#include "deviceauthorization_p.h"
#include "grantcompletion_p.h"
#include "protocolsupport_p.h"

#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QLoggingCategory>
#include <QtCore/QTimer>
#include <QtNetwork/QNetworkReply>

Q_DECLARE_LOGGING_CATEGORY(lcNet)

namespace SilentAuth {

namespace {

using namespace std::chrono_literals;

constexpr auto defaultInterval = 5s; // RFC 8628 §3.2
constexpr auto slowDownStep = 5s; // RFC 8628 §3.5
constexpr auto longestInterval = 300s;
constexpr auto longestBackoff = 60s;

} // namespace

struct DeviceSignIn::Private
{
    DeviceSignIn *q = nullptr;
    ProviderMetadata provider;
    Internal::GrantCompletion *completion = nullptr;
    QTimer pollTimer;
    QTimer deadline;
    bool active = false;
    bool openId = false;
    quint64 attempt = 0;
    QByteArray deviceCode;
    QString userCode;
    QUrl verificationUri;
    QUrl verificationUriComplete;
    std::chrono::seconds interval = defaultInterval;
    int transientFailures = 0;
    int polls = 0;

    void requestUserCode();
    // RFC 8628 §3.2; also sets the deadline to the code's lifetime.
    bool readUserCode(const QByteArray &body, QString *problem);
    void scheduleNextPoll(std::chrono::seconds wait);
    void poll();
    void onPollAnswer(const AuthProtocol::Outcome &outcome);
    void end(Error error, const QString &message);
};

void DeviceSignIn::Private::requestUserCode()
{
    QString refusal;
    QNetworkReply *reply = completion->post(
        completion->protocol()->deviceAuthorizationRequest(provider.deviceAuthorizationEndpoint),
        &refusal);
    if (!reply) {
        QTimer::singleShot(0, q, [this, refusal, current = attempt] {
            if (current == attempt)
                end(Error::Unsupported, refusal);
        });
        return;
    }
    const quint64 current = attempt;
    QObject::connect(reply, &QNetworkReply::finished, q, [this, reply, current] {
        reply->deleteLater();
        if (current != attempt)
            return; // nothing was issued but a code nobody will enter
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray body = reply->readAll();
        QString problem;
        if (Internal::replyTooLarge(reply))
            problem = DeviceSignIn::tr("its answer was far too large");
        else if (Internal::replyTimedOut(reply))
            problem = DeviceSignIn::tr("it did not answer in time");
        else if (status == 0)
            problem = Internal::networkErrorText(reply->error());
        else if (status != 200) {
            const QJsonObject error = QJsonDocument::fromJson(body).object();
            const QString code = error.value(QLatin1String("error")).toString().left(80);
            const QString description
                = error.value(QLatin1String("error_description")).toString().left(200);
            problem = Internal::showable(code.isEmpty() ? QStringLiteral("HTTP %1").arg(status)
                                             : description.isEmpty()
                                             ? code
                                             : code + QLatin1String(": ") + description);
        } else if (readUserCode(body, &problem)) {
            deadline.start();
            scheduleNextPoll(interval);
            Q_EMIT q->userCodeReady(userCode, verificationUri, verificationUriComplete);
            return;
        }
        end(Error::ProviderError,
            DeviceSignIn::tr("The sign-in server did not give a code to sign in with (%1).")
                .arg(problem));
    });
}

bool DeviceSignIn::Private::readUserCode(const QByteArray &body, QString *problem)
{
    const Session *session = completion->session();
    const auto answer = Internal::readDeviceAuthorization(
        body, session && session->isPlainHttpAllowed(), problem);
    if (!answer)
        return false;
    deviceCode = answer->deviceCode;
    userCode = answer->userCode;
    verificationUri = answer->verificationUri;
    verificationUriComplete = answer->verificationUriComplete;
    interval = answer->interval;
    deadline.setInterval(answer->lifetime);
    return true;
}

void DeviceSignIn::Private::scheduleNextPoll(std::chrono::seconds wait)
{
    pollTimer.start(wait);
}

void DeviceSignIn::Private::poll()
{
    QString refusal;
    const quint64 current = attempt;
    // Not aborted when the attempt ends: the answer may carry tokens, and what
    // nobody takes is revoked.
    const bool sent = completion->postToken(completion->protocol()->deviceCodeRequest(deviceCode),
                                            &refusal, q, [this, current](QNetworkReply *reply) {
                                                reply->deleteLater();
                                                if (current != attempt) {
                                                    completion->discard(reply);
                                                    return;
                                                }
                                                onPollAnswer(completion->read(reply));
                                            });
    if (!sent) {
        end(Error::Unsupported, refusal);
        return;
    }
    ++polls;
}

void DeviceSignIn::Private::onPollAnswer(const AuthProtocol::Outcome &outcome)
{
    using Kind = AuthProtocol::Outcome::Kind;
    switch (outcome.kind) {
    case Kind::Ok:
        pollTimer.stop();
        deadline.stop();
        completion->begin();
        completion->complete(outcome.tokens, openId, {});
        return;
    case Kind::Rejected:
        if (outcome.error == QLatin1String("authorization_pending")) {
            transientFailures = 0;
            scheduleNextPoll(interval);
        } else if (outcome.error == QLatin1String("slow_down")) {
            transientFailures = 0;
            interval = std::min(interval + slowDownStep, longestInterval);
            scheduleNextPoll(interval);
            Q_EMIT q->slowedDown(interval);
        } else if (outcome.error == QLatin1String("access_denied")) {
            end(Error::AccessDenied,
                DeviceSignIn::tr("Sign-in was declined. Nothing was changed."));
        } else if (outcome.error == QLatin1String("expired_token")) {
            end(Error::Expired,
                DeviceSignIn::tr("The code expired before the sign-in was finished. Start the "
                                 "sign-in again for a new code."));
        } else {
            end(Error::SignInFailed,
                DeviceSignIn::tr("The sign-in server did not accept the sign-in (%1). Start it "
                                 "again.")
                    .arg(outcome.message.left(200)));
        }
        return;
    case Kind::Misconfigured:
        end(Error::ProviderError,
            DeviceSignIn::tr("The sign-in server refused this application (%1).")
                .arg(outcome.message.left(200)));
        return;
    case Kind::Throttled:
        transientFailures = 0;
        scheduleNextPoll(std::max(interval, std::chrono::seconds(outcome.retryAfterSeconds)));
        return;
    case Kind::Transient:
    case Kind::Malformed: {
        // RFC 8628 §3.5: back off while the provider cannot be reached.
        const int doublings = std::min(transientFailures++, 6);
        const auto wait = std::max(interval, std::min(interval * (1 << doublings), longestBackoff));
        qCDebug(lcNet) << "device sign-in: poll failed (" << outcome.message << "), next in"
                       << wait.count() << "s";
        scheduleNextPoll(std::max(wait, std::chrono::seconds(outcome.retryAfterSeconds)));
        return;
    }
    }
}

void DeviceSignIn::Private::end(Error error, const QString &message)
{
    completion->stop();
    ++attempt;
    pollTimer.stop();
    deadline.stop();
    deviceCode.clear();
    const bool wasActive = active;
    active = false;
    if (wasActive)
        Q_EMIT q->failed(error, message);
}

DeviceSignIn::DeviceSignIn(Session *session, const ProviderMetadata &provider, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->q = this;
    d->provider = provider;
    d->pollTimer.setSingleShot(true);
    // A coarse timer may fire 5% early, and a poll that comes early is a
    // protocol error the provider answers with slow_down (RFC 8628 §3.5).
    d->pollTimer.setTimerType(Qt::PreciseTimer);
    d->deadline.setSingleShot(true);
    connect(&d->pollTimer, &QTimer::timeout, this, [this] { d->poll(); });
    connect(&d->deadline, &QTimer::timeout, this, [this] {
        d->end(Error::Expired,
               tr("The code expired before the sign-in was finished. Start the sign-in again for "
                  "a new code."));
    });
    d->completion = new Internal::GrantCompletion(session, provider, this);
    connect(d->completion, &Internal::GrantCompletion::signedIn, this, [this] {
        d->active = false;
        d->deviceCode.clear();
        Q_EMIT finished();
    });
    connect(d->completion, &Internal::GrantCompletion::failed, this,
            [this](Internal::GrantCompletion::Failure failure, const QString &message) {
                using Failure = Internal::GrantCompletion::Failure;
                d->end(failure == Failure::Superseded           ? Error::Canceled
                           : failure == Failure::IdTokenInvalid ? Error::IdTokenInvalid
                                                                : Error::SignInFailed,
                       message);
            });
}

DeviceSignIn::~DeviceSignIn()
{
    d->completion->stop();
}

void DeviceSignIn::start()
{
    if (d->active)
        d->end(Error::Canceled, tr("Sign-in was canceled."));
    d->active = true;
    d->userCode.clear();
    d->verificationUri = QUrl();
    d->verificationUriComplete = QUrl();
    d->interval = defaultInterval;
    d->transientFailures = 0;
    d->polls = 0;
    const OAuth2Protocol *protocol = d->completion->protocol();
    if (!protocol || !d->provider.deviceAuthorizationEndpoint.isValid()) {
        QTimer::singleShot(0, this, [this, current = d->attempt] {
            if (current == d->attempt)
                d->end(Error::Unsupported,
                       tr("This server does not offer a sign-in with a code entered on another "
                          "device."));
        });
        return;
    }
    d->openId = protocol->scope().split(QLatin1Char(' ')).contains(QLatin1String("openid"));
    d->requestUserCode();
}

void DeviceSignIn::cancel()
{
    d->end(Error::Canceled, tr("Sign-in was canceled."));
}

bool DeviceSignIn::isActive() const
{
    return d->active;
}

QString DeviceSignIn::userCode() const
{
    return d->userCode;
}

QUrl DeviceSignIn::verificationUri() const
{
    return d->verificationUri;
}

QUrl DeviceSignIn::verificationUriComplete() const
{
    return d->verificationUriComplete;
}

std::chrono::seconds DeviceSignIn::pollInterval() const
{
    return d->interval;
}

int DeviceSignIn::pollCount() const
{
    return d->polls;
}

} // namespace SilentAuth
