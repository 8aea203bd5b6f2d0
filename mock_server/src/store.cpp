#include "store.h"

#include <QtCore/QLoggingCategory>
#include <QtCore/QRandomGenerator>
#include <QtCore/QUuid>
#include <QtCore/QVariant>
#include <QtNetwork/QPasswordDigestor>
#include <QtSql/QSqlDatabase>
#include <QtSql/QSqlError>
#include <QtSql/QSqlQuery>

Q_DECLARE_LOGGING_CATEGORY(lcMock)

namespace SilentAuth::Mock {

namespace {

QByteArray pbkdf2(const QString &password, const QByteArray &salt, int iterations)
{
    return QPasswordDigestor::deriveKeyPbkdf2(QCryptographicHash::Sha256, password.toUtf8(), salt,
                                              iterations, 32);
}

} // namespace

Store::Store() = default;

Store::~Store()
{
    if (!m_connection.isEmpty()) {
        QSqlDatabase::database(m_connection, false).close();
        QSqlDatabase::removeDatabase(m_connection);
    }
}

bool Store::open(const QString &databaseFile, QString *error)
{
    const QString connection = QStringLiteral("silentauth-mock-") + QUuid::createUuid().toString();
    {
        auto db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(databaseFile);
        if (!db.open()) {
            *error = db.lastError().text();
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(connection);
            return false;
        }
    }
    m_connection = connection;
    const QStringList schema = {
        QStringLiteral("PRAGMA journal_mode=WAL"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS users (username TEXT PRIMARY KEY, display_name "
                       "TEXT, email TEXT, salt BLOB, hash BLOB, iterations INTEGER, created_at "
                       "INTEGER)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS refresh_tokens (jti BLOB PRIMARY KEY, username "
                       "TEXT, family BLOB, token BLOB, expires_at INTEGER, rotated_at INTEGER, "
                       "replaced_by BLOB)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS dpop_bindings (jti BLOB PRIMARY KEY, jkt BLOB)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS blacklist (jti BLOB PRIMARY KEY, "
                       "blacklisted_at INTEGER)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS posts (id INTEGER PRIMARY KEY, title TEXT, body "
                       "TEXT, author TEXT, created_at INTEGER, updated_at INTEGER)"),
    };
    for (const auto &statement : schema) {
        if (!exec(statement)) {
            *error = QSqlDatabase::database(m_connection).lastError().text();
            return false;
        }
    }
    load();
    return true;
}

bool Store::exec(const QString &sql, const QVariantList &values)
{
    if (m_connection.isEmpty())
        return true;
    QSqlQuery query(QSqlDatabase::database(m_connection));
    query.prepare(sql);
    for (const auto &value : values)
        query.addBindValue(value);
    if (!query.exec()) {
        qCWarning(lcMock) << "database:" << query.lastError().text();
        return false;
    }
    return true;
}

void Store::load()
{
    const auto db = QSqlDatabase::database(m_connection);
    QSqlQuery q(db);
    q.exec(QStringLiteral("SELECT key, value FROM meta"));
    while (q.next())
        m_meta.insert(q.value(0).toString(), q.value(1).toByteArray());
    q.exec(
        QStringLiteral("SELECT username, display_name, email, salt, hash, iterations, created_at "
                       "FROM users"));
    while (q.next()) {
        User u {q.value(0).toString(),    q.value(1).toString(),    q.value(2).toString(),
                q.value(3).toByteArray(), q.value(4).toByteArray(), q.value(5).toInt(),
                q.value(6).toLongLong()};
        m_users.insert(u.username, u);
    }
    q.exec(QStringLiteral("SELECT jti, username, family, token, expires_at, rotated_at, "
                          "replaced_by FROM refresh_tokens"));
    while (q.next()) {
        RefreshRecord r {q.value(0).toByteArray(), q.value(1).toString(),
                         q.value(2).toByteArray(), q.value(3).toByteArray(),
                         q.value(4).toLongLong(),  q.value(5).toLongLong(),
                         q.value(6).toByteArray(), QByteArray()};
        m_refresh.insert(r.jti, r);
    }
    q.exec(QStringLiteral("SELECT jti, jkt FROM dpop_bindings"));
    while (q.next()) {
        const auto record = m_refresh.find(q.value(0).toByteArray());
        if (record != m_refresh.end())
            record->jkt = q.value(1).toByteArray();
    }
    q.exec(QStringLiteral("SELECT jti, blacklisted_at FROM blacklist"));
    while (q.next())
        m_blacklist.insert(q.value(0).toByteArray(), q.value(1).toLongLong());
    q.exec(QStringLiteral("SELECT id, title, body, author, created_at, updated_at FROM posts"));
    while (q.next()) {
        Post p {q.value(0).toLongLong(), q.value(1).toString(),   q.value(2).toString(),
                q.value(3).toString(),   q.value(4).toLongLong(), q.value(5).toLongLong()};
        m_posts.insert(p.id, p);
        m_nextPostId = qMax(m_nextPostId, p.id + 1);
    }
}

QByteArray Store::meta(const QString &key) const
{
    return m_meta.value(key);
}

void Store::setMeta(const QString &key, const QByteArray &value)
{
    m_meta.insert(key, value);
    exec(QStringLiteral("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"), {key, value});
}

User Store::makeUser(const QString &username, const QString &password, const QString &displayName,
                     int iterations)
{
    QByteArray salt(16, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(salt.data()),
                                          salt.size() / int(sizeof(quint32)));
    User user;
    user.username = username;
    user.displayName = displayName.isEmpty() ? username : displayName;
    user.email = username + QStringLiteral("@example.com");
    user.salt = salt;
    user.iterations = iterations;
    user.passwordHash = pbkdf2(password, salt, iterations);
    return user;
}

bool Store::checkPassword(const User &user, const QString &password)
{
    const QByteArray candidate = pbkdf2(password, user.salt, user.iterations);
    if (candidate.size() != user.passwordHash.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < candidate.size(); ++i)
        diff |= static_cast<unsigned char>(candidate[i] ^ user.passwordHash[i]);
    return diff == 0;
}

std::optional<User> Store::user(const QString &username) const
{
    const auto it = m_users.constFind(username);
    if (it == m_users.cend())
        return std::nullopt;
    return *it;
}

void Store::putUser(const User &u)
{
    m_users.insert(u.username, u);
    exec(QStringLiteral("INSERT OR REPLACE INTO users VALUES (?, ?, ?, ?, ?, ?, ?)"),
         {u.username, u.displayName, u.email, u.salt, u.passwordHash, u.iterations, u.createdAtMs});
}

void Store::addRefresh(const RefreshRecord &r)
{
    m_refresh.insert(r.jti, r);
    // The token itself stays in memory: on disk, only its jti, so the
    // database never holds a usable credential.
    exec(QStringLiteral("INSERT OR REPLACE INTO refresh_tokens VALUES (?, ?, ?, ?, ?, ?, ?)"),
         {r.jti, r.username, r.family, QByteArray(), r.expiresAtMs, r.rotatedAtMs, r.replacedBy});
    // A key's thumbprint is no secret; the binding must survive a restart.
    if (!r.jkt.isEmpty())
        exec(QStringLiteral("INSERT OR REPLACE INTO dpop_bindings VALUES (?, ?)"), {r.jti, r.jkt});
}

std::optional<RefreshRecord> Store::refresh(const QByteArray &jti) const
{
    const auto it = m_refresh.constFind(jti);
    if (it == m_refresh.cend())
        return std::nullopt;
    return *it;
}

void Store::markRotated(const QByteArray &jti, const QByteArray &replacedBy, qint64 atMs)
{
    auto it = m_refresh.find(jti);
    if (it == m_refresh.end())
        return;
    it->rotatedAtMs = atMs;
    it->replacedBy = replacedBy;
    exec(QStringLiteral("UPDATE refresh_tokens SET rotated_at = ?, replaced_by = ? WHERE jti = ?"),
         {atMs, replacedBy, jti});
}

void Store::removeRefresh(const QByteArray &jti)
{
    if (m_refresh.remove(jti)) {
        exec(QStringLiteral("DELETE FROM refresh_tokens WHERE jti = ?"), {jti});
        exec(QStringLiteral("DELETE FROM dpop_bindings WHERE jti = ?"), {jti});
    }
}

QList<QByteArray> Store::family(const QByteArray &family) const
{
    QList<QByteArray> jtis;
    for (const auto &record : m_refresh) {
        if (record.family == family)
            jtis.append(record.jti);
    }
    return jtis;
}

int Store::liveRefreshCount(qint64 nowMs) const
{
    int count = 0;
    for (const auto &record : m_refresh) {
        if (record.rotatedAtMs == 0 && record.expiresAtMs > nowMs)
            ++count;
    }
    return count;
}

void Store::addToBlacklist(const QByteArray &jti, qint64 atMs)
{
    if (m_blacklist.contains(jti))
        return;
    m_blacklist.insert(jti, atMs);
    exec(QStringLiteral("INSERT OR REPLACE INTO blacklist VALUES (?, ?)"), {jti, atMs});
}

int Store::purgeBlacklist(qint64 olderThanMs)
{
    int purged = 0;
    for (auto it = m_blacklist.begin(); it != m_blacklist.end();) {
        if (it.value() < olderThanMs) {
            it = m_blacklist.erase(it);
            ++purged;
        } else {
            ++it;
        }
    }
    if (purged)
        exec(QStringLiteral("DELETE FROM blacklist WHERE blacklisted_at < ?"), {olderThanMs});
    return purged;
}

QList<Post> Store::posts() const
{
    return m_posts.values();
}

std::optional<Post> Store::post(qint64 id) const
{
    const auto it = m_posts.constFind(id);
    if (it == m_posts.cend())
        return std::nullopt;
    return *it;
}

Post Store::addPost(const QString &title, const QString &body, const QString &author, qint64 nowMs)
{
    Post p {m_nextPostId++, title, body, author, nowMs, nowMs};
    putPost(p);
    return p;
}

void Store::putPost(const Post &p)
{
    m_posts.insert(p.id, p);
    exec(QStringLiteral("INSERT OR REPLACE INTO posts VALUES (?, ?, ?, ?, ?, ?)"),
         {p.id, p.title, p.body, p.author, p.createdAtMs, p.updatedAtMs});
}

bool Store::removePost(qint64 id)
{
    if (!m_posts.remove(id))
        return false;
    exec(QStringLiteral("DELETE FROM posts WHERE id = ?"), {id});
    return true;
}

void Store::clearSessions()
{
    m_refresh.clear();
    m_blacklist.clear();
    m_posts.clear();
    m_nextPostId = 1;
    exec(QStringLiteral("DELETE FROM refresh_tokens"));
    exec(QStringLiteral("DELETE FROM dpop_bindings"));
    exec(QStringLiteral("DELETE FROM blacklist"));
    exec(QStringLiteral("DELETE FROM posts"));
}

} // namespace SilentAuth::Mock
