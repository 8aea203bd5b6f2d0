// The desktop program as users meet it: the real widgets (offscreen), the
// real wiring (DesktopApp), the bundled mock server and the real keychain.
#include "browserstandin.h"
#include "capturingserver.h"
#include "sessionfixture.h"
#include "testserver.h"

#include <accessibility.h>
#include <desktopapp.h>
#include <mainwindow.h>
#include <networkwatch.h>
#include <notifier.h>
#include <reauthdialog.h>
#include <settingsdialog.h>
#include <shell.h>
#include <signinwindow.h>

#include <backendclient.h>
#include <silentauth/jsonauthprotocol.h>
#include <silentauth/keychaintokenstore.h>
#include <silentauth/mock/mockserver.h>
#include <silentauth/session.h>

#include <cstdio>

#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QLockFile>
#include <QtCore/QProcess>
#include <QtCore/QSettings>
#include <QtCore/QTemporaryDir>
#include <QtCore/QUrlQuery>
#include <QtCore/QUuid>
#include <QtGui/QAccessible>
#include <QtGui/QClipboard>
#include <QtGui/QDesktopServices>
#include <QtGui/QScreen>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QtTest>
#include <QtWidgets/QAbstractItemView>
#include <QtWidgets/QApplication>
#include <QtWidgets/QCheckBox>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QListWidget>
#include <QtWidgets/QMenu>
#include <QtWidgets/QMessageBox>
#include <QtWidgets/QPlainTextEdit>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QTableView>
#include <QtWidgets/QToolBar>
#include <QtWidgets/QToolButton>

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

// A desktop with a notification area: what would have been shown there.
class RecordingNotifier : public Ui::Notifier
{
public:
    QStringList shown;
    bool isAvailable() const override { return true; }
    void notify(const QString &title, const QString &message) override
    {
        shown.append(title + QStringLiteral(": ") + message);
    }
};

// The system saying the network is back, when the test says so.
class ManualNetworkWatch : public Ui::NetworkWatch
{
public:
    void comeBack() { Q_EMIT online(); }
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

// Visible widgets of \a window smaller than they need: a field squashed below
// its minimum height, a label whose (wrapped) text does not fit.
QStringList squashedOrClipped(QWidget *window)
{
    QStringList problems;
    for (QWidget *w : window->findChildren<QWidget *>()) {
        // A line edit places its own buttons (show password), not a layout.
        if (!w->isVisible() || w->isWindow() || qobject_cast<QLineEdit *>(w->parentWidget()))
            continue;
        const QSize need = w->minimumSizeHint();
        auto *label = qobject_cast<QLabel *>(w);
        int needHeight = need.height();
        if (label && label->wordWrap() && label->hasHeightForWidth())
            needHeight = label->heightForWidth(label->width());
        // Made thin on purpose (a busy bar): its maximum is what it needs.
        needHeight = qMin(needHeight, w->maximumHeight());
        if (w->height() < needHeight || (!label && w->width() < need.width())
            || (label && !label->wordWrap() && w->width() < need.width())) {
            problems << QStringLiteral("%1 (%2) is %3x%4, needs %5x%6: %7")
                            .arg(w->objectName(), QLatin1String(w->metaObject()->className()))
                            .arg(w->width())
                            .arg(w->height())
                            .arg(need.width())
                            .arg(needHeight)
                            .arg(label ? label->text() : QString());
        }
    }
    return problems;
}

} // namespace

