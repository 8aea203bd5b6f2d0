#include "draftstore.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QSaveFile>

namespace SilentAuth::Ui {

DraftStore::DraftStore(QString directory, QString server)
    : m_directory(std::move(directory))
    , m_server(std::move(server))
{
}

bool DraftStore::isEnabled() const
{
    return !m_directory.isEmpty();
}

// The name says nothing about who or where: a hash of both.
QString DraftStore::fileName(const QString &user) const
{
    if (!isEnabled() || user.isEmpty())
        return {};
    const QByteArray key = (m_server + QLatin1Char('\n') + user).toUtf8();
    const QByteArray hash = QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex();
    return QDir(m_directory).filePath(QString::fromLatin1(hash.left(32)) + QStringLiteral(".json"));
}

DraftStore::Draft DraftStore::load(const QString &user) const
{
    QFile file(fileName(user));
    if (file.fileName().isEmpty() || !file.open(QIODevice::ReadOnly))
        return {};
    const QJsonObject json = QJsonDocument::fromJson(file.read(4 * 1024 * 1024)).object();
    if (json.value(QLatin1String("user")).toString() != user)
        return {};
    Draft draft;
    draft.postId = qint64(json.value(QLatin1String("postId")).toDouble());
    draft.title = json.value(QLatin1String("title")).toString();
    draft.body = json.value(QLatin1String("body")).toString();
    draft.saved
        = QDateTime::fromString(json.value(QLatin1String("saved")).toString(), Qt::ISODateWithMs);
    return draft;
}

bool DraftStore::save(const QString &user, const Draft &draft) const
{
    const QString name = fileName(user);
    if (name.isEmpty() || !QDir().mkpath(m_directory))
        return false;
    QFile::setPermissions(m_directory, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    const QJsonObject json {{QStringLiteral("user"), user},
                            {QStringLiteral("postId"), double(draft.postId)},
                            {QStringLiteral("title"), draft.title},
                            {QStringLiteral("body"), draft.body},
                            {QStringLiteral("saved"),
                             (draft.saved.isValid() ? draft.saved : QDateTime::currentDateTimeUtc())
                                 .toString(Qt::ISODateWithMs)}};
    QSaveFile file(name);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    file.write(QJsonDocument(json).toJson(QJsonDocument::Compact));
    return file.commit();
}

void DraftStore::remove(const QString &user) const
{
    const QString name = fileName(user);
    if (!name.isEmpty())
        QFile::remove(name);
}

} // namespace SilentAuth::Ui
