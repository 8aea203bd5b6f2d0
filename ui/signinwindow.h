#pragma once

#include <QtWidgets/QWidget>

QT_BEGIN_NAMESPACE
class QCheckBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
QT_END_NAMESPACE

namespace SilentAuth::Ui {

// The first window: who you are, where the server is, and whether to stay
// signed in. It only collects input and shows state; the Shell acts on it.
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

    //! Inputs disabled and a progress bar with \a message while something runs.
    void setBusy(bool busy, const QString &message = {});
    void showError(const QString &message);
    void clearPassword();

Q_SIGNALS:
    void signInRequested(const QString &username, const QString &password, bool keepSignedIn);
    void settingsRequested();

protected:
    void changeEvent(QEvent *event) override;

private:
    void submit();
    void retranslate();

    QLabel *m_title;
    QLabel *m_serverLabel;
    QLabel *m_server;
    QLabel *m_usernameLabel;
    QLineEdit *m_username;
    QLabel *m_passwordLabel;
    QLineEdit *m_password;
    QCheckBox *m_keep;
    QLabel *m_keepReason;
    QLabel *m_demoHint;
    QLabel *m_error;
    QProgressBar *m_progress;
    QLabel *m_progressLabel;
    QPushButton *m_signIn;
    QPushButton *m_settings;
    bool m_keychainAvailable = true;
};

} // namespace SilentAuth::Ui