class TestDesktop : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_dataDir; // m_dir's, or the parent's for the process a test kills
    QString m_keychainService;
    std::unique_ptr<QSettings> m_settings;

    QString draftDirectory() const
    {
        return m_dataDir + QStringLiteral("/drafts-") + m_keychainService;
    }

    DesktopApp::Config baseConfig(std::chrono::seconds accessTtl = std::chrono::seconds(30)) const
    {
        DesktopApp::Config config;
        config.embeddedAccessTtl = accessTtl;
        config.keychainService = m_keychainService;
        config.embeddedDatabaseFile
            = m_dataDir + QLatin1Char('/') + m_keychainService + QStringLiteral(".sqlite");
        config.draftDirectory = draftDirectory();
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

    std::unique_ptr<DesktopApp> launch(const DesktopApp::Config &config,
                                       const std::function<void(DesktopApp &)> &prepare = {})
    {
        auto app = std::make_unique<DesktopApp>(config, m_settings.get());
        if (prepare)
            prepare(*app);
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

    // alice signs in to \a server and quits, and the server then answers refreshes
    // \a delayMs late: the next start's restore is slow.
    bool savedSignInRestoresSlowly(Mock::MockServer &server, const DesktopApp::Config &config,
                                   int delayMs)
    {
        {
            auto first = launch(config);
            if (!first
                || !signInWith(*first, QStringLiteral("alice"), QStringLiteral("alice-password"))
                || !waitForMainWindow(*first))
                return false;
        }
        QString error;
        if (!server.setScenario(QStringLiteral("slow-refresh"),
                                {{QStringLiteral("delayMs"), delayMs}}, &error)) {
            qWarning("setting the scenario failed: %s", qPrintable(error));
            return false;
        }
        return true;
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
        m_dataDir = qEnvironmentVariable("SILENTAUTH_TEST_DATA_DIR", m_dir.path());
        m_keychainService = qEnvironmentVariable("SILENTAUTH_TEST_SERVICE",
                                                 QStringLiteral("SilentAuthTest-")
                                                     + QUuid::createUuid().toString(QUuid::Id128));
        m_settings = std::make_unique<QSettings>(m_dataDir + QLatin1Char('/') + m_keychainService
                                                     + QStringLiteral(".ini"),
                                                 QSettings::IniFormat);
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
    // is kept on disk for her, the sign-in window said so as information (not
    // as an error), the new user is told nothing about it, and it is back when
    // she signs in again.
    void anotherUserSignsInAndTheDraftWaitsForItsOwner()
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
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible());
        auto *notice = child<QLabel>(window, "notice");
        QVERIFY(notice->isVisible());
        QVERIFY2(notice->text().contains(QLatin1String("kept")), qPrintable(notice->text()));
        QVERIFY(!child(window, "error")->isVisible());
        QVERIFY(signInWith(*app, QStringLiteral("bob"), QStringLiteral("bob-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *bobs = app->shell()->mainWindow();
        QTRY_COMPARE(child<QLabel>(bobs, "profileUsername")->text(), QStringLiteral("bob"));
        QTest::qWait(200);
        for (QWidget *w : QApplication::topLevelWidgets()) {
            auto *box = qobject_cast<QMessageBox *>(w);
            QVERIFY2(!box || !box->isVisible(), qPrintable(box ? box->text() : QString()));
        }
        for (QLabel *label : bobs->findChildren<QLabel *>())
            QVERIFY2(!label->text().contains(QLatin1String("alice")), qPrintable(label->text()));
        QCOMPARE(child<QLineEdit>(bobs, "postTitle")->text(), QString());
        QVERIFY(!notice->isVisible());

        bobs->findChild<QAction *>(QStringLiteral("signOutAction"))->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window->isVisible(), 10000);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *again = app->shell()->mainWindow();
        QCOMPARE(child<QLineEdit>(again, "postTitle")->text(), QStringLiteral("Alice's draft"));
        QVERIFY(again->hasUnsavedDraft());
        QVERIFY2(child<QLabel>(again, "editorState")->text().contains(QLatin1String("is back")),
                 qPrintable(child<QLabel>(again, "editorState")->text()));
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
        QVERIFY(child<QLabel>(window, "notice")->isVisible());
        QVERIFY(child<QLabel>(window, "notice")->text().contains(QLatin1String("unsaved post")));
        QVERIFY(!child<QLabel>(window, "error")->isVisible());
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
        // Who the user is, and a refresh token where the provider asks for offline_access.
        QCOMPARE(QUrlQuery(url).queryItemValue(QStringLiteral("scope"), QUrl::FullyDecoded),
                 QStringLiteral("openid profile offline_access"));
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

    // A provider that advertises DPoP: the desktop binds its tokens to a key
    // of this device; one that does not keeps bearer tokens.
    void providerWithDpopGetsBoundTokens()
    {
        for (const bool advertised : {true, false}) {
            Mock::MockServerConfig config;
            if (advertised)
                config.dpop = Mock::MockServerConfig::DpopMode::Optional;
            auto server = startServer(config);
            QVERIFY(server);
            BrowserOpener opener;
            auto app = launch(openIdConfig(server->url()));
            QVERIFY(app);
            Ui::SignInWindow *window = app->shell()->signInWindow();
            QTRY_VERIFY(window->isVisible() && app->session()); // the provider discovered
            QCOMPARE(app->session()->isProofOfPossessionEnabled(), advertised);
            const QUrl url = startBrowserSignInByKeyboard(window);
            QVERIFY(url.isValid());
            const BrowserVisit visit = visitAuthorization(url, QStringLiteral("alice"),
                                                          QStringLiteral("alice-password"));
            QVERIFY2(visit.error.isEmpty(), qPrintable(visit.error));
            QVERIFY(waitForMainWindow(*app));
            QCOMPARE(app->session()->isAccessTokenBound(), advertised);
            Ui::MainWindow *main = app->shell()->mainWindow();
            QTRY_COMPARE(child<QLabel>(main, "profileUsername")->text(), QStringLiteral("alice"));
            if (advertised) {
                const QJsonObject dpop = server->stats().value(QLatin1String("dpop")).toObject();
                QVERIFY(dpop.value(QLatin1String("accepted")).toInt() >= 2); // token + profile
                QCOMPARE(dpop.value(QLatin1String("rejectedTotal")).toInt(), 0);
            }
        }
    }

    // No browser to open (a server, a bare session): the window says so,
    // puts the keyboard on the link, selected, and Copy puts it on the
    // clipboard; opened elsewhere, it signs in as any other.
    void noBrowserCouldBeOpened()
    {
        auto server = startServer();
        QVERIFY(server);
        // No URL handler and no platform services: QDesktopServices fails.
        auto app = launch(openIdConfig(server->url()));
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible());
        const QUrl url = startBrowserSignInByKeyboard(window);
        QVERIFY(url.isValid());
        auto *link = child<QLineEdit>(window, "authorizationUrl");
        const QString linkLabel = link->accessibleName();
        QTRY_COMPARE(QApplication::focusWidget(), link);
        QCOMPARE(link->selectedText(), link->text());
        bool said = false;
        for (QLabel *label : window->findChildren<QLabel *>())
            said = said
                || (label->isVisible()
                    && label->text().contains(QLatin1String("No browser could be opened")));
        QVERIFY(said);
        QVERIFY(!linkLabel.isEmpty());
        auto *copy = child<QPushButton>(window, "copyLink");
        QTest::keyClick(copy, Qt::Key_Space);
        QCOMPARE(QGuiApplication::clipboard()->text(), url.toString(QUrl::FullyEncoded));
        const BrowserVisit visit
            = visitAuthorization(QUrl::fromEncoded(QGuiApplication::clipboard()->text().toLatin1()),
                                 QStringLiteral("bob"), QStringLiteral("bob-password"));
        QVERIFY2(visit.error.isEmpty(), qPrintable(visit.error));
        QVERIFY(waitForMainWindow(*app));
        QCOMPARE(app->session()->identity(), QStringLiteral("bob"));
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

    // A provider that registers the redirect with ports: the browser comes back on the
    // first of the configured ones that is free; the list is kept with the settings.
    void browserComesBackOnTheConfiguredPorts()
    {
        auto server = startServer();
        QVERIFY(server);
        QTcpServer taken;
        QVERIFY(taken.listen(QHostAddress::LocalHost, 0));
        const quint16 free = freeLoopbackPort();
        QVERIFY(free != 0);
        DesktopApp::Config config = openIdConfig(server->url());
        config.redirectPorts = {taken.serverPort(), free};
        QSettings saved(m_dir.filePath(QStringLiteral("ports.ini")), QSettings::IniFormat);
        config.save(saved);
        QCOMPARE(DesktopApp::Config::fromSettings(saved).redirectPorts, config.redirectPorts);
        // A list that cannot be read is said, and left as the user wrote it, not replaced by
        // nothing.
        saved.setValue(QStringLiteral("server/redirectPorts"), QStringLiteral("8400/8401"));
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("redirectPorts.*8400/8401")));
        DesktopApp::Config unreadable = DesktopApp::Config::fromSettings(saved);
        QVERIFY(unreadable.redirectPorts.isEmpty());
        unreadable.save(saved);
        QCOMPARE(saved.value(QStringLiteral("server/redirectPorts")).toString(),
                 QStringLiteral("8400/8401"));

        BrowserOpener opener;
        auto app = launch(config);
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible());
        const QUrl url = startBrowserSignInByKeyboard(window);
        QVERIFY(url.isValid());
        const QUrl redirect(
            QUrlQuery(url).queryItemValue(QStringLiteral("redirect_uri"), QUrl::FullyDecoded));
        QCOMPARE(redirect.port(), int(free));
        const BrowserVisit visit
            = visitAuthorization(url, QStringLiteral("alice"), QStringLiteral("alice-password"));
        QVERIFY2(visit.error.isEmpty(), qPrintable(visit.error));
        QVERIFY(waitForMainWindow(*app));
    }

    // The sign-in window of an OpenID provider is laid out at its first showing, and while
    // it waits for the browser: nothing squashed, nothing clipped, in English and Korean.
    void providerSignInWindowIsLaidOut_data()
    {
        QTest::addColumn<QString>("language");
        QTest::newRow("English") << QStringLiteral("en");
        QTest::newRow("Korean") << QStringLiteral("ko");
    }

    void providerSignInWindowIsLaidOut()
    {
        QFETCH(QString, language);
        auto server = startServer();
        QVERIFY(server);
        BrowserOpener opener;
        DesktopApp::Config config = openIdConfig(server->url());
        config.language = language;
        auto app = launch(config);
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible() && child(window, "browserSignIn")->isEnabled());
        QTest::qWait(100);
        QStringList problems = squashedOrClipped(window);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
        const QUrl url = startBrowserSignInByKeyboard(window);
        QVERIFY(url.isValid());
        QTRY_VERIFY(child(window, "cancelBrowserSignIn")->isVisible());
        QTest::qWait(100);
        problems = squashedOrClipped(window);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }

    // A provider that lists offline_access but refuses it to this client: the refusal is
    // said in words (its description decoded), offline_access is not asked for again, and
    // the next sign-in goes through.
    void offlineAccessRefusedIsNotAskedAgain()
    {
        Mock::MockServerConfig serverConfig;
        serverConfig.refusedScopes = {QStringLiteral("offline_access")};
        auto server = startServer(serverConfig);
        QVERIFY(server);
        BrowserOpener opener;
        auto app = launch(openIdConfig(server->url()));
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible() && child(window, "browserSignIn")->isEnabled());
        QUrl url = startBrowserSignInByKeyboard(window);
        QVERIFY(url.isValid());
        QCOMPARE(QUrlQuery(url).queryItemValue(QStringLiteral("scope"), QUrl::FullyDecoded),
                 QStringLiteral("openid profile offline_access"));
        visitAuthorization(url, QStringLiteral("alice"), QStringLiteral("alice-password"));
        auto *notice = child<QLabel>(window, "notice");
        QTRY_VERIFY_WITH_TIMEOUT(notice->isVisible(), 10000);
        QVERIFY2(notice->text().contains(QLatin1String("offline_access")),
                 qPrintable(notice->text()));
        QCOMPARE(app->session()->status(), Session::Status::SignedOut);
        auto *error = child<QLabel>(window, "error");
        QVERIFY2(error->isVisible()
                     && error->text().contains(QLatin1String("offline_access is not allowed")),
                 qPrintable(error->text()));
        auto *details = child<QLabel>(window, "errorDetails");
        QVERIFY2(details->text().contains(QLatin1String("ProviderError"))
                     && details->text().contains(QLatin1String("invalid_scope")),
                 qPrintable(details->text()));

        window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible() && child(window, "browserSignIn")->isEnabled());
        url = startBrowserSignInByKeyboard(window);
        QVERIFY(url.isValid());
        QCOMPARE(QUrlQuery(url).queryItemValue(QStringLiteral("scope"), QUrl::FullyDecoded),
                 QStringLiteral("openid profile"));
        const BrowserVisit visit
            = visitAuthorization(url, QStringLiteral("alice"), QStringLiteral("alice-password"));
        QVERIFY2(visit.error.isEmpty(), qPrintable(visit.error));
        QVERIFY(waitForMainWindow(*app));
    }

    // Signing in at a provider of its own (an issuer, no server address): the sign-in
    // window names the issuer, where the user signs in, not the bundled server.
    void providerIssuerIsTheAddressShown()
    {
        auto server = startServer();
        QVERIFY(server);
        auto app = launch(openIdConfig({}, server->url()));
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible() && child(window, "browserSignIn")->isEnabled());
        auto *shown = child<QLabel>(window, "server");
        QVERIFY2(shown->text().contains(server->url().authority()), qPrintable(shown->text()));
    }

    // The page the browser shows when it comes back is in the user's language.
    void browserPageSpeaksTheUsersLanguage()
    {
        auto server = startServer();
        QVERIFY(server);
        BrowserOpener opener;
        DesktopApp::Config config = openIdConfig(server->url());
        config.language = QStringLiteral("ko");
        auto app = launch(config);
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible());
        QUrl url = startBrowserSignInByKeyboard(window);
        QVERIFY(url.isValid());
        BrowserVisit visit = visitAuthorization(
            url, QStringLiteral("alice"), QStringLiteral("alice-password"), QStringLiteral("deny"));
        QVERIFY2(visit.error.isEmpty(), qPrintable(visit.error));
        QVERIFY2(visit.callbackBody.contains("lang=\"ko"), visit.callbackBody.constData());
        QVERIFY2(!visit.callbackBody.contains("declined"), visit.callbackBody.constData());
        QTRY_VERIFY(child(window, "error")->isVisible());

        url = startBrowserSignInByKeyboard(window);
        QVERIFY(url.isValid());
        visit = visitAuthorization(url, QStringLiteral("alice"), QStringLiteral("alice-password"));
        QVERIFY2(visit.error.isEmpty(), qPrintable(visit.error));
        QCOMPARE(visit.callbackStatus, 200);
        QVERIFY2(visit.callbackBody.contains("lang=\"ko"), visit.callbackBody.constData());
        const QByteArray signedIn
            = QStringLiteral("로그인되었습니다. 이 탭을 닫고 애플리케이션으로 돌아가세요.")
                  .toUtf8();
        QVERIFY2(visit.callbackBody.contains(signedIn), visit.callbackBody.constData());
        QVERIFY(waitForMainWindow(*app));
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

    // Signing out revokes the session on the server and removes it from the
    // keychain, also when the user quits straight after "Sign out", as
    // main() does: the windows close and the session settles first.
    void signOutRevokesAndForgets_data()
    {
        QTest::addColumn<bool>("quitAtOnce");
        QTest::newRow("stays") << false;
        QTest::newRow("quits at once") << true;
    }

    void signOutRevokesAndForgets()
    {
        QFETCH(bool, quitAtOnce);
        auto app = launch();
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        main->findChild<QAction *>(QStringLiteral("signOutAction"))->trigger();
        if (quitAtOnce) {
            main->findChild<QAction *>(QStringLiteral("quitAction"))->trigger();
            QVERIFY(app->session()->isSettling());
            app->settleBeforeQuit();
            QVERIFY(!app->shell());
            QVERIFY(!app->session()->isSettling());
        } else {
            QTRY_VERIFY_WITH_TIMEOUT(app->shell()->signInWindow()->isVisible(), 10000);
            QVERIFY(!app->shell()->mainWindow());
        }
        QCOMPARE(stat(*app->embeddedServer(), "logouts"), 1);
        QCOMPARE(app->session()->status(), Session::Status::SignedOut);
        app.reset();
        // Nothing left in the keychain: the next start asks for the password.
        KeychainTokenStore keychain(m_keychainService, QStringLiteral("refresh-token@bundled"));
        QCOMPARE(readStore(keychain).error, TokenStore::Error::NotFound);
    }

    // Settings changed straight after "Sign out" (another server): the sign-out still
    // reaches the server it was signed in to and the keychain, while the app moves on.
    void signOutCompletesWhenTheServerIsChangedAtOnce()
    {
        Mock::MockServerConfig serverConfig;
        serverConfig.logRequests = false;
        Mock::MockServer first(serverConfig), other(serverConfig);
        QString error;
        QVERIFY2(first.start(&error), qPrintable(error));
        QVERIFY2(other.start(&error), qPrintable(error));
        DesktopApp::Config config = baseConfig();
        config.server = first.url();
        auto app = launch(config);
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        app->shell()
            ->mainWindow()
            ->findChild<QAction *>(QStringLiteral("signOutAction"))
            ->trigger();
        config.server = other.url();
        app->reconfigure(config);
        QTRY_VERIFY(app->shell() && app->shell()->signInWindow()->isVisible());
        QCOMPARE(app->server(), other.url());
        QTRY_COMPARE_WITH_TIMEOUT(stat(first, "logouts"), 1, 5000);
        app->settleBeforeQuit();
        app.reset();
        KeychainTokenStore keychain(m_keychainService,
                                    QStringLiteral("refresh-token@") + first.url().authority());
        QCOMPARE(readStore(keychain).error, TokenStore::Error::NotFound);
        QCOMPARE(stat(first, "liveRefreshTokens"), 0);
    }

    // A sign-out the server could not be told of is said on the sign-in window that
    // follows, with its details: the sign-in stays valid there until it expires.
    void signOutTheServerMissedIsSaid()
    {
        auto server = std::make_unique<Mock::MockServer>(Mock::MockServerConfig {});
        QString problem;
        QVERIFY2(server->start(&problem), qPrintable(problem));
        DesktopApp::Config config = baseConfig();
        config.server = server->url();
        auto app = launch(config);
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        server.reset(); // the server is gone when the user signs out
        app->shell()
            ->mainWindow()
            ->findChild<QAction *>(QStringLiteral("signOutAction"))
            ->trigger();
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY_WITH_TIMEOUT(window->isVisible(), 10000);
        QCOMPARE(app->session()->status(), Session::Status::SignedOut);
        auto *error = child<QLabel>(window, "error");
        QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 20000);
        QVERIFY2(error->text().contains(QLatin1String("could not be told")),
                 qPrintable(error->text()));
        auto *details = child<QLabel>(window, "errorDetails");
        QVERIFY2(details->text().contains(QLatin1String("RevocationFailed")),
                 qPrintable(details->text()));
    }

    // Wherever the sign-in window comes back, typing goes somewhere useful:
    // the username at first start, the password after a wrong one (all of it
    // selected), the password after sign-out and after Settings.
    void keyboardFocusFollowsTheUser()
    {
        auto app = launch();
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        auto *username = child<QLineEdit>(window, "username");
        auto *password = child<QLineEdit>(window, "password");
        auto *error = child<QLabel>(window, "error");
        QTRY_VERIFY(window->isVisible() && child(window, "signIn")->isEnabled());
        window->activateWindow();
        QTRY_COMPARE(QApplication::focusWidget(), username);
        QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("alice"));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("wrong"));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 10000);
        QTRY_COMPARE(QApplication::focusWidget(), password);
        QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("alice-password"));
        QCOMPARE(password->text(), QStringLiteral("alice-password")); // "wrong" was replaced
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
        QVERIFY(waitForMainWindow(*app));

        app->shell()
            ->mainWindow()
            ->findChild<QAction *>(QStringLiteral("signOutAction"))
            ->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window->isVisible() && password->isEnabled(), 10000);
        QTRY_COMPARE(QApplication::focusWidget(), password);

        // Settings opened and closed from the keyboard: back in the form, not on the button.
        bool dialogSeen = false;
        QTimer::singleShot(50, this, [&] {
            QWidget *dialog = QApplication::activeModalWidget();
            dialogSeen = qobject_cast<Ui::SettingsDialog *>(dialog);
            if (dialog)
                QTest::keyClick(dialog, Qt::Key_Escape);
        });
        auto *settings = child(window, "settings");
        settings->setFocus();
        QTest::keyClick(settings, Qt::Key_Space);
        QTRY_VERIFY(dialogSeen);
        QTRY_VERIFY(!QApplication::activeModalWidget());
        QTRY_COMPARE(QApplication::activeWindow(), window);
        QTRY_COMPARE(QApplication::focusWidget(), password);

        // Settings changed (another server): the rebuilt window has the keyboard too.
        Mock::MockServerConfig serverConfig;
        serverConfig.logRequests = false;
        Mock::MockServer other(serverConfig);
        QString problem;
        QVERIFY2(other.start(&problem), qPrintable(problem));
        DesktopApp::Config config = baseConfig();
        config.server = other.url();
        app->reconfigure(config);
        Ui::SignInWindow *rebuilt = app->shell()->signInWindow();
        QTRY_VERIFY(rebuilt->isVisible() && child(rebuilt, "signIn")->isEnabled());
        rebuilt->activateWindow();
        QTRY_COMPARE(QApplication::focusWidget(), child(rebuilt, "password"));
    }

    // Return on the check box (or anywhere in the form) signs in, as the
    // default button of a dialog would.
    void enterOnTheCheckBoxSignsIn()
    {
        auto app = launch();
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible() && child(window, "signIn")->isEnabled());
        window->activateWindow();
        QTRY_COMPARE(QApplication::focusWidget(), child(window, "username"));
        QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("bob"));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("bob-password"));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        QCOMPARE(QApplication::focusWidget(), child(window, "keepSignedIn"));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
        QVERIFY(waitForMainWindow(*app));
        QCOMPARE(app->session()->username(), QStringLiteral("bob"));
    }

    // Ctrl+S saves, in English and after the language changed (retranslation
    // used to replace the shortcut with the button's access key).
    void ctrlSSavesThePost()
    {
        auto app = launch();
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        auto *title = child<QLineEdit>(main, "postTitle");
        auto *table = child<QAbstractItemView>(main, "boardTable");
        title->setFocus();
        QTest::keyClicks(title, QStringLiteral("Saved with Ctrl+S"));
        QTest::keyClick(title, Qt::Key_S, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 1, 10000);
        QVERIFY(!main->hasUnsavedDraft());

        DesktopApp::Config korean = baseConfig();
        korean.language = QStringLiteral("ko");
        app->reconfigure(korean);
        QCOMPARE(app->shell()->mainWindow(), main);
        QTest::keyClick(title, Qt::Key_N, Qt::ControlModifier); // a new post
        QTRY_COMPARE(title->text(), QString());
        QTest::keyClicks(child(main, "postBody"), QStringLiteral("Body"));
        title->setFocus();
        QTest::keyClicks(title, QStringLiteral("Second post"));
        QTest::keyClick(child(main, "postBody"), Qt::Key_S, Qt::ControlModifier);
        QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 2, 10000);
        QVERIFY(!main->hasUnsavedDraft());
    }

    // Closing with an unsaved post asks: Esc keeps the window, Return (Keep
    // for later) closes it and the post is offered back on the next start;
    // Discard drops it.
    void closingWithAnUnsavedPostAsks()
    {
        {
            auto app = launch();
            QVERIFY(app);
            QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
            QVERIFY(waitForMainWindow(*app));
            Ui::MainWindow *main = app->shell()->mainWindow();
            QVERIFY(waitForBoardLoaded(main));
            QTest::keyClicks(child(main, "postTitle"), QStringLiteral("Unfinished"));
            QTest::keyClicks(child(main, "postBody"), QStringLiteral("Half a thought"));

            QString asked;
            const auto answer = [&](Qt::Key key) {
                QTimer::singleShot(50, this, [&asked, key] {
                    auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
                    if (!box)
                        return;
                    asked = box->text();
                    QTest::keyClick(box, key);
                });
            };
            answer(Qt::Key_Escape);
            QVERIFY(!main->close());
            QVERIFY2(asked.contains(QLatin1String("Unfinished")), qPrintable(asked));
            QVERIFY(main->isVisible());
            asked.clear();
            answer(Qt::Key_Return);
            QVERIFY(main->close());
            QVERIFY(!asked.isEmpty());
            QVERIFY(!main->isVisible());
        }
        const QStringList files
            = QDir(draftDirectory()).entryList({QStringLiteral("*.json")}, QDir::Files);
        QCOMPARE(files.size(), 1);
        QFile file(QDir(draftDirectory()).filePath(files.first()));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains("eyJ")); // the post, no token
        QCOMPARE(file.permissions() & (QFile::ReadOther | QFile::ReadGroup), QFile::Permissions());

        auto second = launch();
        QVERIFY(second);
        QVERIFY(waitForMainWindow(*second));
        Ui::MainWindow *main = second->shell()->mainWindow();
        QCOMPARE(child<QLineEdit>(main, "postTitle")->text(), QStringLiteral("Unfinished"));
        QCOMPARE(child<QPlainTextEdit>(main, "postBody")->toPlainText(),
                 QStringLiteral("Half a thought"));
        QVERIFY(main->hasUnsavedDraft());
        // Discard (Alt+D): closed, and nothing is kept.
        QTimer::singleShot(50, this, [] {
            if (QWidget *box = QApplication::activeModalWidget())
                QTest::keyClick(box, Qt::Key_D, Qt::AltModifier);
        });
        QVERIFY(main->close());
        QVERIFY(
            QDir(draftDirectory()).entryList({QStringLiteral("*.json")}, QDir::Files).isEmpty());
    }

    // The session ends (a sign-out started before the post was typed, answered now) while
    // the window asks about an unsaved post: the window goes once the question is ended, not
    // from under it, and the post is kept for the next sign-in.
    void sessionEndingWhileTheUnsavedPostQuestionIsOpen()
    {
        auto app = launch();
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        QPointer<Ui::MainWindow> main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        QTest::keyClicks(child(main, "postTitle"), QStringLiteral("Unfinished"));
        Session *session = app->session();
        bool asked = false;
        QTimer::singleShot(50, this, [&asked, session] {
            asked = qobject_cast<QMessageBox *>(QApplication::activeModalWidget()) != nullptr;
            session->signOut(); // as if started before and answered now
        });
        QVERIFY(!main->close());
        QVERIFY(asked);
        QTRY_VERIFY_WITH_TIMEOUT(main.isNull(), 10000);
        QTRY_VERIFY(app->shell()->signInWindow()->isVisible());
        QCOMPARE(app->session()->status(), Session::Status::SignedOut);
        QCOMPARE(QDir(draftDirectory()).entryList({QStringLiteral("*.json")}, QDir::Files).size(),
                 1);
    }

    // A crash or a forced quit (SIGKILL) a second after typing loses nothing:
    // the next start offers the post back. The killed process is this test
    // program itself, running childTypesADraftAndWaits.
    void draftSurvivesAKill()
    {
        if (qEnvironmentVariableIsSet("SILENTAUTH_TEST_CHILD"))
            QSKIP("inside the process that is killed");
        QProcess process;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("SILENTAUTH_TEST_CHILD"), QStringLiteral("1"));
        env.insert(QStringLiteral("SILENTAUTH_TEST_SERVICE"), m_keychainService);
        env.insert(QStringLiteral("SILENTAUTH_TEST_DATA_DIR"), m_dataDir);
        process.setProcessEnvironment(env);
        process.start(QCoreApplication::applicationFilePath(),
                      {QStringLiteral("childTypesADraftAndWaits")});
        QVERIFY(process.waitForStarted(5000));
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += process.readAllStandardOutput()).contains("TYPED"), 30000);
        QTest::qWait(1000);
        process.kill(); // SIGKILL: nothing runs on the way out
        QVERIFY(process.waitForFinished(5000));
        QCOMPARE(process.exitStatus(), QProcess::CrashExit);

        auto app = launch();
        QVERIFY(app);
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QCOMPARE(app->session()->username(), QStringLiteral("alice"));
        QCOMPARE(child<QLineEdit>(main, "postTitle")->text(), QStringLiteral("Typed, then killed"));
        QCOMPARE(child<QPlainTextEdit>(main, "postBody")->toPlainText(),
                 QStringLiteral("Every word of it"));
    }

    void childTypesADraftAndWaits()
    {
        if (!qEnvironmentVariableIsSet("SILENTAUTH_TEST_CHILD"))
            QSKIP("run (and killed) by draftSurvivesAKill");
        auto app = launch();
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        QTest::keyClicks(child(main, "postTitle"), QStringLiteral("Typed, then killed"));
        QTest::keyClicks(child(main, "postBody"), QStringLiteral("Every word of it"));
        std::printf("TYPED\n");
        std::fflush(stdout);
        QTest::qWait(60000);
    }

    // Tab leaves the posts table; the arrows choose a post and Return opens
    // it in the editor.
    void postsTableByKeyboard()
    {
        auto app = launch();
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        auto *title = child<QLineEdit>(main, "postTitle");
        auto *table = child<QAbstractItemView>(main, "boardTable");
        for (const QString &text : {QStringLiteral("First"), QStringLiteral("Second")}) {
            QTest::keyClick(title, Qt::Key_N, Qt::ControlModifier);
            QTest::keyClicks(title, text);
            QTest::keyClick(title, Qt::Key_S, Qt::ControlModifier);
            QTRY_VERIFY_WITH_TIMEOUT(!main->hasUnsavedDraft(), 10000);
        }
        QTRY_COMPARE(table->model()->rowCount(), 2);
        QTest::keyClick(title, Qt::Key_N, Qt::ControlModifier);
        main->activateWindow();
        table->setFocus(Qt::TabFocusReason);
        QTRY_COMPARE(QApplication::focusWidget(), table);
        QTest::keyClick(table, Qt::Key_Tab);
        QVERIFY2(QApplication::focusWidget() != table,
                 "Tab stays in the table"); // no trap
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab, Qt::ShiftModifier);
        QCOMPARE(QApplication::focusWidget(), table);
        QTest::keyClick(table, Qt::Key_Home);
        QTest::keyClick(table, Qt::Key_Down);
        const QString chosen = table->currentIndex().siblingAtColumn(0).data().toString();
        QVERIFY(!chosen.isEmpty());
        QTest::keyClick(table, Qt::Key_Return);
        QCOMPARE(QApplication::focusWidget(), title);
        QCOMPARE(title->text(), chosen);
        QTest::keyClick(title, Qt::Key_End);
        QTest::keyClicks(title, QStringLiteral(" (edited)"));
        QTest::keyClick(title, Qt::Key_S, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(!main->hasUnsavedDraft(), 10000);
        QCOMPARE(table->model()->rowCount(), 2); // updated, not a new post
        QStringList titles;
        for (int row = 0; row < 2; ++row)
            titles << table->model()->index(row, 0).data().toString();
        QVERIFY2(titles.contains(chosen + QStringLiteral(" (edited)")),
                 qPrintable(titles.join(QLatin1Char(','))));
    }

    // Every toolbar action is in a menu the keyboard opens (Alt+letter); the
    // tool buttons show no access key that does not work; Ctrl+Q closes.
    void menusReachEveryActionByKeyboard()
    {
        auto app = launch();
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        auto *toolbar = main->findChild<QToolBar *>(QStringLiteral("mainToolbar"));
        for (QAction *action : toolbar->actions()) {
            if (action->isSeparator())
                continue;
            bool inMenu = false;
            for (QObject *owner : action->associatedObjects())
                inMenu = inMenu || qobject_cast<QMenu *>(owner);
            QVERIFY2(inMenu, qPrintable(action->text()));
        }
        QVERIFY(main->findChild<QAction *>(QStringLiteral("activityAction")));
        main->activateWindow();
        QTRY_VERIFY(QApplication::activeWindow() == main);
        auto *account = main->findChild<QMenu *>(QStringLiteral("accountMenu"));
        QTest::keyClick(main, Qt::Key_A, Qt::AltModifier);
        QTRY_COMPARE(QApplication::activePopupWidget(), account);
        const QStringList texts = [&] {
            QStringList all;
            for (QAction *action : account->actions())
                all << action->text();
            return all;
        }();
        QVERIFY2(texts.join(QLatin1Char('|')).contains(QLatin1String("alice")),
                 qPrintable(texts.join(QLatin1Char('|'))));
        QTest::keyClick(account, Qt::Key_Escape);
        QTRY_VERIFY(!account->isVisible());
        // The activity panel, hidden by default, from the View menu.
        auto *view = main->findChild<QMenu *>(QStringLiteral("viewMenu"));
        auto *dock = child(main, "activityDock");
        QVERIFY(!dock->isVisible());
        QTest::keyClick(main, Qt::Key_V, Qt::AltModifier);
        QTRY_COMPARE(QApplication::activePopupWidget(), view);
        QTest::keyClick(view, Qt::Key_A); // &Activity
        QTRY_VERIFY(dock->isVisible());

        DesktopApp::Config korean = baseConfig();
        korean.language = QStringLiteral("ko");
        app->reconfigure(korean);
        for (QAction *action : toolbar->actions()) {
            if (auto *button = qobject_cast<QToolButton *>(toolbar->widgetForAction(action))) {
                const QString shown = button->text();
                QVERIFY2(!shown.contains(QLatin1Char('(')) && !shown.contains(QLatin1Char('&')),
                         qPrintable(shown));
            }
        }
        QTest::keyClick(main, Qt::Key_Q, Qt::ControlModifier);
        QTRY_VERIFY(!main->isVisible());
    }

    // Changing only the language saves only the language: a server given for
    // this run (--server) is not written to the settings.
    void languageOnlyChangeKeepsTheSavedServer()
    {
        Mock::MockServerConfig serverConfig;
        serverConfig.logRequests = false;
        Mock::MockServer other(serverConfig);
        QString error;
        QVERIFY2(other.start(&error), qPrintable(error));
        DesktopApp::Config config = baseConfig();
        config.server = other.url(); // as --server gives it
        auto app = launch(config);
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible() && child(window, "settings")->isEnabled());
        QString problem = QStringLiteral("no settings dialog");
        QTimer::singleShot(50, this, [&] {
            auto *dialog = qobject_cast<Ui::SettingsDialog *>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            problem.clear();
            QTest::keyClick(dialog, Qt::Key_L, Qt::AltModifier);
            auto *language = child<QComboBox>(dialog, "settingsLanguage");
            if (QApplication::focusWidget() != language)
                problem = QStringLiteral("Alt+L does not reach the language");
            QTest::keyClick(language, Qt::Key_End); // 한국어
            QTest::keyClick(language, Qt::Key_Return);
        });
        QTest::keyClick(child(window, "settings"), Qt::Key_Space);
        QTRY_VERIFY2_WITH_TIMEOUT(problem.isEmpty(), qPrintable(problem), 5000);
        QTRY_COMPARE(app->language(), QStringLiteral("ko"));
        m_settings->sync();
        QCOMPARE(m_settings->value(QStringLiteral("ui/language")).toString(), QStringLiteral("ko"));
        QCOMPARE(m_settings->value(QStringLiteral("server/url")).toString(), QString());
        QCOMPARE(app->server(), other.url()); // still used for this run
    }

    // Settings: the refresh token in a cookie, chosen by keyboard. The
    // bundled server starts again in that mode, the user signs in, and the
    // next start restores the session through the cookie, without a password.
    void cookieTransportFromSettings()
    {
        {
            auto app = launch();
            QVERIFY(app);
            Ui::SignInWindow *window = app->shell()->signInWindow();
            QTRY_VERIFY(window->isVisible() && child(window, "settings")->isEnabled());
            QString problem = QStringLiteral("no settings dialog");
            QTimer::singleShot(50, this, [&] {
                auto *dialog
                    = qobject_cast<Ui::SettingsDialog *>(QApplication::activeModalWidget());
                if (!dialog)
                    return;
                problem.clear();
                QTest::keyClick(dialog, Qt::Key_R, Qt::AltModifier);
                auto *transport = child<QComboBox>(dialog, "settingsRefreshTransport");
                if (QApplication::focusWidget() != transport)
                    problem = QStringLiteral("Alt+R does not reach the refresh token setting");
                QTest::keyClick(transport, Qt::Key_End); // in a cookie
                QTest::keyClick(transport, Qt::Key_Return);
            });
            QTest::keyClick(child(window, "settings"), Qt::Key_Space);
            QTRY_VERIFY2_WITH_TIMEOUT(problem.isEmpty(), qPrintable(problem), 5000);
            QTRY_VERIFY(app->embeddedServer()
                        && app->embeddedServer()->config().refreshTransport
                            == Mock::MockServerConfig::RefreshTransport::Cookie);
            QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
            QVERIFY(waitForMainWindow(*app));
            m_settings->sync();
            QCOMPARE(m_settings->value(QStringLiteral("server/refreshTransport")).toString(),
                     QStringLiteral("cookie"));
        }
        DesktopApp::Config config = DesktopApp::Config::fromSettings(*m_settings);
        config.keychainService = baseConfig().keychainService;
        config.embeddedDatabaseFile = baseConfig().embeddedDatabaseFile;
        config.draftDirectory = baseConfig().draftDirectory;
        QCOMPARE(config.refreshTransport, QStringLiteral("cookie"));
        auto second = launch(config);
        QVERIFY(second);
        QVERIFY(waitForMainWindow(*second));
        QCOMPARE(second->session()->username(), QStringLiteral("alice"));
        QCOMPARE(stat(*second->embeddedServer(), "logins", "ok"), 0);
        QCOMPARE(stat(*second->embeddedServer(), "refreshes", "ok"), 1);
    }

    // A plain-http address of another machine: Settings says what that means.
    void settingsWarnAboutPlainHttp_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("warned");
        QTest::newRow("https") << QStringLiteral("https://api.example.com") << false;
        QTest::newRow("http elsewhere") << QStringLiteral("http://api.example.com") << true;
        QTest::newRow("no scheme: http") << QStringLiteral("api.example.com:8080") << true;
        QTest::newRow("loopback") << QStringLiteral("http://127.0.0.1:8080") << false;
        QTest::newRow("localhost") << QStringLiteral("http://localhost:8080") << false;
    }
    void settingsWarnAboutPlainHttp()
    {
        QFETCH(QString, address);
        QFETCH(bool, warned);
        Ui::SettingsDialog dialog({});
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        auto *server = child<QLineEdit>(&dialog, "settingsServer");
        server->setFocus();
        QTest::keyClicks(server, address);
        auto *warning = child<QLabel>(&dialog, "plainHttpWarning");
        QCOMPARE(warning->isVisible(), warned);
        if (warned)
            QVERIFY(warning->text().contains(QLatin1String("https://")));
        server->clear();
        QVERIFY(!warning->isVisible());
    }

    // Errors in words, the technical detail on request (tool tip).
    void unreachableServerIsSaidInWords()
    {
        auto server = startServer();
        QVERIFY(server);
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const QUrl dead(QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort()));
        closed.close();
        auto client = makeClient(*server, nullptr);
        BackendClient backend(client.manager.get(), server->url(), dead);
        Ui::Shell shell(client.session.get(), &backend, {});
        shell.start();
        Ui::SignInWindow *window = shell.signInWindow();
        QTRY_VERIFY(window->isVisible() && child(window, "signIn")->isEnabled());
        QTest::keyClicks(child(window, "username"), QStringLiteral("alice"));
        QTest::keyClicks(child(window, "password"), QStringLiteral("alice-password"));
        QTest::keyClick(child(window, "password"), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(shell.mainWindow() && shell.mainWindow()->isVisible(), 10000);
        auto *message = child<QLabel>(shell.mainWindow(), "boardMessage");
        QTRY_VERIFY_WITH_TIMEOUT(message->text().contains(QLatin1String("could not be reached")),
                                 10000);
        QVERIFY2(!message->text().contains(QLatin1String("network error")),
                 qPrintable(message->text()));
        QVERIFY2(message->toolTip().startsWith(QLatin1String("Details:")),
                 qPrintable(message->toolTip()));
    }

    // After another user signs in, the counters start from zero and the
    // activity panel shows the new user's sign-in.
    void countersAndActivityStartOverForTheNextUser()
    {
        auto app = launch(std::chrono::seconds(2));
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        QTRY_VERIFY_WITH_TIMEOUT(
            counterIn(child<QLabel>(app->shell()->mainWindow(), "refreshCount")) >= 1, 10000);
        app->shell()
            ->mainWindow()
            ->findChild<QAction *>(QStringLiteral("signOutAction"))
            ->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(app->shell()->signInWindow()->isVisible(), 10000);
        QVERIFY(signInWith(*app, QStringLiteral("bob"), QStringLiteral("bob-password"), false));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *bobs = app->shell()->mainWindow();
        QVERIFY(app->session()->refreshCount() >= 1); // the session's own count goes on
        QCOMPARE(counterIn(child<QLabel>(bobs, "refreshCount")), 0);
        QCOMPARE(counterIn(child<QLabel>(bobs, "replayCount")), 0);
        auto *activity = child<QListWidget>(bobs, "activity");
        QStringList lines;
        for (int i = 0; i < activity->count(); ++i)
            lines << activity->item(i)->text();
        QVERIFY2(lines.join(QLatin1Char('\n')).contains(QLatin1String("Signed in as bob")),
                 qPrintable(lines.join(QLatin1Char('\n'))));
    }

    // The re-sign-in dialog with an error: nothing clipped, no field squashed,
    // in English and in Korean.
    void reSignInDialogLayoutHoldsWithAnError_data()
    {
        QTest::addColumn<QString>("language");
        QTest::newRow("English") << QStringLiteral("en");
        QTest::newRow("Korean") << QStringLiteral("ko");
    }

    void reSignInDialogLayoutHoldsWithAnError()
    {
        QFETCH(QString, language);
        DesktopApp::Config config = baseConfig();
        config.language = language;
        DesktopApp translated(config, m_settings.get()); // installs the translation
        for (bool browser : {false, true}) {
            Ui::ReauthDialog dialog(QStringLiteral("alice"));
            dialog.setSignInMethods(browser, true);
            dialog.show();
            QVERIFY(QTest::qWaitForWindowExposed(&dialog));
            auto *password = child<QLineEdit>(&dialog, "reauthPassword");
            QTest::keyClicks(password, QStringLiteral("wrong"));
            QTest::keyClick(password, Qt::Key_Return);
            dialog.showError(
                Session::tr("The username or password is wrong. Check them and try again."));
            QTest::qWait(100);
            const QStringList problems = squashedOrClipped(&dialog);
            QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
            QCOMPARE(QApplication::focusWidget(), password);
            if (browser) {
                // Waiting for the browser: the link's Copy and Cancel keep apart.
                dialog.showBrowserWaiting(QUrl(QStringLiteral("https://login.example.com/a")));
                QTest::qWait(50);
                QVERIFY2(mnemonicClashes(&dialog).isEmpty(),
                         qPrintable(mnemonicClashes(&dialog).join(QLatin1Char(','))));
            }
        }
        // The sign-in window too, with an error and a notice.
        Ui::SignInWindow window;
        window.setDemoHint(DesktopApp::tr("This is the bundled demo server. Sign in as alice / "
                                          "alice-password or bob / bob-password."));
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.showNotice(Ui::Shell::tr("Your unsaved post is kept on this computer. Sign in as "
                                        "%1 to get back to it.")
                              .arg(QStringLiteral("alice")));
        window.showError(
            Session::tr("The username or password is wrong. Check them and try again."));
        QTest::qWait(100);
        const QStringList problems = squashedOrClipped(&window);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
    }

    // Korean: every access key once per window, real plurals and units, no
    // clipped column; back in English, no Korean message is left behind.
    void koreanWindowsAndBackToEnglish()
    {
        DesktopApp::Config config = baseConfig();
        config.language = QStringLiteral("ko");
        auto app = launch(config);
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible() && child(window, "signIn")->isEnabled());
        QVERIFY2(mnemonicClashes(window).isEmpty(),
                 qPrintable(mnemonicClashes(window).join(QLatin1Char(','))));
        QString problem = QStringLiteral("no settings dialog");
        QTimer::singleShot(50, this, [&] {
            QWidget *dialog = QApplication::activeModalWidget();
            if (!qobject_cast<Ui::SettingsDialog *>(dialog))
                return;
            problem = mnemonicClashes(dialog).join(QLatin1Char(','));
            problem += squashedOrClipped(dialog).join(QLatin1Char(','));
            if (dialog->width() < 400)
                problem += QStringLiteral(" the dialog is %1 px wide").arg(dialog->width());
            QTest::keyClick(dialog, Qt::Key_Escape);
        });
        QTest::keyClick(child(window, "settings"), Qt::Key_Space);
        QTRY_VERIFY2_WITH_TIMEOUT(problem.isEmpty(), qPrintable(problem), 5000);

        // A wrong password: the error in Korean.
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("wrong")));
        auto *error = child<QLabel>(window, "error");
        QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 10000);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        QVERIFY2(mnemonicClashes(main).isEmpty(),
                 qPrintable(mnemonicClashes(main).join(QLatin1Char(','))));
        QVERIFY2(squashedOrClipped(main).isEmpty(),
                 qPrintable(squashedOrClipped(main).join(QLatin1Char('\n'))));
        // The activity log stays English, as logs do.
        auto *activity = child<QListWidget>(main, "activity");
        QStringList lines;
        for (int i = 0; i < activity->count(); ++i)
            lines << activity->item(i)->text();
        QVERIFY2(lines.join(QLatin1Char('\n')).contains(QLatin1String("Signed in as alice")),
                 qPrintable(lines.join(QLatin1Char('\n'))));
        auto *timeLeft = child<QLabel>(main, "timeLeft");
        QTRY_VERIFY2(timeLeft->text().contains(QStringLiteral("초"))
                         && !timeLeft->text().contains(QLatin1String(" s"))
                         && !timeLeft->text().contains(QLatin1String("(s)")),
                     qPrintable(timeLeft->text()));
        // A post, and its date column wide enough for the Korean date.
        auto *title = child<QLineEdit>(main, "postTitle");
        QTest::keyClicks(title, QStringLiteral("Korean dates"));
        QTest::keyClick(title, Qt::Key_S, Qt::ControlModifier);
        auto *table = child<QTableView>(main, "boardTable");
        QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 1, 10000);
        QTest::qWait(50);
        const QModelIndex date = table->model()->index(0, 2);
        const int needed = table->fontMetrics().horizontalAdvance(date.data().toString());
        QVERIFY2(table->columnWidth(2) > needed,
                 qPrintable(QStringLiteral("%1 px for %2 px of %3")
                                .arg(table->columnWidth(2))
                                .arg(needed)
                                .arg(date.data().toString())));

        // Signed out with a Korean error on screen, then English: no Korean left.
        main->findChild<QAction *>(QStringLiteral("signOutAction"))->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(window->isVisible(), 10000);
        window->showError(Session::tr("The username or password is wrong. Check them and try "
                                      "again."));
        QVERIFY(error->isVisible());
        config.language = QStringLiteral("en");
        app->reconfigure(config);
        QTRY_COMPARE(child<QPushButton>(window, "signIn")->text(), QStringLiteral("&Sign in"));
        for (QLabel *label : window->findChildren<QLabel *>()) {
            if (!label->isVisible())
                continue;
            for (QChar c : label->text())
                QVERIFY2(c.script() != QChar::Script_Hangul, qPrintable(label->text()));
        }
    }

    // A sign-in that hangs: Cancel (with the keyboard on it) ends the wait at
    // once, and the form is back with the keyboard on the password.
    void hungSignInCanBeCanceled()
    {
        QTcpServer hung; // takes the connection, never answers
        QVERIFY(hung.listen(QHostAddress::LocalHost));
        const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(hung.serverPort()));
        auto client = makeClient(std::make_unique<JsonAuthProtocol>(url), nullptr);
        BackendClient backend(client.manager.get(), url, url);
        Ui::Shell shell(client.session.get(), &backend, {});
        shell.start();
        Ui::SignInWindow *window = shell.signInWindow();
        QTRY_VERIFY(window->isVisible() && child(window, "signIn")->isEnabled());
        window->activateWindow();
        QTRY_COMPARE(QApplication::focusWidget(), child(window, "username"));
        QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("alice"));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("alice-password"));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
        auto *cancel = child<QPushButton>(window, "cancelSignIn");
        QTRY_VERIFY(cancel->isVisible());
        QCOMPARE(client.session->status(), Session::Status::SigningIn);
        QTRY_COMPARE(QApplication::focusWidget(), cancel);
        QElapsedTimer clock;
        clock.start();
        QTest::keyClick(cancel, Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(child(window, "signIn")->isEnabled(), 2000);
        qInfo("back to the form %lld ms after Cancel", clock.elapsed());
        QVERIFY(clock.elapsed() < 2000);
        QVERIFY(!cancel->isVisible());
        QCOMPARE(client.session->status(), Session::Status::SignedOut);
        QTRY_COMPARE(QApplication::focusWidget(), child(window, "password"));
        QVERIFY(!shell.mainWindow());
    }

    // What a screen reader sees: the sign-in window is a window, every
    // control has a name, an error and the offline banner are announced with
    // their text.
    void screenReaderHearsErrorsAndTheBanner()
    {
        // The Alert events themselves reach only a running accessibility bridge (none on
        // the offscreen platform); every announcement also goes through the Announcer.
        QList<QPair<QObject *, QString>> alerts;
        QObject listening;
        connect(Ui::Announcer::instance(), &Ui::Announcer::announced, &listening,
                [&alerts](QWidget *source, const QString &message) {
                    alerts.append({source, message});
                });

        auto app = launch();
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible() && child(window, "signIn")->isEnabled());
        QAccessibleInterface *iface = QAccessible::queryAccessibleInterface(window);
        QVERIFY(iface);
        QCOMPARE(iface->role(), QAccessible::Window);
        QVERIFY2(unnamedControls(window).isEmpty(),
                 qPrintable(unnamedControls(window).join(QLatin1Char(','))));

        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("wrong")));
        auto *error = child<QLabel>(window, "error");
        QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 10000);
        QCOMPARE(error->accessibleName(), error->text());
        QTRY_VERIFY(std::any_of(alerts.cbegin(), alerts.cend(), [&](const auto &alert) {
            return alert.first == error && alert.second == error->text();
        }));

        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        QVERIFY2(unnamedControls(main).isEmpty(),
                 qPrintable(unnamedControls(main).join(QLatin1Char(','))));
        alerts.clear();
        QVERIFY(expireThen(*app->embeddedServer(), QStringLiteral("refresh-unavailable")));
        main->reload();
        auto *banner = child(main, "offlineBanner");
        QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 10000);
        QTRY_VERIFY(std::any_of(alerts.cbegin(), alerts.cend(), [&](const auto &alert) {
            return alert.second.contains(QLatin1String("cannot be reached"));
        }));
    }

    // The main window fits on the screen, Save included, even when its
    // default (or remembered) size does not (the offscreen screen is 800×600).
    void mainWindowFitsOnTheScreen()
    {
        auto app = launch();
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        const QRect area = main->screen()->availableGeometry();
        QVERIFY2(area.width() < 960 || area.height() < 640, "the screen is large enough anyway");
        QTRY_VERIFY2(area.contains(main->frameGeometry()),
                     qPrintable(QStringLiteral("%1,%2 %3x%4 on %5x%6")
                                    .arg(main->frameGeometry().x())
                                    .arg(main->frameGeometry().y())
                                    .arg(main->frameGeometry().width())
                                    .arg(main->frameGeometry().height())
                                    .arg(area.width())
                                    .arg(area.height())));
        auto *save = child(main, "savePost");
        QVERIFY(save->isVisible());
        QVERIFY(area.contains(QRect(save->mapToGlobal(QPoint(0, 0)), save->size())));
    }

    // A silent restore goes straight to the main window: no empty sign-in
    // window flashes first.
    void restoreShowsNoSignInWindowFirst()
    {
        {
            auto first = launch();
            QVERIFY(first);
            QVERIFY(signInWith(*first, QStringLiteral("alice"), QStringLiteral("alice-password")));
            QVERIFY(waitForMainWindow(*first));
        }
        struct ShowCounter : QObject
        {
            int shown = 0;
            bool eventFilter(QObject *watched, QEvent *event) override
            {
                if (event->type() == QEvent::Show
                    && watched->objectName() == QLatin1String("signInWindow"))
                    ++shown;
                return false;
            }
        } counter;
        qApp->installEventFilter(&counter);
        auto second = launch();
        QVERIFY(second);
        QVERIFY(waitForMainWindow(*second));
        QTest::qWait(500);
        qApp->removeEventFilter(&counter);
        QCOMPARE(counter.shown, 0);
        QVERIFY(!second->shell()->signInWindow()->isVisible());
    }

    // The resource server is down while the session is fine: the posts shown
    // are marked as possibly out of date, and they load again on their own
    // once the server is back.
    void resourceOutageMarksStaleAndRecovers()
    {
        auto app = launch();
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        auto *title = child<QLineEdit>(main, "postTitle");
        QTest::keyClicks(title, QStringLiteral("Before the outage"));
        QTest::keyClick(title, Qt::Key_S, Qt::ControlModifier);
        auto *table = child<QAbstractItemView>(main, "boardTable");
        QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 1, 10000);

        QString error;
        QVERIFY2(app->embeddedServer()->setScenario(QStringLiteral("flaky-resources"),
                                                    {{QStringLiteral("failureRate"), 1.0}}, &error),
                 qPrintable(error));
        const int refreshes = app->session()->refreshCount();
        QTest::keyClick(title, Qt::Key_F5); // Reload
        auto *stale = child(main, "staleBanner");
        QTRY_VERIFY_WITH_TIMEOUT(stale->isVisible(), 10000);
        const QString said = child<QLabel>(main, "staleText")->text();
        QVERIFY2(said.contains(QLatin1String("out of date")), qPrintable(said));
        QCOMPARE(table->model()->rowCount(), 1); // still shown
        QCOMPARE(app->session()->status(), Session::Status::SignedIn);
        QCOMPARE(app->session()->refreshCount(), refreshes); // no refresh involved
        // The detail on request, by keyboard, and copied for a report.
        auto *details = child<QLabel>(main, "staleDetails");
        QVERIFY(!details->isVisible());
        QTest::keyClick(main, Qt::Key_I, Qt::AltModifier);
        QTRY_VERIFY(details->isVisible());
        QVERIFY2(details->text().contains(QLatin1String("HTTP 500")), qPrintable(details->text()));
        QGuiApplication::clipboard()->clear();
        QTest::keyClick(main, Qt::Key_C, Qt::AltModifier);
        QTRY_COMPARE(QGuiApplication::clipboard()->text(), details->text());
        QVERIFY2(mnemonicClashes(main).isEmpty(),
                 qPrintable(mnemonicClashes(main).join(QLatin1Char(','))));

        const int asked = stat(*app->embeddedServer(), "routes", "GET /boards");
        QVERIFY(app->embeddedServer()->setScenario(QStringLiteral("normal"), {}, &error));
        QTRY_VERIFY_WITH_TIMEOUT(!stale->isVisible(), 15000); // nobody pressed anything
        QVERIFY(stat(*app->embeddedServer(), "routes", "GET /boards") > asked);
        QCOMPARE(table->model()->rowCount(), 1);
    }

    // Not a check: pictures of every window in both languages for
    // docs/screenshots, taken when scripts/screenshots asks for them
    // (SILENTAUTH_SCREENSHOT_DIR).
    void screenshotsOfEveryWindow_data()
    {
        QTest::addColumn<QString>("language");
        QTest::newRow("en") << QStringLiteral("en");
        QTest::newRow("ko") << QStringLiteral("ko");
    }

    void screenshotsOfEveryWindow()
    {
        const QString out = qEnvironmentVariable("SILENTAUTH_SCREENSHOT_DIR");
        if (out.isEmpty())
            QSKIP("run by scripts/screenshots");
        QFETCH(QString, language);
        const auto save = [&](QWidget *w, const char *name) {
            QTest::qWait(200);
            const QString file
                = QStringLiteral("%1/%2-%3.png").arg(out, QLatin1String(name), language);
            QVERIFY2(w->grab().save(file), qPrintable(file));
            qInfo().noquote() << "saved" << file;
        };
        DesktopApp::Config config = baseConfig();
        config.language = language;
        auto app = launch(config);
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY(window->isVisible() && child(window, "signIn")->isEnabled());
        save(window, "sign-in");
        QTimer::singleShot(100, this, [&] {
            if (QWidget *dialog = QApplication::activeModalWidget()) {
                save(dialog, "settings");
                QTest::keyClick(dialog, Qt::Key_Escape);
            }
        });
        QTest::keyClick(child(window, "settings"), Qt::Key_Space);
        QTRY_VERIFY(!QApplication::activeModalWidget());
        QTest::qWait(300);

        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        auto *title = child<QLineEdit>(main, "postTitle");
        QTest::keyClicks(title, QStringLiteral("Welcome to the board"));
        QTest::keyClicks(child(main, "postBody"),
                         QStringLiteral("Signed in once, never asked again."));
        QTest::keyClick(title, Qt::Key_S, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(!main->hasUnsavedDraft(), 10000);
        save(main, "main-window");

        QVERIFY(expireThen(*app->embeddedServer(), QStringLiteral("refresh-unavailable")));
        main->reload();
        QTRY_VERIFY_WITH_TIMEOUT(child(main, "offlineBanner")->isVisible(), 10000);
        save(main, "offline-banner");
        QString error;
        QVERIFY(app->embeddedServer()->setScenario(QStringLiteral("normal"), {}, &error));
        QTest::mouseClick(child(main, "retryNow"), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!child(main, "offlineBanner")->isVisible(), 10000);

        QVERIFY(expireThen(*app->embeddedServer(), QStringLiteral("revoked-refresh"),
                           {{QStringLiteral("count"), 1}}));
        main->reload();
        QTRY_VERIFY_WITH_TIMEOUT(
            app->shell()->reauthDialog() && app->shell()->reauthDialog()->isVisible(), 10000);
        Ui::ReauthDialog *dialog = app->shell()->reauthDialog();
        QTest::keyClicks(child(dialog, "reauthPassword"), QStringLiteral("wrong"));
        QTest::keyClick(child(dialog, "reauthPassword"), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(child(dialog, "reauthError")->isVisible(), 10000);
        save(dialog, "reauth-error");
    }

    // The password can be shown (and hidden again); Caps Lock, seen in the
    // letters typed, is said under the field.
    void passwordCanBeShownAndCapsLockIsSaid()
    {
        Ui::SignInWindow window;
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *password = child<QLineEdit>(&window, "password");
        auto *caps = child<QLabel>(&window, "passwordCapsLock");
        QVERIFY(caps);
        QAction *show = password->findChild<QAction *>(QStringLiteral("showPassword"));
        QVERIFY(show);
        QCOMPARE(password->echoMode(), QLineEdit::Password);
        password->setFocus();
        QTest::keyClicks(password, QStringLiteral("secret"));
        QVERIFY(!caps->isVisible());
        show->trigger();
        QCOMPARE(password->echoMode(), QLineEdit::Normal);
        QCOMPARE(show->text(), QStringLiteral("Hide password"));
        show->trigger();
        QCOMPARE(password->echoMode(), QLineEdit::Password);
        // By keyboard: the button takes no focus, its shortcut does it, and
        // the field's description says which.
        QCOMPARE(password->accessibleDescription(),
                 QStringLiteral("%1 shows the password.")
                     .arg(show->shortcut().toString(QKeySequence::NativeText)));
        QVERIFY(!show->shortcut().isEmpty());
        QTRY_VERIFY(password->hasFocus());
        QTest::keyClick(password, Qt::Key_H, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(password->echoMode(), QLineEdit::Normal);
        QVERIFY(password->accessibleDescription().endsWith(QLatin1String("hides the password.")));
        QTest::keyClick(password, Qt::Key_H, Qt::ControlModifier | Qt::ShiftModifier);
        QCOMPARE(password->echoMode(), QLineEdit::Password);
        QCOMPARE(password->text(), QStringLiteral("secret"));
        // A capital without Shift: Caps Lock is on.
        QTest::sendKeyEvent(QTest::Click, password, Qt::Key_A, QStringLiteral("A"), Qt::NoModifier);
        QVERIFY(caps->isVisible());
        QVERIFY(caps->text().contains(QLatin1String("Caps Lock")));
        QTest::sendKeyEvent(QTest::Click, password, Qt::Key_B, QStringLiteral("b"), Qt::NoModifier);
        QVERIFY(!caps->isVisible());
        QCOMPARE(password->text(), QStringLiteral("secretAb"));
    }

    // Account → Switch account, by keyboard: signed out, the sign-in window
    // with an empty username and the keyboard in it; the unsaved post stays
    // on disk for its author.
    void switchAccountByKeyboard()
    {
        auto app = launch();
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        QTest::keyClicks(child(main, "postTitle"), QStringLiteral("For later"));
        main->activateWindow();
        QTRY_COMPARE(QApplication::activeWindow(), main);
        QTest::keyClick(main, Qt::Key_A, Qt::AltModifier);
        auto *account = main->findChild<QMenu *>(QStringLiteral("accountMenu"));
        QTRY_COMPARE(QApplication::activePopupWidget(), account);
        QTest::keyClick(account, Qt::Key_W);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY_WITH_TIMEOUT(window->isVisible() && child(window, "signIn")->isEnabled(),
                                 10000);
        QCOMPARE(app->session()->status(), Session::Status::SignedOut);
        QCOMPARE(child<QLineEdit>(window, "username")->text(), QString());
        window->activateWindow();
        QTRY_COMPARE(QApplication::focusWidget(), child(window, "username"));
        QCOMPARE(QDir(draftDirectory()).entryList({QStringLiteral("*.json")}, QDir::Files).size(),
                 1);
    }

    // The session ends while the window is minimised: the user is told where
    // they are (a tray notification, or the taskbar where there is no tray,
    // as on this platform); not while they look at the window.
    void reSignInWhileMinimisedAsksForAttention()
    {
        auto app = launch();
        QVERIFY(app);
        QSignalSpy attention(app->shell(), &Ui::Shell::attentionNeeded);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        main->showMinimized();
        QTRY_VERIFY(main->isMinimized());
        QVERIFY(expireThen(*app->embeddedServer(), QStringLiteral("revoked-refresh"),
                           {{QStringLiteral("count"), 1}}));
        main->reload();
        QTRY_VERIFY_WITH_TIMEOUT(app->shell()->reauthDialog(), 10000);
        QCOMPARE(attention.size(), 1);
        QVERIFY(attention.first().first().toString().contains(QLatin1String("Sign in again")));
        // Signed in again; the next end while the window is in view asks nothing more.
        Ui::ReauthDialog *dialog = app->shell()->reauthDialog();
        QTest::keyClicks(child(dialog, "reauthPassword"), QStringLiteral("alice-password"));
        QTest::keyClick(child(dialog, "reauthPassword"), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(!app->shell()->reauthDialog(), 10000);
        main->showNormal();
        QTRY_VERIFY(!main->isMinimized() && main->isVisible());
        QVERIFY(expireThen(*app->embeddedServer(), QStringLiteral("revoked-refresh"),
                           {{QStringLiteral("count"), 1}}));
        main->reload();
        QTRY_VERIFY_WITH_TIMEOUT(app->shell()->reauthDialog(), 10000);
        QCOMPARE(attention.size(), 1);
    }

    // Tab walks the whole main window and comes back: the tabs, the posts,
    // the editor and its buttons, each once.
    void mainWindowTabChainIsComplete()
    {
        auto app = launch();
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        auto *title = child<QLineEdit>(main, "postTitle");
        QTest::keyClicks(title, QStringLiteral("A post to walk past"));
        QTest::keyClick(title, Qt::Key_S, Qt::ControlModifier);
        QTRY_VERIFY_WITH_TIMEOUT(!main->hasUnsavedDraft(), 10000);
        main->activateWindow();
        title->setFocus(Qt::TabFocusReason);
        QTRY_COMPARE(QApplication::focusWidget(), title);
        QStringList chain;
        for (int i = 0; i < 25; ++i) {
            QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
            QWidget *now = QApplication::focusWidget();
            QVERIFY(now);
            if (now == title)
                break;
            const QString name = now->objectName().isEmpty()
                ? QLatin1String(now->metaObject()->className())
                : now->objectName();
            QVERIFY2(!chain.contains(name), qPrintable(chain.join(QLatin1String(" > "))));
            chain << name;
        }
        QCOMPARE(QApplication::focusWidget(), title); // back where it started
        for (const char *name : {"postBody", "deletePost", "savePost", "boardTable", "reloadButton",
                                 "newPostButton", "signOutButton"})
            QVERIFY2(chain.contains(QLatin1String(name)),
                     qPrintable(chain.join(QLatin1String(" > "))));
        // The toolbar first, as it is seen, then the tabs.
        QVERIFY2(chain.indexOf(QLatin1String("signOutButton"))
                     < chain.indexOf(QLatin1String("qt_tabwidget_tabbar")),
                 qPrintable(chain.join(QLatin1String(" > "))));
        QVERIFY2(chain.contains(QLatin1String("qt_tabwidget_tabbar")),
                 qPrintable(chain.join(QLatin1String(" > "))));
        // In the order they are seen.
        QVERIFY2(chain.indexOf(QLatin1String("postBody"))
                         < chain.indexOf(QLatin1String("deletePost"))
                     && chain.indexOf(QLatin1String("deletePost"))
                         < chain.indexOf(QLatin1String("savePost")),
                 qPrintable(chain.join(QLatin1String(" > "))));
        qInfo().noquote() << "Tab:" << chain.join(QLatin1String(" > "));
        // A tool button with the keyboard on it is pressed with Space.
        auto *reloadButton = child(main, "reloadButton");
        QVERIFY(reloadButton);
        for (int i = 0; i < 25 && QApplication::focusWidget() != reloadButton; ++i)
            QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        QCOMPARE(QApplication::focusWidget(), reloadButton);
        const int asked = stat(*app->embeddedServer(), "routes", "GET /boards");
        QTest::keyClick(reloadButton, Qt::Key_Space);
        QTRY_VERIFY_WITH_TIMEOUT(stat(*app->embeddedServer(), "routes", "GET /boards") > asked,
                                 10000);
    }

    // A sign-in server that cannot be reached is said in words; the cause
    // ("connection refused") is the detail, in the tool tip.
    void unreachableSignInServerIsSaidInWords()
    {
        QTcpServer closed;
        QVERIFY(closed.listen(QHostAddress::LocalHost));
        const QUrl dead(QStringLiteral("http://127.0.0.1:%1").arg(closed.serverPort()));
        closed.close();
        auto client = makeClient(std::make_unique<JsonAuthProtocol>(dead), nullptr);
        BackendClient backend(client.manager.get(), dead, dead);
        Ui::Shell shell(client.session.get(), &backend, {});
        shell.start();
        Ui::SignInWindow *window = shell.signInWindow();
        QTRY_VERIFY(window->isVisible() && child(window, "signIn")->isEnabled());
        QTest::keyClicks(child(window, "username"), QStringLiteral("alice"));
        QTest::keyClicks(child(window, "password"), QStringLiteral("alice-password"));
        QTest::keyClick(child(window, "password"), Qt::Key_Return);
        auto *error = child<QLabel>(window, "error");
        QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 15000);
        qInfo().noquote() << error->text() << "|" << error->toolTip();
        QVERIFY2(error->text().contains(QLatin1String("could not be reached")),
                 qPrintable(error->text()));
        QVERIFY2(!error->text().contains(QLatin1Char('(')), qPrintable(error->text()));
        QVERIFY2(error->toolTip().startsWith(QLatin1String("Details:")),
                 qPrintable(error->toolTip()));
        QTRY_COMPARE(QApplication::focusWidget(), child(window, "password"));
    }

    // A restore that takes long (the server answers late) can be given up: progress and
    // Cancel with the keyboard on it; Esc ends it at once and the sign-in form is back with
    // the keyboard in it. The saved sign-in is not signed out (nothing revoked), and the
    // fresh session signs in.
    void restoreCanBeCanceledByKeyboard()
    {
        Mock::MockServerConfig serverConfig;
        serverConfig.logRequests = false;
        Mock::MockServer server(serverConfig);
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        DesktopApp::Config config = baseConfig();
        config.server = server.url();
        QVERIFY(savedSignInRestoresSlowly(server, config, 4000));
        auto app = launch(config);
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QTRY_VERIFY_WITH_TIMEOUT(window->isVisible(), 5000);
        QCOMPARE(app->session()->status(), Session::Status::Restoring);
        QVERIFY(child(window, "progressLabel")->isVisible());
        auto *cancel = child<QPushButton>(window, "cancelSignIn");
        QVERIFY(cancel->isVisible());
        window->activateWindow();
        QTRY_COMPARE(QApplication::focusWidget(), cancel);
        const Session *restoring = app->session();
        QElapsedTimer clock;
        clock.start();
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
        QTRY_VERIFY_WITH_TIMEOUT(child(window, "signIn")->isEnabled(), 2000);
        qInfo("back to the form %lld ms after Esc", clock.elapsed());
        QVERIFY(clock.elapsed() < 2000);
        QVERIFY(!cancel->isVisible());
        QVERIFY(!child(window, "progressLabel")->isVisible());
        QVERIFY(window->isVisible());
        QVERIFY(app->session() != restoring); // a fresh session, not the restoring one
        QCOMPARE(app->session()->status(), Session::Status::SignedOut);
        // alice is remembered: the keyboard is in the password field.
        QTRY_COMPARE(QApplication::focusWidget(), child(window, "password"));
        QTest::qWait(300);
        QVERIFY(!app->shell()->mainWindow());
        QCOMPARE(stat(server, "logouts"), 0); // nothing revoked
        QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("alice-password"));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
        QVERIFY(waitForMainWindow(*app));
        QCOMPARE(app->session()->username(), QStringLiteral("alice"));
    }

    // Another program on the saved sign-in is stuck in its refresh (stopped in
    // a debugger) and has held the sign-in's lock far longer than a refresh
    // takes. The window says so, with Cancel, and restores once that program
    // lets go; the saved token is not presented behind its back.
    void aRestoreWaitsForAStuckProgramOnTheSameSignIn()
    {
        Mock::MockServerConfig serverConfig;
        serverConfig.logRequests = false;
        Mock::MockServer server(serverConfig);
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        DesktopApp::Config config = baseConfig();
        config.server = server.url();
        QString entry;
        {
            auto first = launch(config);
            QVERIFY(first);
            QVERIFY(signInWith(*first, QStringLiteral("alice"), QStringLiteral("alice-password")));
            QVERIFY(waitForMainWindow(*first));
            entry = first->session()->tokenStore()->sharedEntryId();
        }
        QVERIFY(!entry.isEmpty());
        const QString lockPath = sharedEntryFile(entry, ".lock");
        QLockFile holder(lockPath); // this process: alive, and stuck as far as the app can tell
        holder.setStaleLockTime(std::chrono::milliseconds(0));
        QVERIFY(holder.tryLock(0));
        QVERIFY(setFileAge(lockPath, 600));
        const int refreshes = stat(server, "refreshes", "ok");

        auto app = launch(config);
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        auto *progress = child<QLabel>(window, "progressLabel");
        QTRY_VERIFY_WITH_TIMEOUT(
            window->isVisible() && progress->isVisible()
                && progress->text().contains(QStringLiteral("has not finished")),
            5000);
        QVERIFY2(progress->text().contains(
                     QStringLiteral("process %1").arg(QCoreApplication::applicationPid())),
                 qPrintable(progress->text()));
        QVERIFY(child(window, "cancelSignIn")->isVisible());
        QVERIFY(!child(window, "error")->isVisible());
        QCOMPARE(app->session()->status(), Session::Status::Offline);
        QTest::qWait(1500); // a retry meanwhile finds the lock still held
        QCOMPARE(stat(server, "refreshes", "ok"), refreshes);
        QVERIFY(!app->shell()->mainWindow());

        holder.unlock();
        QVERIFY(waitForMainWindow(*app));
        QCOMPARE(app->session()->username(), QStringLiteral("alice"));
        QCOMPARE(stat(server, "refreshes", "ok"), refreshes + 1);
        QCOMPARE(stat(server, "refreshes", "reuseDetected"), 0);
        QVERIFY(!window->isVisible());
    }

    // A restore canceled while its refresh is on the wire: the server has turned the saved
    // token into a new one, and the canceled session still stores it when the answer
    // comes, so the next start restores (a spent token would look stolen to the server).
    void aCanceledRestoreStoresTheTokenItWasGiven_data()
    {
        QTest::addColumn<bool>("wrongPassword");
        QTest::newRow("quits") << false;
        QTest::newRow("a wrong password, then quits") << true;
    }

    void aCanceledRestoreStoresTheTokenItWasGiven()
    {
        QFETCH(bool, wrongPassword);
        Mock::MockServerConfig serverConfig;
        serverConfig.logRequests = false;
        Mock::MockServer server(serverConfig);
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        DesktopApp::Config config = baseConfig();
        config.server = server.url();
        QVERIFY(savedSignInRestoresSlowly(server, config, 1500));
        {
            auto app = launch(config);
            QVERIFY(app);
            Ui::SignInWindow *window = app->shell()->signInWindow();
            QTRY_VERIFY_WITH_TIMEOUT(child(window, "cancelSignIn")->isVisible(), 5000);
            QTRY_COMPARE_WITH_TIMEOUT(stat(server, "refreshes", "ok"), 1, 5000); // rotated
            QTest::mouseClick(child(window, "cancelSignIn"), Qt::LeftButton);
            QTRY_VERIFY_WITH_TIMEOUT(child(window, "signIn")->isEnabled(), 2000);
            QCOMPARE(app->session()->status(), Session::Status::SignedOut);
            if (wrongPassword) { // a failed sign-in leaves the entry alone
                child<QLineEdit>(window, "password")->setText(QStringLiteral("wrong"));
                QTest::mouseClick(child(window, "signIn"), Qt::LeftButton);
                QTRY_VERIFY_WITH_TIMEOUT(child(window, "error")->isVisible(), 5000);
            }
            app->settleBeforeQuit(); // the user quits
        }
        QVERIFY2(server.setScenario(QStringLiteral("normal"), {}, &error), qPrintable(error));
        auto next = launch(config);
        QVERIFY(next);
        QVERIFY(waitForMainWindow(*next));
        QCOMPARE(next->session()->username(), QStringLiteral("alice"));
        QCOMPARE(stat(server, "refreshes", "reuseDetected"), 0);
    }

    // With both ways in, Return in the password field sends the password; Return on the
    // browser button opens the browser.
    void reSignInEnterSubmitsTheFormItIsIn()
    {
        Ui::ReauthDialog dialog(QStringLiteral("alice"));
        dialog.setSignInMethods(true, true);
        QSignalSpy password(&dialog, &Ui::ReauthDialog::signInRequested);
        QSignalSpy browser(&dialog, &Ui::ReauthDialog::browserSignInRequested);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        dialog.activateWindow();
        auto *browserButton = child<QPushButton>(&dialog, "reauthBrowserSignIn");
        auto *field = child<QLineEdit>(&dialog, "reauthPassword");
        QTRY_COMPARE(QApplication::focusWidget(), browserButton); // the browser first
        QTest::keyClick(browserButton, Qt::Key_Tab);
        QCOMPARE(QApplication::focusWidget(), field);
        QVERIFY(child<QPushButton>(&dialog, "reauthSignIn")->isDefault());
        QVERIFY(!browserButton->isDefault());
        QTest::keyClicks(field, QStringLiteral("alice-password"));
        QTest::keyClick(field, Qt::Key_Return);
        QCOMPARE(browser.size(), 0);
        QCOMPARE(password.size(), 1);
        QCOMPARE(password.first().at(1).toString(), QStringLiteral("alice-password"));

        Ui::ReauthDialog second(QStringLiteral("alice"));
        second.setSignInMethods(true, true);
        QSignalSpy secondPassword(&second, &Ui::ReauthDialog::signInRequested);
        QSignalSpy secondBrowser(&second, &Ui::ReauthDialog::browserSignInRequested);
        second.show();
        QVERIFY(QTest::qWaitForWindowExposed(&second));
        second.activateWindow();
        auto *secondButton = child<QPushButton>(&second, "reauthBrowserSignIn");
        QTRY_COMPARE(QApplication::focusWidget(), secondButton);
        QVERIFY(secondButton->isDefault());
        QTest::keyClick(secondButton, Qt::Key_Return);
        QCOMPARE(secondBrowser.size(), 1);
        QCOMPARE(secondPassword.size(), 0);
    }

    // Every error a user meets says what happened in words, with the technical detail
    // behind Details and Copy: the sign-in window, the re-sign-in dialog, a failed save.
    void everyErrorHasDetailsAndCopy()
    {
        auto app = launch();
        QVERIFY(app);
        Ui::SignInWindow *window = app->shell()->signInWindow();
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("wrong")));
        auto *error = child<QLabel>(window, "error");
        QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 10000);
        auto *details = child<QLabel>(window, "errorDetails");
        QVERIFY(details && child(window, "errorDetailsButton"));
        QVERIFY(child(window, "errorDetailsButton")->isVisible());
        QVERIFY(!details->isVisible());
        window->activateWindow();
        QTRY_COMPARE(QApplication::activeWindow(), window);
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_I, Qt::AltModifier);
        QTRY_VERIFY(details->isVisible());
        QVERIFY2(details->text().contains(QLatin1String("InvalidCredentials")),
                 qPrintable(details->text()));
        // The server's answer behind it: its status, error code and words.
        QVERIFY2(details->text().contains(QLatin1String("HTTP 401")), qPrintable(details->text()));
        QVERIFY2(details->text().contains(QLatin1String("invalid_credentials")),
                 qPrintable(details->text()));
        QVERIFY2(details->text().contains(QLatin1String("Wrong username or password")),
                 qPrintable(details->text()));
        // The window grew for the details: the fields keep their height.
        for (const char *name : {"username", "password"}) {
            QWidget *field = child(window, name);
            QTRY_VERIFY2(field->height() >= field->sizeHint().height(),
                         qPrintable(QStringLiteral("%1 squeezed to %2 px")
                                        .arg(QLatin1String(name))
                                        .arg(field->height())));
        }
        QGuiApplication::clipboard()->clear();
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_C, Qt::AltModifier);
        QTRY_VERIFY(QGuiApplication::clipboard()->text().contains(error->text()));
        QVERIFY(QGuiApplication::clipboard()->text().contains(details->text()));
        QVERIFY2(mnemonicClashes(window).isEmpty(),
                 qPrintable(mnemonicClashes(window).join(QLatin1Char(','))));

        // Back to the form (the keyboard is on Copy, which goes with the error).
        QTest::mouseClick(child(window, "username"), Qt::LeftButton);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY2(waitForMainWindow(*app), qPrintable(error->text()));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        // A save the server fails.
        QString problem;
        QVERIFY2(app->embeddedServer()->setScenario(QStringLiteral("flaky-resources"),
                                                    {{QStringLiteral("failureRate"), 1.0}},
                                                    &problem),
                 qPrintable(problem));
        auto *title = child<QLineEdit>(main, "postTitle");
        QTest::keyClicks(title, QStringLiteral("Not today"));
        QTest::keyClick(title, Qt::Key_S, Qt::ControlModifier);
        auto *saveError = child<QLabel>(main, "actionError");
        QVERIFY(saveError);
        QTRY_VERIFY_WITH_TIMEOUT(saveError->isVisible(), 10000);
        QVERIFY2(saveError->text().startsWith(QLatin1String("Saving the post failed.")),
                 qPrintable(saveError->text()));
        QVERIFY2(!saveError->text().contains(QLatin1String("HTTP")), qPrintable(saveError->text()));
        auto *saveDetails = child<QLabel>(main, "actionErrorDetails");
        QVERIFY(saveDetails);
        QVERIFY(!saveDetails->isVisible());
        main->activateWindow();
        QTRY_COMPARE(QApplication::activeWindow(), main);
        QTest::keyClick(main, Qt::Key_E, Qt::AltModifier);
        QTRY_VERIFY(saveDetails->isVisible());
        QVERIFY2(saveDetails->text().contains(QLatin1String("HTTP 500")),
                 qPrintable(saveDetails->text()));
        QGuiApplication::clipboard()->clear();
        QTest::keyClick(main, Qt::Key_Y, Qt::AltModifier);
        QTRY_VERIFY(QGuiApplication::clipboard()->text().contains(saveDetails->text()));
        QVERIFY(main->hasUnsavedDraft()); // nothing typed is lost
        // A load the server fails too: both banners at once, each key once.
        QTest::keyClick(title, Qt::Key_F5);
        QTRY_VERIFY_WITH_TIMEOUT(child(main, "staleBanner")->isVisible(), 10000);
        QVERIFY2(mnemonicClashes(main).isEmpty(),
                 qPrintable(mnemonicClashes(main).join(QLatin1Char(','))));
        // Dismissed by keyboard.
        QTest::keyClick(main, Qt::Key_M, Qt::AltModifier);
        QTRY_VERIFY(!saveError->isVisible());
        // A failed load's error goes by itself once the load goes through.
        QTest::keyClick(title, Qt::Key_F5);
        QTRY_VERIFY_WITH_TIMEOUT(saveError->isVisible(), 10000);
        QVERIFY(app->embeddedServer()->setScenario(QStringLiteral("normal"), {}, &problem));
        QTest::keyClick(title, Qt::Key_F5);
        QTRY_VERIFY_WITH_TIMEOUT(!saveError->isVisible(), 10000);

        // The re-sign-in dialog: a wrong password.
        QVERIFY(expireThen(*app->embeddedServer(), QStringLiteral("revoked-refresh"),
                           {{QStringLiteral("count"), 1}}));
        main->reload();
        QTRY_VERIFY_WITH_TIMEOUT(app->shell()->reauthDialog(), 10000);
        Ui::ReauthDialog *dialog = app->shell()->reauthDialog();
        QTRY_VERIFY(dialog->isVisible());
        auto *field = child<QLineEdit>(dialog, "reauthPassword");
        QTest::keyClicks(field, QStringLiteral("wrong"));
        QTest::keyClick(field, Qt::Key_Return);
        auto *reauthError = child<QLabel>(dialog, "reauthError");
        QTRY_VERIFY_WITH_TIMEOUT(reauthError->isVisible(), 10000);
        auto *reauthDetails = child<QLabel>(dialog, "reauthErrorDetails");
        QVERIFY(reauthDetails);
        QVERIFY(!reauthDetails->isVisible());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_I, Qt::AltModifier);
        QTRY_VERIFY(reauthDetails->isVisible());
        QTRY_VERIFY2(field->height() >= field->sizeHint().height(),
                     qPrintable(QStringLiteral("password squeezed to %1 px").arg(field->height())));
        QTRY_VERIFY(reauthDetails->isVisible());
        QVERIFY2(reauthDetails->text().contains(QLatin1String("InvalidCredentials")),
                 qPrintable(reauthDetails->text()));
        QVERIFY2(reauthDetails->text().contains(QLatin1String("HTTP 401")),
                 qPrintable(reauthDetails->text()));
        QGuiApplication::clipboard()->clear();
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Y, Qt::AltModifier);
        QTRY_VERIFY(QGuiApplication::clipboard()->text().contains(reauthDetails->text()));
        QVERIFY2(mnemonicClashes(dialog).isEmpty(),
                 qPrintable(mnemonicClashes(dialog).join(QLatin1Char(','))));
    }

    // When the system says the network is back, failed loads are tried again at once, not
    // at the next backoff (8 s after three failures here).
    void networkBackRetriesFailedLoadsAtOnce()
    {
        auto *watch = new ManualNetworkWatch;
        auto app = launch(baseConfig(), [watch](DesktopApp &desktop) {
            desktop.setNetworkWatch(std::unique_ptr<Ui::NetworkWatch>(watch));
        });
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        QString error;
        QVERIFY2(app->embeddedServer()->setScenario(QStringLiteral("flaky-resources"),
                                                    {{QStringLiteral("failureRate"), 1.0}}, &error),
                 qPrintable(error));
        auto *stale = child(main, "staleBanner");
        for (int i = 0; i < 3; ++i) {
            const int asked = stat(*app->embeddedServer(), "routes", "GET /boards");
            QTest::keyClick(child(main, "postTitle"), Qt::Key_F5);
            QTRY_VERIFY_WITH_TIMEOUT(stat(*app->embeddedServer(), "routes", "GET /boards") > asked,
                                     10000);
            QVERIFY(waitForBoardLoaded(main));
        }
        QTRY_VERIFY(stale->isVisible());
        QVERIFY(app->embeddedServer()->setScenario(QStringLiteral("normal"), {}, &error));
        QTest::qWait(200);
        QVERIFY(stale->isVisible()); // the backoff waits
        QElapsedTimer clock;
        clock.start();
        watch->comeBack();
        QTRY_VERIFY_WITH_TIMEOUT(!stale->isVisible(), 1500);
        qInfo("loaded %lld ms after the network came back", clock.elapsed());
    }

    // A re-sign-in needed while the window is minimised is said in a desktop notification
    // where there is one; clicking it brings the dialog back.
    void reSignInWhileMinimisedPostsANotification()
    {
        auto *notifier = new RecordingNotifier;
        auto app = launch(baseConfig(), [notifier](DesktopApp &desktop) {
            desktop.setNotifier(std::unique_ptr<Ui::Notifier>(notifier));
        });
        QVERIFY(app);
        QVERIFY(signInWith(*app, QStringLiteral("alice"), QStringLiteral("alice-password")));
        QVERIFY(waitForMainWindow(*app));
        Ui::MainWindow *main = app->shell()->mainWindow();
        QVERIFY(waitForBoardLoaded(main));
        QVERIFY(notifier->shown.isEmpty());
        main->showMinimized();
        QTRY_VERIFY(main->isMinimized());
        QVERIFY(expireThen(*app->embeddedServer(), QStringLiteral("revoked-refresh"),
                           {{QStringLiteral("count"), 1}}));
        main->reload();
        QTRY_VERIFY_WITH_TIMEOUT(app->shell()->reauthDialog(), 10000);
        QCOMPARE(notifier->shown.size(), 1);
        QVERIFY2(notifier->shown.first().contains(QLatin1String("Sign in again")),
                 qPrintable(notifier->shown.first()));
        Q_EMIT notifier->activated(); // clicked
        QTRY_VERIFY(app->shell()->reauthDialog()->isVisible());
        QTRY_VERIFY(!main->isMinimized());
    }
};

QTEST_MAIN(TestDesktop)
#include "tst_desktop.moc"
