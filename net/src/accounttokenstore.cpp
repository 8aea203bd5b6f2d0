#include <silentauth/accounttokenstore.h>

#include <silentauth/keychaintokenstore.h>

#include <QtCore/QHash>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QLoggingCategory>
#include <QtCore/QPointer>

Q_DECLARE_LOGGING_CATEGORY(lcNet)

namespace SilentAuth {

namespace {

const QLatin1String currentAccountEntry("current-account");
const QLatin1String unnamedEntry("unnamed-account");

} // namespace

QString TokenAccount::key() const
{
    // A JSON array: unambiguous whatever the parts contain, and readable in
    // a keychain browser.
    return QString::fromUtf8(
        QJsonDocument(QJsonArray {issuer, clientId, subject}).toJson(QJsonDocument::Compact));
}

TokenAccount TokenAccount::fromKey(const QString &key)
{
    const QJsonArray parts = QJsonDocument::fromJson(key.toUtf8()).array();
    if (parts.size() != 3 || !parts.at(0).isString() || !parts.at(1).isString()
        || !parts.at(2).isString())
        return {};
    return {parts.at(0).toString(), parts.at(1).toString(), parts.at(2).toString()};
}

struct AccountTokenStore::Private
{
    EntryFactory entries;
    QString fallbackName; // the entry of a token whose account is not known
    std::unique_ptr<TokenStore> current; // names the account written last
    QHash<QString, std::shared_ptr<TokenStore>> stores;
    TokenAccount selected;
    // The token in hand came from the fallback (an earlier version's) entry:
    // once its account is known and written, that entry goes.
    bool fromFallback = false;

    TokenStore *entry(const QString &name)
    {
        auto &store = stores[name];
        if (!store)
            store = entries(name);
        return store.get();
    }
};

AccountTokenStore::AccountTokenStore(EntryFactory entries, const QString &legacyEntry,
                                     QObject *parent)
    : TokenStore(parent)
    , d(std::make_unique<Private>())
{
    d->entries = std::move(entries);
    d->fallbackName = legacyEntry.isEmpty() ? QString(unnamedEntry) : legacyEntry;
    d->current = d->entries(currentAccountEntry);
}

AccountTokenStore::~AccountTokenStore() = default;

std::unique_ptr<AccountTokenStore> AccountTokenStore::keychain(const QString &service,
                                                               const QString &name)
{
    return std::make_unique<AccountTokenStore>(
        [service, name](const QString &entry) {
            // The earlier version's entry keeps its name; the others go under it.
            return std::make_unique<KeychainTokenStore>(
                service, entry == name ? name : name + QLatin1Char('/') + entry);
        },
        name);
}

TokenAccount AccountTokenStore::account() const
{
    return d->selected;
}

QString AccountTokenStore::sharedEntryId() const
{
    return d->current->sharedEntryId();
}

void AccountTokenStore::selectAccount(const TokenAccount &account)
{
    if (!account.isNull())
        d->selected = account;
}

void AccountTokenStore::read(Callback done)
{
    if (!d->selected.isNull()) {
        d->entry(d->selected.key())->read(std::move(done));
        return;
    }
    // Whose session to bring back: the account written last, else a token
    // whose account is not known (an earlier version's entry).
    QPointer<AccountTokenStore> self(this);
    d->current->read([self, done](const Result &named) {
        if (!self)
            return;
        if (named.error == Error::NoError) {
            const TokenAccount account = TokenAccount::fromKey(QString::fromUtf8(named.token));
            if (!account.isNull()) {
                self->d->selected = account;
                self->d->entry(account.key())->read(done);
                return;
            }
            qCWarning(lcNet) << "the current-account entry names no account; ignoring it";
        } else if (named.error != Error::NotFound) {
            done(named);
            return;
        }
        self->d->fromFallback = true;
        self->d->entry(self->d->fallbackName)->read(done);
    });
}

void AccountTokenStore::write(const QByteArray &token, Callback done)
{
    QPointer<AccountTokenStore> self(this);
    if (d->selected.isNull()) {
        // Nobody named: the fallback entry, and it is now the one written last.
        d->entry(d->fallbackName)->write(token, [self, done](const Result &written) {
            if (!self)
                return;
            if (written.error != Error::NoError) {
                done(written);
                return;
            }
            self->d->current->remove([done, written](const Result &) { done(written); });
        });
        return;
    }
    const QString key = d->selected.key();
    d->entry(key)->write(token, [self, done, key](const Result &written) {
        if (!self)
            return;
        if (written.error != Error::NoError) {
            done(written);
            return;
        }
        self->d->current->write(key.toUtf8(), [self, done](const Result &named) {
            if (!self)
                return;
            if (!self->d->fromFallback) {
                done(named);
                return;
            }
            // Migrated: the token lives under its account now.
            self->d->fromFallback = false;
            self->d->entry(self->d->fallbackName)->remove([done, named](const Result &) {
                done(named);
            });
        });
    });
}

void AccountTokenStore::remove(Callback done)
{
    QPointer<AccountTokenStore> self(this);
    const bool fallbackToo = d->fromFallback || d->selected.isNull();
    auto removeFallback = [self, done, fallbackToo](const Result &removed) {
        if (!self)
            return;
        if (!fallbackToo) {
            done(removed);
            return;
        }
        self->d->fromFallback = false;
        self->d->entry(self->d->fallbackName)->remove([done, removed](const Result &other) {
            done(removed.error == Error::NoError || removed.error == Error::NotFound ? other
                                                                                     : removed);
        });
    };
    if (d->selected.isNull()) {
        // Nothing but the fallback entry to remove; reported as its removal.
        d->entry(d->fallbackName)->remove([self, done](const Result &removed) {
            if (self)
                self->d->fromFallback = false;
            done(removed);
        });
        return;
    }
    const QString key = d->selected.key();
    d->entry(key)->remove([self, key, removeFallback](const Result &removed) {
        if (!self)
            return;
        // The account written last is forgotten only when it is this one.
        self->d->current->read([self, key, removed, removeFallback](const Result &named) {
            if (!self)
                return;
            if (named.error == Error::NoError && QString::fromUtf8(named.token) == key)
                self->d->current->remove(
                    [removed, removeFallback](const Result &) { removeFallback(removed); });
            else
                removeFallback(removed);
        });
    });
}

} // namespace SilentAuth
