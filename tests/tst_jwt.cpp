#include "jwt.h"

#include <QtCore/QJsonDocument>
#include <QtTest/QtTest>

using SilentAuth::Mock::Jwt;

class TestJwt : public QObject
{
    Q_OBJECT

private:
    static QByteArray part(const QByteArray &json)
    {
        return json.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    }

private Q_SLOTS:
    void roundTrip()
    {
        const QJsonObject claims {{QStringLiteral("sub"), QStringLiteral("alice")},
                                  {QStringLiteral("exp"), 2000}};
        const QByteArray token = Jwt::sign(claims, "secret");
        QCOMPARE(token.count('.'), 2);
        const auto verified = Jwt::verify(token, "secret", 1000);
        QCOMPARE(verified.error, Jwt::Error::None);
        QCOMPARE(verified.claims, claims);
    }

    void rejects_data()
    {
        QTest::addColumn<QByteArray>("token");
        QTest::addColumn<Jwt::Error>("expected");

        const QJsonObject claims {{QStringLiteral("sub"), QStringLiteral("alice")},
                                  {QStringLiteral("exp"), 2000}};
        const QByteArray good = Jwt::sign(claims, "secret");
        const auto parts = good.split('.');

        QTest::newRow("expired") << Jwt::sign({{QStringLiteral("exp"), 999}}, "secret")
                                 << Jwt::Error::Expired;
        QTest::newRow("expiry-equals-now")
            << Jwt::sign({{QStringLiteral("exp"), 1000}}, "secret") << Jwt::Error::Expired;
        QTest::newRow("other-secret") << Jwt::sign(claims, "other") << Jwt::Error::BadSignature;
        QTest::newRow("alg-none") << part(R"({"alg":"none","typ":"JWT"})") + '.' + parts[1] + '.'
                                  << Jwt::Error::BadAlgorithm;
        QTest::newRow("alg-hs512") << part(R"({"alg":"HS512","typ":"JWT"})") + '.' + parts[1] + '.'
                + parts[2] << Jwt::Error::BadAlgorithm;
        QTest::newRow("tampered-claims") << parts[0] + '.' + part(R"({"sub":"mallory","exp":2000})")
                + '.' + parts[2] << Jwt::Error::BadSignature;
        QTest::newRow("truncated-signature") << good.chopped(3) << Jwt::Error::BadSignature;
        QTest::newRow("two-parts") << parts[0] + '.' + parts[1] << Jwt::Error::Malformed;
        QTest::newRow("empty") << QByteArray() << Jwt::Error::Malformed;
        QTest::newRow("not-base64") << QByteArray("a*b.c*d.e*f") << Jwt::Error::Malformed;
        QTest::newRow("not-json") << part("hello") + '.' + part("world") + ".sig"
                                  << Jwt::Error::Malformed;
        QTest::newRow("no-exp") << Jwt::sign({{QStringLiteral("sub"), QStringLiteral("a")}},
                                             "secret")
                                << Jwt::Error::Malformed;
        QTest::newRow("exp-string")
            << Jwt::sign({{QStringLiteral("exp"), QStringLiteral("9")}}, "secret")
            << Jwt::Error::Malformed;
    }

    void rejects()
    {
        QFETCH(QByteArray, token);
        QFETCH(Jwt::Error, expected);
        QCOMPARE(Jwt::verify(token, "secret", 1000).error, expected);
    }
};

QTEST_GUILESS_MAIN(TestJwt)
#include "tst_jwt.moc"
