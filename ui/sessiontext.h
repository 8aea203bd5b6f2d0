#pragma once

#include <silentauth/session.h>

#include <QtCore/QCoreApplication>

namespace SilentAuth::Ui {

// The words the user sees for the session's states and events.
class SessionText
{
    Q_DECLARE_TR_FUNCTIONS(SessionText)

public:
    static QString status(Session::Status status);
    static QString event(Session::Event event, const QString &detail);
    //! The activity log's line for \a event: never translated.
    static QString logLine(Session::Event event, const QString &detail);
    /*!
        The technical side of an errorOccurred(), for Details: which error the session
        reported with its message, then the server's answer behind it (its HTTP status, error
        code and description), or why none came.
    */
    static QString errorDetail(Session::Error error, const QString &message,
                               const Session::ServerAnswer &answer);
};

} // namespace SilentAuth::Ui
