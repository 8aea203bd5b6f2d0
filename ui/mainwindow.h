#pragma once

#include <silentauth/session.h>

#include <QtWidgets/QMainWindow>

QT_BEGIN_NAMESPACE
class QAction;
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

    //! An auth event from before this window existed (a silent restore), at \a when.
    void addActivity(Session::Event event, const QString &detail, const QTime &when);

public Q_SLOTS:
    void reload();

Q_SIGNALS:
    void signOutRequested();

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void showTitle();
    QWidget *buildBoardPage();
    QWidget *buildProfilePage();
    void buildBanner();
    void bindSession();
    void updateStatus();
    void updateTimeLeft();
    void appendActivity(Session::Event event, const QString &detail);
    void showPost(int row);
    void newPost();
    void savePost();
    void deletePost();
    void saveDisplayName();
    void reportError(const ApiError &error, const QString &what);
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
