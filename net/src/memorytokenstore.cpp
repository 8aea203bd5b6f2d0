#include <silentauth/memorytokenstore.h>

#include <QtCore/QTimer>

namespace SilentAuth {

namespace {

// Like every store, never call back before the call returns.
void later(QObject *context, TokenStore::Callback done, TokenStore::Result result)
{
    QTimer::singleShot(0, context, [done = std::move(done), result] { done(result); });
}

} // namespace

void MemoryTokenStore::read(Callback done)
{
    Result result;
    result.token = m_token;
    if (m_token.isEmpty())
        result.error = Error::NotFound;
    later(this, std::move(done), result);
}

void MemoryTokenStore::write(const QByteArray &token, Callback done)
{
    m_token = token;
    later(this, std::move(done), {});
}

void MemoryTokenStore::remove(Callback done)
{
    m_token.clear();
    later(this, std::move(done), {});
}

} // namespace SilentAuth
