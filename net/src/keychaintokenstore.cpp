#include <silentauth/keychaintokenstore.h>

#include <QtCore/QLoggingCategory>
#include <QtCore/QPointer>
#include <QtCore/QTimer>

#include <qt6keychain/keychain.h>

Q_DECLARE_LOGGING_CATEGORY(lcNet)

namespace SilentAuth {

struct KeychainTokenStore::Private
{
    QString service;
    QString account;
    std::chrono::milliseconds timeout {10000};
    bool plaintextFallback = false;
};

KeychainTokenStore::KeychainTokenStore(const QString &service, const QString &account,
                                       QObject *parent)
    : TokenStore(parent)
    , d(std::make_unique<Private>())
{
    d->service = service;
    d->account = account;
}

KeychainTokenStore::~KeychainTokenStore() = default;

QString KeychainTokenStore::service() const
{
    return d->service;
}

QString KeychainTokenStore::account() const
{
    return d->account;
}

QString KeychainTokenStore::sharedEntryId() const
{
    return QLatin1String("keychain:") + d->service + QLatin1Char('/') + d->account;
}

void KeychainTokenStore::setAccount(const QString &account)
{
    d->account = account;
}

void KeychainTokenStore::setTimeout(std::chrono::milliseconds timeout)
{
    d->timeout = timeout;
}

void KeychainTokenStore::setPlaintextFallbackAllowed(bool allowed)
{
    d->plaintextFallback = allowed;
}

namespace {

TokenStore::Error mapError(QKeychain::Error error)
{
    switch (error) {
    case QKeychain::NoError:
        return TokenStore::Error::NoError;
    case QKeychain::EntryNotFound:
        return TokenStore::Error::NotFound;
    case QKeychain::AccessDeniedByUser:
    case QKeychain::AccessDenied:
        return TokenStore::Error::AccessDenied;
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
        return TokenStore::Error::Unavailable;
    default:
        return TokenStore::Error::OtherError;
    }
}

// Runs one QtKeychain job with a deadline; the callback runs exactly once,
// unless the store is destroyed first. The job has no parent and deletes
// itself when it finishes: the Secret Service backend calls back into it
// from D-Bus, so it must outlive the store rather than die with it.
void runJob(QKeychain::Job *job, const QPointer<TokenStore> &store,
            std::chrono::milliseconds timeout, TokenStore::Callback done)
{
    auto fired = std::make_shared<bool>(false);
    auto finish = [fired, done, store](const TokenStore::Result &result) {
        if (*fired || !store)
            return;
        *fired = true;
        done(result);
    };
    auto *timer = new QTimer(job);
    timer->setSingleShot(true);
    QObject::connect(timer, &QTimer::timeout, job, [finish] {
        finish({TokenStore::Error::Unavailable,
                {},
                QStringLiteral("The keychain did not answer in time (is it locked?)")});
    });
    // QtKeychain jobs delete themselves after finished: read results inside it.
    QObject::connect(job, &QKeychain::Job::finished, job, [finish](QKeychain::Job *j) {
        TokenStore::Result result;
        result.error = mapError(j->error());
        result.errorString = j->errorString();
        if (auto *read = qobject_cast<QKeychain::ReadPasswordJob *>(j))
            result.token = read->binaryData();
        finish(result);
    });
    timer->start(timeout);
    job->start();
}

} // namespace

void KeychainTokenStore::read(Callback done)
{
    auto *job = new QKeychain::ReadPasswordJob(d->service);
    job->setKey(d->account);
    job->setInsecureFallback(d->plaintextFallback);
    runJob(job, this, d->timeout, std::move(done));
}

void KeychainTokenStore::write(const QByteArray &token, Callback done)
{
    auto *job = new QKeychain::WritePasswordJob(d->service);
    job->setKey(d->account);
    job->setInsecureFallback(d->plaintextFallback);
    job->setBinaryData(token);
    runJob(job, this, d->timeout, std::move(done));
}

void KeychainTokenStore::remove(Callback done)
{
    auto *job = new QKeychain::DeletePasswordJob(d->service);
    job->setKey(d->account);
    job->setInsecureFallback(d->plaintextFallback);
    runJob(job, this, d->timeout, [done](const Result &result) {
        // Removing what is not there is success.
        done(result.error == Error::NotFound ? Result {} : result);
    });
}

} // namespace SilentAuth
