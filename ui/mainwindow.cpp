#include "mainwindow.h"

#include "accessibility.h"
#include "boardmodel.h"
#include "errorpanel.h"
#include "networkwatch.h"
#include "sessiontext.h"

#include <backendclient.h>

#include <QtCore/QCoreApplication>
#include <QtCore/QEvent>
#include <QtCore/QLocale>
#include <QtCore/QRegularExpression>
#include <QtCore/QTime>
#include <QtCore/QTimer>
#include <QtGui/QAction>
#include <QtGui/QClipboard>
#include <QtGui/QCloseEvent>
#include <QtGui/QGuiApplication>
#include <QtGui/QIcon>
#include <QtGui/QKeySequence>
#include <QtGui/QScreen>
#include <QtWidgets/QDockWidget>
#include <QtWidgets/QFormLayout>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QHeaderView>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QListWidget>
#include <QtWidgets/QMenu>
#include <QtWidgets/QMenuBar>
#include <QtWidgets/QMessageBox>
#include <QtWidgets/QPlainTextEdit>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QSplitter>
#include <QtWidgets/QStackedWidget>
#include <QtWidgets/QStatusBar>
#include <QtWidgets/QTabBar>
#include <QtWidgets/QTabWidget>
#include <QtWidgets/QTableView>
#include <QtWidgets/QToolBar>
#include <QtWidgets/QToolButton>
#include <QtWidgets/QVBoxLayout>

