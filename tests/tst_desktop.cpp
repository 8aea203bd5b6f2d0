// The desktop program as users meet it: the real widgets (offscreen), the
// real wiring (DesktopApp), the bundled mock server and the real keychain.
#include "sessionfixture.h"
#include "testserver.h"

#include <desktopapp.h>
#include <mainwindow.h>
#include <reauthdialog.h>
#include <settingsdialog.h>
#include <shell.h>
#include <signinwindow.h>

#include <silentauth/backendclient.h>
#include <silentauth/keychaintokenstore.h>
#include <silentauth/mock/mockserver.h>
#include <silentauth/session.h>

#include <QtCore/QSettings>
#include <QtCore/QTemporaryDir>
#include <QtCore/QUuid>
#include <QtTest/QtTest>
#include <QtWidgets/QAbstractItemView>
#include <QtWidgets/QApplication>
#include <QtWidgets/QCheckBox>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QListWidget>
#include <QtWidgets/QMessageBox>
#include <QtWidgets/QPlainTextEdit>
#include <QtWidgets/QPushButton>

using namespace SilentAuth;
using namespace SilentAuth::Test;

namespace {

template<typename T = QWidget> T *child(QWidget *parent, const char *name)
{
    return parent ? parent->findChild<T *>(QLatin1String(name)) : nullptr;
}

// A keychain that is there but locked: every call fails as Unavailable, as
// QtKeychain reports a locked or absent Secret Service.
class LockedKeychain : public TokenStore
{
public:
    int calls = 0;
    void read(Callback done) override { fail(std::move(done)); }
    void write(const QByteArray &, Callback done) override { fail(std::move(done)); }
    void remove(Callback done) override { fail(std::move(done)); }

private:
    void fail(Callback done)
    {
        ++calls;
        QTimer::singleShot(0, this, [done] {
            done({Error::Unavailable, {}, QStringLiteral("the collection is locked")});
        });
    }
};

int counterIn(QLabel *label)
{
    // "Silent refreshes: 3" → 3, whatever the language.
    const QString text = label->text();
    return text.mid(text.lastIndexOf(QLatin1Char(' ')) + 1).toInt();
}

} // namespace

