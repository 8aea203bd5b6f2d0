#include <silentauth/browsersignin.h>

#include <silentauth/oauth2protocol.h>
#include <silentauth/session.h>

#include "grantcompletion_p.h"
#include "loopbackcallback_p.h"
#include "protocolsupport_p.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QLocale>
#include <QtCore/QLoggingCategory>
#include <QtCore/QPointer>
#include <QtCore/QRandomGenerator>
#include <QtCore/QRegularExpression>
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
const QString callbackPath = QStringLiteral("/callback");

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
    QString providerError; // the provider's error code of the attempt that ended
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
    bool openId = false; // the scope asks for an ID token: it must come and be valid
    Internal::GrantCompletion *completion = nullptr;
    quint64 attempt = 0;

    bool listen();
    void onConnection();
    void onRequest(QTcpSocket *socket, const QByteArray &head);
    void respond(QTcpSocket *socket, int status, const QString &title, const QString &text);
    void end(Error error, const QString &message);
    void closeListener();
    void exchange(const QByteArray &code);
    void dropOtherSockets();
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
    socket->flush(); // the page goes out even if the program ends right after
    socket->disconnectFromHost();
}

void BrowserSignIn::Private::onRequest(QTcpSocket *socket, const QByteArray &head)
{
    using Kind = Internal::LoopbackCallback::Kind;
    const Internal::LoopbackCallback answer = Internal::readLoopbackCallback(head, callbackPath);
    switch (answer.kind) {
    case Kind::Unreadable:
        respond(socket, 400, BrowserSignIn::tr("Sign-in failed"),
                BrowserSignIn::tr("The request could not be read."));
        return;
    case Kind::OtherPath:
        // Not the callback (a favicon, a probe): refused, the attempt goes on.
        respond(socket, 404, BrowserSignIn::tr("Not found"),
                BrowserSignIn::tr("There is nothing here."));
        return;
    case Kind::NotGet:
        respond(socket, 405, BrowserSignIn::tr("Sign-in failed"),
                BrowserSignIn::tr("The request could not be read."));
        return;
    case Kind::Callback:
        break;
    }
    if (!active || exchanging) {
        respond(socket, 400, BrowserSignIn::tr("Sign-in already handled"),
                BrowserSignIn::tr("This sign-in has already been handled. Return to the "
                                  "application."));
        return;
    }
    callback = socket;
    // A parameter given twice is someone trying their own.
    if (answer.repeated || !answer.state || answer.state->toUtf8() != state) {
        end(Error::StateMismatch,
            BrowserSignIn::tr("The browser came back with an answer that does not belong to this "
                              "sign-in. Start the sign-in again from the application."));
        return;
    }
    // RFC 9207: a provider that says it sends iss must send its own; any
    // iss that is sent must be the provider's.
    if ((provider.issParameterSupported && !answer.iss)
        || (answer.iss
            && !Internal::sameIssuer(*answer.iss, provider.issuer.toString(QUrl::FullyEncoded)))) {
        end(Error::IssuerMismatch,
            BrowserSignIn::tr("The answer came from another sign-in server than %1. Start the "
                              "sign-in again.")
                .arg(provider.issuer.toString()));
        return;
    }
    if (answer.error) {
        const QString &description = answer.errorDescription;
        if (*answer.error == QLatin1String("access_denied")) {
            end(Error::AccessDenied,
                BrowserSignIn::tr("Sign-in was declined in the browser. Nothing was changed."));
            return;
        }
        providerError = Internal::showable(answer.error->left(80));
        end(Error::ProviderError,
            BrowserSignIn::tr("The sign-in server refused the sign-in (%1%2).")
                .arg(providerError,
                     description.isEmpty()
                         ? QString()
                         : QLatin1String(": ") + Internal::showable(description.left(200))));
        return;
    }
    const QByteArray code = answer.code.value_or(QString()).toUtf8();
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
    deadline.stop();
    closeListener(); // the first valid callback is the only one
    const quint64 before = attempt;
    Q_EMIT q->callbackReceived();
    if (before != attempt || !session)
        return; // canceled from a slot
    // From here the Session is signing in: a sign-out or another sign-in
    // supersedes this one, as it would a password sign-in.
    completion->begin();
    QString refusal;
    // Not aborted when the attempt ends: the provider may already have issued
    // tokens for the code, and what nobody takes is revoked.
    const quint64 current = attempt;
    const bool sent = completion->postToken(
        completion->protocol()->authorizationCodeRequest(code, verifier, redirectUri), &refusal, q,
        [this, current](QNetworkReply *reply) {
            reply->deleteLater();
            if (current != attempt) {
                completion->discard(reply);
                return;
            }
            const AuthProtocol::Outcome outcome = completion->read(reply);
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
            completion->complete(outcome.tokens, openId, nonce);
        });
    if (!sent)
        end(Error::SignInFailed, refusal);
}

void BrowserSignIn::Private::dropOtherSockets()
{
    for (const auto &socket : std::as_const(sockets)) {
        if (socket && socket != callback)
            socket->abort();
    }
    sockets.clear();
}

void BrowserSignIn::Private::end(Error error, const QString &message)
{
    completion->stop();
    ++attempt;
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
    d->completion = new Internal::GrantCompletion(session, provider, this);
    connect(d->completion, &Internal::GrantCompletion::signedIn, this, [this] {
        d->respond(d->callback, 200, tr("Signed in"),
                   tr("You are signed in. You can close this tab and return to the "
                      "application."));
        d->dropOtherSockets();
        d->active = false;
        d->exchanging = false;
        Q_EMIT finished();
    });
    connect(d->completion, &Internal::GrantCompletion::failed, this,
            [this](Internal::GrantCompletion::Failure failure, const QString &message) {
                using Failure = Internal::GrantCompletion::Failure;
                d->end(failure == Failure::Superseded           ? Error::Canceled
                           : failure == Failure::IdTokenInvalid ? Error::IdTokenInvalid
                                                                : Error::SignInFailed,
                       message);
            });
}

BrowserSignIn::~BrowserSignIn()
{
    // A sign-in the Session was waiting for ends with this object.
    d->completion->stop();
    d->closeListener();
}

void BrowserSignIn::setPorts(const QList<quint16> &ports)
{
    d->ports = ports;
}

std::optional<QList<quint16>> BrowserSignIn::portsFromText(const QString &text)
{
    QList<quint16> ports;
    static const QRegularExpression separators(QStringLiteral("[,\\s]+"));
    for (const QString &part : text.split(separators, Qt::SkipEmptyParts)) {
        bool ok = false;
        const uint port = part.toUInt(&ok);
        if (!ok || port == 0 || port > 65535)
            return std::nullopt;
        ports.append(quint16(port));
    }
    return ports;
}

QString BrowserSignIn::providerError() const
{
    return d->providerError;
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
    d->providerError.clear();
    d->callback = nullptr;
    d->authorizationUrl = QUrl();
    const auto failLater = [this](Error error, const QString &message) {
        QTimer::singleShot(0, this, [this, error, message] { d->end(error, message); });
    };
    const OAuth2Protocol *protocol = d->completion->protocol();
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
