// Signs in to a SilentAuth-compatible server and fetches the profile; every
// later request through the manager refreshes and replays on its own.
// Usage: minimal http://127.0.0.1:8080 alice alice-password
#include <silentauth/authnetworkaccessmanager.h>
#include <silentauth/jsonauthprotocol.h>
#include <silentauth/memorytokenstore.h>
#include <silentauth/session.h>

#include <QtCore/QCoreApplication>
#include <QtNetwork/QNetworkReply>
#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() != 4)
        return std::fprintf(stderr, "usage: minimal SERVER USER PASSWORD\n"), 2;
    const QUrl server(args[1]);
    SilentAuth::MemoryTokenStore store;
    SilentAuth::Session session(std::make_unique<SilentAuth::JsonAuthProtocol>(server), &store);
    SilentAuth::AuthNetworkAccessManager manager(&session);

    QObject::connect(&session, &SilentAuth::Session::errorOccurred, [](auto, const QString &why) {
        std::fprintf(stderr, "%s\n", qPrintable(why));
        QCoreApplication::exit(1);
    });
    QObject::connect(&session, &SilentAuth::Session::signedIn, [&] {
        QNetworkReply *reply
            = manager.get(QNetworkRequest(server.resolved(QUrl(QStringLiteral("/profile")))));
        QObject::connect(reply, &QNetworkReply::finished, [reply] {
            std::printf("%s\n", reply->readAll().constData());
            QCoreApplication::exit(reply->error() == QNetworkReply::NoError ? 0 : 1);
        });
    });
    session.signIn(args[2], args[3]);
    return app.exec();
}
