#include <silentauth/browsersignin.h>

#include <silentauth/oauth2protocol.h>
#include <silentauth/session.h>

#include "idtoken_p.h"
#include "protocolsupport_p.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QLocale>
#include <QtCore/QLoggingCategory>
#include <QtCore/QPointer>
#include <QtCore/QRandomGenerator>
#include <QtCore/QTimer>
#include <QtCore/QUrlQuery>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

Q_DECLARE_LOGGING_CATEGORY(lcNet)

namespace SilentAuth {

namespace {

constexpr qsizetype maximumRequestHead = 16 * 1024;
constexpr int maximumConnections = 16;
constexpr int requestHeadMs = 10000;
const QLatin1String callbackPath("/callback");

QByteArray randomToken(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator::system()->generate(raw.begin(), raw.end());
    return raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

QString escaped(QString text)
{
    if (text.size() > 300)
        text = text.left(300) + QChar(0x2026);
    return text.toHtmlEscaped();
}

} // namespace

struct BrowserSignIn::Private
{
    BrowserSignIn *q = nullptr;
    QPointer<Session> session;
    ProviderMetadata provider;
    QList<quint16> ports;
    std::chrono::milliseconds timeout {std::chrono::minutes(5)};
    std::function<bool(const QUrl &)> launcher;

    std::unique_ptr<QTcpServer> server;
    QList<QPointer<QTcpSocket>> sockets;
    QPointer<QTcpSocket> callback; // the browser's tab waiting for the final page
    QTimer deadline;
    QUrl authorizationUrl;
    QUrl redirectUri;
    QByteArray state;
    QByteArray nonce;
    QByteArray verifier;
    bool active = false;
    bool exchanging = false;
    QString lastSessionError;
    QList<QMetaObject::Connection> sessionWatch;
    bool openId = false; // the scope asks for an ID token: it must come and be valid
    TokenResponse tokens; // from the code exchange, until the ID token is checked
    QList<Internal::Jwk> keys; // the provider's, kept across attempts
    QNetworkAccessManager network;
    QPointer<QNetworkReply> pending;
    quint64 attempt = 0;
    quint64 ticket = 0; // the Session's sign-in this exchange belongs to
    bool adopted = false; // the tokens are with the Session

