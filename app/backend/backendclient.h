#pragma once

#include <QtCore/QDateTime>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QUrl>
#include <QtNetwork/QNetworkReply>

#include <functional>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
QT_END_NAMESPACE

namespace SilentAuth {

struct Profile
{
    QString username;
    QString displayName;
    QString email;
    QDateTime createdAt;
};

struct Post
{
    qint64 id = 0;
    QString title;
    QString body;
    QString author;
    QDateTime createdAt;
    QDateTime updatedAt;
};

//! How a backend call ended. Default-constructed: success.
struct ApiError
{
    enum class Kind {
        None,
        SessionEnded, //!< no valid session; sign in again
        Offline, //!< the server or the sign-in server cannot be reached; try again
        Rejected, //!< the server refused this request (4xx); message says why
        ServerError, //!< 5xx or an answer that could not be read
        Canceled,
    };
    Kind kind = Kind::None;
    int httpStatus = 0; //!< 0: no answer came
    QString message;
    //! What the server's answer said (its "message", else its "error"), else the network
    //! error; for Details, never the headline.
    QString serverMessage;

    bool ok() const { return kind == Kind::None; }
};

// The demo backend's resource services (profile and board), called through
// any QNetworkAccessManager; with an AuthNetworkAccessManager every call is
// silently re-authenticated. Each result is delivered once, on the context
// object's thread, and not at all if the context is gone.
//
// This is the bundled server's API, not part of silent re-authentication:
// the desktop program's windows use it, and it is not installed with
// SilentAuth::Net.
class BackendClient : public QObject
{
    Q_OBJECT

public:
    template<typename T> using Callback = std::function<void(const ApiError &, const T &)>;

    //! \a profileBase and \a boardBase may be the same server or two services.
    BackendClient(QNetworkAccessManager *manager, const QUrl &profileBase, const QUrl &boardBase,
                  QObject *parent = nullptr);

    void fetchProfile(QObject *context, Callback<Profile> done);
    void updateDisplayName(const QString &displayName, QObject *context, Callback<Profile> done);
    void listPosts(QObject *context, Callback<QList<Post>> done);
    void createPost(const QString &title, const QString &body, QObject *context,
                    Callback<Post> done);
    void updatePost(qint64 id, const QString &title, const QString &body, QObject *context,
                    Callback<Post> done);
    void deletePost(qint64 id, QObject *context, Callback<qint64> done);

private:
    QNetworkReply *send(const QUrl &base, const QString &path, const QByteArray &verb,
                        const QJsonObject *body);
    template<typename T>
    void deliver(QNetworkReply *reply, QObject *context, Callback<T> done,
                 std::function<T(const QJsonObject &)> read);

    QNetworkAccessManager *m_manager;
    QUrl m_profileBase;
    QUrl m_boardBase;
};

} // namespace SilentAuth
