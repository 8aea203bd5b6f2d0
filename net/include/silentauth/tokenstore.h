#pragma once

#include <silentauth/global.h>

#include <QtCore/QObject>

#include <functional>

namespace SilentAuth {

/*!
    Whose tokens an entry holds: the server that issued them (the OpenID
    issuer, or the auth service's address), the client they were issued to,
    and the user (the token's or ID token's \c sub).
*/
struct SILENTAUTH_NET_EXPORT TokenAccount
{
    QString issuer;
    QString clientId;
    QString subject;

    bool isNull() const { return subject.isEmpty(); }
    //! One string per account, the same for equal accounts, different for different ones.
    QString key() const;
    //! The account key() names; a null account when \a key is not one.
    static TokenAccount fromKey(const QString &key);
    friend bool operator==(const TokenAccount &a, const TokenAccount &b)
    {
        return a.issuer == b.issuer && a.clientId == b.clientId && a.subject == b.subject;
    }
    friend bool operator!=(const TokenAccount &a, const TokenAccount &b) { return !(a == b); }
};

/*!
    Where the refresh token is kept between runs.

    Every operation is asynchronous: the callback is never invoked before the
    call returns, and exactly once, unless the store is destroyed first (then
    never).
*/
class SILENTAUTH_NET_EXPORT TokenStore : public QObject
{
    Q_OBJECT

public:
    enum class Error {
        NoError,
        NotFound, //!< nothing stored yet
        Unavailable, //!< no keychain, or it is locked, or it did not answer in time
        AccessDenied,
        OtherError,
    };
    Q_ENUM(Error)

    struct Result
    {
        Error error = Error::NoError;
        QByteArray token; //!< for read()
        QString errorString;
    };
    using Callback = std::function<void(const Result &)>;

    using QObject::QObject;

    /*!
        A name every process using the same entry agrees on (for example the keychain
        service and account), or empty when the entry belongs to this object alone.
        Sessions on a shared entry serialise their refreshes across processes with a lock
        file named after it, and adopt a token another process rotated.
    */
    virtual QString sharedEntryId() const { return {}; }

    /*!
        The Session says whose tokens it handles: at construction the issuer and client alone
        (an account without a subject), and before each write the whole account, once it knows
        (after a sign-in, and after a refresh). A store with one entry per account
        (AccountTokenStore) restores only an account of that issuer and client, and keeps
        reading and writing the account's entry from then on; the default ignores it.
    */
    virtual void selectAccount(const TokenAccount &account) { Q_UNUSED(account) }
    //! Whose entry the store reads and writes, when it keeps one per account; else null.
    virtual TokenAccount selectedAccount() const { return {}; }

    virtual void read(Callback done) = 0;
    virtual void write(const QByteArray &token, Callback done) = 0;
    virtual void remove(Callback done) = 0;
};

} // namespace SilentAuth
