// silentauth: the desktop program. Parses the command line, keeps to one
// instance, and hands over to DesktopApp.
#include "desktopapp.h"
#include "quitsignals.h"

#include <shell.h>

#include <silentauth/browsersignin.h>

#include <QtCore/QCommandLineParser>
#include <QtCore/QDateTime>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QLockFile>
#include <QtCore/QLoggingCategory>
#include <QtCore/QSettings>
#include <QtCore/QStandardPaths>
#include <QtCore/QTimer>
#include <QtNetwork/QLocalServer>
#include <QtNetwork/QLocalSocket>
#include <QtWidgets/QApplication>
#include <QtWidgets/QMessageBox>

#include <cstdio>

using namespace SilentAuth;

namespace {

Q_LOGGING_CATEGORY(lcDesktop, "silentauth.desktop", QtInfoMsg)

// One program per login session: the socket lives in the session's runtime directory
// (another session of the same user, or a test's private one, has its own). Where the
// session has none, Qt makes one of the user's own (/tmp/runtime-<user>, mode 0700), so
// that nobody else can take the name first.
QString instanceKey()
{
    const QString runtime = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    return QDir(runtime.isEmpty() ? QDir::tempPath() : runtime)
        .filePath(QStringLiteral("silentauth-instance"));
}

// Another instance is running: ask it to come to the front.
bool handOverToRunningInstance()
{
    QLocalSocket socket;
    socket.connectToServer(instanceKey());
    if (!socket.waitForConnected(500))
        return false;
    socket.write("raise\n");
    socket.waitForBytesWritten(500);
    return true;
}

// --report-startup: prints when the main window first paints (wall clock, so
// a harness that noted the time it launched us can subtract) and the peak
// memory so far, then quits. Used by the cold-start benchmark.
class StartupReport : public QObject
{
public:
    using QObject::QObject;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (!m_done && event->type() == QEvent::Paint && watched->isWidgetType()
            && static_cast<QWidget *>(watched)->window()->objectName()
                == QLatin1String("mainWindow")) {
            m_done = true;
            QTimer::singleShot(0, this, [] {
                std::printf("{\"window\":\"main\",\"paintedAtMs\":%lld,\"peakRssKb\":%lld}\n",
                            static_cast<long long>(QDateTime::currentMSecsSinceEpoch()),
                            peakRssKb());
                std::fflush(stdout);
                QApplication::quit();
            });
        }
        return QObject::eventFilter(watched, event);
    }

private:
    static long long peakRssKb()
    {
        QFile status(QStringLiteral("/proc/self/status"));
        if (!status.open(QIODevice::ReadOnly))
            return -1;
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("VmHWM:"))
                return line.mid(6).trimmed().split(' ').value(0).toLongLong();
        }
        return -1;
    }

    bool m_done = false;
};

// The command line. Help and version need no display, so they are answered
// before a QApplication (which needs one) exists.
struct Options
{
    explicit Options(QCommandLineParser *parser)
    {
        parser->setApplicationDescription(QCoreApplication::translate(
            "main",
            "Signs you in once and keeps you signed in. Without --server it starts its "
            "bundled demo server."));
        parser->addHelpOption();
        parser->addVersionOption();
        reportStartup.setFlags(QCommandLineOption::HiddenFromHelp);
        parser->addOptions({server, protocol, tokenUrl, issuer, clientId, scope, redirectPorts,
                            refreshTransport, demoAccessTtl, reportStartup});
    }

    const QCommandLineOption server {QStringLiteral("server"),
                                     QCoreApplication::translate("main", "The server to use."),
                                     QStringLiteral("url")};
    const QCommandLineOption protocol {
        QStringLiteral("protocol"),
        QCoreApplication::translate("main",
                                    "json, oauth2, or oidc (an OpenID provider: sign in with "
                                    "the browser)."),
        QStringLiteral("name")};
    const QCommandLineOption tokenUrl {QStringLiteral("token-url"),
                                       QCoreApplication::translate("main", "OAuth 2.0 token URL."),
                                       QStringLiteral("url")};
    const QCommandLineOption issuer {
        QStringLiteral("issuer"),
        QCoreApplication::translate("main",
                                    "The OpenID provider's issuer (oidc; default: the server)."),
        QStringLiteral("url")};
    const QCommandLineOption clientId {QStringLiteral("client-id"),
                                       QCoreApplication::translate("main", "OAuth 2.0 client id."),
                                       QStringLiteral("id")};
    const QCommandLineOption scope {QStringLiteral("scope"),
                                    QCoreApplication::translate("main", "OAuth 2.0 scope."),
                                    QStringLiteral("scope")};
    const QCommandLineOption redirectPorts {
        QStringLiteral("redirect-ports"),
        QCoreApplication::translate("main",
                                    "oidc: the loopback ports for the browser's way back, in "
                                    "order, for a provider that registers them (default: any "
                                    "free port)."),
        QStringLiteral("port,…")};
    const QCommandLineOption refreshTransport {
        QStringLiteral("refresh-transport"),
        QCoreApplication::translate("main",
                                    "json: where the refresh token travels, body or cookie (an "
                                    "HttpOnly cookie; the bundled server follows)."),
        QStringLiteral("where")};
    const QCommandLineOption demoAccessTtl {
        QStringLiteral("demo-access-ttl"),
        QCoreApplication::translate("main",
                                    "Access-token lifetime of the bundled server, in seconds "
                                    "(default 30)."),
        QStringLiteral("seconds"), QStringLiteral("30")};
    QCommandLineOption reportStartup {QStringLiteral("report-startup")};
};

