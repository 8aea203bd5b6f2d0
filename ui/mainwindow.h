#pragma once

#include "draftstore.h"

#include <silentauth/session.h>

#include <QtCore/QPointer>
#include <QtWidgets/QMainWindow>

QT_BEGIN_NAMESPACE
class QAction;
class QCloseEvent;
class QMessageBox;
class QMenu;
class QDockWidget;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QTime;
class QTimer;
class QToolBar;
QT_END_NAMESPACE

namespace SilentAuth {
class BackendClient;
struct ApiError;
} // namespace SilentAuth

namespace SilentAuth::Ui {

class BoardModel;
class ErrorPanel;
class NetworkWatch;

// The signed-in window: profile, board, the session's state in the status
// bar, and the live auth events in a dock.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(Session *session, BackendClient *backend, QWidget *parent = nullptr);
    ~MainWindow() override;

    //! Whatever the user typed and has not saved yet.
    bool hasUnsavedDraft() const;

    //! Unsaved work is kept in \a store under \a user as it is typed (not owned; null: not
    //! kept), and asked about when the window is closed.
    void setDraftStore(const DraftStore *store, const QString &user);
    //! Puts \a draft (found on disk at start) back in the editor, unsaved, and says so.
    void restoreDraft(const DraftStore::Draft &draft);
    //! Writes the draft now (before the window goes).
    void flushDraft();
    //! The draft is dropped, on disk too (the user chose to lose it).
    void discardDraft();
    //! Whether the window is asking what to do with an unsaved post (its close is under way).
    bool isAsking() const;
    //! Goes without waiting for an answer: the question is ended unanswered (the post stays
    //! a draft), and the window is deleted once its close event has returned.
    void dismissAndDelete();

    //! The session's counters as they were when this user's session began: the status bar
    //! counts from there.
    void setCounterBase(int refreshes, int replays);
    //! Who is signed in where, for the Account menu.
    void setAccount(const QString &server);

    //! Failed loads are tried again at once when \a watch says the network is back (not
    //! owned; null: only the backoff).
    void setNetworkWatch(NetworkWatch *watch);

    //! An auth event from before this window existed (a silent restore), at \a when.
    void addActivity(Session::Event event, const QString &detail, const QTime &when);

public Q_SLOTS:
    void reload();

Q_SIGNALS:
    void signOutRequested();
    void switchAccountRequested();
    void settingsRequested();

protected:
    void changeEvent(QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    QPointer<QMessageBox> m_question; // the unsaved-post question, while it is asked
    bool m_deleteAfterAsking = false;
    void retranslate();
    void showTitle();
    QWidget *buildBoardPage();
    QWidget *buildProfilePage();
    void buildBanner();
    void buildStaleBanner();
    void showStale(const ApiError &error);
    void bindSession();
    void updateStatus();
    void updateTimeLeft();
    void appendActivity(Session::Event event, const QString &detail);
    void buildMenus();
    bool showPost(int row);
    void openPost(const QModelIndex &index);
    void askNewPost();
    void newPost();
    void persistDraft();
    void showShortcuts();
    void showAbout();
    void savePost();
    void deletePost();
    void saveDisplayName();
    void reportError(const ApiError &error, const QString &what);
    // \a what (as given to reportError()) went through: its error goes.
    void actionWentThrough(const QString &what);
    void showRestoredNotice();
    void markClean();

    Session *m_session;
    BackendClient *m_backend;
    BoardModel *m_model;
    QStackedWidget *m_boardStack;
    QTableView *m_table;
    QLabel *m_boardMessage;
    QLineEdit *m_title;
    QPlainTextEdit *m_body;
    QPushButton *m_save;
    QPushButton *m_delete;
    QLabel *m_editorState;
    qint64 m_editingId = 0;
    QString m_cleanTitle;
    QString m_cleanBody;
    const DraftStore *m_drafts = nullptr;
    QString m_draftUser;
    QTimer *m_draftTimer;
    QTimer *m_retryTimer;
    int m_retryDelay = 2000;
    QDateTime m_loadedAt; // when the posts shown were loaded
    QWidget *m_staleBanner;
    QLabel *m_staleText;
    QPushButton *m_retryLoad;
    QPushButton *m_detailsButton;
    QLabel *m_staleDetails;
    QPushButton *m_copyDetails;
    ErrorPanel *m_actionError; // what the user asked for failed: in words, Details, Copy
    QString m_failedAction; // what the action error bar is about
    QDateTime m_restoredAt; // when the draft brought back at start was written
    QString m_restoredNotice; // and the notice saying so, as shown
    QPushButton *m_dismissError;
    int m_refreshBase = 0;
    int m_replayBase = 0;
    QString m_server;
    QAction *m_saveAction;
    QAction *m_quit;
    QAction *m_switchAccount;
    QAction *m_settingsAction;
    QAction *m_accountInfo;
    QAction *m_shortcutsAction;
    QAction *m_aboutAction;
    QAction *m_countersAction;
    QMenu *m_accountMenu;
    QMenu *m_postMenu;
    QMenu *m_viewMenu;
    QMenu *m_helpMenu;
    QLabel *m_profileUsername;
    QLabel *m_profileEmail;
    QLineEdit *m_displayName;
    QPushButton *m_saveProfile;
    QWidget *m_banner;
    QLabel *m_bannerText;
    QLabel *m_stateLabel;
    QLabel *m_timeLeftLabel;
    QLabel *m_refreshLabel;
    QLabel *m_replayLabel;
    QListWidget *m_activity;
    QTimer *m_clock;
    QAction *m_reload;
    QAction *m_newPost;
    QAction *m_signOut;
    QToolBar *m_toolbar;
    QTabWidget *m_tabs;
    QDockWidget *m_dock;
    QPushButton *m_retry;
    QLabel *m_usernameLabel;
    QLabel *m_emailLabel;
    QLabel *m_displayNameLabel;
    QString m_shownName; // the profile's display name, once loaded
};

} // namespace SilentAuth::Ui
