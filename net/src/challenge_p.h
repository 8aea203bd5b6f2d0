#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QList>

namespace SilentAuth::Internal {

// One challenge of a WWW-Authenticate header (RFC 9110 §11.6.1): the scheme
// (lower-cased) and its auth-params (names lower-cased, quoted values
// unescaped). A token68 is kept under the empty name.
struct Challenge
{
    QByteArray scheme;
    QHash<QByteArray, QByteArray> params;
};

// Every challenge in \a header, in order. Whatever does not parse is
// skipped; the function never fails and never reads outside \a header.
QList<Challenge> parseChallenges(const QByteArray &header);

// The Bearer challenge (RFC 6750 §3) among \a challenges, or null.
const Challenge *bearerChallenge(const QList<Challenge> &challenges);

} // namespace SilentAuth::Internal
