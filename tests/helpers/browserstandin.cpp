#include "browserstandin.h"

#include "httpclient.h"

#include <QtCore/QRegularExpression>
#include <QtCore/QUrlQuery>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>

namespace SilentAuth::Test {

namespace {

QString htmlUnescape(QString text)
{
    text.replace(QLatin1String("&quot;"), QLatin1String("\""));
    text.replace(QLatin1String("&#39;"), QLatin1String("'"));
    text.replace(QLatin1String("&lt;"), QLatin1String("<"));
    text.replace(QLatin1String("&gt;"), QLatin1String(">"));
    text.replace(QLatin1String("&amp;"), QLatin1String("&"));
    return text;
}

struct Answer
{
    int status = 0;
    QByteArray body;
    QUrl location;
};

Answer fetch(QNetworkAccessManager &network, const QUrl &url, const QByteArray *form = nullptr)
{
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    QNetworkReply *reply = nullptr;
    if (form) {
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArray("application/x-www-form-urlencoded"));
        reply = network.post(request, *form);
    } else {
        reply = network.get(request);
    }
    Answer answer;
    if (!waitForFinished(reply, 15000)) {
        reply->deleteLater();
        return answer;
    }
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    answer.body = reply->readAll();
    const QByteArray location = reply->rawHeader("Location");
    if (!location.isEmpty())
        answer.location = url.resolved(QUrl::fromEncoded(location));
    reply->deleteLater();
    return answer;
}

} // namespace

BrowserVisit openCallback(const QUrl &url)
{
    QNetworkAccessManager network;
    BrowserVisit visit;
    visit.callback = url;
    const Answer answer = fetch(network, url);
    visit.callbackStatus = answer.status;
    visit.callbackBody = answer.body;
    if (answer.status == 0)
        visit.error = QStringLiteral("the program's port did not answer");
    return visit;
}

BrowserVisit visitAuthorization(const QUrl &authorizationUrl, const QString &username,
                                const QString &password, const QString &decision)
{
    QNetworkAccessManager network;
    BrowserVisit visit;
    const Answer page = fetch(network, authorizationUrl);
    visit.pageStatus = page.status;
    QUrl next = page.location; // a provider may answer at once (an error, a consent remembered)
    if (page.status == 200) {
        const QString html = QString::fromUtf8(page.body);
        static const QRegularExpression action(
            QStringLiteral(R"re(<form[^>]*method="post"[^>]*action="([^"]*)")re"));
        static const QRegularExpression hidden(
            QStringLiteral(R"re(<input type="hidden" name="([^"]*)" value="([^"]*)">)re"));
        const auto formAction = action.match(html);
        if (!formAction.hasMatch()) {
            visit.error = QStringLiteral("the authorization page has no sign-in form");
            return visit;
        }
        QUrlQuery form;
        for (auto it = hidden.globalMatch(html); it.hasNext();) {
            const auto field = it.next();
            form.addQueryItem(htmlUnescape(field.captured(1)), htmlUnescape(field.captured(2)));
        }
        form.addQueryItem(QStringLiteral("username"), username);
        form.addQueryItem(QStringLiteral("password"), password);
        form.addQueryItem(QStringLiteral("decision"), decision);
        QByteArray body;
        for (const auto &item : form.queryItems(QUrl::FullyDecoded)) {
            if (!body.isEmpty())
                body += '&';
            body
                += QUrl::toPercentEncoding(item.first) + '=' + QUrl::toPercentEncoding(item.second);
        }
        const Answer submitted = fetch(
            network, authorizationUrl.resolved(QUrl(htmlUnescape(formAction.captured(1)))), &body);
        visit.formStatus = submitted.status;
        if (submitted.status < 300 || submitted.status >= 400) {
            visit.error = QStringLiteral("the sign-in form answered %1: %2")
                              .arg(submitted.status)
                              .arg(QString::fromUtf8(submitted.body.left(300)));
            return visit;
        }
        next = submitted.location;
    }
    if (!next.isValid()) {
        visit.error = QStringLiteral("the provider did not send the browser back (HTTP %1)")
                          .arg(page.status);
        return visit;
    }
    const BrowserVisit back = openCallback(next);
    visit.callback = next;
    visit.callbackStatus = back.callbackStatus;
    visit.callbackBody = back.callbackBody;
    visit.error = back.error;
    return visit;
}

} // namespace SilentAuth::Test