    bool listen();
    void onConnection();
    void onRequest(QTcpSocket *socket, const QByteArray &head);
    void respond(QTcpSocket *socket, int status, const QString &title, const QString &text);
    void end(Error error, const QString &message);
    void closeListener();
    void exchange(const QByteArray &code);
    void verifyIdToken(bool refetched);
    void fetchKeys();
    void adopt(const QString &subject, const QString &name);
    static QString supersededMessage();
    void dropOtherSockets();
    QString clientId() const;
};

bool BrowserSignIn::Private::listen()
{
    const QList<quint16> candidates = ports.isEmpty() ? QList<quint16> {0} : ports;
    for (const QHostAddress &address :
         {QHostAddress(QHostAddress::LocalHost), QHostAddress(QHostAddress::LocalHostIPv6)}) {
        for (const quint16 port : candidates) {
            auto candidate = std::make_unique<QTcpServer>();
            if (!candidate->listen(address, port))
                continue;
            server = std::move(candidate);
            QObject::connect(server.get(), &QTcpServer::newConnection, q,
                             [this] { onConnection(); });
            redirectUri = QUrl();
            redirectUri.setScheme(QStringLiteral("http"));
            redirectUri.setHost(address.toString());
            redirectUri.setPort(server->serverPort());
            redirectUri.setPath(callbackPath);
            return true;
        }
    }
    return false;
}

void BrowserSignIn::Private::closeListener()
{
    if (server) {
        server->close();
        server.release()->deleteLater();
    }
}

void BrowserSignIn::Private::onConnection()
{
    while (server && server->hasPendingConnections()) {
        QTcpSocket *socket = server->nextPendingConnection();
        socket->setParent(q);
        // A few connections at a time, each with a few seconds to say what it
        // wants: another local program cannot hold the port's slots.
        sockets.removeAll(QPointer<QTcpSocket>());
        if (sockets.size() >= maximumConnections) {
            // The oldest goes: the browser's own connection is the newest.
            QTcpSocket *oldest = sockets.takeFirst();
            if (oldest && oldest != callback)
                oldest->abort();
        }
        sockets.append(socket);
        QTimer::singleShot(requestHeadMs, socket, [this, socket] {
            if (socket != callback)
                socket->abort();
        });
        auto head = std::make_shared<QByteArray>();
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, q, [this, socket, head] {
            head->append(socket->readAll());
            if (head->size() > maximumRequestHead) {
                respond(socket, 431, BrowserSignIn::tr("Sign-in failed"),
                        BrowserSignIn::tr("The request was too large."));
                return;
            }
            const qsizetype end = head->indexOf("\r\n\r\n");
            if (end < 0)
                return;
            QObject::disconnect(socket, &QTcpSocket::readyRead, q, nullptr);
            onRequest(socket, head->left(end));
        });
    }
}

void BrowserSignIn::Private::respond(QTcpSocket *socket, int status, const QString &title,
                                     const QString &text)
{
    if (!socket || socket->state() != QAbstractSocket::ConnectedState)
        return;
    const QString lang = QLocale().bcp47Name();
    const QByteArray page
        = QStringLiteral("<!DOCTYPE html><html lang=\"%1\"><head><meta charset=\"utf-8\">"
                         "<meta name=\"viewport\" content=\"width=device-width\">"
                         "<title>%2</title></head><body style=\"font-family:sans-serif;"
                         "max-width:36em;margin:4em auto;padding:0 1em\"><h1>%2</h1><p>%3</p>"
                         "</body></html>")
              .arg(escaped(lang), escaped(title), escaped(text))
              .toUtf8();
    const char *reason = status == 200 ? "OK"
        : status == 400                ? "Bad Request"
        : status == 404                ? "Not Found"
        : status == 405                ? "Method Not Allowed"
        : status == 431                ? "Request Header Fields Too Large"
                                       : "Error";
    socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
                  + "\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n"
                    "Referrer-Policy: no-referrer\r\nContent-Security-Policy: default-src "
                    "'none'; style-src 'unsafe-inline'\r\nConnection: close\r\nContent-Length: "
                  + QByteArray::number(page.size()) + "\r\n\r\n" + page);
    socket->disconnectFromHost();
}

