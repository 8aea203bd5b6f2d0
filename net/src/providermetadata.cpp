#include <silentauth/providermetadata.h>

#include "protocolsupport_p.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>

namespace SilentAuth {

namespace {

constexpr qint64 maximumDocument = 256 * 1024;

QStringList strings(const QJsonValue &value)
{
    QStringList list;
    for (const auto &item : value.toArray()) {
        if (item.isString())
            list.append(item.toString());
    }
    return list;
}

} // namespace

std::optional<ProviderMetadata> ProviderMetadata::fromJson(const QByteArray &document,
                                                           const QUrl &expectedIssuer,
                                                           QString *error, bool plainHttpAllowed)
{
    const auto failure = [error](const QString &message) {
        if (error)
            *error = message;
        return std::nullopt;
    };
    QJsonParseError parse;
    const QJsonDocument json = QJsonDocument::fromJson(document, &parse);
    if (parse.error != QJsonParseError::NoError || !json.isObject())
        return failure(QCoreApplication::translate("SilentAuth::ProviderDiscovery",
                                                   "the discovery document is not a JSON object"));
    const QJsonObject o = json.object();

    ProviderMetadata m;
    const auto url = [&o](const char *key) {
        const QJsonValue v = o.value(QLatin1String(key));
        return v.isString() ? QUrl(v.toString(), QUrl::StrictMode) : QUrl();
    };
    const QString issuerText = o.value(QLatin1String("issuer")).toString();
    m.issuer = url("issuer");
    if (!m.issuer.isValid() || m.issuer.host().isEmpty())
        return failure(QCoreApplication::translate("SilentAuth::ProviderDiscovery",
                                                   "the discovery document names no issuer"));
    if (!Internal::sameIssuer(issuerText, expectedIssuer.toString(QUrl::FullyEncoded))
        || !m.issuer.userInfo().isEmpty() || m.issuer.hasQuery())
        return failure(QCoreApplication::translate("SilentAuth::ProviderDiscovery",
                                                   "the provider says it is %1, not %2")
                           .arg(m.issuer.toString(), expectedIssuer.toString()));
    m.authorizationEndpoint = url("authorization_endpoint");
    m.tokenEndpoint = url("token_endpoint");
    m.revocationEndpoint = url("revocation_endpoint");
    m.userinfoEndpoint = url("userinfo_endpoint");
    m.deviceAuthorizationEndpoint = url("device_authorization_endpoint");
    m.jwksUri = url("jwks_uri");
    m.grantTypes = strings(o.value(QLatin1String("grant_types_supported")));
    m.scopes = strings(o.value(QLatin1String("scopes_supported")));
    m.codeChallengeMethods = strings(o.value(QLatin1String("code_challenge_methods_supported")));
    m.issParameterSupported
        = o.value(QLatin1String("authorization_response_iss_parameter_supported")).toBool();
    m.dpopSigningAlgorithms = strings(o.value(QLatin1String("dpop_signing_alg_values_supported")));
    if (!m.tokenEndpoint.isValid() || m.tokenEndpoint.host().isEmpty())
        return failure(QCoreApplication::translate("SilentAuth::ProviderDiscovery",
                                                   "the provider names no token endpoint"));

    for (const QUrl *endpoint :
         {&m.issuer, &m.authorizationEndpoint, &m.tokenEndpoint, &m.revocationEndpoint,
          &m.userinfoEndpoint, &m.deviceAuthorizationEndpoint, &m.jwksUri}) {
        if (endpoint->isEmpty())
            continue;
        const QString scheme = endpoint->scheme();
        if ((scheme != QLatin1String("https") && scheme != QLatin1String("http"))
            || endpoint->host().isEmpty() || endpoint->hasFragment()
            || !endpoint->userInfo().isEmpty()
            || (!plainHttpAllowed && Internal::isPlainHttpToRemoteHost(*endpoint)))
            return failure(QCoreApplication::translate("SilentAuth::ProviderDiscovery",
                                                       "the provider names an unusable address: %1")
                               .arg(endpoint->toString()));
    }
    return m;
}

bool ProviderMetadata::supportsGrant(const QString &grantType) const
{
    if (grantTypes.isEmpty())
        return grantType == QLatin1String("authorization_code")
            || grantType == QLatin1String("implicit");
    return grantTypes.contains(grantType);
}

struct ProviderDiscovery::Private
{
    QPointer<QNetworkAccessManager> network;
    std::chrono::milliseconds timeout {15000};
    bool plainHttp = false;
    QUrl issuer;
    QPointer<QNetworkReply> pending;
    quint64 attempt = 0;
    QUrl fallback; // the RFC 8414 address, tried when the OpenID one is not there
    ProviderDiscovery *q = nullptr;

