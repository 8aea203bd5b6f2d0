#include "shell.h"

#include "mainwindow.h"
#include "notifier.h"
#include "reauthdialog.h"
#include "sessiontext.h"
#include "signinwindow.h"
#include "windowfit.h"

#include <silentauth/browsersignin.h>
#include <silentauth/session.h>
#include <silentauth/tokenstore.h>

#include <QtCore/QMetaEnum>
#include <QtCore/QTimer>
#include <QtWidgets/QApplication>
#include <QtWidgets/QMessageBox>
#include <QtWidgets/QStatusBar>

namespace SilentAuth::Ui {

Shell::Shell(Session *session, BackendClient *backend, Options options, QObject *parent)
    : QObject(parent)
    , m_session(session)
    , m_backend(backend)
    , m_options(std::move(options))
    , m_signIn(std::make_unique<SignInWindow>())
    , m_drafts(m_options.draftDirectory,
               m_options.draftServerKey.isEmpty() ? m_options.server : m_options.draftServerKey)
{
    m_signIn->setServer(m_options.server);
    m_signIn->setDemoHint(m_options.demoHint);
    m_signIn->setKeychainAvailable(m_options.keychain != nullptr,
                                   tr("There is no keychain on this system."));
    m_signIn->setKeepSignedIn(m_options.keepSignedIn);
    m_signIn->setUsername(m_options.lastUsername);
    m_signIn->setSignInMethods(m_options.browserSignIn != nullptr, m_options.passwordSignIn);

    connect(m_signIn.get(), &SignInWindow::settingsRequested, this, &Shell::settingsRequested);
    connect(m_signIn.get(), &SignInWindow::retryRequested, this, &Shell::retryRequested);
    connect(m_signIn.get(), &SignInWindow::signInRequested, this,
            [this](const QString &username, const QString &password, bool keep) {
                if (!m_session)
                    return;
                useKeychain(keep);
                Q_EMIT preferencesChanged(username, keep);
                m_signIn->setBusy(true, tr("Signing in…"), true);
                m_session->signIn(username, password);
            });
    // A sign-in that hangs can be given up at once: sign-out supersedes it. A restore is
    // given up without forgetting the saved sign-in (cancelRestore()).
    connect(m_signIn.get(), &SignInWindow::cancelRequested, this, [this] {
        if (m_restoring)
            cancelRestore();
        else if (m_session && m_session->status() == Session::Status::SigningIn)
            m_session->signOut();
        else
            m_signIn->setBusy(false);
    });
    if (m_options.notifier)
        connect(m_options.notifier, &Notifier::activated, this, &Shell::raise);
    connect(m_signIn.get(), &SignInWindow::browserSignInRequested, this,
            &Shell::startBrowserSignIn);
    connect(m_signIn.get(), &SignInWindow::browserSignInCanceled, this, [this] {
        if (m_options.browserSignIn)
            m_options.browserSignIn->cancel();
    });
    if (m_session)
        attachSession();
}

void Shell::attachSession()
{
    connect(m_session, &Session::signedIn, this, &Shell::onSignedIn);
    connect(m_session, &Session::signedOut, this, &Shell::onSignedOut);
    connect(m_session, &Session::errorOccurred, this,
            [this](Session::Error error, const QString &message) { onError(int(error), message); });
    connect(m_session, &Session::statusChanged, this, [this](Session::Status status) {
        if (status == Session::Status::SignedOut && !m_reauth
            && (!m_main || !m_main->isVisible())) {
            m_signIn->setBusy(false);
            if (std::exchange(m_restoring, false))
                showSignIn();
        }
    });
    m_session->setReauthenticationHandler([this] { askForPassword(); });
    // A silent restore (or another user's sign-in) happens while no main window shows
    // the events; they are kept and handed over so the activity panel shows them too.
    connect(m_session, &Session::activity, this,
            [this](Session::Event event, const QString &detail) {
                if (m_main && m_main->isVisible())
                    return;
                m_earlyActivity.append({QTime::currentTime(), int(event), detail});
                if (m_earlyActivity.size() > 100)
                    m_earlyActivity.removeFirst();
            });

    BrowserSignIn *browser = m_options.browserSignIn;
    if (!browser)
        return;
    // The browser answers whichever window asked: the re-sign-in dialog when
    // it is open, else the sign-in window.
    connect(browser, &BrowserSignIn::authorizationUrlReady, this, [this](const QUrl &url) {
        if (m_reauth)
            m_reauth->showBrowserWaiting(url);
        else
            m_signIn->showBrowserWaiting(url);
    });
    connect(browser, &BrowserSignIn::browserFailed, this, [this] {
        if (m_reauth)
            m_reauth->showBrowserFailed();
        else
            m_signIn->showBrowserFailed();
    });
    connect(browser, &BrowserSignIn::callbackReceived, this, [this] {
        if (m_reauth)
            m_reauth->showBrowserFinishing();
        else
            m_signIn->showBrowserFinishing();
    });
    connect(
        browser, &BrowserSignIn::failed, this,
        [this, browser](BrowserSignIn::Error error, const QString &message) {
            // Canceling is the user's own doing: nothing to explain.
            const QString shown = error == BrowserSignIn::Error::Canceled ? QString() : message;
            // The technical side, for Details: which failure, and the provider's code.
            QString detail = QStringLiteral("%1: %2").arg(
                QLatin1String(QMetaEnum::fromType<BrowserSignIn::Error>().valueToKey(int(error))),
                message);
            if (!browser->providerError().isEmpty())
                detail += QLatin1Char('\n')
                    + tr("The provider's error: %1").arg(browser->providerError());
            if (shown.isEmpty())
                detail.clear();
            if (m_reauth)
                m_reauth->showBrowserEnded(shown, detail);
            else
                m_signIn->showBrowserEnded(shown, detail);
        });
}

void Shell::useKeychain(bool keep)
{
    TokenStore *keychain = keep ? m_options.keychain : nullptr;
    if (!keep && m_options.keychain)
        m_options.keychain->remove([](const TokenStore::Result &) {});
    m_session->setTokenStore(keychain);
}

void Shell::startBrowserSignIn(bool keepSignedIn)
{
    if (!m_session || !m_options.browserSignIn)
        return;
    useKeychain(keepSignedIn);
    Q_EMIT preferencesChanged(m_options.lastUsername, keepSignedIn);
    m_signIn->setBusy(true, tr("Opening your browser…"));
    m_options.browserSignIn->start();
}

void Shell::detachSession()
{
    if (!m_session)
        return;
    disconnect(m_session, nullptr, this, nullptr);
    m_session->setReauthenticationHandler({});
    if (m_options.browserSignIn)
        disconnect(m_options.browserSignIn, nullptr, this, nullptr);
    m_session = nullptr;
}

void Shell::cancelRestore()
{
    m_restoring = false;
    Session *canceled = m_session;
    Q_EMIT restoreCanceled();
    if (m_session == canceled && m_session) {
        // Nobody gave a fresh session: signing out is the only way to end this one.
        m_session->signOut();
    }
    m_signIn->setBusy(false);
    m_earlyActivity.clear();
    showSignIn();
}

void Shell::setSession(Session *session, BackendClient *backend, BrowserSignIn *browserSignIn,
                       bool passwordSignIn)
{
    if (!session || session == m_session || m_main)
        return;
    detachSession();
    m_session = session;
    m_backend = backend;
    m_options.browserSignIn = browserSignIn;
    m_options.passwordSignIn = passwordSignIn;
    m_signIn->setBusy(false);
    m_signIn->setSignInMethods(browserSignIn != nullptr, passwordSignIn);
    attachSession();
}

void Shell::showPreparing(const QString &message)
{
    m_signIn->showPreparing(message);
    m_signIn->show();
}

void Shell::showPreparationFailed(const QString &message)
{
    m_signIn->showPreparationFailed(message);
    m_signIn->show();
    m_signIn->raise();
}

Shell::~Shell()
{
    if (m_session)
        m_session->setReauthenticationHandler({});
    closeMainWindow();
}

void Shell::closeMainWindow()
{
    if (!m_main)
        return;
    m_main->flushDraft(); // kept on disk for this user's next sign-in
    m_options.mainWindowGeometry = m_main->saveGeometry();
    Q_EMIT mainWindowGeometryChanged(m_options.mainWindowGeometry);
    if (m_main->isAsking()) {
        // Its own close event is waiting for an answer about the unsaved post: deleting it
        // now would pull the window out from under that call.
        m_main.release()->dismissAndDelete();
        return;
    }
    m_main.reset();
}

SignInWindow *Shell::signInWindow() const
{
    return m_signIn.get();
}

MainWindow *Shell::mainWindow() const
{
    return m_main.get();
}

ReauthDialog *Shell::reauthDialog() const
{
    return m_reauth;
}

void Shell::start()
{
    if (!m_session || !m_options.keychain || !m_options.keepSignedIn) {
        showSignIn();
        return;
    }
    m_session->setTokenStore(m_options.keychain);
    m_signIn->setBusy(true, tr("Restoring your session…"), true);
    // A quick restore goes straight to the main window: the sign-in window only
    // shows (with its progress) when the restore takes long enough to notice.
    m_restoring = true;
    QTimer::singleShot(400, m_signIn.get(), [this] {
        if (m_restoring)
            m_signIn->show();
    });
    m_session->restore();
}

void Shell::raise()
{
    QWidget *window = m_main && m_main->isVisible() ? static_cast<QWidget *>(m_main.get())
                                                    : static_cast<QWidget *>(m_signIn.get());
    const auto bringBack = [](QWidget *w) {
        w->show();
        w->setWindowState((w->windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
        w->raise();
        w->activateWindow();
    };
    if (m_reauth) {
        // The dialog sits on the main window: both come back, the dialog on top.
        if (m_main)
            bringBack(m_main.get());
        window = m_reauth;
    }
    bringBack(window);
}

void Shell::showSignIn()
{
    m_signIn->setBusy(false);
    m_signIn->show();
    m_signIn->raise();
    m_signIn->activateWindow();
    m_signIn->focusStart();
}

void Shell::onSignedIn()
{
    m_restoring = false;
    m_signIn->setBusy(false);
    m_signIn->clearPassword();
    m_signIn->showError({});
    m_signIn->showNotice({});
    m_signIn->hide();
    if (m_reauth) {
        m_reauth->accept();
        m_reauth->deleteLater();
    }
    const QString user = currentUser();
    if (m_main && m_mainUser != user) {
        // Someone else signed in: the previous user's window goes; an unsaved post in it
        // stays on disk for that user (closeMainWindow), and the new user is told nothing
        // of it.
        closeMainWindow();
        m_refreshBase = m_session->refreshCount();
        m_replayBase = m_session->replayCount();
    }
    const bool fresh = !m_main;
    if (fresh)
        openMainWindow(user);
    m_earlyActivity.clear();
    m_main->show();
    keepOnScreen(m_main.get());
    m_main->raise();
    m_main->activateWindow();
    if (fresh)
        m_main->reload();
}

QString Shell::currentUser() const
{
    const QString identity = m_session->identity();
    return identity.isEmpty() ? m_session->username() : identity;
}

void Shell::openMainWindow(const QString &user)
{
    m_main = std::make_unique<MainWindow>(m_session, m_backend);
    m_main->setAccount(m_options.server);
    m_main->setCounterBase(m_refreshBase, m_replayBase);
    m_main->setNetworkWatch(m_options.networkWatch);
    if (!m_options.mainWindowGeometry.isEmpty())
        m_main->restoreGeometry(m_options.mainWindowGeometry);
    for (const auto &entry : std::as_const(m_earlyActivity))
        m_main->addActivity(Session::Event(entry.event), entry.detail, entry.when);
    m_mainUser = user;
    m_main->setDraftStore(&m_drafts, user);
    m_main->restoreDraft(m_drafts.load(user));
    connect(m_main.get(), &MainWindow::settingsRequested, this, &Shell::settingsRequested);
    connect(m_main.get(), &MainWindow::signOutRequested, this, [this] {
        if (m_main->hasUnsavedDraft()
            && QMessageBox::question(m_main.get(), tr("Sign out"),
                                     tr("Your post is not saved. Sign out anyway?"),
                                     QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
                != QMessageBox::Yes)
            return;
        m_main->discardDraft();
        m_main->statusBar()->showMessage(tr("Signing out…"));
        m_session->signOut();
    });
    // Another account: this user's unsaved post stays on disk for them.
    connect(m_main.get(), &MainWindow::switchAccountRequested, this, [this] {
        m_main->flushDraft();
        m_signIn->setUsername(QString());
        m_main->statusBar()->showMessage(tr("Signing out…"));
        m_session->signOut();
    });
}

void Shell::onSignedOut()
{
    m_restoring = false;
    if (m_options.browserSignIn && m_options.browserSignIn->isActive())
        m_options.browserSignIn->cancel();
    if (m_reauth)
        m_reauth->deleteLater();
    closeMainWindow();
    m_mainUser.clear();
    m_earlyActivity.clear();
    m_refreshBase = m_session->refreshCount();
    m_replayBase = m_session->replayCount();
    showSignIn();
}

void Shell::onError(int error, const QString &message)
{
    const auto kind = Session::Error(error);
    if (kind == Session::Error::EntryBusy) {
        // Another window or program on this sign-in is stuck in its refresh; the
        // session waits for it and goes on by itself. Said where the user looks.
        if (m_main && m_main->isVisible()) {
            m_main->statusBar()->showMessage(message, 15000);
        } else if (m_restoring) {
            m_signIn->setBusy(true, message, true);
            m_signIn->show();
        }
        return;
    }
    m_restoring = false;
    // The technical side, for Details: the session's error and the server's answer behind it.
    const QString detail = SessionText::errorDetail(kind, message, m_session->lastServerAnswer());
    if (kind == Session::Error::RevocationFailed) {
        // Signed out here, but the server still takes the sign-in: never silent. Said on
        // the sign-in window the sign-out leads to (the main window is closing).
        m_signIn->showError(message, detail);
        return;
    }
    if (m_reauth && kind != Session::Error::SessionExpired) {
        m_reauth->showError(message, detail);
        return;
    }
    if (m_main && m_main->isVisible()) {
        // Offline and expiry have their own banner and dialog; the rest is news.
        if (kind == Session::Error::KeychainUnavailable)
            m_main->statusBar()->showMessage(message, 15000);
        return;
    }
    m_signIn->setBusy(false);
    if (kind == Session::Error::KeychainUnavailable) {
        // Found out on restore: sign-in still works, for this session only.
        m_options.keychain = nullptr;
        m_session->setTokenStore(nullptr);
        m_signIn->setKeychainAvailable(false, message);
        showSignIn();
        return;
    }
    if (kind == Session::Error::NoStoredSession) {
        showSignIn();
        return;
    }
    // The session's message carries the technical cause in brackets ("connection
    // refused"); the window says what happened in words and keeps that for Details.
    if (kind == Session::Error::NetworkError || kind == Session::Error::Timeout) {
        m_signIn->showError(kind == Session::Error::Timeout
                                ? tr("The sign-in server did not answer in time. Check your "
                                     "connection and try again.")
                                : tr("The sign-in server could not be reached. Check your "
                                     "connection and the server address."),
                            detail);
    } else {
        m_signIn->showError(message, detail);
    }
    m_signIn->show();
}

void Shell::askForPassword()
{
    if (!m_main || m_reauth)
        return;
    // Nobody is looking at the window: say so where the user is (the tray, else the
    // taskbar).
    if (!m_main->isVisible() || m_main->isMinimized()) {
        const QString message
            = tr("Your session has ended. Sign in again to continue; nothing is lost.");
        Q_EMIT attentionNeeded(message);
        if (m_options.notifier && m_options.notifier->isAvailable())
            m_options.notifier->notify(tr("SilentAuth"), message);
        else
            QApplication::alert(m_main.get());
    }
    m_reauth = new ReauthDialog(m_session->username(), m_main.get());
    if (BrowserSignIn *browser = m_options.browserSignIn) {
        m_reauth->setSignInMethods(true, m_options.passwordSignIn);
        connect(m_reauth, &ReauthDialog::browserSignInRequested, browser, &BrowserSignIn::start);
        connect(m_reauth, &ReauthDialog::browserSignInCanceled, browser, &BrowserSignIn::cancel);
    }
    connect(m_reauth, &ReauthDialog::signInRequested, m_session, &Session::signIn);
    connect(m_reauth, &QDialog::rejected, this, &Shell::reauthCanceled);
    m_reauth->open();
}

void Shell::reauthCanceled()
{
    if (m_options.browserSignIn && m_options.browserSignIn->isActive())
        m_options.browserSignIn->cancel();
    if (m_reauth)
        m_reauth->deleteLater();
    m_session->abandonReauthentication();
    // The main window (and any draft in it) is kept for when this user is back.
    const QString user = m_session->username();
    if (m_main)
        m_main->hide();
    m_signIn->setUsername(user);
    showSignIn();
    if (m_main && m_main->hasUnsavedDraft()) {
        m_main->flushDraft();
        m_signIn->showNotice(tr("Your unsaved post is kept on this computer. Sign in as %1 to "
                                "get back to it.")
                                 .arg(user));
    }
}

} // namespace SilentAuth::Ui
