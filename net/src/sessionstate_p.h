#pragma once

#include <silentauth/session.h>

namespace SilentAuth::Internal {

// What happens to a session. Every status change goes through transition(),
// so the whole state machine is this one table (docs/net.md draws it).
enum class SessionInput {
    SignInStarted, // signIn(): supersedes whatever was under way
    SignInSucceeded,
    SignInFailed, // wrong password, server down … with no requests held
    SignInFailedWhileHeld, // … while requests wait for this re-login
    RestoreStarted, // restore() with nothing under way
    RestoreFromStarted, // restoreFrom() another token: replaces whatever session there was
    NothingStored, // the store had no token (or could not be read)
    RefreshStarted, // refresh(), proactive or scheduled retry
    RestoreRetried, // a retry of a restore that could not read the store yet (entry busy)
    RefreshSucceeded,
    RefreshTransient, // network, 5xx, throttled, malformed, misconfigured: keep the token
    RefreshRejected, // invalid_grant: the refresh token is dead
    RestoreRejected, // … for restore()/restoreFrom() not yet announced, even after retries
    SignOutStarted, // signOut(): always wins
};

constexpr Session::Status transition(Session::Status from, SessionInput input)
{
    using S = Session::Status;
    using I = SessionInput;
    switch (input) {
    case I::SignInStarted:
        return S::SigningIn;
    case I::SignInSucceeded:
        return from == S::SigningIn ? S::SignedIn : from;
    case I::SignInFailed:
        return from == S::SigningIn ? S::SignedOut : from;
    case I::SignInFailedWhileHeld:
        return from == S::SigningIn ? S::Expired : from;
    case I::RestoreStarted:
        return from == S::SignedOut || from == S::Expired ? S::Restoring : from;
    case I::RestoreFromStarted:
        return S::Restoring;
    case I::NothingStored:
        return from == S::Restoring ? S::SignedOut : from;
    case I::RefreshStarted:
        return from == S::SignedIn || from == S::Offline ? S::Refreshing : from;
    case I::RestoreRetried:
        return from == S::Offline ? S::Restoring : from;
    case I::RefreshSucceeded:
        return from == S::Restoring || from == S::Refreshing || from == S::Offline ? S::SignedIn
                                                                                   : from;
    case I::RefreshTransient:
        return from == S::Restoring || from == S::Refreshing ? S::Offline : from;
    case I::RefreshRejected:
        if (from == S::Restoring)
            return S::SignedOut; // a restore that never got going has no work to hold
        return from == S::Refreshing || from == S::Offline || from == S::SignedIn ? S::Expired
                                                                                  : from;
    case I::RestoreRejected:
        return from == S::Restoring || from == S::Offline || from == S::Refreshing ? S::SignedOut
                                                                                   : from;
    case I::SignOutStarted:
        return S::SignedOut;
    }
    return from;
}

} // namespace SilentAuth::Internal