    void fetch(const QUrl &url, bool last, quint64 current);
};

void ProviderDiscovery::Private::fetch(const QUrl &url, bool last, quint64 current)
{
    QNetworkRequest request(url);
    request.setRawHeader("Accept", "application/json");
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);
    QNetworkReply *reply = network->get(request);
    pending = reply;
    Internal::boundReply(reply, int(timeout.count()), maximumDocument);
    QObject::connect(reply, &QNetworkReply::finished, q, [this, current, reply, last] {
        reply->deleteLater();
        if (current != attempt)
            return;
        pending = nullptr;
        if (Internal::replyTooLarge(reply)) {
            Q_EMIT q->failed(
                ProviderDiscovery::tr("The provider's discovery document is too large."));
            return;
        }
        if (Internal::replyTimedOut(reply)) {
            Q_EMIT q->failed(ProviderDiscovery::tr("The provider did not answer in time."));
            return;
        }
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (status == 404 && !last) {
            fetch(fallback, true, current);
            return;
        }
        if (reply->error() != QNetworkReply::NoError && status == 0) {
            Q_EMIT q->failed(ProviderDiscovery::tr("The provider cannot be reached (%1).")
                                 .arg(Internal::networkErrorText(reply->error())));
            return;
        }
        if (status != 200) {
            Q_EMIT q->failed(
                ProviderDiscovery::tr("The provider has no discovery document (HTTP %1) at %2.")
                    .arg(status)
                    .arg(reply->url().toString()));
            return;
        }
        const QByteArray body = reply->read(maximumDocument + 1);
        if (body.size() > maximumDocument) {
            Q_EMIT q->failed(
                ProviderDiscovery::tr("The provider's discovery document is too large."));
            return;
        }
        QString error;
        auto metadata = ProviderMetadata::fromJson(body, issuer, &error, plainHttp);
        if (!metadata) {
            Q_EMIT q->failed(
                ProviderDiscovery::tr("The provider's discovery document cannot be used: %1.")
                    .arg(error));
            return;
        }
        Q_EMIT q->discovered(*metadata);
    });
}

ProviderDiscovery::ProviderDiscovery(QNetworkAccessManager *network, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->q = this;
    d->network = network;
}

ProviderDiscovery::~ProviderDiscovery()
{
    cancel();
}

void ProviderDiscovery::setTimeout(std::chrono::milliseconds timeout)
{
    d->timeout = timeout;
}

void ProviderDiscovery::setPlainHttpAllowed(bool allowed)
{
    d->plainHttp = allowed;
}

void ProviderDiscovery::cancel()
{
    ++d->attempt;
    if (QNetworkReply *reply = d->pending) {
        d->pending = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
}

void ProviderDiscovery::discover(const QUrl &issuer)
{
    cancel();
    const quint64 attempt = d->attempt;
    const auto failLater = [this, attempt](const QString &message) {
        QTimer::singleShot(0, this, [this, attempt, message] {
            if (attempt == d->attempt)
                Q_EMIT failed(message);
        });
    };
    if (!issuer.isValid() || issuer.host().isEmpty()
        || (issuer.scheme() != QLatin1String("https") && issuer.scheme() != QLatin1String("http"))
        || issuer.hasQuery() || issuer.hasFragment()) {
        failLater(tr("%1 is not an issuer address (https://host/path).").arg(issuer.toString()));
        return;
    }
    if (!d->plainHttp && Internal::isPlainHttpToRemoteHost(issuer)) {
        failLater(tr("The issuer's address starts with http://; use its https:// address."));
        return;
    }
    if (!d->network) {
        failLater(tr("No network access."));
        return;
    }
    d->issuer = issuer;

    // OpenID Connect Discovery §4: the well-known path appended to the
    // issuer's; RFC 8414 §3: inserted between host and path.
    QString path = issuer.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    QUrl oidc = issuer;
    oidc.setPath(path + QLatin1String("/.well-known/openid-configuration"));
    QUrl rfc8414 = issuer;
    rfc8414.setPath(QLatin1String("/.well-known/oauth-authorization-server") + path);

    d->fallback = rfc8414;
    d->fetch(oidc, false, attempt);
}

} // namespace SilentAuth
