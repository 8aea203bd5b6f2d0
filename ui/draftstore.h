#pragma once

#include <QtCore/QDateTime>
#include <QtCore/QString>

namespace SilentAuth::Ui {

// Unsaved posts on disk, one file per server and user, so a crash, a forced
// quit or another user's sign-in loses nothing. Kept in the user's data
// folder (never in the keychain: a post is not a secret of the session),
// readable by the user only.
class DraftStore
{
public:
    struct Draft
    {
        qint64 postId = 0; //!< the post being edited; 0 for a new one
        QString title;
        QString body;
        QDateTime saved; //!< when it was last written
        bool isEmpty() const { return title.isEmpty() && body.isEmpty(); }
    };

    //! Files in \a directory (made when first needed), for drafts on \a server. An empty
    //! directory keeps nothing.
    DraftStore(QString directory, QString server);

    bool isEnabled() const;
    Draft load(const QString &user) const;
    //! Atomically, so a crash while writing leaves the previous draft.
    bool save(const QString &user, const Draft &draft) const;
    void remove(const QString &user) const;
    QString fileName(const QString &user) const;

private:
    QString m_directory;
    QString m_server;
};

} // namespace SilentAuth::Ui
