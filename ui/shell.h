#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QTime>

#include <memory>

namespace SilentAuth {
class BackendClient;
class Session;
class TokenStore;
} // namespace SilentAuth

namespace SilentAuth::Ui {

class MainWindow;
class ReauthDialog;
class SignInWindow;

// Which window the user sees, following the session: sign-in, restoring,
// the main window, the re-sign-in dialog over it.
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
    };

    Shell(Session *session, BackendClient *backend, Options options, QObject *parent = nullptr);
    ~Shell() override;

    //! Restores silently when the keychain has a session; otherwise shows the sign-in window.
    void start();
    //! Brings the visible window to the front (a second launch asks for this).
    void raise();

    SignInWindow *signInWindow() const;
    MainWindow *mainWindow() const;
    ReauthDialog *reauthDialog() const;

Q_SIGNALS:
    void settingsRequested();
    //! Remember for the next start (never a token).
    void preferencesChanged(const QString &username, bool keepSignedIn);
    //! The main window's geometry as it is closed, for the next one.
    void mainWindowGeometryChanged(const QByteArray &geometry);

private:
    void showSignIn();
    void onSignedIn();
    void onSignedOut();
    void onError(int error, const QString &message);
    void askForPassword();
    void reauthCanceled();
    void closeMainWindow();

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
    QList<Activity> m_earlyActivity; // before there is a main window to show it (restore)
};

} // namespace SilentAuth::Ui
