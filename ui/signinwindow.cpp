#include "signinwindow.h"

#include "accessibility.h"
#include "browserwaitpanel.h"
#include "errorpanel.h"
#include "passwordaids.h"
#include "windowfit.h"

#include <QtCore/QEvent>
#include <QtCore/QUrl>
#include <QtGui/QIcon>
#include <QtGui/QKeyEvent>
#include <QtWidgets/QCheckBox>
#include <QtWidgets/QFormLayout>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QProgressBar>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QVBoxLayout>

namespace SilentAuth::Ui {

SignInWindow::SignInWindow(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
    , m_serverLabel(new QLabel(this))
    , m_server(new QLabel(this))
    , m_browser(new QPushButton(this))
    , m_orPassword(new QLabel(this))
    , m_usernameLabel(new QLabel(this))
    , m_username(new QLineEdit(this))
    , m_passwordLabel(new QLabel(this))
    , m_password(new QLineEdit(this))
    , m_capsLock(new QLabel(this))
    , m_keep(new QCheckBox(this))
    , m_keepReason(new QLabel(this))
    , m_demoHint(new QLabel(this))
    , m_errorPanel(new ErrorPanel(QStringLiteral("error"), this))
    , m_error(m_errorPanel->headlineLabel())
    , m_notice(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_progressLabel(new QLabel(this))
    , m_wait(new BrowserWaitPanel(this))
    , m_signIn(new QPushButton(this))
    , m_cancel(new QPushButton(this))
    , m_retry(new QPushButton(this))
    , m_openSettings(new QPushButton(this))
    , m_settings(new QPushButton(this))
    , m_form(new QFormLayout)
{
    installAccessibleWindowFactory();
    setObjectName(QStringLiteral("signInWindow"));
    setWindowIcon(QIcon(QStringLiteral(":/silentauth/icons/app.svg")));
    m_browser->setObjectName(QStringLiteral("browserSignIn"));
    m_orPassword->setObjectName(QStringLiteral("orPassword"));
    m_orPassword->setWordWrap(true);
    m_username->setObjectName(QStringLiteral("username"));
    m_password->setObjectName(QStringLiteral("password"));
    m_password->setEchoMode(QLineEdit::Password);
    m_passwordAids = new PasswordAids(m_password, m_capsLock);
    m_keep->setObjectName(QStringLiteral("keepSignedIn"));
    m_keep->setChecked(true);
    m_server->setObjectName(QStringLiteral("server"));
    m_server->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_signIn->setObjectName(QStringLiteral("signIn"));
    m_signIn->setDefault(true);
    m_cancel->setObjectName(QStringLiteral("cancelSignIn"));
    m_retry->setObjectName(QStringLiteral("retry"));
    // As in a dialog: Return presses the focused button, else the default one (keyPressEvent).
    for (QPushButton *button : {m_browser, m_signIn, m_cancel, m_retry, m_openSettings, m_settings})
        button->setAutoDefault(true);
    m_openSettings->setObjectName(QStringLiteral("openSettings"));
    m_settings->setObjectName(QStringLiteral("settings"));
    m_settings->setIcon(QIcon(QStringLiteral(":/silentauth/icons/settings.svg")));
    m_error->setStyleSheet(QStringLiteral("color: palette(highlighted-text); background: #b3261e; "
                                          "padding: 6px; border-radius: 4px;"));
    // Information, not a problem: the palette's own colours with a thin frame.
    m_notice->setObjectName(QStringLiteral("notice"));
    makeLiveRegion(m_notice);
    m_notice->setWordWrap(true);
    m_notice->setFrameShape(QFrame::StyledPanel);
    m_notice->setMargin(6);
    m_notice->hide();
    m_keepReason->setWordWrap(true);
    m_demoHint->setObjectName(QStringLiteral("demoHint"));
    m_demoHint->setWordWrap(true);
    m_demoHint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_demoHint->hide();
    m_progress->setRange(0, 0);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(6);
    m_progressLabel->setObjectName(QStringLiteral("progressLabel"));
    m_progressLabel->setWordWrap(true);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.5);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_serverLabel->setBuddy(m_settings);
    m_usernameLabel->setBuddy(m_username);
    m_passwordLabel->setBuddy(m_password);

    auto *serverRow = new QHBoxLayout;
    serverRow->addWidget(m_server, 1);
    serverRow->addWidget(m_settings);
    m_form->addRow(m_serverLabel, serverRow);
    m_form->addRow(QString(), m_browser);
    m_form->addRow(QString(), m_orPassword);
    m_form->addRow(m_usernameLabel, m_username);
    m_form->addRow(m_passwordLabel, m_password);
    m_form->addRow(QString(), m_capsLock);
    m_form->addRow(QString(), m_keep);
    m_form->addRow(QString(), m_keepReason);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_retry);
    buttons->addWidget(m_openSettings);
    buttons->addStretch();
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_signIn);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_demoHint);
    layout->addLayout(m_form);
    layout->addWidget(m_notice);
    layout->addWidget(m_errorPanel);
    layout->addWidget(m_progressLabel);
    layout->addWidget(m_progress);
    layout->addWidget(m_wait);
    layout->addStretch();
    layout->addLayout(buttons);
    setMinimumWidth(420);

    setTabOrder(m_browser, m_username);
    setTabOrder(m_username, m_password);
    setTabOrder(m_password, m_keep);
    setTabOrder(m_keep, m_signIn);
    setTabOrder(m_signIn, m_cancel);
    setTabOrder(m_cancel, m_retry);
    setTabOrder(m_retry, m_openSettings);
    setTabOrder(m_openSettings, m_settings);

    connect(m_signIn, &QPushButton::clicked, this, &SignInWindow::submit);
    connect(m_browser, &QPushButton::clicked, this, &SignInWindow::submitBrowser);
    connect(m_cancel, &QPushButton::clicked, this, &SignInWindow::cancelRequested);
    // Back from Settings, the keyboard is in the form again, not on the Settings button.
    const auto openSettings = [this] {
        if (m_mode == Mode::Ready)
            focusStart();
        Q_EMIT settingsRequested();
    };
    connect(m_settings, &QPushButton::clicked, this, openSettings);
    connect(m_openSettings, &QPushButton::clicked, this, &SignInWindow::settingsRequested);
    connect(m_retry, &QPushButton::clicked, this, &SignInWindow::retryRequested);
    connect(m_wait, &BrowserWaitPanel::canceled, this, &SignInWindow::browserSignInCanceled);
    connect(m_username, &QLineEdit::textEdited, m_errorPanel, &QWidget::hide);
    connect(m_password, &QLineEdit::textEdited, m_errorPanel, &QWidget::hide);
    retranslate();
    apply();
}