void BrowserSignIn::Private::onRequest(QTcpSocket *socket, const QByteArray &head)
{
    const QList<QByteArray> line = head.left(head.indexOf("\r\n")).split(' ');
    if (line.size() != 3 || !line.at(2).startsWith("HTTP/1.")) {
        respond(socket, 400, BrowserSignIn::tr("Sign-in failed"),
                BrowserSignIn::tr("The request could not be read."));
        return;
    }
    const QUrl target(QString::fromLatin1(line.at(1)), QUrl::StrictMode);
    if (!target.isValid() || target.path() != callbackPath) {
        // Not the callback (a favicon, a probe): refused, the attempt goes on.
        respond(socket, 404, BrowserSignIn::tr("Not found"),
                BrowserSignIn::tr("There is nothing here."));
        return;
    }
    if (line.at(0) != "GET") {
        respond(socket, 405, BrowserSignIn::tr("Sign-in failed"),
                BrowserSignIn::tr("The request could not be read."));
        return;
    }
    if (!active || exchanging) {
        respond(socket, 400, BrowserSignIn::tr("Sign-in already handled"),
                BrowserSignIn::tr("This sign-in has already been handled. Return to the "
                                  "application."));
        return;
    }
    const QUrlQuery query(target);
    const auto value = [&query](const char *key) {
        return query.queryItemValue(QLatin1String(key), QUrl::FullyDecoded);
    };
    callback = socket;
    // RFC 6749 §3.1: no parameter more than once; a second state, code or
    // iss is someone trying their own.
    for (const char *key : {"state", "code", "iss", "error"}) {
        if (query.allQueryItemValues(QLatin1String(key)).size() > 1) {
            end(Error::StateMismatch,
                BrowserSignIn::tr("The browser came back with an answer that does not belong to "
                                  "this sign-in. Start the sign-in again from the application."));
            return;
        }
    }
    if (value("state").toLatin1() != state || !query.hasQueryItem(QStringLiteral("state"))) {
        end(Error::StateMismatch,
            BrowserSignIn::tr("The browser came back with an answer that does not belong to this "
                              "sign-in. Start the sign-in again from the application."));
        return;
    }
    // RFC 9207: a provider that says it sends iss must send its own; any
    // iss that is sent must be the provider's.
    const bool hasIss = query.hasQueryItem(QStringLiteral("iss"));
    if ((provider.issParameterSupported && !hasIss)
        || (hasIss
            && !Internal::sameIssuer(value("iss"), provider.issuer.toString(QUrl::FullyEncoded)))) {
        end(Error::IssuerMismatch,
            BrowserSignIn::tr("The answer came from another sign-in server than %1. Start the "
                              "sign-in again.")
                .arg(provider.issuer.toString()));
        return;
    }
    if (query.hasQueryItem(QStringLiteral("error"))) {
        const QString code = value("error");
        const QString description = value("error_description");
        if (code == QLatin1String("access_denied"))
            end(Error::AccessDenied,
                BrowserSignIn::tr("Sign-in was declined in the browser. Nothing was changed."));
        else
            end(Error::ProviderError,
                BrowserSignIn::tr("The sign-in server refused the sign-in (%1%2).")
                    .arg(code.left(80),
                         description.isEmpty() ? QString()
                                               : QLatin1String(": ") + description.left(200)));
        return;
    }
    const QByteArray code = value("code").toLatin1();
    if (code.isEmpty()) {
        end(Error::ProviderError,
            BrowserSignIn::tr("The browser came back without a sign-in code. Start the sign-in "
                              "again."));
        return;
    }
    exchange(code);
}

