#include <silentauth/mock/mockserver.h>

#include "authorizationservice.h"
#include "authservice.h"
#include "resourceservice.h"
#include "servercontext.h"
#include "tlsfiles.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QLoggingCategory>
#include <QtCore/QMetaMethod>
#include <QtCore/QPointer>
#include <QtCore/QRandomGenerator>
#include <QtCore/QSocketNotifier>
#include <QtHttpServer/QHttpServerRequest>
#include <QtNetwork/QSslCertificate>
#include <QtNetwork/QSslKey>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

#include <algorithm>
#include <cerrno>
#include <functional>

#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcMock, "silentauth.mock", QtInfoMsg)

namespace SilentAuth::Mock {

namespace {

QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Options:
        return "OPTIONS";
    case QHttpServerRequest::Method::Patch:
        return "PATCH";
    case QHttpServerRequest::Method::Connect:
        return "CONNECT";
    case QHttpServerRequest::Method::Trace:
        return "TRACE";
    default:
        return "UNKNOWN";
    }
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 204:
        return "No Content";
    case 303:
        return "See Other";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Payload Too Large";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

// Which methods a path answers, and which service owns it; empty = unknown.
struct RouteInfo
{
    QList<QByteArray> methods;
    QString service; // empty: always served
    QString pattern = {}; // for the per-route counters
};

RouteInfo routeFor(const QString &path)
{
    static const QHash<QString, RouteInfo> fixed {
        {QStringLiteral("/auth/login"), {{"POST"}, QStringLiteral("auth")}},
        {QStringLiteral("/auth/refresh"), {{"POST"}, QStringLiteral("auth")}},
        {QStringLiteral("/auth/logout"), {{"POST"}, QStringLiteral("auth")}},
        {QStringLiteral("/oauth/token"), {{"POST"}, QStringLiteral("auth")}},
        {QStringLiteral("/oauth/revoke"), {{"POST"}, QStringLiteral("auth")}},
        {QStringLiteral("/oauth/authorize"), {{"GET", "POST"}, QStringLiteral("auth")}},
        {QStringLiteral("/oauth/jwks"), {{"GET"}, QStringLiteral("auth")}},
        {QStringLiteral("/oauth/device_authorization"), {{"POST"}, QStringLiteral("auth")}},
        {QStringLiteral("/oauth/userinfo"), {{"GET", "POST"}, QStringLiteral("auth")}},
        {QStringLiteral("/oauth/device"), {{"GET", "POST"}, QStringLiteral("auth")}},
        {QStringLiteral("/.well-known/openid-configuration"), {{"GET"}, QStringLiteral("auth")}},
        {QStringLiteral("/.well-known/oauth-authorization-server"),
         {{"GET"}, QStringLiteral("auth")}},
        {QStringLiteral("/profile"), {{"GET", "PATCH"}, QStringLiteral("profile")}},
        {QStringLiteral("/boards"), {{"GET", "POST"}, QStringLiteral("board")}},
        {QStringLiteral("/echo"), {{"GET", "POST", "PUT", "PATCH", "DELETE"}, {}}},
        {QStringLiteral("/health"), {{"GET"}, {}}},
        {QStringLiteral("/__admin/scenarios"), {{"GET"}, {}}},
        {QStringLiteral("/__admin/scenario"), {{"GET", "POST"}, {}}},
        {QStringLiteral("/__admin/stats"), {{"GET"}, {}}},
        {QStringLiteral("/__admin/reset"), {{"POST"}, {}}},
        {QStringLiteral("/__admin/purge-blacklist"), {{"POST"}, {}}},
    };
    const auto it = fixed.constFind(path);
    if (it != fixed.cend())
        return {it->methods, it->service, path};
    if (path.startsWith(QLatin1String("/boards/")))
        return {{"GET", "PUT", "DELETE"}, QStringLiteral("board"), QStringLiteral("/boards/{id}")};
    return {};
}

// Room for a request's line and headers on top of the body limit; Qt's HTTP
// parser refuses headers beyond 80 KiB by itself.
constexpr qint64 headAllowance = 128 * 1024;

// The listening socket. It shows every new connection to the server before Qt
// HttpServer connects its own handlers, so the intake check runs first on
// every chunk that arrives; and it accepts connections itself, because
// QTcpServer in Qt 6.4 keeps the first accept() error it ever saw: after one
// EAGAIN it takes running out of file descriptors for a passing condition and
// spins at full CPU, and after one EMFILE it stops accepting for good.
class Listener : public QTcpServer
{
public:
    Listener(std::function<void(QTcpSocket *)> watch,
             std::function<std::optional<QSslConfiguration>()> tls, QObject *parent)
        : QTcpServer(parent)
        , m_watch(std::move(watch))
        , m_tls(std::move(tls))
    {
    }

