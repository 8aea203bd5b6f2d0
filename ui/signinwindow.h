#pragma once

#include <QtWidgets/QWidget>

QT_BEGIN_NAMESPACE
class QCheckBox;
class QFormLayout;
class QKeyEvent;
class QShowEvent;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QUrl;
QT_END_NAMESPACE

namespace SilentAuth::Ui {

class BrowserWaitPanel;
class ErrorPanel;
class PasswordAids;

// The first window: who you are, where the server is, and whether to stay
// signed in. It only collects input and shows state; the Shell acts on it.
//
// With a sign-in server that signs users in on its own pages, "Sign in with
// your browser" is the primary way in; the username and password form is
// shown next to it only when that server takes passwords too.
class SignInWindow : public QWidget
{
    Q_OBJECT

public:
    explicit SignInWindow(QWidget *parent = nullptr);

    void setServer(const QString &server);
    void setUsername(const QString &username);
    void setDemoHint(const QString &hint);
    //! "Keep me signed in" needs a keychain; without one it is disabled and says why.
    void setKeychainAvailable(bool available, const QString &reason = {});
    void setKeepSignedIn(bool keep);
    //! The ways in: "Sign in with your browser" (the primary button) when \a browser, the
    //! username and password form when \a password. Without the browser the form is always
    //! there.
    void setSignInMethods(bool browser, bool password);

    //! Inputs disabled and a progress bar with \a message while something runs. With
    //! \a cancelable, a Cancel button (cancelRequested(); also Esc) ends the wait.
    void setBusy(bool busy, const QString &message = {}, bool cancelable = false);
    //! \a message as an error, announced, and the keyboard on the field to correct; the
    //! technical \a detail behind Details (with Copy), in its tool tip and accessible
    //! description.
    void showError(const QString &message, const QString &detail = {});
    //! \a message as information (not an error); empty hides it.
    void showNotice(const QString &message);
    void clearPassword();
    //! The keyboard where the user starts: the browser button, else the first empty field.
    void focusStart();

    //! The browser is open at \a url: progress, the link to open by hand, Cancel.
    void showBrowserWaiting(const QUrl &url);
    //! No browser could be opened: the user opens the link.
    void showBrowserFailed();
    //! The browser came back; the sign-in finishes.
    void showBrowserFinishing();
    //! The browser sign-in ended without signing in: back to the choice, with \a error in
    //! words (empty after Cancel), the keyboard on the primary button.
    void showBrowserEnded(const QString &error, const QString &detail = {});

    //! How to sign in is still being found out (the sign-in server is looked up): only
    //! \a message with progress, and Settings.
    void showPreparing(const QString &message);
    //! It could not be found out: \a message, with Try again and Settings.
    void showPreparationFailed(const QString &message);

Q_SIGNALS:
    void signInRequested(const QString &username, const QString &password, bool keepSignedIn);
    void browserSignInRequested(bool keepSignedIn);
    void browserSignInCanceled();
    void retryRequested();
    void settingsRequested();
    void cancelRequested();

protected:
    void changeEvent(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    enum class Mode { Ready, Busy, Browser, Preparing, PreparationFailed };

    void submit();
    void submitBrowser();
    void retranslate();
    void apply();
    bool passwordFormShown() const;
    QWidget *startWidget() const;

    QLabel *m_title;
    QLabel *m_serverLabel;
    QLabel *m_server;
    QPushButton *m_browser;
    QLabel *m_orPassword;
    QLabel *m_usernameLabel;
    QLineEdit *m_username;
    QLabel *m_passwordLabel;
    QLineEdit *m_password;
    QLabel *m_capsLock;
    PasswordAids *m_passwordAids = nullptr;
    QCheckBox *m_keep;
    QLabel *m_keepReason;
    QLabel *m_demoHint;
    ErrorPanel *m_errorPanel;
    QLabel *m_error; // its headline
    QLabel *m_notice;
    QProgressBar *m_progress;
    QLabel *m_progressLabel;
    BrowserWaitPanel *m_wait;
    QPushButton *m_signIn;
    QPushButton *m_cancel;
    QPushButton *m_retry;
    QPushButton *m_openSettings;
    QPushButton *m_settings;
    QFormLayout *m_form;
    Mode m_mode = Mode::Ready;
    QString m_progressMessage;
    bool m_keychainAvailable = true;
    bool m_browserOffered = false;
    bool m_passwordOffered = true;
    bool m_cancelable = false;
};

} // namespace SilentAuth::Ui