void BrowserSignIn::Private::exchange(const QByteArray &code)
{
    exchanging = true;
    adopted = false;
    deadline.stop();
    closeListener(); // the first valid callback is the only one
    const quint64 before = attempt;
    Q_EMIT q->callbackReceived();
    if (before != attempt || !session)
        return; // canceled from a slot
    // From here the Session is signing in: a sign-out or another sign-in
    // supersedes this one, as it would a password sign-in.
    ticket = session->beginExternalSignIn();
    lastSessionError.clear();
    sessionWatch.append(QObject::connect(
        session, &Session::errorOccurred, q,
        [this](Session::Error, const QString &message) { lastSessionError = message; }));
    sessionWatch.append(
        QObject::connect(session, &Session::statusChanged, q, [this](Session::Status status) {
            if (!exchanging || status == Session::Status::SigningIn)
                return;
            if (status == Session::Status::SignedIn && adopted) {
                for (const auto &c : std::as_const(sessionWatch))
                    QObject::disconnect(c);
                sessionWatch.clear();
                respond(callback, 200, BrowserSignIn::tr("Signed in"),
                        BrowserSignIn::tr("You are signed in. You can close this tab and return "
                                          "to the application."));
                dropOtherSockets();
                active = false;
                exchanging = false;
                Q_EMIT q->finished();
            } else if (adopted) {
                end(Error::SignInFailed,
                    lastSessionError.isEmpty()
                        ? BrowserSignIn::tr("The sign-in could not be completed.")
                        : lastSessionError);
            } else {
                end(Error::Canceled, supersededMessage());
            }
        }));
    const auto *protocol = dynamic_cast<const OAuth2Protocol *>(&session->protocol());
    const AuthProtocol::Request request
        = protocol->authorizationCodeRequest(code, verifier, redirectUri);
    if (Internal::isPlainHttpToRemoteHost(request.request.url())
        && !session->isPlainHttpAllowed()) {
        end(Error::SignInFailed,
            BrowserSignIn::tr("The sign-in server's address starts with http://, so the sign-in "
                              "would travel unencrypted. Use its https:// address."));
        return;
    }
    QNetworkRequest r = request.request;
    r.setTransferTimeout(30000);
    r.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    r.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    // Not aborted when the attempt ends: the provider may already have issued
    // tokens for the code, and what nobody takes is revoked.
    QNetworkReply *reply = network.post(r, request.body);
    Internal::boundReply(reply, 30000);
    const quint64 current = attempt;
    const quint64 exchangeTicket = ticket;
    QObject::connect(
        reply, &QNetworkReply::finished, q, [this, reply, current, protocol, exchangeTicket] {
            reply->deleteLater();
            if (!session)
                return;
            if (current != attempt) {
                const AuthProtocol::Outcome late = protocol->readTokenReply(
                    reply->error(),
                    reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), {},
                    reply->readAll());
                if (late.kind == AuthProtocol::Outcome::Kind::Ok)
                    session->completeExternalSignIn(exchangeTicket, late.tokens, {}, {}); // revokes
                return;
            }
            if (Internal::replyTooLarge(reply) || Internal::replyTimedOut(reply)) {
                end(Error::SignInFailed,
                    Internal::replyTooLarge(reply)
                        ? BrowserSignIn::tr("The sign-in server's answer was far too large.")
                        : BrowserSignIn::tr("The sign-in server did not answer in time."));
                return;
            }
            const AuthProtocol::Outcome outcome = protocol->readTokenReply(
                reply->error(), reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                reply->rawHeader("Retry-After"), reply->readAll());
            if (outcome.kind != AuthProtocol::Outcome::Kind::Ok) {
                end(Error::SignInFailed,
                    outcome.kind == AuthProtocol::Outcome::Kind::Rejected
                        ? BrowserSignIn::tr("The sign-in server did not accept the sign-in (%1). "
                                            "Start it again.")
                              .arg(outcome.message.left(200))
                        : BrowserSignIn::tr("The sign-in could not be completed (%1).")
                              .arg(outcome.message.left(200)));
                return;
            }
            tokens = outcome.tokens;
            if (!openId) {
                adopt({}, {});
                return;
            }
            if (tokens.idToken.isEmpty()) {
                end(Error::IdTokenInvalid,
                    BrowserSignIn::tr(
                        "The sign-in server did not say who signed in (no ID token)."));
                return;
            }
            verifyIdToken(false);
        });
}

// Checks the ID token against the provider's published keys; fetches them
// when none are known yet, and once more when the token names a key that is
// not among them (the provider rotated its keys).
void BrowserSignIn::Private::verifyIdToken(bool refetched)
{
    if (keys.isEmpty() && !refetched) {
        fetchKeys();
        return;
    }
    QString error;
    bool unknownKid = false;
    const auto claims = Internal::verifyJwt(tokens.idToken, keys, &error, &unknownKid);
    if (!claims && unknownKid && !refetched) {
        fetchKeys();
        return;
    }
    if (claims)
        error = Internal::checkIdTokenClaims(*claims, provider.issuer.toString(), clientId(), nonce,
                                             QDateTime::currentDateTimeUtc());
    if (!claims || !error.isEmpty()) {
        end(Error::IdTokenInvalid,
            BrowserSignIn::tr("The sign-in could not be trusted: %1. Nothing was changed.")
                .arg(error));
        return;
    }
    const QString subject = claims->value(QLatin1String("sub")).toString();
    QString name = claims->value(QLatin1String("preferred_username")).toString();
    if (name.isEmpty())
        name = claims->value(QLatin1String("name")).toString();
    adopt(subject, name);
}

