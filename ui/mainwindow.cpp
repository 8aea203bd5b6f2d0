#include "mainwindow.h"

#include "boardmodel.h"
#include "sessiontext.h"

#include <silentauth/backendclient.h>

#include <QtCore/QEvent>
#include <QtCore/QTime>
#include <QtCore/QTimer>
#include <QtGui/QAction>
#include <QtGui/QIcon>
#include <QtGui/QKeySequence>
#include <QtWidgets/QDockWidget>
#include <QtWidgets/QFormLayout>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QHeaderView>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QListWidget>
#include <QtWidgets/QMessageBox>
#include <QtWidgets/QPlainTextEdit>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QSplitter>
#include <QtWidgets/QStackedWidget>
#include <QtWidgets/QStatusBar>
#include <QtWidgets/QTabWidget>
#include <QtWidgets/QTableView>
#include <QtWidgets/QToolBar>
#include <QtWidgets/QVBoxLayout>

namespace SilentAuth::Ui {

namespace {

QIcon icon(const char *name)
{
    return QIcon(QStringLiteral(":/silentauth/icons/%1.svg").arg(QLatin1String(name)));
}

} // namespace

MainWindow::MainWindow(Session *session, BackendClient *backend, QWidget *parent)
    : QMainWindow(parent)
    , m_session(session)
    , m_backend(backend)
    , m_model(new BoardModel(this))
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
    m_newPost = m_toolbar->addAction(icon("new"), QString(), this, &MainWindow::newPost);
    m_newPost->setObjectName(QStringLiteral("newPostAction"));
    m_newPost->setShortcut(QKeySequence::New);
    m_toolbar->addSeparator();
    m_signOut
        = m_toolbar->addAction(icon("sign-out"), QString(), this, &MainWindow::signOutRequested);
    m_signOut->setObjectName(QStringLiteral("signOutAction"));

    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_tabs->addTab(buildBoardPage(), icon("board"), QString());
    m_tabs->addTab(buildProfilePage(), icon("profile"), QString());
    buildBanner();
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_banner);
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
    m_toolbar->addAction(m_dock->toggleViewAction());
    retranslate();

    m_clock->setInterval(1000);
    connect(m_clock, &QTimer::timeout, this, &MainWindow::updateTimeLeft);
    m_clock->start();
    bindSession();
    resize(960, 640);
}

MainWindow::~MainWindow() = default;

// Every fixed text, again for a language switched while the window exists.
void MainWindow::retranslate()
{
    showTitle();
    m_toolbar->setWindowTitle(tr("Main"));
    m_reload->setText(tr("&Reload"));
    m_newPost->setText(tr("&New post"));
    m_signOut->setText(tr("Sign &out"));
    m_tabs->setTabText(0, tr("&Board"));
    m_tabs->setTabText(1, tr("&Profile"));
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
    Q_EMIT m_model->headerDataChanged(Qt::Horizontal, 0, m_model->columnCount() - 1);
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
    m_table->horizontalHeader()->setSectionResizeMode(BoardModel::Title, QHeaderView::Stretch);
    m_table->verticalHeader()->hide();
    m_boardMessage = new QLabel(m_boardStack);
    m_boardMessage->setObjectName(QStringLiteral("boardMessage"));
    m_boardMessage->setAlignment(Qt::AlignCenter);
    m_boardMessage->setWordWrap(true);
    m_boardStack->addWidget(m_table);
    m_boardStack->addWidget(m_boardMessage);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) { showPost(current.row()); });

    auto *editor = new QWidget(page);
    m_title = new QLineEdit(editor);
    m_title->setObjectName(QStringLiteral("postTitle"));
    m_title->setMaxLength(200);
    m_body = new QPlainTextEdit(editor);
    m_body->setObjectName(QStringLiteral("postBody"));
    m_body->setTabChangesFocus(true);
    m_editorState = new QLabel(editor);
    m_editorState->setObjectName(QStringLiteral("editorState"));
    m_save = new QPushButton(icon("save"), QString(), editor);
    m_save->setObjectName(QStringLiteral("savePost"));
    m_save->setShortcut(QKeySequence::Save);
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

void MainWindow::buildBanner()
{
    m_banner = new QWidget(this);
    m_banner->setObjectName(QStringLiteral("offlineBanner"));
    m_banner->setAutoFillBackground(true);
    m_banner->setStyleSheet(QStringLiteral("#offlineBanner { background: #fff4ce; }"
                                           "#offlineBanner QLabel { color: #3b2f00; }"));
    m_bannerText = new QLabel(m_banner);
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
    m_refreshLabel->setText(tr("Silent refreshes: %1").arg(m_session->refreshCount()));
    m_replayLabel->setText(tr("Replays: %1").arg(m_session->replayCount()));
    // The banner stays up through the retries until a refresh gets through.
    const auto status = m_session->status();
    if (status == Session::Status::Offline) {
        m_bannerText->setText(tr("The sign-in server cannot be reached. You are still signed "
                                 "in; SilentAuth keeps retrying on its own."));
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
    m_timeLeftLabel->setText(tr("Token: %1 left")
                                 .arg(seconds >= 3600 ? QStringLiteral("%1 h").arg(seconds / 3600)
                                          : seconds >= 60
                                          ? QStringLiteral("%1 min").arg(seconds / 60)
                                          : QStringLiteral("%1 s").arg(seconds)));
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
        = when.toString(QStringLiteral("HH:mm:ss  ")) + SessionText::event(event, detail);
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
            m_boardMessage->setText(tr("The posts could not be loaded: %1").arg(error.message));
            if (m_model->rowCount() == 0)
                m_boardStack->setCurrentWidget(m_boardMessage);
            reportError(error, tr("Loading the board"));
            return;
        }
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
}

void MainWindow::showPost(int row)
{
    const Post *post = m_model->post(row);
    if (!post || post->id == m_editingId)
        return;
    if (hasUnsavedDraft()
        && QMessageBox::question(
               this, tr("Unsaved post"),
               tr("Your changes to \"%1\" are not saved. Discard them?").arg(m_title->text()),
               QMessageBox::Discard | QMessageBox::Cancel)
            != QMessageBox::Discard) {
        return;
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
            m_editorState->setText(tr("Not saved: %1").arg(error.message));
            reportError(error, tr("Saving the post"));
            return;
        }
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
    // The session's own state (banner, re-sign-in) speaks for session problems.
    statusBar()->showMessage(tr("%1 failed: %2").arg(what, error.message), 8000);
}

} // namespace SilentAuth::Ui
