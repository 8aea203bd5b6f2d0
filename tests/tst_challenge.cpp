// WWW-Authenticate parsing (RFC 9110 §11.6.1, RFC 6750 §3).
#include "challenge_p.h"

#include <QtTest/QtTest>

using namespace SilentAuth::Internal;

class TestChallenge : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parses_data()
    {
        QTest::addColumn<QByteArray>("header");
        QTest::addColumn<QByteArray>("schemes"); // comma-separated, lower case
        QTest::addColumn<QByteArray>("bearerError");
        QTest::addColumn<QByteArray>("bearerDescription");
        QTest::newRow("bare") << QByteArray("Bearer") << QByteArray("bearer") << QByteArray()
                              << QByteArray();
        QTest::newRow("rfc6750 example")
            << QByteArray("Bearer realm=\"example\", error=\"invalid_token\", "
                          "error_description=\"The access token expired\"")
            << QByteArray("bearer") << QByteArray("invalid_token")
            << QByteArray("The access token expired");
        QTest::newRow("case and spacing")
            << QByteArray("bEaReR   ERROR = invalid_token ,realm=x") << QByteArray("bearer")
            << QByteArray("invalid_token") << QByteArray();
        QTest::newRow("two challenges")
            << QByteArray(
                   "Basic realm=\"a, b\", Bearer error=\"insufficient_scope\", scope=\"x y\"")
            << QByteArray("basic,bearer") << QByteArray("insufficient_scope") << QByteArray();
        QTest::newRow("token68 first")
            << QByteArray("Negotiate abc123==, Bearer error=invalid_token")
            << QByteArray("negotiate,bearer") << QByteArray("invalid_token") << QByteArray();
        QTest::newRow("escaped quotes")
            << QByteArray("Bearer error_description=\"say \\\"hi\\\"\", error=invalid_token")
            << QByteArray("bearer") << QByteArray("invalid_token") << QByteArray("say \"hi\"");
        QTest::newRow("unterminated quote")
            << QByteArray("Bearer error=\"invalid_tok") << QByteArray("bearer")
            << QByteArray("invalid_tok") << QByteArray();
        QTest::newRow("basic only") << QByteArray("Basic realm=\"files\"") << QByteArray("basic")
                                    << QByteArray() << QByteArray();
        QTest::newRow("empty") << QByteArray() << QByteArray() << QByteArray() << QByteArray();
        QTest::newRow("garbage") << QByteArray("=,=\",\"\\") << QByteArray() << QByteArray()
                                 << QByteArray();
    }

    void parses()
    {
        QFETCH(QByteArray, header);
        QFETCH(QByteArray, schemes);
        QFETCH(QByteArray, bearerError);
        QFETCH(QByteArray, bearerDescription);
        const auto challenges = parseChallenges(header);
        QByteArrayList names;
        for (const auto &challenge : challenges)
            names << challenge.scheme;
        QCOMPARE(names.join(','), schemes);
        const Challenge *bearer = bearerChallenge(challenges);
        QCOMPARE(bearer != nullptr, schemes.contains("bearer"));
        if (bearer) {
            QCOMPARE(bearer->params.value("error"), bearerError);
            QCOMPARE(bearer->params.value("error_description"), bearerDescription);
        }
    }

    void twoChallengesKeepTheirOwnParams()
    {
        const auto challenges
            = parseChallenges("Basic realm=\"a, b\", Bearer error=\"insufficient_scope\", "
                              "scope=\"x y\"");
        QCOMPARE(challenges.size(), 2);
        QCOMPARE(challenges[0].params.value("realm"), QByteArray("a, b"));
        QVERIFY(!challenges[0].params.contains("scope"));
        QCOMPARE(challenges[1].params.value("scope"), QByteArray("x y"));
        QCOMPARE(parseChallenges("Negotiate abc123==").value(0).params.value({}),
                 QByteArray("abc123=="));
    }
};

QTEST_GUILESS_MAIN(TestChallenge)
#include "tst_challenge.moc"
