#include "reauthdialog.h"

#include "accessibility.h"
#include "browserwaitpanel.h"
#include "errorpanel.h"
#include "passwordaids.h"
#include "windowfit.h"

#include <QtCore/QEvent>
#include <QtCore/QUrl>
#include <QtGui/QKeyEvent>
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
    , m_explanation(new QLabel(this))
    , m_browser(new QPushButton(this))
    , m_passwordLabel(new QLabel(this))
    , m_password(new QLineEdit(this))
    , m_errorPanel(new ErrorPanel(QStringLiteral("reauthError"), this))
    , m_error(m_errorPanel->headlineLabel())
    , m_progress(new QProgressBar(this))
    , m_wait(new BrowserWaitPanel(this))
    , m_form(new QFormLayout)
{
    setObjectName(QStringLiteral("reauthDialog"));
    m_explanation->setWordWrap(true);
    auto *user = new QLineEdit(username, this);
    user->setObjectName(QStringLiteral("reauthUsername"));
    user->setReadOnly(true);
    user->setAccessibleName(tr("Username"));
    m_browser->setObjectName(QStringLiteral("reauthBrowserSignIn"));
    m_password->setObjectName(QStringLiteral("reauthPassword"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setAccessibleName(tr("Password"));
    m_passwordLabel->setBuddy(m_password);
    auto *capsLock = new QLabel(this);
    m_passwordAids = new PasswordAids(m_password, capsLock);
    m_error->setStyleSheet(QStringLiteral("color: #b3261e;"));
    // The dialog's Cancel has Alt+C.
    m_errorPanel->setButtonTexts(tr("Deta&ils"), tr("Cop&y details"));
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
    connect(m_browser, &QPushButton::clicked, this, [this] {
        m_errorPanel->hide();
        Q_EMIT browserSignInRequested();
    });
    connect(m_wait, &BrowserWaitPanel::canceled, this, &ReauthDialog::browserSignInCanceled);

    m_form->addRow(tr("Username:"), user);
    m_form->addRow(QString(), m_browser);
    m_form->addRow(m_passwordLabel, m_password);
    m_form->addRow(QString(), capsLock);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_explanation);
    layout->addLayout(m_form);
    layout->addWidget(m_errorPanel);
    layout->addWidget(m_progress);
    layout->addWidget(m_wait);
    layout->addWidget(buttons);
    setMinimumWidth(420);
    m_password->installEventFilter(this);
    retranslate();
    apply();
    m_password->setFocus();
}

// With both ways in, Return submits the form that has the keyboard: the password from its
// field, the browser from its button. The default button (drawn as such) follows.
bool ReauthDialog::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_password
        && (event->type() == QEvent::FocusIn || event->type() == QEvent::FocusOut))
        updateDefaultButton();
    return QDialog::eventFilter(watched, event);
}

void ReauthDialog::updateDefaultButton()
{
    const bool password = passwordShown() && (!m_browserOffered || m_password->hasFocus());
    m_browser->setDefault(m_browserOffered && !password);
    m_signIn->setDefault(password);
}

void ReauthDialog::keyPressEvent(QKeyEvent *event)
{
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter)
        && (event->modifiers() == Qt::NoModifier || event->modifiers() == Qt::KeypadModifier)
        && focusWidget() == m_password) {
        if (m_signIn->isVisible() && m_signIn->isEnabled())
            submit();
        event->accept();
        return;
    }
    QDialog::keyPressEvent(event);
}

void ReauthDialog::showEvent(QShowEvent *event)
{
    QDialog::showEvent(event);
    growToFit(this);
}

void ReauthDialog::retranslate()
{
    setWindowTitle(tr("Session ended"));
    m_explanation->setText(
        passwordShown()
            ? tr("Your session has ended. Enter your password to continue; nothing you were "
                 "doing is lost.")
            : tr("Your session has ended. Sign in again in your browser to continue; nothing "
                 "you were doing is lost."));
    m_browser->setText(tr("Sign in with your &browser"));
    m_browser->setAccessibleName(tr("Sign in with your browser"));
    m_passwordLabel->setText(tr("&Password:"));
}

void ReauthDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
        m_passwordAids->retranslate();
        m_errorPanel->clear(); // in the previous language
    }
    QDialog::changeEvent(event);
}

bool ReauthDialog::passwordShown() const
{
    return m_passwordOffered || !m_browserOffered;
}

void ReauthDialog::apply()
{
    const bool ready = !m_busy && !m_waiting;
    m_form->setRowVisible(m_browser, m_browserOffered);
    m_form->setRowVisible(m_password, passwordShown());
    m_signIn->setVisible(passwordShown());
    updateDefaultButton();
    m_browser->setEnabled(ready);
    m_password->setEnabled(ready);
    m_signIn->setEnabled(ready);
    m_progress->setVisible(m_busy);
    if (!m_waiting)
        m_wait->stop();
}

void ReauthDialog::setSignInMethods(bool browser, bool password)
{
    m_browserOffered = browser;
    m_passwordOffered = password;
    retranslate();
    apply();
    (m_browserOffered ? static_cast<QWidget *>(m_browser) : m_password)->setFocus();
}

void ReauthDialog::setBusy(bool busy)
{
    m_busy = busy;
    if (busy)
        m_waiting = false;
    apply();
}

void ReauthDialog::showError(const QString &message, const QString &detail)
{
    m_busy = false;
    m_waiting = false;
    apply();
    m_errorPanel->showError(message, detail);
    growToFit(this);
    if (m_browserOffered && !passwordShown()) {
        m_browser->setFocus();
        return;
    }
    m_password->selectAll();
    m_password->setFocus();
}

void ReauthDialog::showBrowserWaiting(const QUrl &url)
{
    m_busy = false;
    m_waiting = true;
    m_errorPanel->hide();
    apply();
    m_wait->showWaiting(url);
    growToFit(this);
}

void ReauthDialog::showBrowserFailed()
{
    if (m_waiting)
        m_wait->showBrowserFailed();
}

void ReauthDialog::showBrowserFinishing()
{
    if (m_waiting)
        m_wait->showFinishing();
}

void ReauthDialog::showBrowserEnded(const QString &error, const QString &detail)
{
    m_busy = false;
    m_waiting = false;
    apply();
    m_errorPanel->showError(error, detail);
    growToFit(this);
    m_browser->setFocus();
}

void ReauthDialog::submit()
{
    if (m_password->text().isEmpty()) {
        showError(tr("Enter your password."));
        return;
    }
    m_errorPanel->hide();
    setBusy(true);
    Q_EMIT signInRequested(m_username, m_password->text());
}

} // namespace SilentAuth::Ui
