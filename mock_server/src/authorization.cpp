#include "authorization.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QRandomGenerator>
#include <QtCore/QRegularExpression>
#include <QtCore/QUrl>

#include <algorithm>

namespace SilentAuth::Mock {

namespace {

// Wire name → member, in the order the sign-in form lists them.
struct Field
{
    const char *name;
    QString AuthorizationRequest::*member;
};

const Field fields[] = {
    {"response_type", &AuthorizationRequest::responseType},
    {"client_id", &AuthorizationRequest::clientId},
    {"redirect_uri", &AuthorizationRequest::redirectUri},
    {"state", &AuthorizationRequest::state},
    {"code_challenge", &AuthorizationRequest::codeChallenge},
    {"code_challenge_method", &AuthorizationRequest::codeChallengeMethod},
    {"scope", &AuthorizationRequest::scope},
    {"nonce", &AuthorizationRequest::nonce},
};

constexpr auto base64url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

} // namespace

AuthorizationRequest AuthorizationRequest::fromItems(const QList<QPair<QString, QString>> &items)
{
    AuthorizationRequest request;
    for (const auto &item : items) {
        for (const auto &field : fields) {
            if (item.first != QLatin1String(field.name))
                continue;
            if (request.present.contains(item.first)) {
                if (!request.repeated.contains(item.first))
                    request.repeated.append(item.first);
            } else {
                request.present.append(item.first);
                request.*field.member = item.second;
            }
        }
    }
    return request;
}

QList<QPair<QString, QString>> AuthorizationRequest::parameters() const
{
    QList<QPair<QString, QString>> list;
    for (const auto &field : fields) {
        const QString name = QString::fromLatin1(field.name);
        if (present.contains(name))
            list.append({name, this->*field.member});
    }
    return list;
}

bool Pkce::isWellFormed(const QString &value)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9._~-]{43,128}$"));
    return pattern.match(value).hasMatch();
}

QByteArray Pkce::s256(const QByteArray &verifier)
{
    return QCryptographicHash::hash(verifier, QCryptographicHash::Sha256).toBase64(base64url);
}

bool isLoopbackRedirect(const QString &uri)
{
    // Read from the text itself rather than from a parsed URL, so that no
    // lenient parsing (127.1, 0x7f.0.0.1, a backslash for a slash…) turns
    // another host into a loopback one.
    static const QRegularExpression pattern(QStringLiteral(
        "^http://(?:127\\.0\\.0\\.1|\\[::1\\])(?::([0-9]{1,5}))?(?:[/?][\\x21-\\x7e]*)?$"));
    const auto match = pattern.match(uri);
    if (!match.hasMatch() || uri.contains(QLatin1Char('#')) || uri.contains(QLatin1Char('\\')))
        return false;
    if (match.hasCaptured(1)) {
        const int port = match.captured(1).toInt();
        if (port < 1 || port > 65535)
            return false;
    }
    return QUrl(uri, QUrl::StrictMode).isValid();
}

bool isRegisteredLoopbackRedirect(const QString &uri, const QStringList &registered)
{
    const auto withoutPort = [](const QString &text) {
        QUrl url(text, QUrl::StrictMode);
        url.setPort(-1);
        return url.toString(QUrl::FullyEncoded);
    };
    const QString wanted = withoutPort(uri);
    return std::any_of(registered.cbegin(), registered.cend(),
                       [&](const QString &known) { return withoutPort(known) == wanted; });
}

QByteArray redirectWith(const QString &uri, const QList<QPair<QString, QString>> &parameters)
{
    QByteArray location = uri.toUtf8();
    char separator = location.contains('?') ? '&' : '?';
    if (location.endsWith('?') || location.endsWith('&'))
        separator = 0;
    for (const auto &parameter : parameters) {
        if (separator)
            location += separator;
        location += QUrl::toPercentEncoding(parameter.first) + '='
            + QUrl::toPercentEncoding(parameter.second);
        separator = '&';
    }
    return location;
}

QString newUserCode()
{
    static const char alphabet[] = "BCDFGHJKLMNPQRSTVWXZ";
    QString code;
    for (int i = 0; i < 8; ++i) {
        if (i == 4)
            code += QLatin1Char('-');
        code += QLatin1Char(alphabet[QRandomGenerator::system()->bounded(20)]);
    }
    return code;
}

QString normalizedUserCode(const QString &typed)
{
    QString code = typed.toUpper();
    code.remove(QLatin1Char('-'));
    code.remove(QLatin1Char(' '));
    return code;
}

QByteArray newAuthorizationCode()
{
    QByteArray bytes(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()),
                                          bytes.size() / int(sizeof(quint32)));
    return bytes.toBase64(base64url);
}

} // namespace SilentAuth::Mock
