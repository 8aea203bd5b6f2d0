#include "sharedentry_p.h"

#include <algorithm>

#include <QtCore/QCryptographicHash>
#include <QtCore/QDateTime>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QRandomGenerator>
#include <QtCore/QStandardPaths>

#ifdef Q_OS_UNIX
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace SilentAuth::Internal {

namespace {

constexpr int stampBytes = 16;
constexpr qsizetype stampLength = 2 * stampBytes; // in hex

bool isHex(const QByteArray &text)
{
    return std::all_of(text.cbegin(), text.cend(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

} // namespace

QString sharedEntryPath(const QString &entry, const char *suffix)
{
    // Asked once: Qt warns at every call where the runtime directory is
    // missing or not the user's own, and a refresh asks every time.
    static const QString dir = [] {
        const QString runtime = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
        return runtime.isEmpty() ? QDir::tempPath() : runtime;
    }();
    const QByteArray hash
        = QCryptographicHash::hash(entry.toUtf8(), QCryptographicHash::Sha256).toHex().left(24);
    return dir + QLatin1String("/silentauth-") + QString::fromLatin1(hash) + QLatin1String(suffix);
}

// The stamp files are handled with POSIX calls: Qt's file classes follow a
// symbolic link and wait on a fifo, and the directory may be a shared one
// (the temporary directory) where another user can put either there.
#ifdef Q_OS_UNIX

QByteArray readEntryStamp(const QString &path)
{
    const QByteArray name = QFile::encodeName(path);
    const int fd = ::open(name.constData(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return {};
    QByteArray stamp(stampLength + 1, Qt::Uninitialized);
    ssize_t length = -1;
    struct stat status;
    if (::fstat(fd, &status) == 0 && S_ISREG(status.st_mode) && status.st_uid == ::getuid())
        length = ::read(fd, stamp.data(), size_t(stamp.size()));
    ::close(fd);
    if (length != stampLength)
        return {};
    stamp.truncate(stampLength);
    return isHex(stamp) ? stamp : QByteArray();
}

bool invalidateEntryStamp(const QString &path)
{
    return ::unlink(QFile::encodeName(path).constData()) == 0 || errno == ENOENT;
}

namespace {

// A writer that died between making its new stamp and renaming it over left the
// new one beside: such files of this entry that are older than a minute (a
// rename takes microseconds) are removed, this user's own only.
void removeLeftoverStamps(const QString &path)
{
    const QFileInfo stamp(path);
    const QStringList leftovers = stamp.dir().entryList(
        {stamp.fileName() + QLatin1String(".??????")}, QDir::Files | QDir::Hidden | QDir::System);
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    for (const QString &name : leftovers) {
        const QByteArray file = QFile::encodeName(stamp.dir().filePath(name));
        struct stat status;
        if (::lstat(file.constData(), &status) == 0 && S_ISREG(status.st_mode)
            && status.st_uid == ::getuid() && now - status.st_mtime > 60)
            ::unlink(file.constData());
    }
}

} // namespace

QByteArray renewEntryStamp(const QString &path)
{
    removeLeftoverStamps(path);
    quint32 words[stampBytes / sizeof(quint32)];
    QRandomGenerator::system()->fillRange(words);
    const QByteArray stamp = QByteArray(reinterpret_cast<const char *>(words), stampBytes).toHex();
    // Written beside (a new file of the user's own, mode 0600) and renamed
    // over: a reader sees no stamp or a whole one, and rename() replaces a
    // link that was put there, never the file it points to.
    const QByteArray name = QFile::encodeName(path);
    QByteArray temporary = name + ".XXXXXX";
    const int fd = ::mkstemp(temporary.data());
    if (fd < 0)
        return {};
    bool written = ::write(fd, stamp.constData(), size_t(stamp.size())) == stamp.size();
    written = ::close(fd) == 0 && written;
    if (!written || ::rename(temporary.constData(), name.constData()) != 0) {
        ::unlink(temporary.constData());
        return {};
    }
    return stamp;
}

#else

// Elsewhere there is no stamp: the entry is read before every refresh.
QByteArray readEntryStamp(const QString &)
{
    return {};
}

bool invalidateEntryStamp(const QString &)
{
    return true;
}

QByteArray renewEntryStamp(const QString &)
{
    return {};
}

#endif

} // namespace SilentAuth::Internal