void BrowserSignIn::Private::fetchKeys()
{
    if (!provider.jwksUri.isValid()) {
        end(Error::IdTokenInvalid,
            BrowserSignIn::tr("The sign-in server publishes no keys to check the sign-in with."));
        return;
    }
    QNetworkRequest r(provider.jwksUri);
    r.setTransferTimeout(30000);
    r.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply *reply = network.get(r);
    Internal::boundReply(reply, 30000, 256 * 1024);
    pending = reply;
    const quint64 current = attempt;
    QObject::connect(reply, &QNetworkReply::finished, q, [this, reply, current] {
        reply->deleteLater();
        if (current != attempt)
            return;
        pending = nullptr;
        QString error;
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        QList<Internal::Jwk> fetched;
        if (Internal::replyTooLarge(reply))
            error = BrowserSignIn::tr("far too large");
        else if (Internal::replyTimedOut(reply))
            error = BrowserSignIn::tr("no answer in time");
        else if (status == 200)
            fetched = Internal::parseJwks(reply->read(256 * 1024), &error);
        else
            error = Internal::networkErrorText(reply->error());
        if (fetched.isEmpty()) {
            end(Error::IdTokenInvalid,
                BrowserSignIn::tr("The sign-in server's keys could not be read (%1).").arg(error));
            return;
        }
        keys = fetched;
        verifyIdToken(true);
    });
}

// Hands the checked tokens to the Session, which reports when it is signed in.
void BrowserSignIn::Private::adopt(const QString &subject, const QString &name)
{
    adopted = true;
    const TokenResponse taken = tokens;
    tokens = {};
    if (!session->completeExternalSignIn(ticket, taken, subject, name))
        end(Error::Canceled, supersededMessage());
}

void BrowserSignIn::Private::dropOtherSockets()
{
    for (const auto &socket : std::as_const(sockets)) {
        if (socket && socket != callback)
            socket->abort();
    }
    sockets.clear();
}

QString BrowserSignIn::Private::supersededMessage()
{
    return BrowserSignIn::tr("Another sign-in or a sign-out came first; this sign-in was "
                             "dropped.");
}

QString BrowserSignIn::Private::clientId() const
{
    const auto *protocol
        = session ? dynamic_cast<const OAuth2Protocol *>(&session->protocol()) : nullptr;
    return protocol ? protocol->clientId() : QString();
}

void BrowserSignIn::Private::end(Error error, const QString &message)
{
    for (const auto &c : std::as_const(sessionWatch))
        QObject::disconnect(c);
    sessionWatch.clear();
    if (exchanging && !adopted && session) {
        session->abandonExternalSignIn(ticket);
        // Tokens already issued for this attempt (the ID token still being
        // checked) are revoked: the ticket is stale now.
        if (!tokens.refreshToken.isEmpty())
            session->completeExternalSignIn(ticket, tokens, {}, {});
    }
    ++attempt;
    tokens = {};
    if (QNetworkReply *reply = pending) {
        pending = nullptr;
        reply->disconnect(q);
        reply->abort();
        reply->deleteLater();
    }
    const bool wasActive = active;
    active = false;
    exchanging = false;
    deadline.stop();
    closeListener();
    if (callback)
        respond(callback, error == Error::AccessDenied ? 200 : 400,
                BrowserSignIn::tr("Not signed in"),
                message + QLatin1Char(' ') + BrowserSignIn::tr("You can close this tab."));
    dropOtherSockets();
    if (wasActive)
        Q_EMIT q->failed(error, message);
}

BrowserSignIn::BrowserSignIn(Session *session, const ProviderMetadata &provider, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->q = this;
    d->session = session;
    d->provider = provider;
    d->deadline.setSingleShot(true);
    connect(&d->deadline, &QTimer::timeout, this, [this] {
        d->end(Error::Timeout,
               tr("The browser did not come back in time. Start the sign-in again."));
    });
}

BrowserSignIn::~BrowserSignIn()
{
    for (const auto &c : std::as_const(d->sessionWatch))
        QObject::disconnect(c);
    d->closeListener();
}

void BrowserSignIn::setPorts(const QList<quint16> &ports)
{
    d->ports = ports;
}

void BrowserSignIn::setTimeout(std::chrono::milliseconds timeout)
{
    d->timeout = timeout;
}

void BrowserSignIn::setBrowserLauncher(std::function<bool(const QUrl &)> launcher)
{
    d->launcher = std::move(launcher);
}

bool BrowserSignIn::isActive() const
{
    return d->active;
}

