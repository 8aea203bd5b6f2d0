#pragma once

namespace SilentAuth {

/*!
    Makes SIGTERM, SIGINT and SIGHUP quit the event loop, as closing the last window or the
    end of a run does, so that what follows QCoreApplication::exec() runs: the session
    settles (a refresh's new token and a sign-out's removal reach the keychain). A second
    such signal ends the program at once. Call once, after the application object exists.
    Does nothing where there are no such signals.
*/
void quitOnTerminationSignals();

} // namespace SilentAuth