    ~Listener() override { delete m_notifier; }

    bool start(const QHostAddress &address, quint16 port)
    {
        if (!listen(address, port))
            return false;
        pauseAccepting(); // QTcpServer's own accepting; see acceptPending()
        m_notifier = new QSocketNotifier(socketDescriptor(), QSocketNotifier::Read);
        connect(m_notifier, &QSocketNotifier::activated, this, &Listener::acceptPending);
        return true;
    }

private:
    void acceptPending()
    {
        for (int burst = 0; burst < 64; ++burst) {
            const int descriptor = ::accept4(int(socketDescriptor()), nullptr, nullptr,
                                             SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (descriptor < 0) {
                if (errno == EINTR || errno == ECONNABORTED)
                    continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                    return;
                // Out of descriptors or memory: stop listening for a moment
                // and let the waiting clients queue in the backlog.
                if (!m_paused)
                    qCWarning(lcMock).noquote()
                        << "cannot accept connections:" << qt_error_string(errno)
                        << "- trying again every 200 ms";
                m_paused = true;
                m_notifier->setEnabled(false);
                QTimer::singleShot(200, this, [this] { m_notifier->setEnabled(true); });
                return;
            }
            if (m_paused) {
                qCInfo(lcMock) << "accepting connections again";
                m_paused = false;
            }
            // Over TLS the socket decrypts before anyone reads: the intake
            // check and Qt HttpServer see the plain request, as over http.
            const std::optional<QSslConfiguration> tls = m_tls();
            QSslSocket *secure = tls ? new QSslSocket(this) : nullptr;
            QTcpSocket *socket = secure ? secure : new QTcpSocket(this);
            if (secure)
                secure->setSslConfiguration(*tls);
            if (!socket->setSocketDescriptor(descriptor)) {
                ::close(descriptor);
                delete socket;
                continue;
            }
            m_watch(socket);
            if (secure)
                secure->startServerEncryption();
            addPendingConnection(socket);
        }
    }

public:
    // Qt HttpServer takes connections from here; QTcpServer's version switches
    // its own accepting back on, so it is switched off again.
    QTcpSocket *nextPendingConnection() override
    {
        QTcpSocket *socket = QTcpServer::nextPendingConnection();
        pauseAccepting();
        return socket;
    }

private:
    std::function<void(QTcpSocket *)> m_watch;
    std::function<std::optional<QSslConfiguration>()> m_tls;
    QSocketNotifier *m_notifier = nullptr;
    bool m_paused = false;
};

// Printable ASCII only: the request line of a refused request goes to the log.
QByteArray printable(const QByteArray &text)
{
    QByteArray out;
    for (const char c : text) {
        if (c > 0x20 && c < 0x7f)
            out += c;
    }
    return out;
}

} // namespace

MockServer::MockServer(MockServerConfig config, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_config(std::move(config))
    , m_context(std::make_unique<ServerContext>(m_config))
    , m_auth(std::make_unique<AuthService>(*m_context))
    , m_authorization(std::make_unique<AuthorizationService>(*m_context, *m_auth))
    , m_resources(std::make_unique<ResourceService>(*m_context))
{
    connect(&m_cleanupTimer, &QTimer::timeout, this, &MockServer::purgeBlacklist);
    connect(&m_idleSweep, &QTimer::timeout, this, &MockServer::closeIdleConnections);
}

MockServer::~MockServer() = default;

bool MockServer::start(QString *error)
{
    QString failure;
    auto fail = [&](const QString &message) {
        if (error)
            *error = message;
        return false;
    };
    for (const auto &service : m_config.services) {
        if (service != QLatin1String("auth") && service != QLatin1String("profile")
            && service != QLatin1String("board"))
            return fail(
                QStringLiteral("Unknown service %1 (known: auth, profile, board)").arg(service));
    }
    if (!m_config.issuer.isEmpty()) {
        const QUrl issuer(m_config.issuer, QUrl::StrictMode);
        const QString scheme = issuer.scheme();
        if (!issuer.isValid() || issuer.host().isEmpty()
            || (scheme != QLatin1String("http") && scheme != QLatin1String("https"))
            || issuer.hasQuery() || issuer.hasFragment() || !issuer.userInfo().isEmpty())
            return fail(QStringLiteral("The issuer %1 is not an http or https URL without query, "
                                       "fragment or user info")
                            .arg(m_config.issuer));
    }
    if (!m_config.databaseFile.isEmpty() && !m_context->store.open(m_config.databaseFile, &failure))
        return fail(
            QStringLiteral("Cannot open database %1: %2").arg(m_config.databaseFile, failure));

    QByteArray secret = m_config.secret;
    if (secret.isEmpty())
        secret = m_context->store.meta(QStringLiteral("secret"));
    if (secret.isEmpty()) {
        secret.resize(32);
        QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(secret.data()), 8);
        // A database keeps its secret, so tokens survive a restart.
        if (m_context->store.isPersistent())
            m_context->store.setMeta(QStringLiteral("secret"), secret);
    }
    m_context->issuer
        = std::make_unique<TokenIssuer>(secret, m_config.accessTtl, m_config.refreshTtl);
    if (!loadUsers(&failure))
        return fail(failure);
    m_context->dpop.configure();
    if (!setScenario(m_config.scenario, m_config.scenarioParameters, &failure))
        return fail(failure);

    if (!loadTls(&failure))
        return fail(failure);
    auto *listener = new Listener([this](QTcpSocket *socket) { watchIntake(socket); },
                                  [this] { return tlsForNewConnection(); }, this);
    if (!listener->start(m_config.address, m_config.port)) {
        delete listener;
        return fail(QStringLiteral("Cannot listen on %1:%2")
                        .arg(m_config.address.toString())
                        .arg(m_config.port));
    }
    bind(listener);
    m_port = listener->serverPort();
    m_context->issuerUrl = issuer();
    m_context->baseUrl = url().toString(QUrl::FullyEncoded);
    m_context->dpop.configureOrigins();
    m_idleSweep.start(std::clamp(m_config.idleTimeout / 4, std::chrono::milliseconds(50),
                                 std::chrono::milliseconds(1000)));
    m_cleanupTimer.start(m_config.cleanupInterval);
    return true;
}

bool MockServer::loadUsers(QString *error)
{
    struct Seed
    {
        QString username, password, displayName;
    };
    QList<Seed> seeds {
        {QStringLiteral("alice"), QStringLiteral("alice-password"),
         QStringLiteral("Alice Example")},
        {QStringLiteral("bob"), QStringLiteral("bob-password"), QStringLiteral("Bob Example")}};
    if (!m_config.usersFile.isEmpty()) {
        QFile file(m_config.usersFile);
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("Cannot read users file %1: %2")
                         .arg(m_config.usersFile, file.errorString());
            return false;
        }
        QJsonParseError parseError;
        const auto document = QJsonDocument::fromJson(file.readAll(), &parseError);
        const QJsonArray users = document.isArray()
            ? document.array()
            : document.object().value(QLatin1String("users")).toArray();
        if (parseError.error != QJsonParseError::NoError || users.isEmpty()) {
            *error = QStringLiteral("Users file %1 must hold a JSON array of "
                                    "{\"username\", \"password\", \"displayName\"}")
                         .arg(m_config.usersFile);
            return false;
        }
        for (const auto &entry : users) {
            const auto o = entry.toObject();
            const QString name = o.value(QLatin1String("username")).toString();
            const QString password = o.value(QLatin1String("password")).toString();
            if (name.isEmpty() || password.isEmpty()) {
                *error = QStringLiteral("Every user in %1 needs a username and a password")
                             .arg(m_config.usersFile);
                return false;
            }
            seeds.append({name, password, o.value(QLatin1String("displayName")).toString()});
        }
    }
    for (const auto &seed : seeds) {
        if (m_context->store.hasUser(seed.username))
            continue;
        User user = Store::makeUser(seed.username, seed.password, seed.displayName,
                                    m_config.passwordIterations);
        user.createdAtMs = ServerContext::nowMs();
        m_context->store.putUser(user);
    }
    return true;
}

