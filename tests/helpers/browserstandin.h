#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QString>
#include <QtCore/QUrl>

namespace SilentAuth::Test {

// A headless stand-in for the user's browser in the authorization code flow:
// opens the authorization URL, submits the provider's sign-in form as the
// user would (the mock server's form: hidden fields, username, password and
// an allow or deny button), and follows the redirect back to the program's
// loopback port.
struct BrowserVisit
{
    int pageStatus = 0; // the authorization page (200: the sign-in form)
    int formStatus = 0; // the answer to the submitted form (303: back to the program)
    QUrl callback; // where the provider sent the browser back
    int callbackStatus = 0; // the program's page (0: no answer)
    QByteArray callbackBody;
    QString error; // what went wrong, in words; empty when the visit went through
};

BrowserVisit visitAuthorization(const QUrl &authorizationUrl, const QString &username,
                                const QString &password,
                                const QString &decision = QStringLiteral("allow"));

// GET \a url like a browser tab would; status 0 when nothing answered.
BrowserVisit openCallback(const QUrl &url);

} // namespace SilentAuth::Test
