#include "backendclient.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtNetwork/QNetworkAccessManager>

namespace SilentAuth {

namespace {

// \a path below \a base's own path ("https://host/api" + "/boards").
QUrl withPath(const QUrl &base, const QString &path)
{
    QUrl url = base;
    QString prefix = url.path();
    if (prefix.endsWith(QLatin1Char('/')))
        prefix.chop(1);
    url.setPath(prefix + path);
    return url;
}

QDateTime readTime(const QJsonValue &value)
{
    return QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
}

Profile readProfile(const QJsonObject &json)
{
    return {json.value(QLatin1String("username")).toString(),
            json.value(QLatin1String("displayName")).toString(),
            json.value(QLatin1String("email")).toString(),
            readTime(json.value(QLatin1String("createdAt")))};
}

Post readPost(const QJsonObject &json)
{
    Post post;
    post.id = qint64(json.value(QLatin1String("id")).toDouble());
    post.title = json.value(QLatin1String("title")).toString();
    post.body = json.value(QLatin1String("body")).toString();
    post.author = json.value(QLatin1String("author")).toString();
    post.createdAt = readTime(json.value(QLatin1String("createdAt")));
    post.updatedAt = readTime(json.value(QLatin1String("updatedAt")));
    return post;
}

ApiError errorOf(QNetworkReply *reply, const QJsonObject &json, bool parsed)
{
    ApiError error;
    error.httpStatus = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString serverMessage = json.value(QLatin1String("message")).toString();
    error.serverMessage
        = serverMessage.isEmpty() ? json.value(QLatin1String("error")).toString() : serverMessage;
    if (error.serverMessage.isEmpty() && reply->error() != QNetworkReply::NoError)
        error.serverMessage = reply->errorString();
    switch (reply->error()) {
    case QNetworkReply::NoError:
        if (!parsed) {
            error.kind = ApiError::Kind::ServerError;
            error.message = BackendClient::tr("The server answered something that could not "
                                              "be read.");
        }
        return error;
    case QNetworkReply::OperationCanceledError:
        error.kind = ApiError::Kind::Canceled;
        error.message = BackendClient::tr("Canceled.");
        return error;
    case QNetworkReply::AuthenticationRequiredError:
        error.kind = ApiError::Kind::SessionEnded;
        error.message = reply->errorString();
        return error;
    default:
        break;
    }
    if (error.httpStatus >= 400 && error.httpStatus < 500) {
        error.kind = ApiError::Kind::Rejected;
        error.message = serverMessage.isEmpty() ? reply->errorString() : serverMessage;
    } else if (error.httpStatus >= 500) {
        error.kind = ApiError::Kind::ServerError;
        error.message = BackendClient::tr("The server had a problem (HTTP %1). Try again.")
                            .arg(error.httpStatus);
    } else {
        error.kind = ApiError::Kind::Offline;
        error.message = reply->error() == QNetworkReply::TemporaryNetworkFailureError
            ? reply->errorString()
            : BackendClient::tr("The server cannot be reached (%1).").arg(reply->errorString());
    }
    return error;
}

} // namespace

BackendClient::BackendClient(QNetworkAccessManager *manager, const QUrl &profileBase,
                             const QUrl &boardBase, QObject *parent)
    : QObject(parent)
    , m_manager(manager)
    , m_profileBase(profileBase)
    , m_boardBase(boardBase)
{
}

QNetworkReply *BackendClient::send(const QUrl &base, const QString &path, const QByteArray &verb,
                                   const QJsonObject *body)
{
    QNetworkRequest request(withPath(base, path));
    request.setRawHeader("Accept", "application/json");
    if (!body)
        return m_manager->sendCustomRequest(request, verb);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    return m_manager->sendCustomRequest(request, verb,
                                        QJsonDocument(*body).toJson(QJsonDocument::Compact));
}

template<typename T>
void BackendClient::deliver(QNetworkReply *reply, QObject *context, Callback<T> done,
                            std::function<T(const QJsonObject &)> read)
{
    const auto delivery = connect(reply, &QNetworkReply::finished, context, [reply, done, read] {
        reply->deleteLater();
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(reply->readAll(), &parseError);
        const bool parsed = parseError.error == QJsonParseError::NoError && document.isObject();
        const ApiError error = errorOf(reply, document.object(), parsed);
        done(error, error.ok() ? read(document.object()) : T());
    });
    // The context went away first: nobody wants the answer. Its destroyed()
    // comes while it is half torn down, so the callback must not run.
    connect(context, &QObject::destroyed, reply, [reply, delivery] {
        disconnect(delivery);
        reply->abort();
        reply->deleteLater();
    });
}

void BackendClient::fetchProfile(QObject *context, Callback<Profile> done)
{
    deliver<Profile>(send(m_profileBase, QStringLiteral("/profile"), "GET", nullptr), context,
                     std::move(done), readProfile);
}

void BackendClient::updateDisplayName(const QString &displayName, QObject *context,
                                      Callback<Profile> done)
{
    const QJsonObject body {{QStringLiteral("displayName"), displayName}};
    deliver<Profile>(send(m_profileBase, QStringLiteral("/profile"), "PATCH", &body), context,
                     std::move(done), readProfile);
}

void BackendClient::listPosts(QObject *context, Callback<QList<Post>> done)
{
    deliver<QList<Post>>(send(m_boardBase, QStringLiteral("/boards"), "GET", nullptr), context,
                         std::move(done), [](const QJsonObject &json) {
                             QList<Post> posts;
                             for (const auto &item : json.value(QLatin1String("items")).toArray())
                                 posts.append(readPost(item.toObject()));
                             return posts;
                         });
}

void BackendClient::createPost(const QString &title, const QString &body, QObject *context,
                               Callback<Post> done)
{
    const QJsonObject json {{QStringLiteral("title"), title}, {QStringLiteral("body"), body}};
    deliver<Post>(send(m_boardBase, QStringLiteral("/boards"), "POST", &json), context,
                  std::move(done), readPost);
}

void BackendClient::updatePost(qint64 id, const QString &title, const QString &body,
                               QObject *context, Callback<Post> done)
{
    const QJsonObject json {{QStringLiteral("title"), title}, {QStringLiteral("body"), body}};
    deliver<Post>(send(m_boardBase, QStringLiteral("/boards/%1").arg(id), "PUT", &json), context,
                  std::move(done), readPost);
}

void BackendClient::deletePost(qint64 id, QObject *context, Callback<qint64> done)
{
    deliver<qint64>(send(m_boardBase, QStringLiteral("/boards/%1").arg(id), "DELETE", nullptr),
                    context, std::move(done), [id](const QJsonObject &) { return id; });
}

} // namespace SilentAuth