bool MockServer::loadTls(QString *error)
{
    QString certificateFile = m_config.tlsCertificateFile;
    QString keyFile = m_config.tlsKeyFile;
    QString expiredFile;
    if (!m_config.tlsSelfSignedDir.isEmpty()) {
        if (!TlsFiles::create(m_config.tlsSelfSignedDir, error))
            return false;
        const TlsFiles files = TlsFiles::in(m_config.tlsSelfSignedDir);
        certificateFile = files.certificate;
        keyFile = files.key;
        expiredFile = files.expiredCertificate;
    }
    if (certificateFile.isEmpty() && keyFile.isEmpty())
        return true;
    if (certificateFile.isEmpty() || keyFile.isEmpty()) {
        *error = QStringLiteral("TLS needs both a certificate and its key");
        return false;
    }
    if (!QSslSocket::supportsSsl()) {
        *error = QStringLiteral("This Qt has no TLS backend");
        return false;
    }
    const QList<QSslCertificate> chain = QSslCertificate::fromPath(certificateFile, QSsl::Pem);
    QFile file(keyFile);
    const QByteArray pem = file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    QSslKey key(pem, QSsl::Ec, QSsl::Pem);
    if (key.isNull())
        key = QSslKey(pem, QSsl::Rsa, QSsl::Pem);
    if (chain.isEmpty() || key.isNull()) {
        *error = QStringLiteral("Cannot read the TLS certificate %1 or its key %2")
                     .arg(certificateFile, keyFile);
        return false;
    }
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(key);
    tls.setProtocol(QSsl::TlsV1_2OrLater);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    m_tls = tls;
    if (!expiredFile.isEmpty()) {
        tls.setLocalCertificateChain(QSslCertificate::fromPath(expiredFile, QSsl::Pem));
        m_tlsExpired = tls;
    }
    return true;
}

