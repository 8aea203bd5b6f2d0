#pragma once

#include <silentauth/tokenstore.h>

#include <functional>
#include <memory>

namespace SilentAuth {

/*!
    A token store with one entry per account (issuer, client and user), so
    that two accounts, or two providers, never overwrite each other's token.

    The Session selects the account once it knows who signed in
    (TokenStore::selectAccount()); from then on this store reads, writes and
    removes that account's entry. A small entry, \c current-account, names
    the account written last: a new program's restore() reads it to know
    whose session to bring back. selectAccount() before restore() brings
    back another account instead (a "switch account" menu). A refresh of
    the account this store already knows the entry names writes only the
    account's entry: one keychain write per refresh.

    An entry written by an earlier version, under one fixed name (\a
    legacyEntry), is read when no account is named yet, and moved to the
    account's own entry the first time the Session knows whose it is; the
    old entry is then removed.

    Every entry is a TokenStore of its own, made by \a entries from its name:
    \c current-account, an account's TokenAccount::key(), or \a legacyEntry
    (\c unnamed-account when empty, for a token whose account is never
    known). keychain() makes KeychainTokenStore entries of one keychain
    service.
    Processes that share the service serialise their refreshes on one lock
    per issuer and client (sharedEntryId() is their \c current-account
    entry's), whichever accounts they hold.
*/
class SILENTAUTH_NET_EXPORT AccountTokenStore : public TokenStore
{
    Q_OBJECT

public:
    using EntryFactory = std::function<std::unique_ptr<TokenStore>(const QString &name)>;

    explicit AccountTokenStore(EntryFactory entries, const QString &legacyEntry = {},
                               QObject *parent = nullptr);
    ~AccountTokenStore() override;

    /*!
        Entries in the keychain under \a service: \a name + "/current-account" and
        \a name + "/" + TokenAccount::key() for each account. \a name itself is the entry
        an earlier version (a KeychainTokenStore with that account) kept its token in.
    */
    static std::unique_ptr<AccountTokenStore>
    keychain(const QString &service, const QString &name = QStringLiteral("refresh-token"));

    //! The account the next read, write and remove are for; null until one is named (by
    //! selectAccount() or by the \c current-account entry a read() found).
    TokenAccount selectedAccount() const override;

    QString sharedEntryId() const override;
    void selectAccount(const TokenAccount &account) override;
    void read(Callback done) override;
    void write(const QByteArray &token, Callback done) override;
    void remove(Callback done) override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace SilentAuth
