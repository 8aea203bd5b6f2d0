#pragma once

#include <silentauth/tokenstore.h>

#include <chrono>
#include <memory>

namespace SilentAuth {

/*!
    Keeps the refresh token in the OS keychain through QtKeychain (Secret
    Service on Linux, Keychain on macOS, Credential Manager on Windows).

    The token is never written to a file: QtKeychain's plaintext fallback is
    off unless setPlaintextFallbackAllowed(true) is called explicitly.
*/
class SILENTAUTH_NET_EXPORT KeychainTokenStore : public TokenStore
{
    Q_OBJECT

public:
    explicit KeychainTokenStore(const QString &service = QStringLiteral("SilentAuth"),
                                const QString &account = QStringLiteral("refresh-token"),
                                QObject *parent = nullptr);
    ~KeychainTokenStore() override;

    QString service() const;
    QString account() const;
    void setAccount(const QString &account);

    //! How long a keychain call may take before it fails as Unavailable (default 10 s).
    void setTimeout(std::chrono::milliseconds timeout);
    void setPlaintextFallbackAllowed(bool allowed);

    //! "keychain:" + service + "/" + account.
    QString sharedEntryId() const override;
    void read(Callback done) override;
    void write(const QByteArray &token, Callback done) override;
    void remove(Callback done) override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace SilentAuth