std::optional<QSslConfiguration> MockServer::tlsForNewConnection()
{
    Scenario &scenario = m_context->scenario;
    if (scenario.kind == Scenario::Kind::TlsExpiredCert && m_tlsExpired
        && scenario.remaining != 0) {
        if (scenario.remaining > 0)
            --scenario.remaining;
        ++m_context->stats.tlsExpiredServed;
        return m_tlsExpired;
    }
    return m_tls;
}

QString MockServer::caCertificateFile() const
{
    return m_config.tlsSelfSignedDir.isEmpty()
        ? QString()
        : TlsFiles::in(m_config.tlsSelfSignedDir).caCertificate;
}

QUrl MockServer::url() const
{
    QUrl url;
    url.setScheme(m_tls ? QStringLiteral("https") : QStringLiteral("http"));
    const bool any
        = m_config.address == QHostAddress::Any || m_config.address == QHostAddress::AnyIPv4;
    url.setHost(any ? QStringLiteral("127.0.0.1") : m_config.address.toString());
    url.setPort(m_port);
    return url;
}

QString MockServer::issuer() const
{
    if (!m_config.issuer.isEmpty()) {
        QString configured = m_config.issuer;
        while (configured.endsWith(QLatin1Char('/')))
            configured.chop(1);
        return configured;
    }
    QUrl listening = url();
    if (m_config.address == QHostAddress::AnyIPv6)
        listening.setHost(QStringLiteral("::1"));
    return listening.toString(QUrl::FullyEncoded);
}

