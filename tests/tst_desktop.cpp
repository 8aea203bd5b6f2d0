// The desktop program as users meet it: the real widgets (offscreen), the
// real wiring (DesktopApp), the bundled mock server and the real keychain.
#include "browserstandin.h"
#include "capturingserver.h"
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

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QSettings>
#include <QtCore/QTemporaryDir>
#include <QtCore/QUrlQuery>
#include <QtCore/QUuid>
#include <QtGui/QClipboard>
#include <QtGui/QDesktopServices>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>
#include <QtWidgets/QAbstractItemView>
#include <QtWidgets/QApplication>
#include <QtWidgets/QCheckBox>
#include <QtWidgets/QComboBox>
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

// Stands in for the system's URL handler: what the program asked
// QDesktopServices to open in the browser.
class BrowserOpener : public QObject
{
    Q_OBJECT

public:
    BrowserOpener()
    {
        for (const char *scheme : {"http", "https"})
            QDesktopServices::setUrlHandler(QLatin1String(scheme), this, "open");
    }
    ~BrowserOpener() override
    {
        for (const char *scheme : {"http", "https"})
            QDesktopServices::unsetUrlHandler(QLatin1String(scheme));
    }
    QList<QUrl> opened;

public Q_SLOTS:
    void open(const QUrl &url) { opened.append(url); }
};