QUrl BrowserSignIn::authorizationUrl() const
{
    return d->authorizationUrl;
}

QUrl BrowserSignIn::redirectUri() const
{
    return d->server ? d->redirectUri : QUrl();
}

QHostAddress BrowserSignIn::listeningAddress() const
{
    return d->server ? d->server->serverAddress() : QHostAddress();
}

void BrowserSignIn::cancel()
{
    d->end(Error::Canceled, tr("Sign-in was canceled."));
}

void BrowserSignIn::start()
{
    if (d->active)
        d->end(Error::Canceled, tr("Sign-in was canceled."));
    d->active = true;
    d->callback = nullptr;
    d->authorizationUrl = QUrl();
    const auto failLater = [this](Error error, const QString &message) {
        QTimer::singleShot(0, this, [this, error, message] { d->end(error, message); });
    };
    const auto *protocol
        = d->session ? dynamic_cast<const OAuth2Protocol *>(&d->session->protocol()) : nullptr;
    if (!protocol || !d->provider.authorizationEndpoint.isValid()) {
        failLater(Error::Unsupported,
                  tr("This server does not offer a sign-in through the browser."));
        return;
    }
    if (!d->provider.codeChallengeMethods.isEmpty()
        && !d->provider.codeChallengeMethods.contains(QLatin1String("S256"))) {
        failLater(Error::Unsupported,
                  tr("This server does not offer a secure sign-in through the browser (PKCE "
                     "with S256)."));
        return;
    }
    if (!d->listen()) {
        failLater(Error::ListenFailed,
                  tr("No local port could be opened for the browser to come back to."));
        return;
    }
    d->state = randomToken(16);
    d->nonce = randomToken(16);
    d->verifier = randomToken(32); // 43 characters (RFC 7636 §4.1)
    const QByteArray challenge
        = QCryptographicHash::hash(d->verifier, QCryptographicHash::Sha256)
              .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);

    QUrl url = d->provider.authorizationEndpoint;
    QUrlQuery query(url);
    query.addQueryItem(QStringLiteral("response_type"), QStringLiteral("code"));
    query.addQueryItem(QStringLiteral("client_id"), protocol->clientId());
    query.addQueryItem(QStringLiteral("redirect_uri"), d->redirectUri.toString(QUrl::FullyEncoded));
    if (!protocol->scope().isEmpty())
        query.addQueryItem(QStringLiteral("scope"), protocol->scope());
    query.addQueryItem(QStringLiteral("state"), QString::fromLatin1(d->state));
    query.addQueryItem(QStringLiteral("code_challenge"), QString::fromLatin1(challenge));
    query.addQueryItem(QStringLiteral("code_challenge_method"), QStringLiteral("S256"));
    d->openId = protocol->scope().split(QLatin1Char(' ')).contains(QLatin1String("openid"));
    if (d->openId)
        query.addQueryItem(QStringLiteral("nonce"), QString::fromLatin1(d->nonce));
    // Every value percent-encoded: '+', '&', '=' and ' ' in a scope or a
    // client id must not change the query's meaning.
    QString encoded;
    for (const auto &item : query.queryItems(QUrl::FullyDecoded)) {
        if (!encoded.isEmpty())
            encoded += QLatin1Char('&');
        encoded += QString::fromLatin1(QUrl::toPercentEncoding(item.first)) + QLatin1Char('=')
            + QString::fromLatin1(QUrl::toPercentEncoding(item.second));
    }
    url.setQuery(encoded, QUrl::StrictMode);
    d->authorizationUrl = url;
    d->deadline.start(int(qMin<qint64>(d->timeout.count(), INT_MAX)));
    qCDebug(lcNet) << "browser sign-in: waiting on" << d->redirectUri.toString();
    QTimer::singleShot(0, this, [this, url] {
        if (!d->active || d->authorizationUrl != url)
            return;
        Q_EMIT authorizationUrlReady(url);
        if (d->launcher && !d->launcher(url))
            Q_EMIT browserFailed();
    });
}

} // namespace SilentAuth
