#pragma once

#include <silentauth/global.h>

#include <QtCore/QObject>

#include <functional>

namespace SilentAuth {

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

    virtual void read(Callback done) = 0;
    virtual void write(const QByteArray &token, Callback done) = 0;
    virtual void remove(Callback done) = 0;
};

} // namespace SilentAuth
