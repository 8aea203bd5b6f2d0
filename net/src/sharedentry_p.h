#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>

namespace SilentAuth::Internal {

// Files kept beside a token store entry that several processes share
// (TokenStore::sharedEntryId()), in the user's runtime directory: a lock
// that serialises refreshes of the entry (".lock") and a stamp (".stamp")
// that every writer removes before it writes or removes the entry and makes
// anew once that is done. A process that finds the stamp as it left it
// knows the entry still holds the token it last read or wrote, without
// asking the keychain again; a writer that fails or dies half-way leaves no
// stamp, so the others read the entry.
QString sharedEntryPath(const QString &entry, const char *suffix);

// The stamp at PATH; empty when there is none, it cannot be read, or it is
// not a regular file of the user's own (then nothing is taken for granted).
// Never follows a link, never waits.
QByteArray readEntryStamp(const QString &path);

// Removes the stamp at PATH before the entry changes; false when one may be
// left (the directory does not let it go).
bool invalidateEntryStamp(const QString &path);

// Puts a fresh random stamp at PATH and returns it; empty when it could not
// be written.
QByteArray renewEntryStamp(const QString &path);

} // namespace SilentAuth::Internal
