#include "sharedentry_p.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QRandomGenerator>
#include <QtCore/QSaveFile>
#include <QtCore/QStandardPaths>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

namespace SilentAuth::Internal {

namespace {

constexpr int stampBytes = 16;

bool ownedByUser(const QString &path)
{
#ifdef Q_OS_UNIX
    return QFileInfo(path).ownerId() == uint(::getuid());
#else
    Q_UNUSED(path);
    return true;
#endif
}

} // namespace

QString sharedEntryPath(const QString &entry, const char *suffix)
{
    QString dir = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (dir.isEmpty())
        dir = QDir::tempPath();
    const QByteArray hash
        = QCryptographicHash::hash(entry.toUtf8(), QCryptographicHash::Sha256).toHex().left(24);
    return dir + QLatin1String("/silentauth-") + QString::fromLatin1(hash) + QLatin1String(suffix);
}

QByteArray readEntryStamp(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly) || !ownedByUser(path))
        return {};
    const QByteArray stamp = file.read(2 * stampBytes + 1);
    return stamp.size() == 2 * stampBytes ? stamp : QByteArray();
}

QByteArray renewEntryStamp(const QString &path)
{
    quint32 words[stampBytes / sizeof(quint32)];
    QRandomGenerator::system()->fillRange(words);
    const QByteArray stamp = QByteArray(reinterpret_cast<const char *>(words), stampBytes).toHex();
    // Written beside and renamed over: a reader sees the old stamp or the
    // new one, never a mix. Another user's file in a shared directory is
    // replaced, not written into.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    if (file.write(stamp) != stamp.size() || !file.commit())
        return {};
    return stamp;
}

} // namespace SilentAuth::Internal