bool MockServer::setScenario(const QString &name, const QJsonObject &parameters, QString *error)
{
    Scenario scenario;
    if (!Scenario::parse(name, parameters, &scenario, error))
        return false;
    if (scenario.kind == Scenario::Kind::ExpireNow && m_context->issuer)
        m_context->issuer->rejectIssuedUpTo(ServerContext::nowUs());
    if (scenario.kind == Scenario::Kind::TlsExpiredCert && !m_tlsExpired) {
        *error = QStringLiteral("Scenario tls-expired-cert needs a server started with "
                                "--tls-self-signed");
        return false;
    }
    if (scenario.kind == Scenario::Kind::TlsExpiredCert) {
        // As a server restarted with the new certificate: clients connect
        // again (once the answer to this request is out).
        QTimer::singleShot(100, this, [this] { closeConnections(0); });
    }
    if (scenario.kind == Scenario::Kind::DpopNonceRotation && !m_context->dpop.noncesOn()) {
        *error = QStringLiteral("Scenario dpop-nonce-rotation needs a server with DPoP nonces "
                                "(--dpop-nonce, or --dpop required)");
        return false;
    }
    if (scenario.kind == Scenario::Kind::DpopReplayedProof && !m_context->dpop.enabled()) {
        *error = QStringLiteral("Scenario dpop-replayed-proof needs a server started with --dpop");
        return false;
    }
    if (scenario.kind == Scenario::Kind::DpopNonceRotation)
        m_context->dpop.rotateNonce(qint64(scenario.graceSeconds) * 1000);
    if (scenario.kind == Scenario::Kind::RotateSigningKey) {
        QString failure;
        if (!m_context->signingKeys.rotate(&failure)) {
            *error = QStringLiteral("Cannot make a new signing key: %1").arg(failure);
            return false;
        }
        qCInfo(lcMock).noquote() << "new ID token signing key"
                                 << m_context->signingKeys.currentKid();
    }
    m_context->scenario = scenario;
    qCInfo(lcMock).noquote() << "scenario" << name;
    return true;
}

QJsonArray MockServer::scenarios()
{
    QJsonArray list;
    for (const auto &d : Scenario::all())
        list.append(QJsonObject {{QStringLiteral("name"), d.name},
                                 {QStringLiteral("description"), d.summary},
                                 {QStringLiteral("parameters"), d.parameters}});
    return list;
}

QString MockServer::scenario() const
{
    return m_context->scenario.name;
}

QJsonObject MockServer::stats() const
{
    QJsonObject stats = m_context->stats.toJson();
    stats.insert(QStringLiteral("liveRefreshTokens"),
                 m_context->store.liveRefreshCount(ServerContext::nowMs()));
    stats.insert(QStringLiteral("blacklistSize"), m_context->store.blacklistSize());
    stats.insert(QStringLiteral("scenario"), m_context->scenario.name);
    stats.insert(QStringLiteral("services"), QJsonArray::fromStringList(m_config.services));
    if (m_context->dpop.enabled())
        stats.insert(QStringLiteral("dpop"), m_context->dpop.stats());
    return stats;
}

int MockServer::purgeBlacklist()
{
    const qint64 cutoff = ServerContext::nowMs() - m_config.blacklistRetention.count();
    const int purged = m_context->store.purgeBlacklist(cutoff);
    m_context->stats.blacklistPurged += purged;
    if (purged)
        qCInfo(lcMock) << "blacklist cleanup purged" << purged << "entries";
    return purged;
}

void MockServer::reset()
{
    m_context->store.clearSessions();
    m_context->stats = Stats();
    m_context->failedLogins.clear();
    m_context->authorizationCodes.clear();
    m_context->deviceAuthorizations.clear();
    m_context->scenario = Scenario();
    m_context->issuer->rejectIssuedUpTo(-1);
    m_context->dpop.reset();
}

