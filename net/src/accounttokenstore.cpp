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
    QHash<QString, std::shared_ptr<TokenStore>> stores;
    // The issuer and client (subject empty) or the account. Restoring looks
    // only at the accounts of its own issuer and client.
    TokenAccount selected;
    // The token in hand came from the fallback (an earlier version's) entry:
    // once its account is known and written, that entry goes.
    bool fromFallback = false;
    // What this store last read from or wrote to each current-account entry:
    // a refresh of the same account does not write it again (a keychain
    // write per refresh is enough).
    QHash<QString, QString> knownPointers;

    TokenStore *entry(const QString &name)
    {
        auto &store = stores[name];
        if (!store)
            store = entries(name);
        return store.get();
    }
    // Names the account of this issuer and client written last.
    static QString currentName(const TokenAccount &realm)
    {
        if (realm.issuer.isEmpty() && realm.clientId.isEmpty())
            return currentAccountEntry;
        return currentAccountEntry + QLatin1Char(' ')
            + QString::fromUtf8(QJsonDocument(QJsonArray {realm.issuer, realm.clientId})
                                    .toJson(QJsonDocument::Compact));
    }
    TokenStore *current() { return entry(currentName(selected)); }
    static bool sameRealm(const TokenAccount &a, const TokenAccount &b)
    {
        return a.issuer == b.issuer && a.clientId == b.clientId;
    }
};

AccountTokenStore::AccountTokenStore(EntryFactory entries, const QString &legacyEntry,
                                     QObject *parent)
    : TokenStore(parent)
    , d(std::make_unique<Private>())
{
    d->entries = std::move(entries);
    d->fallbackName = legacyEntry.isEmpty() ? QString(unnamedEntry) : legacyEntry;
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

TokenAccount AccountTokenStore::selectedAccount() const
{
    return d->selected;
}

QString AccountTokenStore::sharedEntryId() const
{
    return d->current()->sharedEntryId();
}

void AccountTokenStore::selectAccount(const TokenAccount &account)
{
    // An issuer and client alone keep a chosen account of theirs.
    if (account.isNull() && Private::sameRealm(account, d->selected))
        return;
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
    const TokenAccount realm = d->selected;
    d->current()->read([self, done, realm](const Result &named) {
        if (!self)
            return;
        if (named.error == Error::NoError) {
            self->d->knownPointers.insert(Private::currentName(realm),
                                          QString::fromUtf8(named.token));
            const TokenAccount account = TokenAccount::fromKey(QString::fromUtf8(named.token));
            // Only an account of this issuer and client: another provider's
            // or client's token is never presented here.
            if (!account.isNull() && Private::sameRealm(account, realm)
                && Private::sameRealm(realm, self->d->selected)) {
                self->d->selected = account;
                self->d->entry(account.key())->read(done);
                return;
            }
            qCWarning(lcNet) << "the current-account entry names no account of this issuer and "
                                "client; ignoring it";
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
    TokenStore *pointer = d->current(); // of the issuer and client selected now
    if (d->selected.isNull()) {
        // Nobody named: the fallback entry, and it is now the one written last.
        d->entry(d->fallbackName)->write(token, [self, done, pointer](const Result &written) {
            if (!self)
                return;
            if (written.error != Error::NoError) {
                done(written);
                return;
            }
            self->d->knownPointers.remove(Private::currentName(self->d->selected));
            pointer->remove([done, written](const Result &) { done(written); });
        });
        return;
    }
    const QString key = d->selected.key();
    const QString pointerName = Private::currentName(d->selected);
    d->entry(key)->write(token, [self, done, key, pointer, pointerName](const Result &written) {
        if (!self)
            return;
        if (written.error != Error::NoError) {
            done(written);
            return;
        }
        auto named = [self, done, key, pointerName](const Result &result) {
            if (!self)
                return;
            if (result.error == Error::NoError)
                self->d->knownPointers.insert(pointerName, key);
            if (!self->d->fromFallback) {
                done(result);
                return;
            }
            // Migrated: the token lives under its account now.
            self->d->fromFallback = false;
            self->d->entry(self->d->fallbackName)->remove([done, result](const Result &) {
                done(result);
            });
        };
        if (self->d->knownPointers.value(pointerName) == key)
            named(written); // already names this account
        else
            pointer->write(key.toUtf8(), named);
    });
}

void AccountTokenStore::remove(Callback done)
{
    d->knownPointers.clear(); // read again from here on
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
    TokenStore *pointer = d->current();
    d->entry(key)->remove([self, key, pointer, removeFallback](const Result &removed) {
        if (!self)
            return;
        // The account written last is forgotten only when it is this one.
        pointer->read([self, key, pointer, removed, removeFallback](const Result &named) {
            if (!self)
                return;
            if (named.error == Error::NoError && QString::fromUtf8(named.token) == key) {
                pointer->remove(
                    [removed, removeFallback](const Result &) { removeFallback(removed); });
            } else {
                removeFallback(removed);
            }
        });
    });
}

} // namespace SilentAuth