void setApplicationInfo()
{
    QCoreApplication::setApplicationName(QStringLiteral("SilentAuth"));
    QCoreApplication::setOrganizationName(QStringLiteral("SilentAuth"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SILENTAUTH_VERSION));
}

bool asksForHelpOrVersion(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "-h" || arg == "--help" || arg == "-?" || arg == "--help-all" || arg == "-v"
            || arg == "--version")
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    if (asksForHelpOrVersion(argc, argv)) {
        QCoreApplication app(argc, argv);
        setApplicationInfo();
        QCommandLineParser parser;
        const Options options(&parser);
        parser.process(app); // prints and exits
        return 0;
    }
    QApplication app(argc, argv);
    quitOnTerminationSignals(); // the session settles before the program ends
    setApplicationInfo();
    QApplication::setApplicationDisplayName(QStringLiteral("SilentAuth"));
    QApplication::setDesktopFileName(QStringLiteral("silentauth"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/silentauth/icons/app.svg")));

    QCommandLineParser parser;
    const Options options(&parser);
    parser.process(app);
    // A normal run prints nothing: progress lines are for whoever asks for them
    // (QT_LOGGING_RULES, which takes precedence over this).
    QLoggingCategory::setFilterRules(QStringLiteral("silentauth.*.info=false"));
    StartupReport report;
    if (parser.isSet(options.reportStartup)) {
        app.installEventFilter(&report);
        QTimer::singleShot(20000, &app, [] {
            std::fprintf(stderr, "silentauth: the main window did not appear within 20 s\n");
            QApplication::exit(1);
        });
    }

    // Two launches at the same moment: the second waits until the first listens, then
    // hands over to it.
    QLockFile launching(instanceKey() + QLatin1String(".lock"));
    if (!parser.isSet(options.reportStartup)) {
        launching.tryLock(10000);
        if (handOverToRunningInstance())
            return 0;
    }

    QSettings settings;
    DesktopApp::Config config = DesktopApp::Config::fromSettings(settings);
    if (parser.isSet(options.server)) {
        config.server = QUrl::fromUserInput(parser.value(options.server));
        if (!config.server.isValid() || config.server.host().isEmpty()) {
            std::fprintf(stderr, "silentauth: not a usable server address: %s\n",
                         qPrintable(parser.value(options.server)));
            return 2;
        }
    }
    if (parser.isSet(options.protocol))
        config.protocol = parser.value(options.protocol);
    if (config.protocol != QLatin1String("json") && config.protocol != QLatin1String("oauth2")
        && config.protocol != QLatin1String("oidc")) {
        std::fprintf(stderr, "silentauth: --protocol is json, oauth2 or oidc\n");
        return 2;
    }
    if (parser.isSet(options.refreshTransport))
        config.refreshTransport = parser.value(options.refreshTransport);
    if (config.refreshTransport != QLatin1String("body")
        && config.refreshTransport != QLatin1String("cookie")) {
        std::fprintf(stderr, "silentauth: --refresh-transport is body or cookie\n");
        return 2;
    }
    if (parser.isSet(options.tokenUrl))
        config.tokenUrl = QUrl(parser.value(options.tokenUrl));
    if (parser.isSet(options.issuer)) {
        config.issuer = QUrl::fromUserInput(parser.value(options.issuer));
        if (!config.issuer.isValid() || config.issuer.host().isEmpty()) {
            std::fprintf(stderr, "silentauth: not a usable issuer address: %s\n",
                         qPrintable(parser.value(options.issuer)));
            return 2;
        }
    }
    if (parser.isSet(options.clientId))
        config.clientId = parser.value(options.clientId);
    if (parser.isSet(options.scope))
        config.scope = parser.value(options.scope);
    if (parser.isSet(options.redirectPorts)) {
        const auto ports = BrowserSignIn::portsFromText(parser.value(options.redirectPorts));
        if (!ports || ports->isEmpty()) {
            std::fprintf(stderr,
                         "silentauth: --redirect-ports takes port numbers separated by "
                         "commas\n");
            return 2;
        }
        config.redirectPorts = *ports;
    }
    config.embeddedAccessTtl
        = std::chrono::seconds(qMax(1, parser.value(options.demoAccessTtl).toInt()));

    DesktopApp desktop(config, &settings);
    QLocalServer instances;
    if (!parser.isSet(options.reportStartup)) {
        QLocalServer::removeServer(instanceKey());
        instances.listen(instanceKey());
        launching.unlock();
    }
    QObject::connect(&instances, &QLocalServer::newConnection, &desktop, [&] {
        while (QLocalSocket *socket = instances.nextPendingConnection()) {
            QObject::connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
            qCInfo(lcDesktop) << "another launch: bringing this window to the front";
            if (desktop.shell())
                desktop.shell()->raise();
        }
    });
    desktop.start([](const QString &error) {
        if (error.isEmpty())
            return;
        QMessageBox::critical(nullptr, QApplication::translate("main", "SilentAuth"), error);
        QApplication::exit(1);
    });
    const int code = app.exec();
    desktop.settleBeforeQuit();
    return code;
}