Reply MockServer::admin(const Request &request)
{
    const bool allowed = m_config.adminToken.isEmpty()
        ? request.remote.isLoopback()
        : request.header("x-admin-token") == m_config.adminToken;
    if (!allowed)
        return Reply::error(403, QStringLiteral("forbidden"),
                            m_config.adminToken.isEmpty()
                                ? QStringLiteral("Admin routes answer only on loopback")
                                : QStringLiteral("Admin routes need X-Admin-Token"));
    const QString &path = request.path;
    if (path == QLatin1String("/__admin/scenarios")
        || (path == QLatin1String("/__admin/scenario") && request.method == "GET")) {
        return Reply::json(200,
                           {{QStringLiteral("current"), m_context->scenario.name},
                            {QStringLiteral("parameters"), m_context->scenario.parameters},
                            {QStringLiteral("scenarios"), scenarios()}});
    }
    if (path == QLatin1String("/__admin/scenario")) {
        QJsonObject body;
        QString error;
        if (!request.jsonObject(&body, &error))
            return Reply::error(400, QStringLiteral("invalid_json"), error);
        const QString name = body.value(QLatin1String("name")).toString();
        body.remove(QStringLiteral("name"));
        if (!setScenario(name, body, &error))
            return Reply::error(400, QStringLiteral("unknown_scenario"), error);
        return Reply::json(
            200, {{QStringLiteral("scenario"), name}, {QStringLiteral("parameters"), body}});
    }
    if (path == QLatin1String("/__admin/stats"))
        return Reply::json(200, stats());
    if (path == QLatin1String("/__admin/reset")) {
        reset();
        return Reply::json(200, {{QStringLiteral("msg"), QStringLiteral("Reset")}});
    }
    return Reply::json(200, {{QStringLiteral("purged"), purgeBlacklist()}});
}

Reply MockServer::handle(const Request &request)
{
    // Without a socket the target may still carry its query.
    const qsizetype question = request.path.indexOf(QLatin1Char('?'));
    if (question < 0 || !request.query.isEmpty())
        return dispatch(request);
    Request split = request;
    split.path = request.path.left(question);
    split.query = request.path.mid(question + 1).toUtf8();
    return dispatch(split);
}

Reply MockServer::dispatch(const Request &request)
{
    const bool portal = m_context->scenario.kind == Scenario::Kind::CaptivePortal;
    const bool adminRoute = request.path.startsWith(QLatin1String("/__admin/"));
    if (!adminRoute && !portal)
        m_context->dpop.beforeRequest();
    Reply reply = route(request);
    // RFC 9449 §8: the nonce to use next, on every answer (what a portal
    // answers is not the server's).
    if (!portal && m_context->dpop.noncesOn())
        reply.withHeader("DPoP-Nonce", m_context->dpop.currentNonce());
    return reply;
}

Reply MockServer::route(const Request &request)
{
    // A portal answers whatever is asked, wherever: only the admin routes
    // (QA's own) get through.
    if (m_context->scenario.kind == Scenario::Kind::CaptivePortal
        && !request.path.startsWith(QLatin1String("/__admin/"))) {
        Reply portal = Reply::html(
            200,
            QStringLiteral("<!DOCTYPE html><html><head><title>Guest Wi-Fi</title></head>"
                           "<body><h1>Welcome to Guest Wi-Fi</h1><form method=\"post\" "
                           "action=\"/portal\"><label>Room number <input name=\"room\">"
                           "</label><button>Connect</button></form></body></html>"));
        portal.withHeader("Cache-Control", "no-store");
        portal.logNote = "scenario=captive-portal";
        return portal;
    }
    const RouteInfo route = routeFor(request.path);
    if (!route.methods.isEmpty())
        ++m_context->stats
              .routes[QString::fromLatin1(request.method) + QLatin1Char(' ') + route.pattern];
    const bool served = route.service.isEmpty() || m_config.services.contains(route.service);
    if (route.methods.isEmpty() || !served)
        return Reply::error(404, QStringLiteral("not_found"),
                            QStringLiteral("No route %1").arg(request.path));
    if (!route.methods.contains(request.method)) {
        Reply reply = Reply::error(405, QStringLiteral("method_not_allowed"),
                                   QStringLiteral("%1 does not answer %2")
                                       .arg(request.path, QString::fromLatin1(request.method)));
        reply.withHeader("Allow", route.methods.join(", "));
        return reply;
    }
    if (request.body.size() > m_config.maxBodyBytes)
        return Reply::error(413, QStringLiteral("payload_too_large"),
                            QStringLiteral("The body exceeds %1 bytes").arg(m_config.maxBodyBytes));

    const QString &path = request.path;
    if (path.startsWith(QLatin1String("/__admin/")))
        return admin(request);
    if (path == QLatin1String("/health"))
        return Reply::json(200, {{QStringLiteral("status"), QStringLiteral("ok")}});
    if (path == QLatin1String("/auth/login"))
        return m_auth->login(request);
    if (path == QLatin1String("/auth/refresh"))
        return m_auth->refresh(request);
    if (path == QLatin1String("/auth/logout"))
        return m_auth->logout(request);
    if (path == QLatin1String("/oauth/token"))
        return m_auth->oauthToken(request);
    if (path == QLatin1String("/oauth/revoke"))
        return m_auth->oauthRevoke(request);
    if (path == QLatin1String("/oauth/authorize"))
        return m_authorization->authorize(request);
    if (path == QLatin1String("/oauth/jwks"))
        return m_authorization->jwks();
    if (path == QLatin1String("/oauth/device_authorization"))
        return m_auth->deviceAuthorization(request);
    if (path == QLatin1String("/oauth/device"))
        return m_authorization->device(request);
    if (path == QLatin1String("/oauth/userinfo")) {
        Reply reply;
        QString username;
        if (!m_resources->authenticate(request, &username, &reply))
            return reply;
        return m_authorization->userinfo(request, username);
    }
    if (path.startsWith(QLatin1String("/.well-known/")))
        return m_authorization->discovery();

    Reply reply;
    QString username;
    if (!m_resources->authenticate(request, &username, &reply))
        return reply;
    if (m_resources->injectFailure(&reply))
        return reply;
    if (path == QLatin1String("/profile"))
        return m_resources->profile(request, username);
    if (path == QLatin1String("/echo"))
        return m_resources->echo(request, username);
    if (path == QLatin1String("/boards"))
        return request.method == "GET" ? m_resources->listPosts()
                                       : m_resources->createPost(request, username);
    bool ok = false;
    const qint64 id = path.mid(int(qstrlen("/boards/"))).toLongLong(&ok);
    if (!ok)
        return Reply::error(404, QStringLiteral("not_found"),
                            QStringLiteral("No route %1").arg(path));
    return m_resources->post(id, request, username);
}

