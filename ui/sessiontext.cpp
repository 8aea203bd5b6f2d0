#include "sessiontext.h"

#include <QtCore/QMetaEnum>

namespace SilentAuth::Ui {

QString SessionText::status(Session::Status status)
{
    switch (status) {
    case Session::Status::SignedOut:
        return tr("Signed out");
    case Session::Status::SigningIn:
        return tr("Signing in…");
    case Session::Status::Restoring:
        return tr("Restoring your session…");
    case Session::Status::SignedIn:
        return tr("Signed in");
    case Session::Status::Refreshing:
        return tr("Refreshing…");
    case Session::Status::Offline:
        return tr("Offline, retrying");
    case Session::Status::Expired:
        return tr("Session ended");
    }
    return {};
}

QString SessionText::event(Session::Event event, const QString &detail)
{
    switch (event) {
    case Session::Event::SignedIn:
        return tr("Signed in as %1").arg(detail);
    case Session::Event::SessionRestored:
        return tr("Session restored for %1").arg(detail);
    case Session::Event::SignedOut:
        return tr("Signed out");
    case Session::Event::RequestSent:
        return tr("Request %1").arg(detail);
    case Session::Event::Unauthorized:
        return tr("401 caught: %1").arg(detail);
    case Session::Event::RefreshStarted:
        return detail.isEmpty() ? tr("Refresh started") : tr("Refresh started (ahead of expiry)");
    case Session::Event::RefreshSucceeded:
        return tr("Refresh succeeded");
    case Session::Event::RefreshFailed:
        return tr("Refresh failed: %1").arg(detail);
    case Session::Event::SessionExpired:
        return tr("Refresh token rejected: session ended");
    case Session::Event::Replayed:
        return tr("Replayed: %1").arg(detail);
    case Session::Event::RequestsHeld:
        return tr("Requests held until you sign in again");
    case Session::Event::RequestsResumed:
        return tr("Held requests sent");
    case Session::Event::RequestsFailed:
        return tr("Held requests canceled");
    }
    return {};
}

// A line of the activity log: English in every language, as logs are, so a line a user
// copies into a report reads the same for whoever reads it.
QString SessionText::logLine(Session::Event event, const QString &detail)
{
    switch (event) {
    case Session::Event::SignedIn:
        return QStringLiteral("Signed in as %1").arg(detail);
    case Session::Event::SessionRestored:
        return QStringLiteral("Session restored for %1").arg(detail);
    case Session::Event::SignedOut:
        return QStringLiteral("Signed out");
    case Session::Event::RequestSent:
        return QStringLiteral("Request %1").arg(detail);
    case Session::Event::Unauthorized:
        return QStringLiteral("401 caught: %1").arg(detail);
    case Session::Event::RefreshStarted:
        return detail.isEmpty() ? QStringLiteral("Refresh started")
                                : QStringLiteral("Refresh started (ahead of expiry)");
    case Session::Event::RefreshSucceeded:
        return QStringLiteral("Refresh succeeded");
    case Session::Event::RefreshFailed:
        return QStringLiteral("Refresh failed: %1").arg(detail);
    case Session::Event::SessionExpired:
        return QStringLiteral("Refresh token rejected: session ended");
    case Session::Event::Replayed:
        return QStringLiteral("Replayed: %1").arg(detail);
    case Session::Event::RequestsHeld:
        return QStringLiteral("Requests held until you sign in again");
    case Session::Event::RequestsResumed:
        return QStringLiteral("Held requests sent");
    case Session::Event::RequestsFailed:
        return QStringLiteral("Held requests canceled");
    }
    return {};
}

QString SessionText::errorDetail(Session::Error error, const QString &message,
                                 const Session::ServerAnswer &answer)
{
    QString detail = QStringLiteral("%1: %2").arg(
        QLatin1String(QMetaEnum::fromType<Session::Error>().valueToKey(int(error))), message);
    QString said = answer.message;
    if (!answer.error.isEmpty() && answer.error != said)
        said = said.isEmpty() ? answer.error : QStringLiteral("%1, %2").arg(answer.error, said);
    if (answer.httpStatus > 0)
        detail += QLatin1Char('\n')
            + tr("The server answered HTTP %1%2")
                  .arg(answer.httpStatus)
                  .arg(said.isEmpty() ? QString() : QStringLiteral(": ") + said);
    else if (!said.isEmpty())
        detail += QLatin1Char('\n') + tr("No answer from the server: %1").arg(said);
    return detail;
}

} // namespace SilentAuth::Ui
