#pragma once

#include "draftstore.h"

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QTime>

#include <memory>

namespace SilentAuth {
class BackendClient;
class BrowserSignIn;
class Session;
class TokenStore;
} // namespace SilentAuth

namespace SilentAuth::Ui {

class MainWindow;
class NetworkWatch;
class Notifier;
class ReauthDialog;
class SignInWindow;

// Which window the user sees, following the session: sign-in, restoring,
// the main window, the re-sign-in dialog over it. With a BrowserSignIn, the
// sign-in window and the re-sign-in dialog offer the browser first.
class Shell : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        QString server; //!< shown in the sign-in window
        QString demoHint; //!< e.g. the bundled server's demo users
        QString lastUsername;
        //! Where "Keep me signed in" keeps the refresh token; null when there is no keychain.
        //! When it turns out to be unusable (restore fails with KeychainUnavailable), the
        //! option is disabled with the reason.
        TokenStore *keychain = nullptr;
        bool keepSignedIn = true;
        QByteArray mainWindowGeometry; //!< from saveGeometry(); empty: the default size
        //! Offered as "Sign in with your browser", the primary way in; not owned. It must
        //! sign in to \a session.
        BrowserSignIn *browserSignIn = nullptr;
        //! The username and password form next to the browser; always there without one.
        bool passwordSignIn = true;
        //! Where unsaved posts are kept, per user, until saved (the user's data folder);
        //! empty: not kept.
        QString draftDirectory;
        //! Which server the drafts belong to, stable across runs (the bundled server's
        //! address changes every start); empty: \a server.
        QString draftServerKey;
        //! Tells the user a re-sign-in is needed while the main window is hidden or
        //! minimised; null or unavailable: the taskbar entry asks for attention instead.
        //! Not owned.
        Notifier *notifier = nullptr;
        //! Says when the network is back: failed loads are tried again at once. Null: only
        //! the backoff. Not owned.
        NetworkWatch *networkWatch = nullptr;
    };

    //! \a session and \a backend may be null while what they need is still being found out
    //! (a sign-in server is looked up): showPreparing(), then setSession() and start().
    Shell(Session *session, BackendClient *backend, Options options, QObject *parent = nullptr);
    ~Shell() override;

    //! Restores silently when the keychain has a session; otherwise shows the sign-in window.
    void start();
    //! The sign-in window with \a message and progress, and nothing to sign in with yet.
    void showPreparing(const QString &message);
    //! The sign-in window with \a message, Try again (retryRequested()) and Settings.
    void showPreparationFailed(const QString &message);
    //! The session once it exists (for a Shell made without one), with the ways in it offers
    //! (see Options). start() follows. Also the fresh session that replaces one whose
    //! restore was canceled (restoreCanceled()); then the sign-in window stays as it is.
    void setSession(Session *session, BackendClient *backend, BrowserSignIn *browserSignIn,
                    bool passwordSignIn);
    //! Brings the visible window to the front (a second launch asks for this).
    void raise();

    SignInWindow *signInWindow() const;
    MainWindow *mainWindow() const;
    ReauthDialog *reauthDialog() const;

Q_SIGNALS:
    void settingsRequested();
    void retryRequested();
    //! Remember for the next start (never a token).
    void preferencesChanged(const QString &username, bool keepSignedIn);
    //! The main window's geometry as it is closed, for the next one.
    void mainWindowGeometryChanged(const QByteArray &geometry);
    //! The user has to act (sign in again) while the main window is hidden or minimised;
    //! also shown as a tray notification where there is a tray, else the taskbar entry asks
    //! for attention.
    void attentionNeeded(const QString &message);
    //! The user canceled the silent restore. The session is left as it is (signing out would
    //! revoke the saved sign-in and remove it from the keychain): whoever made it replaces
    //! it with a fresh one through setSession(), and the next start restores again. When
    //! nobody does, the session is signed out.
    void restoreCanceled();

private:
    void attachSession();
    void detachSession();
    void cancelRestore();
    void startBrowserSignIn(bool keepSignedIn);
    void useKeychain(bool keep);
    void showSignIn();
    void onSignedIn();
    void onSignedOut();
    void onError(int error, const QString &message);
    void askForPassword();
    void reauthCanceled();
    void closeMainWindow();
    void openMainWindow(const QString &user);
    //! Who is signed in, for telling users apart (their drafts, their window): the
    //! session's identity (a token's \c sub), not the name shown, which two users of a
    //! provider may share.
    QString currentUser() const;

    struct Activity
    {
        QTime when;
        int event;
        QString detail;
    };

    Session *m_session;
    BackendClient *m_backend;
    Options m_options;
    std::unique_ptr<SignInWindow> m_signIn;
    std::unique_ptr<MainWindow> m_main;
    QPointer<ReauthDialog> m_reauth;
    QString m_mainUser; // whose main window (and draft) m_main is
    QList<Activity> m_earlyActivity; // while no main window shows them (restore, sign-in)
    DraftStore m_drafts;
    bool m_restoring = false; // a silent restore runs; the sign-in window waits to show
    int m_refreshBase = 0; // the session's counters when this user's session began
    int m_replayBase = 0;
};

} // namespace SilentAuth::Ui