class TestDesktop : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_keychainService;
    std::unique_ptr<QSettings> m_settings;

    std::unique_ptr<DesktopApp> launch(std::chrono::seconds accessTtl = std::chrono::seconds(30))
    {
        DesktopApp::Config config;
        config.embeddedAccessTtl = accessTtl;
        config.keychainService = m_keychainService;
        config.embeddedDatabaseFile = m_dir.filePath(m_keychainService + QStringLiteral(".sqlite"));
        config.language
            = m_settings->value(QStringLiteral("ui/language"), QStringLiteral("en")).toString();
        auto app = std::make_unique<DesktopApp>(config, m_settings.get());
        bool ready = false;
        QString failure;
        app->start([&](const QString &error) {
            failure = error;
            ready = true;
        });
        for (int i = 0; i < 500 && !ready; ++i)
            QTest::qWait(10);
        if (!ready || !failure.isEmpty() || !app->shell()) {
            qWarning() << "the app did not start:" << failure;
            return nullptr;
        }
        return app;
    }

    static bool signInWith(DesktopApp &app, const QString &user, const QString &password,
                           bool keep = true)
    {
        Ui::SignInWindow *window = app.shell()->signInWindow();
        if (!QTest::qWaitFor(
                [&] { return window->isVisible() && child(window, "signIn")->isEnabled(); }, 10000))
            return false;
        auto *username = child<QLineEdit>(window, "username");
        auto *pw = child<QLineEdit>(window, "password");
        username->clear();
        QTest::keyClicks(username, user);
        pw->clear();
        QTest::keyClicks(pw, password);
        child<QCheckBox>(window, "keepSignedIn")->setChecked(keep);
        QTest::mouseClick(child(window, "signIn"), Qt::LeftButton);
        return true;
    }

    static bool waitForMainWindow(DesktopApp &app)
    {
        return QTest::qWaitFor(
            [&] { return app.shell()->mainWindow() && app.shell()->mainWindow()->isVisible(); },
            10000);
    }

    static bool waitForBoardLoaded(Ui::MainWindow *main)
    {
        auto *reload = main->findChild<QAction *>(QStringLiteral("reloadAction"));
        return QTest::qWaitFor([&] { return reload->isEnabled(); }, 10000);
    }

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_keychainService
            = QStringLiteral("SilentAuthTest-") + QUuid::createUuid().toString(QUuid::Id128);
        m_settings = std::make_unique<QSettings>(
            m_dir.filePath(m_keychainService + QStringLiteral(".ini")), QSettings::IniFormat);
    }

    void signInShowsDemoUsersAndOpensTheMainWindow()
    {
        auto app = launch();
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible());
        QTRY_VERIFY(child(window, "signIn")->isEnabled());
        QVERIFY(
            child<QLabel>(window, "demoHint")->text().contains(QLatin1String("alice-password")));
        QVERIFY(child<QCheckBox>(window, "keepSignedIn")->isEnabled());
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        QVERIFY(!window->isVisible());
        Ui::MainWindow *main = app->shell()->mainWindow();
        QTRY_COMPARE(child<QLabel>(main, "profileUsername")->text(), QStringLiteral("alice"));
        QVERIFY(waitForBoardLoaded(main));
        QCOMPARE(child<QLabel>(main, "sessionState")->text(), QStringLiteral("Signed in as alice"));
        // Nothing on the board yet: the empty state says so.
        QVERIFY(child<QLabel>(main, "boardMessage")->isVisible());
        QVERIFY(child<QLabel>(main, "boardMessage")->text().contains(QLatin1String("No posts")));
    }

    void wrongPasswordSaysSoInWords()
    {
        auto app = launch();
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("not-it")));
        Ui::SignInWindow *window = app->shell()->signInWindow();
        auto *error = child<QLabel>(window, "error");
        QTRY_VERIFY(error->isVisible());
        QVERIFY2(error->text().contains(QLatin1String("username or password is wrong")),
                 qPrintable(error->text()));
        QVERIFY(child(window, "signIn")->isEnabled());
        QVERIFY(!app->shell()->mainWindow());
    }

    void keyboardOnlySignIn()
    {
        auto app = launch();
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible());
        QTRY_VERIFY(child(window, "signIn")->isEnabled());
        window->activateWindow();
        auto *username = child<QLineEdit>(window, "username");
        username->setFocus();
        QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("bob"));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        QCOMPARE(QApplication::focusWidget(), child(window, "password"));
        QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("bob-password"));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
        QVERIFY(waitForMainWindow(*app));
        QCOMPARE(app->session()->username(), QStringLiteral("bob"));
    }

    void secondStartRestoresWithoutAPassword()
    {
        {
            auto first = launch();
            QVERIFY(first);
            QVERIFY(signInWith(*first, QStringLiteral("alice"), QStringLiteral("alice-password")));
            QVERIFY(waitForMainWindow(*first));
        }
        auto second = launch();
        QVERIFY(second);
        QVERIFY(waitForMainWindow(*second));
        QCOMPARE(second->session()->username(), QStringLiteral("alice"));
        QCOMPARE(stat(*second->embeddedServer(), "logins", "ok"), 0);
        QCOMPARE(stat(*second->embeddedServer(), "refreshes", "ok"), 1);
        QTRY_COMPARE(child<QLabel>(second->shell()->mainWindow(), "profileUsername")->text(),
                     QStringLiteral("alice"));
    }

    void withoutKeepSignedInTheNextStartAsks()
    {
        {
            auto first = launch();
            QVERIFY(first);
            QVERIFY(signInWith(*first, QStringLiteral("alice"), QStringLiteral("alice-password"),
                               false));
            QVERIFY(waitForMainWindow(*first));
        }
        auto second = launch();
        QVERIFY(second);
        QTRY_VERIFY(second->shell()->signInWindow()->isVisible());
        QTest::qWait(300);
        QVERIFY(!second->shell()->mainWindow());
        QCOMPARE(child<QLineEdit>(second->shell()->signInWindow(), "username")->text(),
                 QStringLiteral("alice"));
    }

    // Tokens expire under the user's hands: the counts rise, no dialog appears.
    void silentRefreshDuringUse()
    {
        auto app = launch(std::chrono::seconds(2));
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        auto *refreshes = child<QLabel>(main, "refreshCount");
        QTRY_VERIFY_WITH_TIMEOUT(counterIn(refreshes) >= 2, 10000);

        // And a token the server stopped accepting: 401 → refresh → replay.
        QVERIFY(expireNow(*app->embeddedServer()));
        main->reload();
        auto *replays = child<QLabel>(main, "replayCount");
        QTRY_VERIFY_WITH_TIMEOUT(counterIn(replays) >= 1, 10000);
        QVERIFY(!app->shell()->reauthDialog());
        QVERIFY(!app->shell()->signInWindow()->isVisible());
        QCOMPARE(app->session()->status(), Session::Status::SignedIn);
        // The activity panel told the story.
        auto *activity = child<QAbstractItemView>(main, "activity");
        QStringList lines;
        for (int i = 0; i < activity->model()->rowCount(); ++i)
            lines << activity->model()->index(i, 0).data().toString();
        const QString log = lines.join(QLatin1Char('\n'));
        QVERIFY2(log.contains(QLatin1String("401 caught")), qPrintable(log));
        QVERIFY(log.contains(QLatin1String("Replayed")));
        QVERIFY(!log.contains(QString::fromLatin1(app->session()->accessToken())));
    }

    // The session ends while the user writes a post: the dialog asks for the
    // password, and the post goes out after it, as typed.
    void reSignInKeepsTheDraft()
    {
        auto app = launch();
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        QTest::keyClicks(child(main, "postTitle"), QStringLiteral("Draft across a re-login"));
        QTest::keyClicks(child(main, "postBody"),
                         QStringLiteral("Typed before the session ended."));
        QVERIFY(expireThen(*app->embeddedServer(), QStringLiteral("revoked-refresh"),
                           {{QStringLiteral("count"), 1}}));
        QTest::mouseClick(child(main, "savePost"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(
            app->shell()->reauthDialog() && app->shell()->reauthDialog()->isVisible(), 10000);
        Ui::ReauthDialog *dialog = app->shell()->reauthDialog();
        QCOMPARE(child<QLineEdit>(dialog, "reauthUsername")->text(), QStringLiteral("alice"));
        QVERIFY(main->isVisible());
        QTest::keyClicks(child(dialog, "reauthPassword"), QStringLiteral("wrong"));
        QTest::keyClick(child(dialog, "reauthPassword"), Qt::Key_Return);
        QTRY_VERIFY(child<QLabel>(dialog, "reauthError")->isVisible());
        child<QLineEdit>(dialog, "reauthPassword")->clear();
        QTest::keyClicks(child(dialog, "reauthPassword"), QStringLiteral("alice-password"));
        QTest::keyClick(child(dialog, "reauthPassword"), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(!app->shell()->reauthDialog(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(child<QLabel>(main, "editorState")->text(),
                                  Ui::MainWindow::tr("Saved"), 10000);
        QVERIFY(!main->hasUnsavedDraft());
        // Sent once, answered 401, held, replayed once after the re-login: one post.
        QCOMPARE(stat(*app->embeddedServer(), "routes", "POST /boards"), 2);
        QCOMPARE(child<QAbstractItemView>(main, "boardTable")->model()->rowCount(), 1);
        QCOMPARE(stat(*app->embeddedServer(), "unauthorizedTotal"), 1);
        QCOMPARE(app->shell()->mainWindow(), main); // the same window, never rebuilt
    }

    // Canceled re-sign-in, then someone else signs in: the first user's draft
    // goes, and the new user is told in a message box.
    void anotherUserAfterCancelIsToldTheDraftWasDiscarded()
    {
        auto app = launch();
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        QTest::keyClicks(child(main, "postTitle"), QStringLiteral("Alice's draft"));
        QVERIFY(expireThen(*app->embeddedServer(), QStringLiteral("revoked-refresh"),
                           {{QStringLiteral("count"), 1}}));
        main->reload();
        QTRY_VERIFY_WITH_TIMEOUT(app->shell()->reauthDialog(), 10000);
        QTest::mouseClick(child(app->shell()->reauthDialog(), "reauthCancel"), Qt::LeftButton);
        QTRY_VERIFY(app->shell()->signInWindow()->isVisible());
        QVERIFY(signInWith(*app, QStringLiteral("bob"), QStringLiteral("bob-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *bobs = app->shell()->mainWindow();
        QTRY_VERIFY(child(bobs, "draftDiscarded") && child(bobs, "draftDiscarded")->isVisible());
        auto *box = child<QMessageBox>(bobs, "draftDiscarded");
        QVERIFY(box->text().contains(QLatin1String("alice")));
        QVERIFY(box->text().contains(QLatin1String("bob")));
        box->accept();
        QCOMPARE(child<QLineEdit>(bobs, "postTitle")->text(), QString());
        QTRY_COMPARE(child<QLabel>(bobs, "profileUsername")->text(), QStringLiteral("bob"));
    }

    // The activity panel shows what happened before the main window existed:
    // the silent restore's refresh.
    void activityPanelShowsTheRestore()
    {
        {
            auto first = launch();
            QVERIFY(first);
            QVERIFY(signInWith(*first, QStringLiteral("alice"), QStringLiteral("alice-password")));
            QVERIFY(waitForMainWindow(*first));
        }
        auto second = launch();
        QVERIFY(second);
        QVERIFY(waitForMainWindow(*second));
        auto *activity = child<QListWidget>(second->shell()->mainWindow(), "activity");
        QStringList lines;
        for (int i = 0; i < activity->count(); ++i)
            lines << activity->item(i)->text();
        const QString all = lines.join(QLatin1Char('\n'));
        QVERIFY2(all.contains(QLatin1String("Refresh started")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("Refresh succeeded")), qPrintable(all));
        QVERIFY2(all.contains(QLatin1String("Session restored for alice")), qPrintable(all));
    }

    // Korean and English, switched in settings while the program runs: the
    // session and the windows stay, their texts change.
    void languageSwitchesLive()
    {
        auto app = launch();
        QVERIFY(app);
        QCOMPARE(app->language(), QStringLiteral("en"));
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible());
        auto *signIn = child<QPushButton>(window, "signIn");
        QCOMPARE(signIn->text(), QStringLiteral("&Sign in"));
        Ui::Shell *shell = app->shell();

        DesktopApp::Config config = DesktopApp::Config::fromSettings(*m_settings);
        config.keychainService = m_keychainService;
        config.language = QStringLiteral("ko");
        app->reconfigure(config);
        QCOMPARE(app->language(), QStringLiteral("ko"));
        QCOMPARE(app->shell(), shell); // nothing rebuilt
        QTRY_COMPARE(signIn->text(), QStringLiteral("로그인(&S)"));
        QCOMPARE(QCoreApplication::translate("QPlatformTheme", "Cancel"),
                 QStringLiteral("취소")); // Qt's own buttons too
        m_settings->sync();
        QCOMPARE(m_settings->value(QStringLiteral("ui/language")).toString(), QStringLiteral("ko"));

        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        auto *reload = main->findChild<QAction *>(QStringLiteral("reloadAction"));
        QCOMPARE(reload->text(), QStringLiteral("새로 고침(&R)"));
        QTRY_VERIFY(
            child<QLabel>(main, "refreshCount")->text().startsWith(QStringLiteral("자동 갱신")));
        QTRY_COMPARE(child<QLabel>(main, "sessionState")->text(),
                     QStringLiteral("alice(으)로 로그인함"));

        config.language = QStringLiteral("en");
        app->reconfigure(config);
        QTRY_COMPARE(reload->text(), QStringLiteral("&Reload"));
        QCOMPARE(app->session()->status(), Session::Status::SignedIn); // still signed in
        QCOMPARE(app->shell()->mainWindow(), main);
    }

    // The main window comes back where and as large as the user left it.
    void mainWindowGeometryIsRemembered()
    {
        {
            auto first = launch();
            QVERIFY(first);
            QVERIFY(signInWith(*first, QStringLiteral("alice"), QStringLiteral("alice-password")));
            QVERIFY(waitForMainWindow(*first));
            first->shell()->mainWindow()->resize(700, 520);
            QTRY_COMPARE(first->shell()->mainWindow()->size(), QSize(700, 520));
        }
        m_settings->sync();
        QVERIFY(
            !m_settings->value(QStringLiteral("ui/mainWindowGeometry")).toByteArray().isEmpty());
        auto second = launch();
        QVERIFY(second);
        QVERIFY(waitForMainWindow(*second));
        QCOMPARE(second->shell()->mainWindow()->size(), QSize(700, 520));
    }

    void cancelingReSignInKeepsTheDraftForLater()
    {
        auto app = launch();
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        QTest::keyClicks(child(main, "postTitle"), QStringLiteral("Kept"));
        QVERIFY(expireThen(*app->embeddedServer(), QStringLiteral("revoked-refresh"),
                           {{QStringLiteral("count"), 1}}));
        main->reload();
        QTRY_VERIFY_WITH_TIMEOUT(app->shell()->reauthDialog(), 10000);
        QTest::mouseClick(child(app->shell()->reauthDialog(), "reauthCancel"), Qt::LeftButton);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible());
        QVERIFY(!main->isVisible());
        QCOMPARE(child<QLineEdit>(window, "username")->text(), QStringLiteral("alice"));
        QVERIFY(child<QLabel>(window, "error")->text().contains(QLatin1String("unsaved post")));
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        QCOMPARE(app->shell()->mainWindow(), main);
        QCOMPARE(child<QLineEdit>(main, "postTitle")->text(), QStringLiteral("Kept"));
    }

    void offlineBannerAndRecovery()
    {
        auto app = launch();
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        QVERIFY(expireThen(*app->embeddedServer(), QStringLiteral("refresh-unavailable")));
        main->reload();
        auto *banner = child(main, "offlineBanner");
        QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 10000);
        QCOMPARE(app->session()->status(), Session::Status::Offline);
        QVERIFY(!app->shell()->signInWindow()->isVisible());
        QVERIFY(!app->shell()->reauthDialog());
        // The server is back; "Retry now" does not wait for the next backoff.
        QString error;
        QVERIFY(app->embeddedServer()->setScenario(QStringLiteral("normal"), {}, &error));
        QTest::mouseClick(child(banner, "retryNow"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!banner->isVisible(), 10000);
        QCOMPARE(app->session()->status(), Session::Status::SignedIn);
    }

    // Settings point the app at another server; the choice is remembered, never a token.
    void settingsSwitchServerAndAreRemembered()
    {
        Mock::MockServerConfig serverConfig;
        serverConfig.logRequests = false;
        Mock::MockServer other(serverConfig);
        QString error;
        QVERIFY2(other.start(&error), qPrintable(error));
        auto app = launch();
        QVERIFY(app);
        QTRY_VERIFY(app->shell()->signInWindow()->isVisible());
        DesktopApp::Config config = DesktopApp::Config::fromSettings(*m_settings);
        config.keychainService = m_keychainService;
        config.server = other.url();
        config.protocol = QStringLiteral("oauth2");
        app->reconfigure(config);
        QTRY_VERIFY(app->shell() && app->shell()->signInWindow()->isVisible());
        QCOMPARE(child<QLabel>(app->shell()->signInWindow(), "server")->text(),
                 other.url().toString());
        QVERIFY(!child<QLabel>(app->shell()->signInWindow(), "demoHint")->isVisible());
        QVERIFY(signInWith(*app, QStringLiteral("bob"), QStringLiteral("bob-password")));
        QVERIFY(waitForMainWindow(*app));
        QCOMPARE(stat(other, "logins", "ok"), 1);
        QCOMPARE(stat(other, "routes", "POST /oauth/token"), 1);
        m_settings->sync();
        QCOMPARE(m_settings->value(QStringLiteral("server/url")).toString(),
                 other.url().toString());
        QCOMPARE(m_settings->value(QStringLiteral("server/protocol")).toString(),
                 QStringLiteral("oauth2"));
        QFile file(m_settings->fileName());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray saved = file.readAll();
        QVERIFY(!saved.isEmpty());
        QVERIFY(!saved.contains(app->session()->accessToken()));
        QVERIFY(!saved.contains("eyJ")); // no JWT of any kind
    }

    void settingsRejectANonHttpServer()
    {
        Ui::SettingsDialog dialog({});
        dialog.show();
        auto *server = child<QLineEdit>(&dialog, "settingsServer");
        QTest::keyClicks(server, QStringLiteral("ftp://example.com"));
        QTest::keyClick(server, Qt::Key_Return);
        QVERIFY(dialog.isVisible());
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        server->clear();
        QTest::keyClicks(server, QStringLiteral("https://auth.example.com"));
        QTest::keyClick(server, Qt::Key_Return);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.values().server, QStringLiteral("https://auth.example.com"));
    }

    // No usable keychain: "Keep me signed in" is disabled with the reason, and
    // signing in still works for this session.
    void lockedKeychainMeansThisSessionOnly()
    {
        auto server = startServer();
        QVERIFY(server);
        LockedKeychain keychain;
        auto client = makeClient(*server, nullptr);
        BackendClient backend(client.manager.get(), server->url(), server->url());
        Ui::Shell::Options options;
        options.keychain = &keychain;
        Ui::Shell shell(client.session.get(), &backend, options);
        shell.start();
        Ui::SignInWindow *window = shell.signInWindow();
        auto *keep = child<QCheckBox>(window, "keepSignedIn");
        QTRY_VERIFY(window->isVisible() && child(window, "signIn")->isEnabled());
        QVERIFY(!keep->isEnabled());
        QVERIFY(!keep->isChecked());
        QVERIFY2(keep->toolTip().contains(QLatin1String("the collection is locked")),
                 qPrintable(keep->toolTip()));
        QVERIFY(!child<QLabel>(window, "error")->isVisible());
        const int callsAfterRestore = keychain.calls;
        QCOMPARE(callsAfterRestore, 1); // one read at start-up, nothing else
        QTest::keyClicks(child(window, "username"), QStringLiteral("alice"));
        QTest::keyClicks(child(window, "password"), QStringLiteral("alice-password"));
        QTest::keyClick(child(window, "password"), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(shell.mainWindow() && shell.mainWindow()->isVisible(), 10000);
        QCOMPARE(client.session->status(), Session::Status::SignedIn);
        QCOMPARE(keychain.calls, callsAfterRestore); // the token went nowhere near it
    }

    void signOutRevokesAndForgets()
    {
        auto app = launch();
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        main->findChild<QAction *>(QStringLiteral("signOutAction"))->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(app->shell()->signInWindow()->isVisible(), 10000);
        QVERIFY(!app->shell()->mainWindow());
        QCOMPARE(stat(*app->embeddedServer(), "logouts"), 1);
        QCOMPARE(app->session()->status(), Session::Status::SignedOut);
        // Nothing left in the keychain: the next start asks for the password.
        KeychainTokenStore keychain(m_keychainService, QStringLiteral("refresh-token@bundled"));
        QCOMPARE(readStore(keychain).error, TokenStore::Error::NotFound);
    }
};

QTEST_MAIN(TestDesktop)
#include "tst_desktop.moc"