void MockServer::watchIntake(QTcpSocket *socket)
{
    Intake intake;
    intake.lastHeard.start();
    m_intake.insert(socket, intake);
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { takeIn(socket); });
    connect(socket, &QObject::destroyed, this, [this, socket] { m_intake.remove(socket); });
}

void MockServer::takeIn(QTcpSocket *socket)
{
    Intake &intake = m_intake[socket];
    intake.lastHeard.start();
    if (intake.bytes == 0) {
        intake.since.start();
        const QByteArray head = socket->peek(1024);
        const QList<QByteArray> line = head.left(head.indexOf('\n')).split(' ');
        intake.method = printable(line.value(0).left(16));
        const QByteArray target = line.value(1);
        // Without the query, which may carry a credential.
        const qsizetype query = target.indexOf('?');
        intake.path = printable((query < 0 ? target : target.left(query)).left(200));
    }
    // Qt's handler runs after this one and reads everything available, so
    // what is available now arrived since the last time.
    intake.bytes += socket->bytesAvailable();
    if (intake.bytes > m_config.maxBodyBytes + headAllowance)
        refuseOversized(socket);
}

void MockServer::refuseOversized(QTcpSocket *socket)
{
    const Intake intake = m_intake.value(socket);
    // Qt's handler sees nothing more from this connection; what it holds is
    // freed with the socket.
    disconnect(socket, &QTcpSocket::readyRead, nullptr, nullptr);
    if (socket->isTransactionStarted())
        socket->commitTransaction(); // lets go of what Qt's parser has read so far
    Request request;
    request.method = intake.method.isEmpty() ? QByteArray("-") : intake.method;
    request.path = intake.path.isEmpty() ? QStringLiteral("-") : QString::fromLatin1(intake.path);
    Reply reply
        = Reply::error(413, QStringLiteral("payload_too_large"),
                       QStringLiteral("The body exceeds %1 bytes").arg(m_config.maxBodyBytes));
    reply.withHeader("Connection", "close");
    reply.logNote = "refused while arriving after " + QByteArray::number(intake.bytes) + " bytes";
    deliver(socket, request, reply, intake.since);
    // Read and discard for a moment before closing, so the client is not reset
    // while the answer is on its way (closing with unread data sends RST).
    connect(socket, &QTcpSocket::readyRead, socket,
            [socket] { socket->skip(socket->bytesAvailable()); });
    QTimer::singleShot(500, socket, [socket] { socket->disconnectFromHost(); });
}

