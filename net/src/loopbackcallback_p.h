#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>

#include <optional>

namespace SilentAuth::Internal {

// What reached the loopback port, read as the provider's redirect back to
// the program (RFC 6749 §4.1.2): the request line of \a head (a request head
// without its final blank line) and the query of its target.
struct LoopbackCallback
{
    enum class Kind {
        Unreadable, // not an HTTP/1.x request line, or a target that is not a URL
        OtherPath, // another path than the callback's (a favicon, a probe)
        NotGet,
        Callback,
    };
    Kind kind = Kind::Unreadable;
    bool repeated = false; // state, code, iss or error came more than once
    // Each fully decoded, present or not.
    std::optional<QString> state;
    std::optional<QString> code;
    std::optional<QString> iss;
    std::optional<QString> error;
    QString errorDescription;
};

LoopbackCallback readLoopbackCallback(const QByteArray &head, const QString &callbackPath);

} // namespace SilentAuth::Internal
