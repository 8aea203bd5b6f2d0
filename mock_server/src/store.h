#pragma once

#include <QtCore/QHash>
#include <QtCore/QMap>
#include <QtCore/QString>

#include <optional>

namespace SilentAuth::Mock {

struct User
{
    QString username;
    QString displayName;
    QString email;
    QByteArray salt;
    QByteArray passwordHash; // PBKDF2-HMAC-SHA256
    int iterations = 0;
    qint64 createdAtMs = 0;
};

struct RefreshRecord
{
    QByteArray jti;
    QString username;
    QByteArray family; // every token rotated from one login shares it
    QByteArray token; // in memory only, so a retry inside the grace window gets the same pair
    qint64 expiresAtMs = 0;
    qint64 rotatedAtMs = 0; // 0 while current
    QByteArray replacedBy;
    QByteArray jkt; // the DPoP key it is bound to (RFC 9449 §5); empty: none
};

struct Post
{
    qint64 id = 0;
    QString title;
    QString body;
    QString author;
    qint64 createdAtMs = 0;
    qint64 updatedAtMs = 0;
};

// Users, refresh tokens, the refresh-token blacklist and board posts.
// Everything lives in memory; with a database file every change is also
// written through to SQLite and read back on the next start.
class Store
{
public:
    Store();
    ~Store();
    Store(const Store &) = delete;
    Store &operator=(const Store &) = delete;

    bool open(const QString &databaseFile, QString *error);
    bool isPersistent() const { return !m_connection.isEmpty(); }

    QByteArray meta(const QString &key) const;
    void setMeta(const QString &key, const QByteArray &value);

    static User makeUser(const QString &username, const QString &password,
                         const QString &displayName, int iterations);
    static bool checkPassword(const User &user, const QString &password);
    bool hasUser(const QString &username) const { return m_users.contains(username); }
    std::optional<User> user(const QString &username) const;
    void putUser(const User &user);

    void addRefresh(const RefreshRecord &record);
    std::optional<RefreshRecord> refresh(const QByteArray &jti) const;
    void markRotated(const QByteArray &jti, const QByteArray &replacedBy, qint64 atMs);
    void removeRefresh(const QByteArray &jti);
    QList<QByteArray> family(const QByteArray &family) const;
    int liveRefreshCount(qint64 nowMs) const;

    void addToBlacklist(const QByteArray &jti, qint64 atMs);
    bool isBlacklisted(const QByteArray &jti) const { return m_blacklist.contains(jti); }
    int purgeBlacklist(qint64 olderThanMs);
    int blacklistSize() const { return int(m_blacklist.size()); }

    QList<Post> posts() const;
    std::optional<Post> post(qint64 id) const;
    Post addPost(const QString &title, const QString &body, const QString &author, qint64 nowMs);
    void putPost(const Post &post);
    bool removePost(qint64 id);

    // Forgets tokens, blacklist and posts; keeps users.
    void clearSessions();

private:
    void load();
    bool exec(const QString &sql, const QVariantList &values = {});

    QString m_connection;
    QHash<QString, User> m_users;
    QHash<QByteArray, RefreshRecord> m_refresh;
    QHash<QByteArray, qint64> m_blacklist;
    QMap<qint64, Post> m_posts;
    QHash<QString, QByteArray> m_meta;
    qint64 m_nextPostId = 1;
};

} // namespace SilentAuth::Mock