namespace SilentAuth::Ui {

namespace {

QIcon icon(const char *name)
{
    return QIcon(QStringLiteral(":/silentauth/icons/%1.svg").arg(QLatin1String(name)));
}

// A menu text without its access key, for a tool button: "Sign &out" → "Sign out",
// "로그아웃(&O)" → "로그아웃" (a tool button has no working access key to show).
QString withoutMnemonic(QString text)
{
    static const QRegularExpression cjk(QStringLiteral("\\(&[^&]\\)"));
    text.remove(cjk);
    text.replace(QLatin1String("&&"), QStringLiteral("\x01"));
    text.remove(QLatin1Char('&'));
    text.replace(QLatin1Char('\x01'), QLatin1Char('&'));
    return text.trimmed();
}

// Errors in words; the technical detail is kept for Details (tool tip, accessible
// description).
QString errorInWords(const ApiError &error)
{
    switch (error.kind) {
    case ApiError::Kind::Offline:
        return MainWindow::tr("The server could not be reached. Check your connection.");
    case ApiError::Kind::SessionEnded:
        return MainWindow::tr("Your session has ended. Sign in again to continue.");
    case ApiError::Kind::Rejected:
        // A 4xx answer's message says why, in words.
        return MainWindow::tr("The server refused this: %1").arg(error.message);
    case ApiError::Kind::ServerError:
        return MainWindow::tr("The server had a problem. Try again in a moment.");
    case ApiError::Kind::Canceled:
    case ApiError::Kind::None:
        break;
    }
    return {};
}

// The technical side: the HTTP status and what the server said (or the network error).
QString technicalDetail(const ApiError &error)
{
    const QString said = error.serverMessage.isEmpty() ? error.message : error.serverMessage;
    return error.httpStatus > 0 ? QStringLiteral("HTTP %1, %2").arg(error.httpStatus).arg(said)
                                : said;
}

QString errorDetail(const ApiError &error)
{
    return MainWindow::tr("Details: %1").arg(technicalDetail(error));
}

} // namespace

MainWindow::MainWindow(Session *session, BackendClient *backend, QWidget *parent)
    : QMainWindow(parent)
    , m_session(session)
    , m_backend(backend)
    , m_model(new BoardModel(this))
    , m_draftTimer(new QTimer(this))
    , m_retryTimer(new QTimer(this))
    , m_clock(new QTimer(this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowIcon(icon("app"));

    m_toolbar = addToolBar(QString());
    m_toolbar->setObjectName(QStringLiteral("mainToolbar"));
    m_toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_reload = m_toolbar->addAction(icon("reload"), QString(), this, &MainWindow::reload);
    m_reload->setObjectName(QStringLiteral("reloadAction"));
    m_reload->setShortcut(QKeySequence::Refresh);
    m_newPost = m_toolbar->addAction(icon("new"), QString(), this, &MainWindow::askNewPost);
    m_newPost->setObjectName(QStringLiteral("newPostAction"));
    m_newPost->setShortcut(QKeySequence::New);
    m_toolbar->addSeparator();
    m_signOut
        = m_toolbar->addAction(icon("sign-out"), QString(), this, &MainWindow::signOutRequested);
    m_signOut->setObjectName(QStringLiteral("signOutAction"));
    // The tool buttons are in the Tab chain, first, as they are seen: Space presses them.
    // (Their actions are in the menus too, with shortcuts.)
    for (QAction *action : {m_reload, m_newPost, m_signOut}) {
        QWidget *button = m_toolbar->widgetForAction(action);
        button->setObjectName(
            action->objectName().replace(QLatin1String("Action"), QLatin1String("Button")));
        button->setFocusPolicy(Qt::TabFocus);
    }
    // Ctrl+S on the window, not on the button: a button's text with '&' replaces its
    // shortcut with the access key on every retranslation.
    m_saveAction = new QAction(icon("save"), QString(), this);
    m_saveAction->setObjectName(QStringLiteral("saveAction"));
    m_saveAction->setShortcut(QKeySequence::Save);
    m_saveAction->setShortcutContext(Qt::WindowShortcut);
    connect(m_saveAction, &QAction::triggered, this, [this] {
        if (m_save->isEnabled() && !m_title->isReadOnly())
            savePost();
    });
    addAction(m_saveAction);
    m_draftTimer->setSingleShot(true);
    m_draftTimer->setInterval(300);
    connect(m_draftTimer, &QTimer::timeout, this, &MainWindow::persistDraft);

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_tabs->addTab(buildBoardPage(), icon("board"), QString());
    m_tabs->addTab(buildProfilePage(), icon("profile"), QString());
    buildBanner();
    buildStaleBanner();
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_banner);
    layout->addWidget(m_staleBanner);
    // Next to the out-of-date banner's Details (Alt+I) and Copy (Alt+C): other keys.
    auto *errorBar = new QWidget(this);
    errorBar->setObjectName(QStringLiteral("actionErrorBar"));
    errorBar->setAutoFillBackground(true);
    errorBar->setStyleSheet(QStringLiteral("#actionErrorBar { background: #fde7e9; }"
                                           "#actionErrorBar QLabel { color: #5c0a10; }"));
    m_actionError = new ErrorPanel(QStringLiteral("actionError"), errorBar);
    m_dismissError = new QPushButton(errorBar);
    m_dismissError->setObjectName(QStringLiteral("dismissError"));
    connect(m_dismissError, &QPushButton::clicked, errorBar, &QWidget::hide);
    connect(m_actionError, &ErrorPanel::copied, this,
            [this] { statusBar()->showMessage(tr("Details copied"), 3000); });
    auto *errorRow = new QHBoxLayout(errorBar);
    errorRow->addWidget(m_actionError, 1);
    errorRow->addWidget(m_dismissError, 0, Qt::AlignTop);
    errorBar->hide();
    layout->addWidget(errorBar);
    layout->addWidget(m_tabs, 1);
    setCentralWidget(central);

    m_stateLabel = new QLabel(this);
    m_stateLabel->setObjectName(QStringLiteral("sessionState"));
    m_timeLeftLabel = new QLabel(this);
    m_timeLeftLabel->setObjectName(QStringLiteral("timeLeft"));
    m_refreshLabel = new QLabel(this);
    m_refreshLabel->setObjectName(QStringLiteral("refreshCount"));
    m_replayLabel = new QLabel(this);
    m_replayLabel->setObjectName(QStringLiteral("replayCount"));
    for (QLabel *label : {m_stateLabel, m_timeLeftLabel, m_refreshLabel, m_replayLabel})
        statusBar()->addPermanentWidget(label);

    m_dock = new QDockWidget(this);
    m_dock->setObjectName(QStringLiteral("activityDock"));
    m_activity = new QListWidget(m_dock);
    m_activity->setObjectName(QStringLiteral("activity"));
    m_activity->setUniformItemSizes(true);
    m_dock->setWidget(m_activity);
    addDockWidget(Qt::BottomDockWidgetArea, m_dock);
    // For QA and developers: the live events and the counters, hidden until asked for.
    m_dock->hide();
    m_refreshLabel->hide();
    m_replayLabel->hide();
    m_timeLeftLabel->hide();
    buildMenus();
    retranslate();

    m_clock->setInterval(1000);
    connect(m_clock, &QTimer::timeout, this, &MainWindow::updateTimeLeft);
    m_clock->start();
    bindSession();
    resize(960, 640);
    connect(m_title, &QLineEdit::textChanged, m_draftTimer, qOverload<>(&QTimer::start));
    connect(m_body, &QPlainTextEdit::textChanged, m_draftTimer, qOverload<>(&QTimer::start));
}

void MainWindow::buildMenus()
{
    m_accountMenu = menuBar()->addMenu(QString());
    m_accountMenu->setObjectName(QStringLiteral("accountMenu"));
    m_accountInfo = m_accountMenu->addAction(QString());
    m_accountInfo->setObjectName(QStringLiteral("accountInfo"));
    m_accountInfo->setEnabled(false);
    m_accountMenu->addSeparator();
    m_switchAccount
        = m_accountMenu->addAction(QString(), this, &MainWindow::switchAccountRequested);
    m_switchAccount->setObjectName(QStringLiteral("switchAccountAction"));
    m_accountMenu->addAction(m_signOut);
    m_accountMenu->addSeparator();
    m_settingsAction = m_accountMenu->addAction(icon("settings"), QString(), this,
                                                &MainWindow::settingsRequested);
    m_settingsAction->setObjectName(QStringLiteral("settingsAction"));
    m_accountMenu->addSeparator();
    m_quit = m_accountMenu->addAction(QString(), this, &QWidget::close);
    m_quit->setObjectName(QStringLiteral("quitAction"));
    m_quit->setShortcut(QKeySequence::Quit);
    m_quit->setShortcutContext(Qt::ApplicationShortcut);
    if (m_quit->shortcut().isEmpty())
        m_quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    m_quit->setMenuRole(QAction::QuitRole);

    m_postMenu = menuBar()->addMenu(QString());
    m_postMenu->setObjectName(QStringLiteral("postMenu"));
    m_postMenu->addAction(m_newPost);
    m_postMenu->addAction(m_saveAction);
    m_postMenu->addAction(m_reload);

    m_viewMenu = menuBar()->addMenu(QString());
    m_viewMenu->setObjectName(QStringLiteral("viewMenu"));
    QAction *activity = m_dock->toggleViewAction();
    activity->setObjectName(QStringLiteral("activityAction"));
    m_viewMenu->addAction(activity);
    m_countersAction = m_viewMenu->addAction(QString());
    m_countersAction->setObjectName(QStringLiteral("countersAction"));
    m_countersAction->setCheckable(true);
    connect(m_countersAction, &QAction::toggled, this, [this](bool on) {
        for (QLabel *label : {m_timeLeftLabel, m_refreshLabel, m_replayLabel})
            label->setVisible(on);
    });
    m_viewMenu->addAction(m_toolbar->toggleViewAction());

    m_helpMenu = menuBar()->addMenu(QString());
    m_helpMenu->setObjectName(QStringLiteral("helpMenu"));
    m_shortcutsAction = m_helpMenu->addAction(QString(), this, &MainWindow::showShortcuts);
    m_shortcutsAction->setObjectName(QStringLiteral("shortcutsAction"));
    m_shortcutsAction->setShortcut(QKeySequence::HelpContents);
    m_aboutAction = m_helpMenu->addAction(QString(), this, &MainWindow::showAbout);
    m_aboutAction->setObjectName(QStringLiteral("aboutAction"));
    m_aboutAction->setMenuRole(QAction::AboutRole);
}

void MainWindow::showShortcuts()
{
    QStringList rows;
    for (QAction *action : {m_newPost, m_saveAction, m_reload, m_shortcutsAction, m_quit}) {
        rows << QStringLiteral("<tr><td>%1</td><td>%2</td></tr>")
                    .arg(action->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped(),
                         withoutMnemonic(action->text()).toHtmlEscaped());
    }
    auto *box = new QMessageBox(QMessageBox::NoIcon, tr("Keyboard shortcuts"),
                                QStringLiteral("<table cellspacing=\"6\">%1</table><p>%2</p>")
                                    .arg(rows.join(QString()),
                                         tr("Alt and the underlined letter opens a menu or "
                                            "moves to a field.")
                                             .toHtmlEscaped()),
                                QMessageBox::Close, this);
    box->setObjectName(QStringLiteral("shortcutsBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::showAbout()
{
    auto *box = new QMessageBox(
        QMessageBox::NoIcon, tr("About SilentAuth"),
        tr("<h3>SilentAuth %1</h3><p>Signs you in once and keeps you signed in.</p>"
           "<p>Built with Qt %2 (LGPL-3.0) and QtKeychain (BSD-3-Clause).</p>")
            .arg(QCoreApplication::applicationVersion().toHtmlEscaped(),
                 QString::fromLatin1(qVersion())),
        QMessageBox::Close, this);
    box->setObjectName(QStringLiteral("aboutBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void MainWindow::setAccount(const QString &server)
{
    m_server = server;
    retranslate();
}

void MainWindow::setCounterBase(int refreshes, int replays)
{
    m_refreshBase = refreshes;
    m_replayBase = replays;
    updateStatus();
}

void MainWindow::setDraftStore(const DraftStore *store, const QString &user)
{
    m_drafts = store;
    m_draftUser = user;
}

void MainWindow::restoreDraft(const DraftStore::Draft &draft)
{
    if (draft.isEmpty())
        return;
    m_editingId = draft.postId;
    m_cleanTitle.clear();
    m_cleanBody.clear();
    m_title->setText(draft.title);
    m_body->setPlainText(draft.body);
    m_title->setReadOnly(false);
    m_body->setReadOnly(false);
    m_save->setEnabled(true);
    m_delete->setEnabled(draft.postId != 0);
    m_restoredAt = draft.saved;
    showRestoredNotice();
    m_title->setFocus();
}

void MainWindow::showRestoredNotice()
{
    const QString when = QLocale().toString(m_restoredAt.toLocalTime(), QLocale::ShortFormat);
    m_restoredNotice = tr("Your unsaved post from %1 is back. Save it, or start a new post to "
                          "discard it.")
                           .arg(when);
    m_editorState->setText(m_restoredNotice);
}

void MainWindow::persistDraft()
{
    m_draftTimer->stop();
    if (!m_drafts || m_draftUser.isEmpty())
        return;
    if (!hasUnsavedDraft()) {
        m_drafts->remove(m_draftUser);
        return;
    }
    DraftStore::Draft draft;
    draft.postId = m_editingId;
    draft.title = m_title->text();
    draft.body = m_body->toPlainText();
    m_drafts->save(m_draftUser, draft);
}

void MainWindow::flushDraft()
{
    persistDraft();
}

void MainWindow::discardDraft()
{
    m_draftTimer->stop();
    if (m_drafts)
        m_drafts->remove(m_draftUser);
    markClean();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!hasUnsavedDraft()) {
        QMainWindow::closeEvent(event);
        return;
    }
    QMessageBox box(QMessageBox::Question, tr("Unsaved post"),
                    tr("Your post \"%1\" is not saved.").arg(m_title->text()),
                    QMessageBox::NoButton, this);
    box.setObjectName(QStringLiteral("closeWithDraft"));
    QPushButton *keep = nullptr;
    if (m_drafts && !m_draftUser.isEmpty()) {
        box.setInformativeText(tr("Keep it on this computer, and it is offered back the next "
                                  "time you sign in."));
        keep = box.addButton(tr("&Keep for later"), QMessageBox::AcceptRole);
        keep->setObjectName(QStringLiteral("keepDraft"));
    }
    QPushButton *discard = box.addButton(tr("&Discard"), QMessageBox::DestructiveRole);
    discard->setObjectName(QStringLiteral("discardDraft"));
    QPushButton *cancel = box.addButton(QMessageBox::Cancel);
    box.setDefaultButton(keep ? keep : cancel);
    box.setEscapeButton(cancel);
    m_question = &box;
    box.exec();
    m_question = nullptr;
    if (m_deleteAfterAsking) {
        // Gone while the question was open (the session ended): not this call's to delete.
        event->ignore();
        deleteLater();
        return;
    }
    if (box.clickedButton() == keep && keep) {
        flushDraft();
        QMainWindow::closeEvent(event);
    } else if (box.clickedButton() == discard) {
        discardDraft();
        QMainWindow::closeEvent(event);
    } else {
        event->ignore();
    }
}

bool MainWindow::isAsking() const
{
    return m_question;
}

void MainWindow::dismissAndDelete()
{
    flushDraft();
    hide();
    m_deleteAfterAsking = true;
    if (m_question)
        m_question->reject();
    else
        deleteLater();
}

MainWindow::~MainWindow() = default;

// Every fixed text, again for a language switched while the window exists.
void MainWindow::retranslate()
{
    showTitle();
    // The restored-draft notice, if it still shows, in the new language.
    if (!m_restoredNotice.isEmpty() && m_editorState->text() == m_restoredNotice)
        showRestoredNotice();
    m_toolbar->setWindowTitle(tr("Main"));
    m_reload->setText(tr("&Reload"));
    m_newPost->setText(tr("&New post"));
    m_signOut->setText(tr("Sign &out"));
    m_saveAction->setText(tr("&Save post"));
    m_accountMenu->setTitle(tr("&Account"));
    m_postMenu->setTitle(tr("P&ost"));
    m_viewMenu->setTitle(tr("&View"));
    m_helpMenu->setTitle(tr("&Help"));
    m_switchAccount->setText(tr("S&witch account…"));
    m_settingsAction->setText(tr("Se&ttings…"));
    m_quit->setText(tr("&Quit"));
    m_dock->toggleViewAction()->setText(tr("&Activity"));
    m_countersAction->setText(tr("Token and refresh &counters"));
    m_toolbar->toggleViewAction()->setText(tr("&Toolbar"));
    m_shortcutsAction->setText(tr("&Keyboard shortcuts"));
    m_aboutAction->setText(tr("&About SilentAuth"));
    for (QAction *action : {m_reload, m_newPost, m_signOut}) {
        action->setIconText(withoutMnemonic(action->text()));
        action->setToolTip(action->shortcut().isEmpty()
                               ? withoutMnemonic(action->text())
                               : QStringLiteral("%1 (%2)").arg(
                                   withoutMnemonic(action->text()),
                                   action->shortcut().toString(QKeySequence::NativeText)));
    }
    m_save->setToolTip(QStringLiteral("%1 (%2)").arg(
        withoutMnemonic(tr("&Save")), m_saveAction->shortcut().toString(QKeySequence::NativeText)));
    m_tabs->setTabText(0, tr("&Board"));
    m_tabs->setTabText(1, tr("&Profile"));
    m_tabs->tabBar()->setAccessibleName(tr("Pages"));
    m_dock->setWindowTitle(tr("Activity"));
    m_activity->setAccessibleName(tr("Sign-in activity"));
    m_table->setAccessibleName(tr("Posts"));
    m_title->setAccessibleName(tr("Post title"));
    m_title->setPlaceholderText(tr("Title"));
    m_body->setAccessibleName(tr("Post text"));
    m_body->setPlaceholderText(tr("Write your post…"));
    m_save->setText(tr("&Save"));
    m_delete->setText(tr("&Delete"));
    m_displayName->setAccessibleName(tr("Display name"));
    m_saveProfile->setText(tr("Save &name"));
    m_usernameLabel->setText(tr("Username:"));
    m_emailLabel->setText(tr("Email:"));
    m_displayNameLabel->setText(tr("&Display name:"));
    m_retry->setText(tr("Retry &now"));
    m_retryLoad->setText(tr("Try a&gain now"));
    m_detailsButton->setText(tr("Deta&ils"));
    m_copyDetails->setText(tr("&Copy details"));
    m_actionError->setButtonTexts(tr("D&etails"), tr("Cop&y details"));
    m_dismissError->setText(tr("Dis&miss"));
    Q_EMIT m_model->headerDataChanged(Qt::Horizontal, 0, m_model->columnCount() - 1);
    updateStatus();
}

void MainWindow::showTitle()
{
    setWindowTitle(m_shownName.isEmpty() ? tr("SilentAuth")
                                         : tr("%1 — SilentAuth").arg(m_shownName));
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QMainWindow::changeEvent(event);
}

QWidget *MainWindow::buildBoardPage()
{
    auto *page = new QSplitter(this);
    m_boardStack = new QStackedWidget(page);
    m_table = new QTableView(m_boardStack);
    m_table->setObjectName(QStringLiteral("boardTable"));
    m_table->setModel(m_model);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    // Tab leaves the table (it does not walk its cells); the arrows choose a post, Return
    // opens it in the editor.
    m_table->setTabKeyNavigation(false);
    m_table->horizontalHeader()->setSectionResizeMode(BoardModel::Updated,
                                                      QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(BoardModel::Title, QHeaderView::Stretch);
    m_table->verticalHeader()->hide();
    m_boardMessage = new QLabel(m_boardStack);
    m_boardMessage->setObjectName(QStringLiteral("boardMessage"));
    m_boardMessage->setAlignment(Qt::AlignCenter);
    m_boardMessage->setWordWrap(true);
    m_boardStack->addWidget(m_table);
    m_boardStack->addWidget(m_boardMessage);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                // Browsing with the arrows shows each post, but never asks about (or
                // drops) unsaved work: that waits for Return.
                if (!hasUnsavedDraft())
                    showPost(current.row());
            });
    connect(m_table, &QAbstractItemView::activated, this, &MainWindow::openPost);

    auto *editor = new QWidget(page);
    m_title = new QLineEdit(editor);
    m_title->setObjectName(QStringLiteral("postTitle"));
    m_title->setMaxLength(200);
    m_body = new QPlainTextEdit(editor);
    m_body->setObjectName(QStringLiteral("postBody"));
    m_body->setTabChangesFocus(true);
    m_editorState = new QLabel(editor);
    m_editorState->setObjectName(QStringLiteral("editorState"));
    m_editorState->setWordWrap(true); // a long notice must not squeeze the posts beside it
    m_save = new QPushButton(icon("save"), QString(), editor);
    m_save->setObjectName(QStringLiteral("savePost"));
    m_delete = new QPushButton(icon("delete"), QString(), editor);
    m_delete->setObjectName(QStringLiteral("deletePost"));
    m_delete->setEnabled(false);
    connect(m_save, &QPushButton::clicked, this, &MainWindow::savePost);
    connect(m_delete, &QPushButton::clicked, this, &MainWindow::deletePost);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_editorState, 1);
    buttons->addWidget(m_delete);
    buttons->addWidget(m_save);
    auto *layout = new QVBoxLayout(editor);
    layout->addWidget(m_title);
    layout->addWidget(m_body, 1);
    layout->addLayout(buttons);
    page->addWidget(m_boardStack);
    page->addWidget(editor);
    // In the order they are seen: the table, the title, the text, Delete, Save.
    setTabOrder(m_table, m_title);
    setTabOrder(m_title, m_body);
    setTabOrder(m_body, m_delete);
    setTabOrder(m_delete, m_save);
    page->setStretchFactor(0, 3);
    page->setStretchFactor(1, 2);
    newPost();
    return page;
}

QWidget *MainWindow::buildProfilePage()
{
    auto *page = new QWidget(this);
    m_profileUsername = new QLabel(page);
    m_profileUsername->setObjectName(QStringLiteral("profileUsername"));
    m_profileEmail = new QLabel(page);
    m_profileEmail->setObjectName(QStringLiteral("profileEmail"));
    m_displayName = new QLineEdit(page);
    m_displayName->setObjectName(QStringLiteral("displayName"));
    m_displayName->setMaxLength(80);
    m_saveProfile = new QPushButton(page);
    m_saveProfile->setObjectName(QStringLiteral("saveProfile"));
    connect(m_saveProfile, &QPushButton::clicked, this, &MainWindow::saveDisplayName);
    connect(m_displayName, &QLineEdit::returnPressed, this, &MainWindow::saveDisplayName);
    auto *nameRow = new QHBoxLayout;
    nameRow->addWidget(m_displayName, 1);
    nameRow->addWidget(m_saveProfile);
    auto *form = new QFormLayout(page);
    m_usernameLabel = new QLabel(page);
    m_emailLabel = new QLabel(page);
    m_displayNameLabel = new QLabel(page);
    m_displayNameLabel->setBuddy(m_displayName);
    form->addRow(m_usernameLabel, m_profileUsername);
    form->addRow(m_emailLabel, m_profileEmail);
    form->addRow(m_displayNameLabel, nameRow);
    return page;
}

// The resource server is down (the session is fine): what is shown may be out of date,
// and the posts are loaded again on their own, sooner the first times.
void MainWindow::buildStaleBanner()
{
    m_staleBanner = new QWidget(this);
    m_staleBanner->setObjectName(QStringLiteral("staleBanner"));
    m_staleBanner->setAutoFillBackground(true);
    m_staleBanner->setStyleSheet(QStringLiteral("#staleBanner { background: #fff4ce; }"
                                                "#staleBanner QLabel { color: #3b2f00; }"));
    m_staleText = new QLabel(m_staleBanner);
    m_staleText->setObjectName(QStringLiteral("staleText"));
    makeLiveRegion(m_staleText);
    m_staleText->setWordWrap(true);
    m_retryLoad = new QPushButton(m_staleBanner);
    m_retryLoad->setObjectName(QStringLiteral("retryLoad"));
    connect(m_retryLoad, &QPushButton::clicked, this, &MainWindow::reload);
    // The technical detail, on request, to read or to paste into a report.
    m_detailsButton = new QPushButton(m_staleBanner);
    m_detailsButton->setObjectName(QStringLiteral("staleDetailsButton"));
    m_detailsButton->setCheckable(true);
    m_staleDetails = new QLabel(m_staleBanner);
    m_staleDetails->setObjectName(QStringLiteral("staleDetails"));
    m_staleDetails->setWordWrap(true);
    m_staleDetails->setTextInteractionFlags(Qt::TextSelectableByMouse
                                            | Qt::TextSelectableByKeyboard);
    m_staleDetails->hide();
    m_copyDetails = new QPushButton(m_staleBanner);
    m_copyDetails->setObjectName(QStringLiteral("copyDetails"));
    m_copyDetails->hide();
    connect(m_detailsButton, &QPushButton::toggled, this, [this](bool shown) {
        m_staleDetails->setVisible(shown);
        m_copyDetails->setVisible(shown);
    });
    connect(m_copyDetails, &QPushButton::clicked, this, [this] {
        QGuiApplication::clipboard()->setText(m_staleDetails->text());
        statusBar()->showMessage(tr("Details copied"), 3000);
    });
    auto *row = new QHBoxLayout;
    row->addWidget(m_staleText, 1);
    row->addWidget(m_detailsButton);
    row->addWidget(m_retryLoad);
    auto *detailsRow = new QHBoxLayout;
    detailsRow->addWidget(m_staleDetails, 1);
    detailsRow->addWidget(m_copyDetails);
    auto *layout = new QVBoxLayout(m_staleBanner);
    layout->addLayout(row);
    layout->addLayout(detailsRow);
    m_staleBanner->hide();
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, &MainWindow::reload);
}

// Where something says when the network is back (the system's NetworkManager or GLib),
// a failed load is tried again at once instead of at the next backoff.
void MainWindow::setNetworkWatch(NetworkWatch *watch)
{
    if (!watch)
        return;
    connect(watch, &NetworkWatch::online, this, [this] {
        if (m_staleBanner->isVisibleTo(this) && m_reload->isEnabled()) {
            m_retryTimer->stop();
            reload();
        }
    });
}

void MainWindow::showStale(const ApiError &error)
{
    const QString when = m_loadedAt.isValid()
        ? QLocale().toString(m_loadedAt.time(), QLocale::ShortFormat)
        : QString();
    const QString text = m_model->rowCount() > 0 && !when.isEmpty()
        ? tr("%1 The posts shown are from %2 and may be out of date; SilentAuth tries again "
             "on its own.")
              .arg(errorInWords(error), when)
        : tr("%1 SilentAuth tries again on its own.").arg(errorInWords(error));
    m_staleText->setText(text);
    m_staleText->setToolTip(errorDetail(error));
    m_staleDetails->setText(errorDetail(error));
    m_staleDetails->setAccessibleName(errorDetail(error));
    if (!m_staleBanner->isVisibleTo(this))
        announce(m_staleText, text);
    m_staleBanner->show();
    m_retryTimer->start(m_retryDelay);
    m_retryDelay = qMin(m_retryDelay * 2, 30000);
}

void MainWindow::buildBanner()
{
    m_banner = new QWidget(this);
    m_banner->setObjectName(QStringLiteral("offlineBanner"));
    m_banner->setAutoFillBackground(true);
    m_banner->setStyleSheet(QStringLiteral("#offlineBanner { background: #fff4ce; }"
                                           "#offlineBanner QLabel { color: #3b2f00; }"));
    m_bannerText = new QLabel(m_banner);
    makeLiveRegion(m_bannerText);
    m_bannerText->setWordWrap(true);
    m_retry = new QPushButton(m_banner);
    m_retry->setObjectName(QStringLiteral("retryNow"));
    connect(m_retry, &QPushButton::clicked, m_session, &Session::refresh);
    auto *layout = new QHBoxLayout(m_banner);
    layout->addWidget(m_bannerText, 1);
    layout->addWidget(m_retry);
    m_banner->hide();
}

void MainWindow::bindSession()
{
    connect(m_session, &Session::statusChanged, this, &MainWindow::updateStatus);
    connect(m_session, &Session::usernameChanged, this, &MainWindow::updateStatus);
    connect(m_session, &Session::refreshCountChanged, this, &MainWindow::updateStatus);
    connect(m_session, &Session::replayCountChanged, this, &MainWindow::updateStatus);
    connect(m_session, &Session::accessTokenExpiryChanged, this, &MainWindow::updateTimeLeft);
    connect(m_session, &Session::activity, this, &MainWindow::appendActivity);
    updateStatus();
}

void MainWindow::updateStatus()
{
    const bool signedIn = m_session->status() == Session::Status::SignedIn;
    m_stateLabel->setText(signedIn && !m_session->username().isEmpty()
                              ? SessionText::event(Session::Event::SignedIn, m_session->username())
                              : SessionText::status(m_session->status()));
    m_refreshLabel->setText(
        tr("Silent refreshes: %1").arg(qMax(0, m_session->refreshCount() - m_refreshBase)));
    m_replayLabel->setText(tr("Replays: %1").arg(qMax(0, m_session->replayCount() - m_replayBase)));
    m_accountInfo->setText(m_server.isEmpty()
                               ? tr("Signed in as %1").arg(m_session->username())
                               : tr("Signed in as %1 at %2").arg(m_session->username(), m_server));
    // The banner stays up through the retries until a refresh gets through.
    const auto status = m_session->status();
    if (status == Session::Status::Offline) {
        m_bannerText->setText(tr("The sign-in server cannot be reached. You are still signed "
                                 "in; SilentAuth keeps retrying on its own."));
        if (!m_banner->isVisibleTo(this))
            announce(m_bannerText, m_bannerText->text());
        m_banner->show();
    } else if (status == Session::Status::Refreshing && m_banner->isVisibleTo(this)) {
        m_bannerText->setText(tr("Trying to reach the sign-in server…"));
    } else {
        m_banner->hide();
    }
    updateTimeLeft();
}

void MainWindow::updateTimeLeft()
{
    const QDateTime expiry = m_session->accessTokenExpiry();
    if (!expiry.isValid()) {
        m_timeLeftLabel->setText(tr("Token: none"));
        return;
    }
    const qint64 seconds = qMax<qint64>(0, QDateTime::currentDateTimeUtc().secsTo(expiry));
    m_timeLeftLabel->setText(seconds >= 3600 ? tr("Token: %n hour(s) left", "", int(seconds / 3600))
                                 : seconds >= 60
                                 ? tr("Token: %n minute(s) left", "", int(seconds / 60))
                                 : tr("Token: %n second(s) left", "", int(seconds)));
}

void MainWindow::appendActivity(Session::Event event, const QString &detail)
{
    addActivity(event, detail, QTime::currentTime());
}

void MainWindow::addActivity(Session::Event event, const QString &detail, const QTime &when)
{
    if (event == Session::Event::RequestSent)
        return; // the interesting part is what happens around them
    const QString line
        = when.toString(QStringLiteral("HH:mm:ss  ")) + SessionText::logLine(event, detail);
    m_activity->addItem(line);
    while (m_activity->count() > 500)
        delete m_activity->takeItem(0);
    m_activity->scrollToBottom();
}

void MainWindow::reload()
{
    m_boardMessage->setText(tr("Loading posts…"));
    if (m_model->rowCount() == 0)
        m_boardStack->setCurrentWidget(m_boardMessage);
    m_reload->setEnabled(false);
    m_backend->listPosts(this, [this](const ApiError &error, const QList<Post> &posts) {
        m_reload->setEnabled(true);
        if (!error.ok()) {
            m_boardMessage->setText(
                tr("The posts could not be loaded. %1").arg(errorInWords(error)));
            m_boardMessage->setToolTip(errorDetail(error));
            if (m_model->rowCount() == 0)
                m_boardStack->setCurrentWidget(m_boardMessage);
            if (error.kind == ApiError::Kind::Offline || error.kind == ApiError::Kind::ServerError)
                showStale(error);
            else
                reportError(error, tr("Loading the board"));
            return;
        }
        actionWentThrough(tr("Loading the board"));
        m_loadedAt = QDateTime::currentDateTime();
        m_retryTimer->stop();
        m_retryDelay = 2000;
        if (m_staleBanner->isVisible())
            statusBar()->showMessage(tr("The posts are up to date again."), 5000);
        m_staleBanner->hide();
        const qint64 selected = m_editingId;
        m_model->setPosts(posts);
        if (posts.isEmpty()) {
            m_boardMessage->setText(tr("No posts yet. Write the first one!"));
            m_boardStack->setCurrentWidget(m_boardMessage);
        } else {
            m_boardStack->setCurrentWidget(m_table);
            const int row = m_model->rowOf(selected);
            if (row >= 0)
                m_table->selectRow(row);
        }
    });
    m_backend->fetchProfile(this, [this](const ApiError &error, const Profile &profile) {
        if (!error.ok()) {
            reportError(error, tr("Loading your profile"));
            return;
        }
        actionWentThrough(tr("Loading your profile"));
        m_profileUsername->setText(profile.username);
        m_profileEmail->setText(profile.email);
        if (!m_displayName->isModified())
            m_displayName->setText(profile.displayName);
        m_shownName = profile.displayName;
        showTitle();
    });
}

bool MainWindow::hasUnsavedDraft() const
{
    return m_title->text() != m_cleanTitle || m_body->toPlainText() != m_cleanBody;
}

void MainWindow::markClean()
{
    m_cleanTitle = m_title->text();
    m_cleanBody = m_body->toPlainText();
    m_draftTimer->start(); // the kept draft goes once the post is saved
}

void MainWindow::openPost(const QModelIndex &index)
{
    const Post *post = m_model->post(index.row());
    if (!post)
        return;
    if (post->id == m_editingId || showPost(index.row())) {
        QWidget *editor = m_title->isReadOnly() ? static_cast<QWidget *>(m_body) : m_title;
        editor->setFocus(Qt::OtherFocusReason);
    }
}

void MainWindow::askNewPost()
{
    if (hasUnsavedDraft()
        && QMessageBox::question(
               this, tr("Unsaved post"),
               tr("Your changes to \"%1\" are not saved. Discard them?").arg(m_title->text()),
               QMessageBox::Discard | QMessageBox::Cancel)
            != QMessageBox::Discard)
        return;
    newPost();
}

bool MainWindow::showPost(int row)
{
    const Post *post = m_model->post(row);
    if (!post || post->id == m_editingId)
        return false;
    if (hasUnsavedDraft()
        && QMessageBox::question(
               this, tr("Unsaved post"),
               tr("Your changes to \"%1\" are not saved. Discard them?").arg(m_title->text()),
               QMessageBox::Discard | QMessageBox::Cancel)
            != QMessageBox::Discard) {
        return false;
    }
    m_editingId = post->id;
    m_title->setText(post->title);
    m_body->setPlainText(post->body);
    markClean();
    const bool mine = post->author == m_session->username();
    m_title->setReadOnly(!mine);
    m_body->setReadOnly(!mine);
    m_save->setEnabled(mine);
    m_delete->setEnabled(mine);
    m_editorState->setText(mine ? tr("Editing your post") : tr("By %1").arg(post->author));
    return true;
}

void MainWindow::newPost()
{
    m_editingId = 0;
    m_table->clearSelection();
    m_title->clear();
    m_body->clear();
    markClean();
    m_title->setReadOnly(false);
    m_body->setReadOnly(false);
    m_save->setEnabled(true);
    m_delete->setEnabled(false);
    m_editorState->setText(tr("New post"));
    m_title->setFocus();
}

void MainWindow::savePost()
{
    if (m_title->text().trimmed().isEmpty()) {
        m_editorState->setText(tr("A post needs a title."));
        m_title->setFocus();
        return;
    }
    m_save->setEnabled(false);
    m_editorState->setText(tr("Saving…"));
    auto done = [this](const ApiError &error, const Post &post) {
        m_save->setEnabled(true);
        if (!error.ok()) {
            // The draft stays in the editor: nothing typed is lost.
            m_editorState->setText(tr("Not saved. %1").arg(errorInWords(error)));
            m_editorState->setToolTip(errorDetail(error));
            m_editorState->setAccessibleDescription(errorDetail(error));
            reportError(error, tr("Saving the post"));
            return;
        }
        m_failedAction.clear();
        m_actionError->parentWidget()->hide(); // what failed before went through now
        m_model->upsert(post);
        m_boardStack->setCurrentWidget(m_table);
        m_editingId = post.id;
        markClean();
        m_editorState->setText(tr("Saved"));
        m_delete->setEnabled(true);
    };
    if (m_editingId == 0)
        m_backend->createPost(m_title->text().trimmed(), m_body->toPlainText(), this, done);
    else
        m_backend->updatePost(m_editingId, m_title->text().trimmed(), m_body->toPlainText(), this,
                              done);
}

void MainWindow::deletePost()
{
    if (m_editingId == 0)
        return;
    if (QMessageBox::question(this, tr("Delete post"),
                              tr("Delete \"%1\"? This cannot be undone.").arg(m_title->text()),
                              QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
        != QMessageBox::Yes)
        return;
    m_backend->deletePost(m_editingId, this, [this](const ApiError &error, qint64 id) {
        if (!error.ok()) {
            reportError(error, tr("Deleting the post"));
            return;
        }
        m_model->remove(id);
        if (m_model->rowCount() == 0) {
            m_boardMessage->setText(tr("No posts yet. Write the first one!"));
            m_boardStack->setCurrentWidget(m_boardMessage);
        }
        newPost();
    });
}

void MainWindow::saveDisplayName()
{
    m_saveProfile->setEnabled(false);
    m_backend->updateDisplayName(m_displayName->text().trimmed(), this,
                                 [this](const ApiError &error, const Profile &profile) {
                                     m_saveProfile->setEnabled(true);
                                     if (!error.ok()) {
                                         reportError(error, tr("Saving your name"));
                                         return;
                                     }
                                     m_displayName->setText(profile.displayName);
                                     m_displayName->setModified(false);
                                     m_shownName = profile.displayName;
                                     showTitle();
                                     statusBar()->showMessage(tr("Name saved"), 3000);
                                 });
}

void MainWindow::reportError(const ApiError &error, const QString &what)
{
    if (error.kind == ApiError::Kind::Canceled)
        return;
    // In words, with the detail on request; it stays until dismissed, the next
    // error, or the same action going through.
    m_failedAction = what;
    m_actionError->showError(tr("%1 failed. %2").arg(what, errorInWords(error)),
                             technicalDetail(error));
    m_actionError->parentWidget()->show();
}

void MainWindow::actionWentThrough(const QString &what)
{
    if (m_failedAction != what)
        return;
    m_failedAction.clear();
    m_actionError->clear();
    m_actionError->parentWidget()->hide();
}

} // namespace SilentAuth::Ui
