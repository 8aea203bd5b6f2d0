#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QPair>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace SilentAuth::Mock {

// What a client asks for at the authorization endpoint: RFC 6749 §4.1.1,
// RFC 7636 §4.3 (PKCE) and OpenID Connect Core §3.1.2.1 (nonce).
struct AuthorizationRequest
{
    QString responseType;
    QString clientId;
    QString redirectUri;
    QString state;
    QString codeChallenge;
    QString codeChallengeMethod;
    QString scope;
    QString nonce;
    QStringList present; // the parameters above that came, by wire name
    QStringList repeated; // those that came more than once (RFC 6749 §3.1)

    static AuthorizationRequest fromItems(const QList<QPair<QString, QString>> &items);
    // The parameters above that came, in a fixed order, by wire name: what
    // the sign-in form carries over to its POST.
    QList<QPair<QString, QString>> parameters() const;
};

// An issued authorization code: short-lived, and good for one exchange.
struct AuthorizationCode
{
    QString clientId;
    QString redirectUri;
    QString codeChallenge;
    QString scope;
    QString nonce;
    QString username;
    qint64 issuedAtMs = 0;
    qint64 expiresAtMs = 0;
    qint64 usedAtMs = 0; // 0 until exchanged
    QByteArray family; // the refresh tokens of the exchange; revoked when the code comes again
};

// A device authorization (RFC 8628): the device polls with device_code
// while the user enters user_code on the verification page.
struct DeviceAuthorization
{
    enum class State { Pending, Approved, Denied, Exchanged };
    QString clientId;
    QString scope;
    QString userCode; // as shown: XXXX-XXXX
    State state = State::Pending;
    QString username; // once approved
    qint64 issuedAtMs = 0;
    qint64 expiresAtMs = 0;
    qint64 lastPollMs = 0;
    int intervalSeconds = 5; // grows by 5 with every slow_down
};

// RFC 8628 §6.1: eight characters of a 20-letter alphabet without vowels
// (no words, nothing to misread), shown as XXXX-XXXX.
QString newUserCode();
// What a person typed, the way user codes are compared: upper case, without
// dashes and spaces.
QString normalizedUserCode(const QString &typed);

namespace Pkce {
// RFC 7636 §4.1: 43 to 128 characters of [A-Za-z0-9-._~].
bool isWellFormed(const QString &verifierOrChallenge);
// BASE64URL(SHA256(ASCII(verifier))), RFC 7636 §4.2.
QByteArray s256(const QByteArray &verifier);
} // namespace Pkce

// RFC 8252 §7.3: http on the loopback IP literal 127.0.0.1 or [::1], any
// port, any path; no other host (localhost included), scheme, user info or
// fragment.
bool isLoopbackRedirect(const QString &uri);

// Whether a loopback \a uri is one of \a registered, whatever its port (RFC
// 8252 §7.3); the rest (host, path, query) must be the same.
bool isRegisteredLoopbackRedirect(const QString &uri, const QStringList &registered);

// uri with the given parameters added to its query, each percent-encoded.
QByteArray redirectWith(const QString &uri, const QList<QPair<QString, QString>> &parameters);

// 256 random bits, base64url.
QByteArray newAuthorizationCode();

} // namespace SilentAuth::Mock
