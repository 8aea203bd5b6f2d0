#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>

namespace SilentAuth::Internal {

// Files kept beside a token store entry that several processes share
// (TokenStore::sharedEntryId()), in the user's runtime directory: a lock
// that serialises refreshes of the entry (".lock") and a stamp that every
// writer renews after it wrote or removed the entry (".stamp"). A process
// that finds the stamp as it left it knows the entry still holds the token
// it last read or wrote, without asking the keychain again.
QString sharedEntryPath(const QString &entry, const char *suffix);

// The stamp at PATH; empty when there is none, it cannot be read, or the
// file is not the user's own (then nothing is taken for granted).
QByteArray readEntryStamp(const QString &path);

// Replaces the stamp at PATH with a fresh random one and returns it; empty
// when it could not be written.
QByteArray renewEntryStamp(const QString &path);

} // namespace SilentAuth::Internal