void SignInWindow::retranslate()
{
    setWindowTitle(tr("Sign in — SilentAuth"));
    m_title->setText(tr("Sign in"));
    m_serverLabel->setText(tr("Server:"));
    m_browser->setText(tr("Sign in with your &browser"));
    m_orPassword->setText(tr("Or with your username and password:"));
    m_usernameLabel->setText(tr("&Username:"));
    m_passwordLabel->setText(tr("&Password:"));
    m_keep->setText(tr("&Keep me signed in"));
    m_signIn->setText(tr("&Sign in"));
    m_cancel->setText(tr("Cancel"));
    m_retry->setText(tr("Try &again"));
    m_openSettings->setText(tr("Se&ttings…"));
    m_settings->setToolTip(tr("Settings"));
    m_settings->setAccessibleName(tr("Settings"));
    m_browser->setAccessibleName(tr("Sign in with your browser"));
    m_browser->setToolTip(tr("Opens the sign-in server's page in your web browser; you come "
                             "back here signed in."));
    m_username->setAccessibleName(tr("Username"));
    m_password->setAccessibleName(tr("Password"));
    m_keep->setAccessibleName(tr("Keep me signed in"));
    m_keep->setToolTip(m_keychainAvailable
                           ? tr("Stay signed in after you quit; the sign-in is kept in the "
                                "system keychain, never in a file.")
                           : m_keepReason->text());
    m_server->setAccessibleName(tr("Server address"));
    m_signIn->setAccessibleName(m_browserOffered ? tr("Sign in with your username and password")
                                                 : tr("Sign in"));
    m_retry->setAccessibleName(tr("Try again"));
    m_openSettings->setAccessibleName(tr("Open settings"));
    m_cancel->setAccessibleName(tr("Cancel"));
    m_progress->setAccessibleName(tr("Working"));
}

void SignInWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
        m_passwordAids->retranslate();
        // A message in the previous language cannot be retranslated: it goes.
        if (m_mode == Mode::Ready) {
            m_errorPanel->clear();
            m_notice->hide();
        }
    }
    QWidget::changeEvent(event);
}

bool SignInWindow::passwordFormShown() const
{
    return m_passwordOffered || !m_browserOffered;
}

// Every widget's visibility and state follows from the mode and the ways in.
void SignInWindow::apply()
{
    const bool choosing = m_mode == Mode::Ready || m_mode == Mode::Busy || m_mode == Mode::Browser;
    const bool ready = m_mode == Mode::Ready;
    const bool form = choosing && passwordFormShown();
    m_form->setRowVisible(m_browser, choosing && m_browserOffered);
    m_form->setRowVisible(m_orPassword, form && m_browserOffered);
    m_form->setRowVisible(m_username, form);
    m_form->setRowVisible(m_password, form);
    m_form->setRowVisible(m_keep, choosing);
    m_form->setRowVisible(m_keepReason, choosing && !m_keychainAvailable);
    m_signIn->setVisible(form);
    m_cancel->setVisible(m_mode == Mode::Busy && m_cancelable);
    m_browser->setDefault(m_browserOffered);
    m_signIn->setDefault(!m_browserOffered);

    for (QWidget *w : {static_cast<QWidget *>(m_browser), static_cast<QWidget *>(m_username),
                       static_cast<QWidget *>(m_password), static_cast<QWidget *>(m_signIn)})
        w->setEnabled(ready);
    m_keep->setEnabled(ready && m_keychainAvailable);
    m_settings->setEnabled(m_mode != Mode::Busy && m_mode != Mode::Browser);

    const bool working = m_mode == Mode::Busy || m_mode == Mode::Preparing;
    m_progress->setVisible(working);
    m_progressLabel->setText(m_progressMessage);
    m_progressLabel->setVisible(working && !m_progressMessage.isEmpty());
    if (m_mode != Mode::Browser)
        m_wait->stop();
    m_retry->setVisible(m_mode == Mode::PreparationFailed);
    m_openSettings->setVisible(m_mode == Mode::PreparationFailed);
    m_retry->setDefault(m_mode == Mode::PreparationFailed);
    setCursor(working ? Qt::BusyCursor : Qt::ArrowCursor);
    // Back from being busy, the keyboard is where the user starts again.
    QWidget *focused = focusWidget();
    if (ready && (!focused || !focused->isEnabled() || !focused->isVisibleTo(this)))
        focusStart();
    else if (m_mode == Mode::Busy && m_cancel->isVisibleTo(this))
        m_cancel->setFocus();
}

QWidget *SignInWindow::startWidget() const
{
    if (m_mode == Mode::PreparationFailed)
        return m_retry;
    if (m_browserOffered)
        return m_browser;
    return m_username->text().trimmed().isEmpty() ? m_username : m_password;
}

void SignInWindow::focusStart()
{
    QWidget *start = startWidget();
    if (start == m_password)
        m_password->selectAll();
    start->setFocus(Qt::OtherFocusReason);
}

void SignInWindow::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    growToFit(this);
    QWidget *focused = focusWidget();
    if (m_mode == Mode::Ready && (!focused || !focused->isEnabled() || !focused->isVisible()))
        focusStart();
}

// Return and Enter press the focused button, else submit the form (from the fields and the
// check box too), as the default button of a dialog would.
void SignInWindow::keyPressEvent(QKeyEvent *event)
{
    // Esc ends what can be ended (a sign-in or a restore that takes too long), as Cancel.
    if (event->key() == Qt::Key_Escape && event->modifiers() == Qt::NoModifier) {
        if (m_mode == Mode::Busy && m_cancelable && m_cancel->isVisible())
            m_cancel->click();
        event->accept();
        return;
    }
    if ((event->key() == Qt::Key_Return || event->key() == Qt::Key_Enter)
        && event->modifiers() == Qt::NoModifier) {
        QWidget *focused = focusWidget();
        if (m_mode == Mode::PreparationFailed && m_retry->isVisible()) {
            m_retry->click();
        } else if (focused == m_username || focused == m_password || !m_browserOffered) {
            submit();
        } else if (m_browser->isVisible() && m_browser->isEnabled()) {
            m_browser->click();
        }
        event->accept();
        return;
    }
    QWidget::keyPressEvent(event);
}