void MockServer::closeIdleConnections()
{
    closeConnections(m_config.idleTimeout.count());
}

void MockServer::closeConnections(qint64 silentForMs)
{
    const qint64 limit = silentForMs;
    QList<QTcpSocket *> idle;
    for (auto it = m_intake.cbegin(); it != m_intake.cend(); ++it) {
        if (it->answersOwed == 0 && it->lastHeard.hasExpired(limit))
            idle.append(it.key());
    }
    for (QTcpSocket *socket : std::as_const(idle)) {
        m_intake.remove(socket);
        socket->disconnectFromHost();
    }
}

bool MockServer::handleRequest(const QHttpServerRequest &httpRequest, QTcpSocket *socket)
{
    m_intake[socket].bytes = 0;
    QElapsedTimer timer;
    timer.start();
    Request request;
    request.method = methodName(httpRequest.method());
    request.path = httpRequest.url().path();
    request.query = httpRequest.url().query(QUrl::FullyEncoded).toUtf8();
    for (const auto &header : httpRequest.headers())
        request.headers.insert(header.first.toLower(), header.second);
    request.body = httpRequest.body();
    request.remote = httpRequest.remoteAddress();

    deliver(socket, request, dispatch(request), timer);
    return true;
}

void MockServer::missingHandler(const QHttpServerRequest &, QTcpSocket *socket)
{
    socket->disconnectFromHost();
}

void MockServer::deliver(QTcpSocket *socket, const Request &request, Reply reply,
                         QElapsedTimer timer)
{
    const bool close = request.header("connection").toLower() == "close";
    // A delayed answer is owed: the idle timeout leaves the connection alone.
    const bool later = reply.delayMs > 0 || reply.delivery == Reply::Delivery::Drop;
    if (later && socket)
        ++m_intake[socket].answersOwed;
    QPointer<QTcpSocket> guard(socket);
    auto send = [this, guard, reply, close, later, timer, method = request.method,
                 path = request.path] {
        QByteArray outcome;
        QTcpSocket *live = guard.data();
        if (later && live) {
            const auto owed = m_intake.find(live);
            if (owed != m_intake.end()) {
                owed->answersOwed = qMax(0, owed->answersOwed - 1);
                owed->lastHeard.start();
            }
        }
        if (!live || live->state() != QAbstractSocket::ConnectedState) {
            outcome = "client gone";
        } else if (reply.delivery == Reply::Delivery::Drop) {
            live->abort();
            outcome = "dropped";
        } else {
            QByteArray out = "HTTP/1.1 " + QByteArray::number(reply.status) + ' '
                + reasonPhrase(reply.status) + "\r\n";
            for (const auto &header : reply.headers)
                out += header.first + ": " + header.second + "\r\n";
            out += "Content-Length: " + QByteArray::number(reply.body.size()) + "\r\n";
            if (close)
                out += "Connection: close\r\n";
            out += "\r\n" + reply.body;
            live->write(out);
            if (close)
                live->disconnectFromHost();
            outcome = QByteArray::number(reply.status);
        }
        // Formatting costs more than answering /health: only when read.
        const bool logging = m_config.logRequests && lcMock().isInfoEnabled();
        if (!logging && !isSignalConnected(QMetaMethod::fromSignal(&MockServer::requestLogged)))
            return;
        QString line = QString::fromLatin1(method + ' ') + path + QLatin1Char(' ')
            + QString::fromLatin1(outcome) + QLatin1Char(' ') + QString::number(timer.elapsed())
            + QStringLiteral("ms");
        if (!reply.logNote.isEmpty())
            line += QLatin1Char(' ') + QString::fromLatin1(reply.logNote);
        if (logging)
            qCInfo(lcMock).noquote() << line;
        Q_EMIT requestLogged(line);
    };
    // Qt HttpServer 6.4 frees the socket when the client hangs up; the
    // QPointer turns a late answer into a "client gone" log line.
    if (reply.delayMs > 0 || reply.delivery == Reply::Delivery::Drop)
        QTimer::singleShot(reply.delayMs, this, send);
    else
        send();
}

} // namespace SilentAuth::Mock
