#pragma once

#include <silentauth/tokenstore.h>

namespace SilentAuth {

/*!
    Keeps the refresh token in this process only: a sign-in "for this session
    only", and the store for tests.
*/
class SILENTAUTH_NET_EXPORT MemoryTokenStore : public TokenStore
{
    Q_OBJECT

public:
    using TokenStore::TokenStore;

    void read(Callback done) override;
    void write(const QByteArray &token, Callback done) override;
    void remove(Callback done) override;

private:
    QByteArray m_token;
};

} // namespace SilentAuth
