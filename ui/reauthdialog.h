#pragma once

#include <QtWidgets/QDialog>

QT_BEGIN_NAMESPACE
class QFormLayout;
class QKeyEvent;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QShowEvent;
class QUrl;
QT_END_NAMESPACE

namespace SilentAuth::Ui {

class BrowserWaitPanel;
class ErrorPanel;
class PasswordAids;

// Shown over the main window when the session ended: the password again (or
// the browser, with a sign-in server that signs users in on its own pages),
// for the same user, while everything else stays where it was.
class ReauthDialog : public QDialog
{
    Q_OBJECT

public:
    explicit ReauthDialog(const QString &username, QWidget *parent = nullptr);

    //! As SignInWindow::setSignInMethods(): the browser first when offered, the password
    //! field only when \a password (always without the browser).
    void setSignInMethods(bool browser, bool password);
    void setBusy(bool busy);
    //! \a message in words, and the technical \a detail behind Details (with Copy).
    void showError(const QString &message, const QString &detail = {});

    void showBrowserWaiting(const QUrl &url);
    void showBrowserFailed();
    void showBrowserFinishing();
    //! Back to the choice, with \a error in words (empty after Cancel).
    void showBrowserEnded(const QString &error, const QString &detail = {});

Q_SIGNALS:
    void signInRequested(const QString &username, const QString &password);
    void browserSignInRequested();
    void browserSignInCanceled();

protected:
    void changeEvent(QEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void submit();
    void retranslate();
    void apply();
    void updateDefaultButton();
    bool passwordShown() const;

    QString m_username;
    QLabel *m_explanation;
    QPushButton *m_browser;
    QLabel *m_passwordLabel;
    QLineEdit *m_password;
    PasswordAids *m_passwordAids;
    ErrorPanel *m_errorPanel;
    QLabel *m_error; // its headline
    QProgressBar *m_progress;
    BrowserWaitPanel *m_wait;
    QPushButton *m_signIn;
    QFormLayout *m_form;
    bool m_busy = false;
    bool m_waiting = false;
    bool m_browserOffered = false;
    bool m_passwordOffered = true;
};

} // namespace SilentAuth::Ui
