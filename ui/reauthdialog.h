#pragma once

#include <QtWidgets/QDialog>

QT_BEGIN_NAMESPACE
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
QT_END_NAMESPACE

namespace SilentAuth::Ui {

// Shown over the main window when the session ended: the password again,
// for the same user, while everything else stays where it was.
class ReauthDialog : public QDialog
{
    Q_OBJECT

public:
    explicit ReauthDialog(const QString &username, QWidget *parent = nullptr);

    void setBusy(bool busy);
    void showError(const QString &message);

Q_SIGNALS:
    void signInRequested(const QString &username, const QString &password);

private:
    void submit();

    QString m_username;
    QLineEdit *m_password;
    QLabel *m_error;
    QProgressBar *m_progress;
    QPushButton *m_signIn;
};

} // namespace SilentAuth::Ui
