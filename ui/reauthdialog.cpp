#include "reauthdialog.h"

#include <QtWidgets/QDialogButtonBox>
#include <QtWidgets/QFormLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QProgressBar>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QVBoxLayout>

namespace SilentAuth::Ui {

ReauthDialog::ReauthDialog(const QString &username, QWidget *parent)
    : QDialog(parent)
    , m_username(username)
    , m_password(new QLineEdit(this))
    , m_error(new QLabel(this))
    , m_progress(new QProgressBar(this))
{
    setObjectName(QStringLiteral("reauthDialog"));
    setWindowTitle(tr("Session ended"));
    auto *explanation = new QLabel(
        tr("Your session has ended. Enter your password to continue; nothing you were doing "
           "is lost."),
        this);
    explanation->setWordWrap(true);
    auto *user = new QLineEdit(username, this);
    user->setObjectName(QStringLiteral("reauthUsername"));
    user->setReadOnly(true);
    user->setAccessibleName(tr("Username"));
    m_password->setObjectName(QStringLiteral("reauthPassword"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setAccessibleName(tr("Password"));
    m_error->setObjectName(QStringLiteral("reauthError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_error->hide();
    m_progress->setRange(0, 0);
    m_progress->setMaximumHeight(6);
    m_progress->setTextVisible(false);
    m_progress->hide();

    auto *buttons = new QDialogButtonBox(this);
    m_signIn = buttons->addButton(tr("&Sign in"), QDialogButtonBox::AcceptRole);
    m_signIn->setObjectName(QStringLiteral("reauthSignIn"));
    m_signIn->setDefault(true);
    QPushButton *cancel = buttons->addButton(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("reauthCancel"));
    connect(m_signIn, &QPushButton::clicked, this, &ReauthDialog::submit);
    connect(cancel, &QPushButton::clicked, this, &QDialog::reject);

    auto *form = new QFormLayout;
    form->addRow(tr("Username:"), user);
    form->addRow(tr("&Password:"), m_password);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(explanation);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(m_progress);
    layout->addWidget(buttons);
    m_password->setFocus();
}

void ReauthDialog::setBusy(bool busy)
{
    m_password->setEnabled(!busy);
    m_signIn->setEnabled(!busy);
    m_progress->setVisible(busy);
}

void ReauthDialog::showError(const QString &message)
{
    setBusy(false);
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
    m_password->selectAll();
    m_password->setFocus();
}

void ReauthDialog::submit()
{
    if (m_password->text().isEmpty()) {
        showError(tr("Enter your password."));
        return;
    }
    m_error->hide();
    setBusy(true);
    Q_EMIT signInRequested(m_username, m_password->text());
}

} // namespace SilentAuth::Ui