QByteArray httpAnswer(const QByteArray &body, const char *status = "200 OK")
{
    return "HTTP/1.1 " + QByteArray(status)
        + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
        + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

QUrl redirectUriOf(const QUrl &authorizationUrl)
{
    return QUrl(QUrlQuery(authorizationUrl)
                    .queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
}

bool portAnswers(const QUrl &url)
{
    QTcpSocket socket;
    socket.connectToHost(url.host(), quint16(url.port()));
    return socket.waitForConnected(1000);
}

// The letters after '&' in the visible buttons, check boxes and buddied
// labels of \a window; each must be there once.
QStringList mnemonicClashes(QWidget *window)
{
    QHash<QChar, QStringList> owners;
    const auto note = [&owners](const QString &text) {
        for (qsizetype i = text.indexOf(QLatin1Char('&')); i >= 0 && i + 1 < text.size();
             i = text.indexOf(QLatin1Char('&'), i + 2)) {
            if (text.at(i + 1) != QLatin1Char('&')) {
                owners[text.at(i + 1).toLower()].append(text);
                break;
            }
        }
    };
    for (QAbstractButton *button : window->findChildren<QAbstractButton *>()) {
        if (button->isVisible())
            note(button->text());
    }
    for (QLabel *label : window->findChildren<QLabel *>()) {
        if (label->isVisible() && label->buddy())
            note(label->text());
    }
    QStringList clashes;
    for (auto it = owners.cbegin(); it != owners.cend(); ++it) {
        if (it.value().size() > 1)
            clashes.append(it.value().join(QLatin1String(" / ")));
    }
    return clashes;
}

// Every visible control the keyboard can reach has a name a screen reader can say.
QStringList unnamedControls(QWidget *window)
{
    QStringList unnamed;
    for (QWidget *w : window->findChildren<QWidget *>()) {
        if (!w->isVisible() || w->focusPolicy() == Qt::NoFocus || w->focusProxy())
            continue;
        const auto *button = qobject_cast<QAbstractButton *>(w);
        if (w->accessibleName().isEmpty() && (!button || button->text().isEmpty()))
            unnamed.append(w->objectName() + QLatin1Char('(')
                           + QLatin1String(w->metaObject()->className()) + QLatin1Char(')'));
    }
    return unnamed;
}

} // namespace

class TestDesktop : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_keychainService;
    std::unique_ptr<QSettings> m_settings;

    DesktopApp::Config baseConfig(std::chrono::seconds accessTtl = std::chrono::seconds(30)) const
    {
        DesktopApp::Config config;
        config.embeddedAccessTtl = accessTtl;
        config.keychainService = m_keychainService;
        config.embeddedDatabaseFile = m_dir.filePath(m_keychainService + QStringLiteral(".sqlite"));
        config.language
            = m_settings->value(QStringLiteral("ui/language"), QStringLiteral("en")).toString();
        return config;
    }

    // The OpenID provider protocol against \a server (empty: the bundled one).
    DesktopApp::Config openIdConfig(const QUrl &server = {}, const QUrl &issuer = {}) const
    {
        DesktopApp::Config config = baseConfig();
        config.protocol = QStringLiteral("oidc");
        config.server = server;
        config.issuer = issuer;
        return config;
    }

    std::unique_ptr<DesktopApp> launch(std::chrono::seconds accessTtl = std::chrono::seconds(30))
    {
        return launch(baseConfig(accessTtl));
    }

    std::unique_ptr<DesktopApp> launch(const DesktopApp::Config &config)
    {
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

    // Starts "Sign in with your browser" from the keyboard: the primary
    // button has the focus, Return presses it. The link shown, or empty.
    static QUrl startBrowserSignInByKeyboard(Ui::SignInWindow *window)
    {
        auto *button = child<QPushButton>(window, "browserSignIn");
        if (!QTest::qWaitFor([&] { return button->isVisible() && button->isEnabled(); }, 10000)) {
            qWarning() << "no browser sign-in button";
            return {};
        }
        window->activateWindow();
        if (!QTest::qWaitFor([&] { return QApplication::focusWidget() == button; }, 5000)) {
            qWarning() << "the focus is on" << QApplication::focusWidget();
            return {};
        }
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
        auto *link = child<QLineEdit>(window, "authorizationUrl");
        if (!QTest::qWaitFor([&] { return link->isVisible() && !link->text().isEmpty(); }, 5000)) {
            qWarning() << "no link shown; error:" << child<QLabel>(window, "error")->text();
            return {};
        }
        return QUrl::fromEncoded(link->text().toLatin1(), QUrl::StrictMode);
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

    // An OpenID provider: the browser is the primary way in, chosen from the
    // keyboard; the link is there to read and copy; the headless browser
    // signs in as bob and the main window opens for him.
    void signInThroughTheBrowser()
    {
        auto server = startServer();
        QVERIFY(server);
        BrowserOpener opener;
        auto app = launch(openIdConfig(server->url()));
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible());
        auto *browserButton = child<QPushButton>(window, "browserSignIn");
        QTRY_VERIFY_WITH_TIMEOUT(browserButton->isVisible() && browserButton->isEnabled(), 10000);
        QVERIFY(browserButton->isDefault());
        QVERIFY(!child<QPushButton>(window, "signIn")->isDefault());
        // The mock provider takes passwords too: both ways, the browser first.
        QVERIFY(child(window, "username")->isVisible());
        QVERIFY(child(window, "password")->isVisible());
        QVERIFY(child(window, "orPassword")->isVisible());
        QVERIFY2(mnemonicClashes(window).isEmpty(),
                 qPrintable(mnemonicClashes(window).join(QLatin1Char(','))));
        QVERIFY2(unnamedControls(window).isEmpty(),
                 qPrintable(unnamedControls(window).join(QLatin1Char(','))));

        const QUrl url = startBrowserSignInByKeyboard(window);
        QVERIFY(url.isValid());
        QCOMPARE(url.path(), QStringLiteral("/oauth/authorize"));
        QCOMPARE(opener.opened, QList<QUrl> {url}); // handed to the system's browser
        auto *link = child<QLineEdit>(window, "authorizationUrl");
        QVERIFY(link->isReadOnly());
        QCOMPARE(child<QLabel>(window, "browserStatus")->text(),
                 QStringLiteral("Waiting for you to finish in the browser…"));
        QVERIFY(!browserButton->isEnabled());
        QVERIFY2(mnemonicClashes(window).isEmpty(),
                 qPrintable(mnemonicClashes(window).join(QLatin1Char(','))));
        QVERIFY2(unnamedControls(window).isEmpty(),
                 qPrintable(unnamedControls(window).join(QLatin1Char(','))));

        // "Copy link", from the keyboard: it has the focus while waiting.
        QGuiApplication::clipboard()->clear();
        QCOMPARE(QApplication::focusWidget(), child(window, "copyLink"));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Space);
        QCOMPARE(QGuiApplication::clipboard()->text(), link->text());
        QVERIFY(child(window, "browserNote")->isVisible());

        const BrowserVisit visit
            = visitAuthorization(QUrl::fromEncoded(QGuiApplication::clipboard()->text().toLatin1()),
                                 QStringLiteral("bob"), QStringLiteral("bob-password"));
        QVERIFY2(visit.error.isEmpty(), qPrintable(visit.error));
        QCOMPARE(visit.callbackStatus, 200);
        QVERIFY(waitForMainWindow(*app));
        QVERIFY(!window->isVisible());
        QCOMPARE(app->session()->username(), QStringLiteral("bob"));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QTRY_COMPARE(child<QLabel>(main, "profileUsername")->text(), QStringLiteral("bob"));
        QCOMPARE(child<QLabel>(main, "sessionState")->text(), QStringLiteral("Signed in as bob"));
        QVERIFY(!portAnswers(redirectUriOf(url)));
        QCOMPARE(stat(*server, "routes", "POST /oauth/token"), 1);
    }

    // The bundled demo server is an OpenID provider too: no issuer set, the
    // bundled server's address is used; the next start restores silently.
    void bundledServerSignsInThroughTheBrowser()
    {
        {
            BrowserOpener opener;
            auto app = launch(openIdConfig());
            QVERIFY(app);
            QVERIFY(app->embeddedServer());
            QCOMPARE(app->issuer(),
                     app->embeddedServer()->url().adjusted(QUrl::StripTrailingSlash));
            Ui::SignInWindow *window = app->shell()->signInWindow();
            QTRY_VERIFY(window->isVisible());
            QVERIFY(child<QLabel>(window, "demoHint")->text().contains(QLatin1String("browser")));
            const QUrl url = startBrowserSignInByKeyboard(window);
            QVERIFY(url.isValid());
            QCOMPARE(url.authority(), app->embeddedServer()->url().authority());
            const BrowserVisit visit = visitAuthorization(url, QStringLiteral("alice"),
                                                          QStringLiteral("alice-password"));
            QVERIFY2(visit.error.isEmpty(), qPrintable(visit.error));
            QVERIFY(waitForMainWindow(*app));
            QCOMPARE(app->session()->username(), QStringLiteral("alice"));
        }
        auto second = launch(openIdConfig());
        QVERIFY(second);
        QVERIFY(waitForMainWindow(*second));
        QCOMPARE(second->session()->username(), QStringLiteral("alice"));
        QCOMPARE(stat(*second->embeddedServer(), "refreshes", "ok"), 1);
    }

    // Esc (and Cancel) while waiting: back to the choice, quietly, the
    // keyboard on the primary button, and the loopback port closed.
    void cancelReturnsToIdleAndFreesThePort()
    {
        auto server = startServer();
        QVERIFY(server);
        BrowserOpener opener;
        auto app = launch(openIdConfig(server->url()));
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        auto *browserButton = child<QPushButton>(window, "browserSignIn");
        auto *error = child<QLabel>(window, "error");
        QTRY_VERIFY(window->isVisible());

        QUrl url = startBrowserSignInByKeyboard(window);
        QVERIFY(url.isValid());
        QVERIFY(portAnswers(redirectUriOf(url)));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
        QTRY_VERIFY(!child(window, "authorizationUrl")->isVisible());
        QVERIFY(browserButton->isEnabled());
        QCOMPARE(QApplication::focusWidget(), browserButton);
        QVERIFY(!error->isVisible());
        QVERIFY(!portAnswers(redirectUriOf(url)));

        // Again, with the Cancel button reached by Tab.
        url = startBrowserSignInByKeyboard(window);
        QVERIFY(url.isValid());
        QVERIFY(portAnswers(redirectUriOf(url)));
        auto *cancel = child<QPushButton>(window, "cancelBrowserSignIn");
        for (int i = 0; i < 5 && QApplication::focusWidget() != cancel; ++i)
            QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        QCOMPARE(QApplication::focusWidget(), cancel);
        QTest::keyClick(cancel, Qt::Key_Space);
        QTRY_VERIFY(!cancel->isVisible());
        QCOMPARE(QApplication::focusWidget(), browserButton);
        QVERIFY(!error->isVisible());
        QVERIFY(!portAnswers(redirectUriOf(url)));
        QCOMPARE(app->session()->status(), Session::Status::SignedOut);
        QVERIFY(!app->shell()->mainWindow());
    }

    void declinedInTheBrowserSaysSo()
    {
        auto server = startServer();
        QVERIFY(server);
        BrowserOpener opener;
        auto app = launch(openIdConfig(server->url()));
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible());
        const QUrl url = startBrowserSignInByKeyboard(window);
        QVERIFY(url.isValid());
        const BrowserVisit visit = visitAuthorization(
            url, QStringLiteral("alice"), QStringLiteral("alice-password"), QStringLiteral("deny"));
        QVERIFY2(visit.error.isEmpty(), qPrintable(visit.error));
        auto *error = child<QLabel>(window, "error");
        QTRY_VERIFY(error->isVisible());
        QVERIFY2(error->text().contains(QLatin1String("declined")), qPrintable(error->text()));
        QVERIFY(!child(window, "authorizationUrl")->isVisible());
        QCOMPARE(QApplication::focusWidget(), child(window, "browserSignIn"));
        QCOMPARE(app->session()->status(), Session::Status::SignedOut);
        QVERIFY(!app->shell()->mainWindow());
    }

    // An issuer that is no OpenID provider: said in the sign-in window, with
    // Try again (focused) and Settings; nothing to sign in with meanwhile.
    void issuerThatIsNotAProviderIsAClearError()
    {
        CapturingServer notAProvider(
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        auto app = launch(openIdConfig(notAProvider.url("/")));
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible());
        auto *error = child<QLabel>(window, "error");
        QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 10000);
        QVERIFY2(error->text().contains(QLatin1String("cannot be used to sign in")),
                 qPrintable(error->text()));
        QVERIFY2(error->text().contains(QLatin1String("404")), qPrintable(error->text()));
        QVERIFY2(error->text().contains(QLatin1String("Settings")), qPrintable(error->text()));
        qInfo().noquote() << error->text();
        auto *retry = child<QPushButton>(window, "retry");
        QVERIFY(retry->isVisible());
        QVERIFY(child(window, "openSettings")->isVisible());
        QVERIFY(child(window, "openSettings")->isEnabled());
        QVERIFY(!child(window, "browserSignIn")->isVisible());
        QVERIFY(!child(window, "username")->isVisible());
        QVERIFY(!child(window, "signIn")->isVisible());
        QVERIFY(!app->session());
        QVERIFY2(mnemonicClashes(window).isEmpty(),
                 qPrintable(mnemonicClashes(window).join(QLatin1Char(','))));
        window->activateWindow();
        QTRY_COMPARE(QApplication::focusWidget(), retry);

        // Try again: looked up once more, and the same answer.
        const int asked = notAProvider.received.count("GET ");
        QTest::keyClick(retry, Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(notAProvider.received.count("GET ") > asked, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(error->isVisible() && retry->isVisible(), 10000);
        QTRY_COMPARE(QApplication::focusWidget(), retry);
    }

    // A provider that does not take passwords: only the browser is offered.
    void noPasswordFormWithoutThePasswordGrant()
    {
        CapturingServer provider(
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        const QString issuer = provider.url("/").adjusted(QUrl::StripTrailingSlash).toString();
        const QJsonObject document {
            {QStringLiteral("issuer"), issuer},
            {QStringLiteral("authorization_endpoint"), issuer + QStringLiteral("/authorize")},
            {QStringLiteral("token_endpoint"), issuer + QStringLiteral("/token")},
            {QStringLiteral("grant_types_supported"),
             QJsonArray {QStringLiteral("authorization_code"), QStringLiteral("refresh_token")}},
            {QStringLiteral("code_challenge_methods_supported"),
             QJsonArray {QStringLiteral("S256")}}};
        provider.responses = {httpAnswer(QJsonDocument(document).toJson(QJsonDocument::Compact))};
        auto app = launch(openIdConfig(QUrl(issuer)));
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        auto *browserButton = child<QPushButton>(window, "browserSignIn");
        QTRY_VERIFY_WITH_TIMEOUT(browserButton->isVisible() && browserButton->isEnabled(), 10000);
        QVERIFY(browserButton->isDefault());
        for (const char *name : {"username", "password", "signIn", "orPassword"})
            QVERIFY2(!child(window, name)->isVisible(), name);
        QVERIFY(child(window, "keepSignedIn")->isVisible());
        window->activateWindow();
        QTRY_COMPARE(QApplication::focusWidget(), browserButton);
        QVERIFY2(unnamedControls(window).isEmpty(),
                 qPrintable(unnamedControls(window).join(QLatin1Char(','))));

        // In Korean too, with the same access keys.
        DesktopApp::Config korean = openIdConfig(QUrl(issuer));
        korean.language = QStringLiteral("ko");
        app->reconfigure(korean);
        QCOMPARE(app->shell()->signInWindow(), window); // nothing rebuilt
        QTRY_COMPARE(browserButton->text(), QStringLiteral("브라우저로 로그인(&B)"));
        QVERIFY2(mnemonicClashes(window).isEmpty(),
                 qPrintable(mnemonicClashes(window).join(QLatin1Char(','))));
    }

    // The session ends while the user works: the dialog offers the browser
    // first, and the draft goes out after signing in there.
    void sessionEndedSignsInAgainThroughTheBrowser()
    {
        auto server = startServer();
        QVERIFY(server);
        BrowserOpener opener;
        auto app = launch(openIdConfig(server->url()));
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible());
        const QUrl url = startBrowserSignInByKeyboard(window);
        QVERIFY(url.isValid());
        QVERIFY(visitAuthorization(url, QStringLiteral("alice"), QStringLiteral("alice-password"))
                    .error.isEmpty());
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        QTest::keyClicks(child(main, "postTitle"), QStringLiteral("Across a browser sign-in"));
        QVERIFY(
            expireThen(*server, QStringLiteral("revoked-refresh"), {{QStringLiteral("count"), 1}}));
        QTest::mouseClick(child(main, "savePost"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(
            app->shell()->reauthDialog() && app->shell()->reauthDialog()->isVisible(), 10000);
        Ui::ReauthDialog *dialog = app->shell()->reauthDialog();
        auto *again = child<QPushButton>(dialog, "reauthBrowserSignIn");
        QVERIFY(again->isVisible());
        QVERIFY(again->isDefault());
        QTRY_COMPARE(QApplication::focusWidget(), again);
        QTest::keyClick(again, Qt::Key_Return);
        auto *link = child<QLineEdit>(dialog, "authorizationUrl");
        QTRY_VERIFY(link->isVisible() && !link->text().isEmpty());
        QVERIFY2(mnemonicClashes(dialog).isEmpty(),
                 qPrintable(mnemonicClashes(dialog).join(QLatin1Char(','))));
        QVERIFY(visitAuthorization(QUrl::fromEncoded(link->text().toLatin1()),
                                   QStringLiteral("alice"), QStringLiteral("alice-password"))
                    .error.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(!app->shell()->reauthDialog(), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(child<QLabel>(main, "editorState")->text(),
                                  Ui::MainWindow::tr("Saved"), 10000);
        QCOMPARE(app->shell()->mainWindow(), main);
        QCOMPARE(app->session()->status(), Session::Status::SignedIn);
    }

    // Settings, by keyboard: the OpenID provider protocol with its issuer;
    // saved, and the sign-in window offers the browser.
    void settingsChooseAnOpenIdProvider()
    {
        auto server = startServer();
        QVERIFY(server);
        auto app = launch();
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible() && child(window, "settings")->isEnabled());
        QVERIFY(!child(window, "browserSignIn")->isVisible());
        bool dialogSeen = false;
        QString problem;
        const QString issuer = server->url().toString();
        // The dialog is modal: it is driven from inside its own event loop.
        QTimer::singleShot(50, this, [&] {
            auto *dialog = qobject_cast<Ui::SettingsDialog *>(QApplication::activeModalWidget());
            if (!dialog) {
                problem = QStringLiteral("no settings dialog");
                return;
            }
            dialogSeen = true;
            auto *protocol = child<QComboBox>(dialog, "settingsProtocol");
            auto *issuerEdit = child<QLineEdit>(dialog, "settingsIssuer");
            auto *clientId = child<QLineEdit>(dialog, "settingsClientId");
            auto *scope = child<QLineEdit>(dialog, "settingsScope");
            if (issuerEdit->isEnabled())
                problem = QStringLiteral("the issuer is editable for the JSON API");
            protocol->setFocus();
            QTest::keyClick(protocol, Qt::Key_End);
            if (protocol->currentData().toString() != QLatin1String("oidc"))
                problem = QStringLiteral("the last protocol is ") + protocol->currentText();
            if (protocol->currentText()
                != QLatin1String("OpenID provider (sign in with the browser)"))
                problem = QStringLiteral("the protocol reads ") + protocol->currentText();
            if (!issuerEdit->isEnabled() || clientId->text() != QLatin1String("silentauth-desktop")
                || scope->placeholderText() != QLatin1String("Default: openid profile"))
                problem = QStringLiteral("the OpenID fields are not ready");
            QTest::keyClick(dialog, Qt::Key_I, Qt::AltModifier);
            if (QApplication::focusWidget() != issuerEdit)
                problem = QStringLiteral("Alt+I does not reach the issuer");
            if (!mnemonicClashes(dialog).isEmpty())
                problem = mnemonicClashes(dialog).join(QLatin1Char(','));
            QTest::keyClicks(issuerEdit, issuer);
            QTest::keyClick(issuerEdit, Qt::Key_Return);
        });
        QTest::keyClick(child(window, "settings"), Qt::Key_Space);
        QTRY_VERIFY_WITH_TIMEOUT(dialogSeen, 5000);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QTRY_VERIFY_WITH_TIMEOUT(
            app->shell() && app->shell()->signInWindow()->isVisible()
                && child(app->shell()->signInWindow(), "browserSignIn")->isVisible(),
            10000);
        m_settings->sync();
        QCOMPARE(m_settings->value(QStringLiteral("server/protocol")).toString(),
                 QStringLiteral("oidc"));
        QCOMPARE(m_settings->value(QStringLiteral("server/issuer")).toString(), issuer);
        QCOMPARE(app->issuer(), server->url().adjusted(QUrl::StripTrailingSlash));
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