void SignInWindow::setServer(const QString &server)
{
    m_server->setText(server);
}

void SignInWindow::setUsername(const QString &username)
{
    m_username->setText(username);
    if (!username.isEmpty() && !m_browserOffered)
        m_password->setFocus();
}

void SignInWindow::setDemoHint(const QString &hint)
{
    m_demoHint->setText(hint);
    m_demoHint->setAccessibleName(hint);
    m_demoHint->setVisible(!hint.isEmpty());
}

void SignInWindow::setKeychainAvailable(bool available, const QString &reason)
{
    m_keychainAvailable = available;
    if (!available)
        m_keep->setChecked(false);
    m_keepReason->setText(
        available ? QString()
                  : tr("Not available: %1 You stay signed in until you quit.").arg(reason));
    retranslate();
    apply();
}

void SignInWindow::setKeepSignedIn(bool keep)
{
    m_keep->setChecked(keep && m_keychainAvailable);
}

void SignInWindow::setSignInMethods(bool browser, bool password)
{
    m_browserOffered = browser;
    m_passwordOffered = password;
    retranslate();
    apply();
    if (m_browserOffered)
        m_browser->setFocus();
    else if (!m_username->text().isEmpty())
        m_password->setFocus();
}

void SignInWindow::setBusy(bool busy, const QString &message, bool cancelable)
{
    m_mode = busy ? Mode::Busy : Mode::Ready;
    m_progressMessage = message;
    m_cancelable = busy && cancelable;
    if (busy) {
        m_errorPanel->hide();
        m_notice->hide();
    }
    apply();
}

void SignInWindow::showError(const QString &message, const QString &detail)
{
    m_errorPanel->showError(message, detail);
    if (isVisible())
        growToFit(this);
    if (!message.isEmpty() && m_mode == Mode::Ready)
        focusStart();
}

void SignInWindow::showNotice(const QString &message)
{
    m_notice->setText(message);
    m_notice->setVisible(!message.isEmpty());
    announce(m_notice, message);
    if (isVisible())
        growToFit(this);
}

void SignInWindow::clearPassword()
{
    m_password->clear();
}

void SignInWindow::showBrowserWaiting(const QUrl &url)
{
    m_mode = Mode::Browser;
    m_progressMessage.clear();
    m_errorPanel->hide();
    apply();
    m_wait->showWaiting(url);
}

void SignInWindow::showBrowserFailed()
{
    if (m_mode == Mode::Browser)
        m_wait->showBrowserFailed();
}

void SignInWindow::showBrowserFinishing()
{
    if (m_mode == Mode::Browser)
        m_wait->showFinishing();
}

void SignInWindow::showBrowserEnded(const QString &error, const QString &detail)
{
    m_mode = Mode::Ready;
    m_progressMessage.clear();
    apply();
    showError(error, detail);
    (m_browserOffered ? static_cast<QWidget *>(m_browser) : m_username)->setFocus();
}

void SignInWindow::showPreparing(const QString &message)
{
    m_mode = Mode::Preparing;
    m_progressMessage = message;
    m_errorPanel->hide();
    apply();
}

void SignInWindow::showPreparationFailed(const QString &message)
{
    m_mode = Mode::PreparationFailed;
    m_progressMessage.clear();
    apply();
    showError(message);
    m_retry->setFocus();
}

void SignInWindow::submit()
{
    if (!m_signIn->isEnabled() || !passwordFormShown())
        return;
    if (m_username->text().trimmed().isEmpty()) {
        showError(tr("Enter your username."));
        m_username->setFocus();
        return;
    }
    if (m_password->text().isEmpty()) {
        showError(tr("Enter your password."));
        m_password->setFocus();
        return;
    }
    Q_EMIT signInRequested(m_username->text().trimmed(), m_password->text(),
                           m_keep->isChecked() && m_keychainAvailable);
}

void SignInWindow::submitBrowser()
{
    if (!m_browser->isEnabled() || !m_browserOffered)
        return;
    m_errorPanel->hide();
    Q_EMIT browserSignInRequested(m_keep->isChecked() && m_keychainAvailable);
}

} // namespace SilentAuth::Ui
