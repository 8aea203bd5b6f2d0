// One keychain entry per account (issuer, client, user): two accounts or two
// providers never overwrite each other's token, the next start brings back
// the account written last, and the single entry an earlier version kept is
// moved to its account's entry. Against the real Secret Service and the mock
// server.
#include "providerfixture.h"
#include "sessionfixture.h"
#include "testserver.h"

#include <silentauth/accounttokenstore.h>
#include <silentauth/jsonauthprotocol.h>
#include <silentauth/keychaintokenstore.h>
#include <silentauth/memorytokenstore.h>
#include <silentauth/oauth2protocol.h>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QUuid>
#include <QtTest/QtTest>

#include <map>

using namespace SilentAuth;
using namespace SilentAuth::Test;

namespace {

QString freshService()
{
    return QStringLiteral("SilentAuthTest-") + QUuid::createUuid().toString(QUuid::Id128);
}

QString authService(const Mock::MockServer &server)
{
    return server.url().toString(QUrl::FullyEncoded);
}

// The raw keychain entry \a name of \a service, as another program sees it.
TokenStore::Result rawEntry(const QString &service, const QString &name)
{
    KeychainTokenStore store(service, name);
    return readStore(store);
}

QString entryOf(const Mock::MockServer &server, const QString &user, const QString &client = {})
{
    return QStringLiteral("refresh-token/")
        + TokenAccount {authService(server), client, user}.key();
}

// The entry naming the account of \a server (and \a client) written last.
QString currentEntryOf(const Mock::MockServer &server, const QString &client = {})
{
    return QStringLiteral("refresh-token/current-account ")
        + QString::fromUtf8(QJsonDocument(QJsonArray {authService(server), client})
                                .toJson(QJsonDocument::Compact));
}

bool waitForStatus(Session &session, Session::Status status)
{
    return QTest::qWaitFor([&] { return session.status() == status; }, 10000);
}

} // namespace

class TestAccountStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void keysAreUnambiguous()
    {
        const TokenAccount a {QStringLiteral("https://idp"), QStringLiteral("app"),
                              QStringLiteral("alice")};
        QCOMPARE(TokenAccount::fromKey(a.key()), a);
        // Parts that contain what a naive separator would be stay apart.
        const TokenAccount b {QStringLiteral("https://idp\",\"app"), QString(),
                              QStringLiteral("alice")};
        const TokenAccount c {QStringLiteral("https://idp"), QStringLiteral("app\",\"alice"),
                              QString()};
        QVERIFY(b.key() != a.key());
        QVERIFY(c.key() != a.key());
        QCOMPARE(TokenAccount::fromKey(b.key()), b);
        QVERIFY(TokenAccount::fromKey(QStringLiteral("refresh-token")).isNull());
        QVERIFY(TokenAccount::fromKey(QStringLiteral("[1,2,3]")).isNull());
        QVERIFY(TokenAccount::fromKey(QStringLiteral("[\"a\",\"b\"]")).isNull());
    }

    // Alice, then Bob, on one session: both tokens stay, each under its own
    // entry; the next start restores Bob, or Alice when she is chosen.
    void twoAccountsAtOnce()
    {
        auto server = startServer();
        QVERIFY(server);
        const QString service = freshService();
        {
            auto store = AccountTokenStore::keychain(service);
            Client c = makeClient(*server, store.get());
            QVERIFY(signIn(*c.session, QStringLiteral("alice")));
            QCOMPARE(store->selectedAccount().subject, QStringLiteral("alice"));
            QVERIFY(signIn(*c.session, QStringLiteral("bob")));
            QCOMPARE(store->selectedAccount().subject, QStringLiteral("bob"));
            QTRY_VERIFY_WITH_TIMEOUT(!c.session->isRefreshing(), 5000);
        }
        const auto alice = rawEntry(service, entryOf(*server, QStringLiteral("alice")));
        const auto bob = rawEntry(service, entryOf(*server, QStringLiteral("bob")));
        QCOMPARE(alice.error, TokenStore::Error::NoError);
        QCOMPARE(bob.error, TokenStore::Error::NoError);
        QVERIFY(alice.token != bob.token);
        QCOMPARE(QString::fromUtf8(rawEntry(service, currentEntryOf(*server)).token),
                 TokenAccount({authService(*server), {}, QStringLiteral("bob")}).key());
        // Nothing under the single name an earlier version used.
        QCOMPARE(rawEntry(service, QStringLiteral("refresh-token")).error,
                 TokenStore::Error::NotFound);

        {
            auto store = AccountTokenStore::keychain(service);
            Client next = makeClient(*server, store.get());
            next.session->restore();
            QVERIFY(waitForStatus(*next.session, Session::Status::SignedIn));
            QCOMPARE(next.session->identity(), QStringLiteral("bob"));
        }
        {
            auto store = AccountTokenStore::keychain(service);
            store->selectAccount({authService(*server), {}, QStringLiteral("alice")});
            Client next = makeClient(*server, store.get());
            next.session->restore();
            QVERIFY(waitForStatus(*next.session, Session::Status::SignedIn));
            QCOMPARE(next.session->identity(), QStringLiteral("alice"));
        }
        QCOMPARE(stat(*server, "refreshes", "failed"), 0);
    }

    // A refresh writes the account's entry, not the current-account one as
    // well when it already names the account: one keychain write per
    // refresh. Switching accounts names the new one.
    void refreshesWriteOnlyTheAccountsEntry()
    {
        auto server = startServer();
        QVERIFY(server);
        std::map<QString, int> writes; // stable addresses: each entry counts into its own
        class CountingStore : public MemoryTokenStore
        {
        public:
            CountingStore(int *count)
                : m_count(count)
            {
            }
            void write(const QByteArray &token, Callback done) override
            {
                ++*m_count;
                MemoryTokenStore::write(token, std::move(done));
            }

        private:
            int *m_count;
        };
        AccountTokenStore store([&writes](const QString &name) -> std::unique_ptr<TokenStore> {
            return std::make_unique<CountingStore>(&writes[name]);
        });
        Client c = makeClient(*server, &store);
        QVERIFY(signIn(*c.session, QStringLiteral("alice")));
        QTRY_VERIFY(!c.session->isRefreshing());
        for (int i = 0; i < 5; ++i) {
            QSignalSpy refreshed(c.session.get(), &Session::refreshFinished);
            c.session->refresh();
            QVERIFY(refreshed.wait(5000));
            QVERIFY(refreshed.first().at(0).toBool());
        }
        const QString alice
            = TokenAccount({authService(*server), {}, QStringLiteral("alice")}).key();
        const QString current = QStringLiteral("current-account ")
            + QString::fromUtf8(QJsonDocument(QJsonArray {authService(*server), QString()})
                                    .toJson(QJsonDocument::Compact));
        QCOMPARE(writes[alice], 6); // the sign-in and five refreshes
        QCOMPARE(writes[current], 1);
        QVERIFY(signIn(*c.session, QStringLiteral("bob")));
        QTRY_VERIFY(!c.session->isRefreshing());
        QCOMPARE(writes[current], 2);
    }

    // The same user at two providers: two entries.
    void twoProvidersAtOnce()
    {
        auto first = startServer();
        auto second = startServer();
        QVERIFY(first && second);
        const QString service = freshService();
        auto store = AccountTokenStore::keychain(service);
        Client a = makeClient(*first, store.get());
        QVERIFY(signIn(*a.session, QStringLiteral("alice")));
        Client b = makeClient(*second, store.get());
        QVERIFY(signIn(*b.session, QStringLiteral("alice")));
        QCOMPARE(rawEntry(service, entryOf(*first, QStringLiteral("alice"))).error,
                 TokenStore::Error::NoError);
        QCOMPARE(rawEntry(service, entryOf(*second, QStringLiteral("alice"))).error,
                 TokenStore::Error::NoError);
    }

    // OAuth: the provider's issuer and the client are part of the key, so
    // two clients of one provider keep their tokens apart.
    void clientIsPartOfTheKey()
    {
        auto [server, provider] = startProvider();
        QVERIFY(server && provider);
        const QString service = freshService();
        auto store = AccountTokenStore::keychain(service);
        Client c = makeClient(
            OAuth2Protocol::forProvider(*provider, QStringLiteral("silentauth-desktop")),
            store.get());
        QVERIFY(signIn(*c.session, QStringLiteral("alice")));
        const TokenAccount expected {issuerOf(*server).toString(),
                                     QStringLiteral("silentauth-desktop"), QStringLiteral("alice")};
        QCOMPARE(store->selectedAccount(), expected);
        QCOMPARE(rawEntry(service, QStringLiteral("refresh-token/") + expected.key()).error,
                 TokenStore::Error::NoError);
    }

    // The single entry of an earlier version is read, and moved to its
    // account's entry as soon as the session knows whose it is.
    void legacyEntryIsMigrated()
    {
        auto server = startServer();
        QVERIFY(server);
        const QString service = freshService();
        {
            KeychainTokenStore old(service, QStringLiteral("refresh-token"));
            Client c = makeClient(*server, &old);
            QVERIFY(signIn(*c.session, QStringLiteral("alice")));
        }
        QCOMPARE(rawEntry(service, QStringLiteral("refresh-token")).error,
                 TokenStore::Error::NoError);

        auto store = AccountTokenStore::keychain(service);
        Client c = makeClient(*server, store.get());
        c.session->restore();
        QVERIFY(waitForStatus(*c.session, Session::Status::SignedIn));
        QCOMPARE(c.session->identity(), QStringLiteral("alice"));
        QTRY_COMPARE_WITH_TIMEOUT(rawEntry(service, QStringLiteral("refresh-token")).error,
                                  TokenStore::Error::NotFound, 5000);
        const auto moved = rawEntry(service, entryOf(*server, QStringLiteral("alice")));
        QCOMPARE(moved.error, TokenStore::Error::NoError);
        QCOMPARE(store->selectedAccount().subject, QStringLiteral("alice"));

        // And the next start restores from the new entry.
        auto again = AccountTokenStore::keychain(service);
        Client next = makeClient(*server, again.get());
        next.session->restore();
        QVERIFY(waitForStatus(*next.session, Session::Status::SignedIn));
        QCOMPARE(stat(*server, "refreshes", "failed"), 0);
        QCOMPARE(stat(*server, "refreshes", "reuseDetected"), 0);
    }

    // Signing Bob out removes Bob's entry and forgets him as the account to
    // restore; Alice's entry stays and still works.
    void signOutForgetsOnlyItsAccount()
    {
        auto server = startServer();
        QVERIFY(server);
        const QString service = freshService();
        auto store = AccountTokenStore::keychain(service);
        Client c = makeClient(*server, store.get());
        QVERIFY(signIn(*c.session, QStringLiteral("alice")));
        QVERIFY(signIn(*c.session, QStringLiteral("bob")));
        QSignalSpy signedOut(c.session.get(), &Session::signedOut);
        c.session->signOut();
        QVERIFY(signedOut.wait(10000));
        QCOMPARE(rawEntry(service, entryOf(*server, QStringLiteral("bob"))).error,
                 TokenStore::Error::NotFound);
        QCOMPARE(rawEntry(service, currentEntryOf(*server)).error, TokenStore::Error::NotFound);
        QCOMPARE(rawEntry(service, entryOf(*server, QStringLiteral("alice"))).error,
                 TokenStore::Error::NoError);
        QCOMPARE(stat(*server, "logouts"), 1);

        // Nothing to restore by default; Alice when chosen.
        auto next = AccountTokenStore::keychain(service);
        Client n = makeClient(*server, next.get());
        QSignalSpy error(n.session.get(), &Session::errorOccurred);
        n.session->restore();
        QVERIFY(error.wait(10000));
        QCOMPARE(error.first().at(0).value<Session::Error>(), Session::Error::NoStoredSession);
        next->selectAccount({authService(*server), {}, QStringLiteral("alice")});
        n.session->restore();
        QVERIFY(waitForStatus(*n.session, Session::Status::SignedIn));
        QCOMPARE(n.session->identity(), QStringLiteral("alice"));
    }

    // Alice at one provider; the same application at another restores
    // nothing, and the first provider's token never travels to the second.
    void anotherProviderNeverGetsTheToken()
    {
        auto first = startServer();
        auto second = startServer();
        QVERIFY(first && second);
        const QString service = freshService();
        {
            auto store = AccountTokenStore::keychain(service);
            Client a = makeClient(*first, store.get());
            QVERIFY(signIn(*a.session, QStringLiteral("alice")));
        }
        {
            auto store = AccountTokenStore::keychain(service);
            Client b = makeClient(*second, store.get());
            QSignalSpy error(b.session.get(), &Session::errorOccurred);
            b.session->restore();
            QVERIFY(error.wait(10000));
            QCOMPARE(error.first().at(0).value<Session::Error>(), Session::Error::NoStoredSession);
        }
        QCOMPARE(stat(*second, "refreshes", "ok") + stat(*second, "refreshes", "failed"), 0);
        QCOMPARE(rawEntry(service, entryOf(*first, QStringLiteral("alice"))).error,
                 TokenStore::Error::NoError);
        auto store = AccountTokenStore::keychain(service);
        Client again = makeClient(*first, store.get());
        again.session->restore();
        QVERIFY(waitForStatus(*again.session, Session::Status::SignedIn));
    }

    // Another client of the same provider does not restore the first one's
    // account: no token is used by a client it was not issued to.
    void anotherClientNeverRestoresIt()
    {
        auto [server, provider] = startProvider();
        QVERIFY(server && provider);
        const QString service = freshService();
        {
            auto store = AccountTokenStore::keychain(service);
            Client c = makeClient(
                OAuth2Protocol::forProvider(*provider, QStringLiteral("silentauth-desktop")),
                store.get());
            QVERIFY(signIn(*c.session, QStringLiteral("alice")));
        }
        auto store = AccountTokenStore::keychain(service);
        auto protocol
            = OAuth2Protocol::forProvider(*provider, QStringLiteral("silentauth-service"));
        protocol->setClientSecret(QStringLiteral("service-secret"));
        Client other = makeClient(std::move(protocol), store.get());
        QSignalSpy error(other.session.get(), &Session::errorOccurred);
        other.session->restore();
        QVERIFY(error.wait(10000));
        QCOMPARE(error.first().at(0).value<Session::Error>(), Session::Error::NoStoredSession);
        QCOMPARE(stat(*server, "refreshes", "ok") + stat(*server, "refreshes", "failed"), 0);
        QCOMPARE(stat(*server, "refreshes", "reuseDetected"), 0);
    }

    // The store's contract: no callback before the call returns, and none
    // after the store is gone.
    void callbacksAreNeverSynchronousNorLate()
    {
        AccountTokenStore::EntryFactory memory
            = [](const QString &) { return std::make_unique<MemoryTokenStore>(); };
        auto store = std::make_unique<AccountTokenStore>(memory);
        bool called = false;
        store->read([&called](const TokenStore::Result &r) {
            called = true;
            QCOMPARE(r.error, TokenStore::Error::NotFound);
        });
        QVERIFY(!called);
        QTRY_VERIFY(called);
        called = false;
        store->selectAccount({QStringLiteral("i"), QStringLiteral("c"), QStringLiteral("s")});
        store->write("token", [&called](const TokenStore::Result &) { called = true; });
        QVERIFY(!called);
        store.reset();
        QTest::qWait(50);
        QVERIFY(!called);
    }
};

QTEST_GUILESS_MAIN(TestAccountStore)
#include "tst_accountstore.moc"
