#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QJsonObject>

namespace SilentAuth::Internal {

// The claims of a JWT, read without verification: the client only uses
// them for hints (who, until when); the server decides what is valid.
QJsonObject unverifiedClaims(const QByteArray &token);

// "abcd…" — enough to tell tokens apart in a log, useless to an attacker.
QByteArray redacted(const QByteArray &token);

} // namespace SilentAuth::Internal
