#pragma once

#include <silentauth/authprotocol.h>
#include <silentauth/global.h>

#include <QtCore/QDateTime>
#include <QtCore/QObject>

#include <chrono>
#include <functional>
#include <memory>

namespace SilentAuth {

class TokenStore;
namespace Internal {
class DpopKey;
class GrantCompletion;
} // namespace Internal

/*!
    The global session state the UI binds to, and the one place tokens live.

    The access token stays in memory; the refresh token goes to the
    TokenStore. Every operation is asynchronous and bounded by a timeout.
    Refreshes are single-flight: however many callers ask while one is under
    way, one request goes to the server and all of them get its outcome.

    \code
    auto protocol = std::make_unique<SilentAuth::JsonAuthProtocol>(QUrl("https://api.example.com"));
    auto *store = new SilentAuth::KeychainTokenStore(QStringLiteral("MyApp"));
    auto *session = new SilentAuth::Session(std::move(protocol), store);
    auto *manager = new SilentAuth::AuthNetworkAccessManager(session);
    QObject::connect(session, &SilentAuth::Session::statusChanged, [session] {
        if (session->status() == SilentAuth::Session::Status::SignedOut)
            showSignInWindow();
    });
    session->restore(); // silent sign-in from the keychain, if a token is there
    // ... later, every call through manager refreshes and replays on 401:
    QNetworkReply *reply = manager->get(QNetworkRequest(QUrl("https://api.example.com/profile")));
    \endcode
*/
class SILENTAUTH_NET_EXPORT Session : public QObject
{
    Q_OBJECT
    Q_PROPERTY(Status status READ status NOTIFY statusChanged)
    Q_PROPERTY(QString username READ username NOTIFY usernameChanged)
    Q_PROPERTY(QDateTime accessTokenExpiry READ accessTokenExpiry NOTIFY accessTokenExpiryChanged)
    Q_PROPERTY(int refreshCount READ refreshCount NOTIFY refreshCountChanged)
    Q_PROPERTY(int replayCount READ replayCount NOTIFY replayCountChanged)

public:
    enum class Status {
        SignedOut,
        SigningIn,
        Restoring,
        SignedIn,
        Refreshing,
        Offline, //!< refresh failed for a transient reason; retrying, still signed in
        Expired, //!< the server rejected the refresh token; a new sign-in is needed
    };
    Q_ENUM(Status)

    enum class Error {
        NoError,
        InvalidCredentials,
        TooManyAttempts,
        NetworkError,
        Timeout,
        MalformedResponse,
        SessionExpired,
        NoStoredSession,
        KeychainUnavailable,
        //! The server refused this client (invalid_client, invalid_scope, unauthorized_client,
        //! unsupported_grant_type): a setting is wrong. The stored sign-in is kept.
        ConfigurationError,
        //! Signed out here, but the server could not be told (no revocation endpoint, or it
        //! failed): the refresh token stays valid there until it expires.
        RevocationFailed,
        //! Another process sharing the stored entry has held its lock far longer than a
        //! refresh takes (stopped, hung): the session is Offline and refreshes once it lets go.
        EntryBusy,
    };
    Q_ENUM(Error)

    //! What observers (an activity view, QA tooling) are told; see activity().
    enum class Event {
        SignedIn,
        SessionRestored,
        SignedOut,
        RequestSent, //!< detail: method and path
        Unauthorized, //!< a 401 was caught; detail: path
        RefreshStarted, //!< detail: "proactive" when ahead of expiry
        RefreshSucceeded,
        RefreshFailed, //!< transient; detail: why
        SessionExpired, //!< the refresh token was rejected
        Replayed, //!< detail: path
        RequestsHeld, //!< waiting for a re-login
        RequestsResumed,
        RequestsFailed,
    };
    Q_ENUM(Event)

    //! What the auth server answered, behind an errorOccurred(): for a "Details" view.
    struct ServerAnswer
    {
        int httpStatus = 0; //!< 0: no answer came (a network error, a timeout)
        QString error; //!< the server's error code (OAuth's \c error), when it sent one
        //! The server's description of the error, or why no answer came; never a token.
        QString message;
    };

    Session(std::unique_ptr<AuthProtocol> protocol, TokenStore *store, QObject *parent = nullptr);
    ~Session() override;

    Status status() const;
    QString username() const;
    /*!
        Whose session this is: the access token's \c sub claim, else the username given to
        signIn(), else empty (an opaque token restored from elsewhere). Requests held for a
        re-login, or waiting for a refresh, only ever go out under the identity they were
        made with.
    */
    QString identity() const;
    QDateTime accessTokenExpiry() const;
    int refreshCount() const;
    int replayCount() const;
    const AuthProtocol &protocol() const;
    /*!
        The auth server's answer behind the last errorOccurred(), read in a slot connected to
        it: a refused password's 401 and the server's message, an unreachable server's
        network error. Empty (status 0, no message) when that error did not come from an
        answer of the auth server: a keychain error, a setting, a saved session missing.
    */
    ServerAnswer lastServerAnswer() const;

    //! The current access token, or empty. Never log it.
    QByteArray accessToken() const;
    //! Increases with every new access token; a 401 for an older one means "replay", not "refresh".
    int tokenGeneration() const;
    bool isRefreshing() const;

    //! Limit for each request to the auth server (default 15 s).
    void setRequestTimeout(std::chrono::milliseconds timeout);

    /*!
        Lets credentials (password, tokens) go over plain \c http:// to hosts other than
        loopback: to the auth server's endpoints, and the access token to allow-listed
        origins. Off by default: anyone on the network path could read and reuse them, so
        such a sign-in or refresh fails with ConfigurationError. Turn it on only for a
        network you trust completely (a lab, a VPN that encrypts everything).
    */
    void setPlainHttpAllowed(bool allowed);
    bool isPlainHttpAllowed() const;
    /*!
        Sender-constrained tokens: DPoP (RFC 9449). Off by default; set it before signing in.

        Each sign-in makes a new EC P-256 key pair, and every token request (sign-in, refresh,
        a BrowserSignIn or DeviceSignIn grant) carries a proof signed with it. When the server
        answers with \c token_type \c DPoP, the tokens are bound to the key: the private key
        is kept in the TokenStore entry beside the refresh token (never in a file), restore()
        brings it back with the token, and signOut() forgets it. Every request that
        AuthNetworkAccessManager sends with the token (replays, redirects within the
        allow-list, resends included) then carries \c{Authorization: DPoP} and a fresh proof.

        A server that answers \c Bearer does not support DPoP: the session goes on with bearer
        tokens, and keeps no key. A \c DPoP answer to a request sent without a proof (DPoP off)
        is refused as an unsupported token type. A \c use_dpop_nonce challenge is answered by
        sending the request once more with the server's nonce (see nonceResendCount()), never
        by a refresh.
    */
    void setProofOfPossession(bool enabled);
    bool isProofOfPossessionEnabled() const;
    //! Whether the current access token is bound to the session's DPoP key (the server said
    //! \c token_type \c DPoP); false for a bearer token.
    bool isAccessTokenBound() const;
    //! How many requests (token and resource requests) were sent once more because the server
    //! asked for a DPoP nonce. Not counted in replayCount().
    int nonceResendCount() const;

    //! Refresh this long before the access token expires; 0 = a tenth of its lifetime (the
    //! default).
    void setProactiveLead(std::chrono::milliseconds lead);
    /*!
        The wall clock the session reads expiry times with (default
        QDateTime::currentDateTimeUtc()); a seam for tests that jump time.

        Expiry is kept as an absolute time, not only as a timer: timers stop while a laptop
        sleeps. A request about to go out when its token is due for renewal by this clock
        waits for a refresh instead of collecting a 401; and every few seconds the session
        compares this clock with the monotonic one, so after a resume (or a clock set
        forward) an idle session renews at once. A clock set back only delays nothing: the
        timers still fire.
    */
    void setClock(std::function<QDateTime()> clock);

    /*!
        Tells the session whether the network is there. Where QNetworkInformation has a
        reachability backend (NetworkManager, glib on Linux) the session listens to it by
        itself; elsewhere an application that knows (a connectivity check of its own) calls
        this. While the network is down a retry the session has scheduled waits instead of
        failing and lengthening its backoff; when it comes back, the session retries at once.
    */
    void setNetworkReachable(bool reachable);

    //! Where the refresh token goes from now on; nullptr keeps it in memory only ("for this
    //! session only"). The session does not take ownership.
    void setTokenStore(TokenStore *store);
    TokenStore *tokenStore() const;

    /*!
        Installs the re-login hook. When the server rejects the refresh token,
        \a handler is called (from the event loop) and requests waiting for
        the session are held instead of failed, for up to the
        reauthentication timeout. A successful signIn() as the same user
        releases them with the new token; abandonReauthentication(), signOut(),
        the timeout or a different user fails them. Without a handler they
        fail at once.
    */
    void setReauthenticationHandler(std::function<void()> handler);
    //! How long requests are held for a re-login (default 5 minutes).
    void setReauthenticationTimeout(std::chrono::milliseconds timeout);
    bool isHoldingRequests() const;

    //! How long requests wait for a refresh that failed for a transient reason to succeed on
    //! a retry, instead of failing at once with a retryable error (default 0: fail at once).
    void setOfflineWait(std::chrono::milliseconds wait);
    std::chrono::milliseconds offlineWait() const;

    /*!
        Signs in with a token request built elsewhere: an authorization code exchange
        (BrowserSignIn), a device code, any grant the protocol's token endpoint answers like a
        sign-in. Everything else is as for signIn(): it supersedes what is under way, stores
        the refresh token, and ends with signedIn() or errorOccurred(). \a username names the
        user until the token says who it is (its \c sub claim).
    */
    void signInWithGrant(const AuthProtocol::Request &grant, const QString &username = {});

    /*!
        Signs in with tokens a grant has already brought and the program has checked (an
        OpenID Connect sign-in whose ID token was verified): stored and announced as after
        signIn(). \a identity is the user's stable id (the ID token's \c sub), \a displayName
        what username() shows (empty: the identity).
    */
    void signInWithTokens(const TokenResponse &tokens, const QString &identity,
                          const QString &displayName = {});

public Q_SLOTS:
    void signIn(const QString &username, const QString &password);
    //! Silent sign-in from the token store.
    void restore();
    //! Starts the session from a refresh token obtained elsewhere (another
    //! login flow, a provisioning step); it is kept in the token store once
    //! the server accepted it.
    void restoreFrom(const QByteArray &refreshToken);
    //! Fails the requests held for a re-login; see setReauthenticationHandler().
    void abandonReauthentication();
    //! Starts a refresh unless one is under way or a retry is already scheduled (then it
    //! joins that one); refreshFinished() tells the outcome.
    void refresh();
    /*!
        Always wins: whatever was under way is abandoned at once, no request carries a token
        from this moment, and held requests fail. Then the refresh token (and one received
        but not yet stored) is revoked on the server and removed from the store; signedOut()
        follows once both are done, even offline.
    */
    void signOut();
    /*!
        True while something the next launch depends on is under way: a refresh (its answer
        brings the only refresh token the server still accepts), a keychain read, write or
        removal (a sign-out's among them), a sign-out's revocation, or the revocation of a
        token nobody holds any more. A program that quits now loses it: the keychain keeps a
        token that was spent or signed out, or the server one that nobody holds.
    */
    bool isSettling() const;
    /*!
        Runs a local event loop, without user input, until isSettling() is false or \a timeout
        has passed; returns !isSettling(). Meant for a program that is quitting, after its
        windows are closed: QCoreApplication::exec() has returned, nothing else is waited for.
        From then on the session waits at most 3 s for another process's lock on a shared
        entry; then a sign-out's store calls go on without it. Not from a slot of this session.
    */
    bool waitUntilSettled(std::chrono::milliseconds timeout);
    //! Called by AuthNetworkAccessManager to report what it did; Replayed also counts a replay.
    void record(SilentAuth::Session::Event event, const QString &detail = {});

Q_SIGNALS:
    void statusChanged(SilentAuth::Session::Status status);
    void usernameChanged(const QString &username);
    void accessTokenExpiryChanged(const QDateTime &expiry);
    void refreshCountChanged(int count);
    void replayCountChanged(int count);
    void signedIn();
    void signedOut();
    void refreshFinished(bool succeeded);
    //! The requests held for a re-login may go out again (\a resumed) or must fail.
    void requestsReleased(bool resumed);
    void errorOccurred(SilentAuth::Session::Error error, const QString &message);
    //! Something happened to the session or one of its requests. \a detail is a path, a
    //! method or a reason, never a token.
    void activity(SilentAuth::Session::Event event, const QString &detail);

private:
    friend class AuthReply;
    friend class Internal::GrantCompletion;
    // A sign-in whose grant runs elsewhere (BrowserSignIn): it supersedes what is under way
    // and is superseded in turn; its tokens are taken only while its ticket is current
    // (otherwise they are revoked and false is returned).
    quint64 beginExternalSignIn();
    // \a key: the DPoP key the grant's proofs were signed with, if any.
    bool completeExternalSignIn(quint64 ticket, const TokenResponse &tokens,
                                const QString &identity, const QString &displayName,
                                const std::shared_ptr<Internal::DpopKey> &key = {});
    // DPoP, for a grant that runs elsewhere: a new key when DPoP is on, else null.
    std::shared_ptr<Internal::DpopKey> newProofKey() const;
    // DPoP: a proof signed with \a key (empty: no key) with the nonce \a url's origin gave.
    QByteArray proofWith(const Internal::DpopKey *key, const QByteArray &method, const QUrl &url,
                         const QByteArray &accessToken = {}) const;
    // DPoP: the proof for a request with the current access token; empty for a bearer token.
    QByteArray accessTokenProof(const QByteArray &method, const QUrl &url) const;
    // The Authorization header's value for the current access token, with or without a proof.
    QByteArray authorization(bool proof) const;
    // DPoP: remembers the reply's DPoP-Nonce for its origin; counts a resend for a nonce.
    void learnNonce(const QNetworkReply *reply);
    void countNonceResend();
    void abandonExternalSignIn(quint64 ticket);
    // A request is about to go out: when the token is due for renewal by the wall clock
    // (the proactive timer is late: the machine slept), a refresh starts and true says to
    // wait for it.
    bool refreshIfDue();
    // ... the same question, without starting anything.
    bool isRefreshDue() const;
    // What a 401 on a request sent with token generation \a sentGeneration calls for.
    // GiveUp: the caller gets the 401; Unreachable: the token cannot be renewed right now.
    enum class Healing { Replay, WaitForRefresh, WaitForRelease, GiveUp, Unreachable };
    Healing heal(int sentGeneration);
    // Offline, and the access token is known to be rejected (or there is none):
    // a request sent now would only collect a 401.
    bool tokenUnusable() const;
    // An authenticated request with \a generation got an answer other than 401.
    void proven(int generation);
    // Somebody listens to activity(): only then is a detail worth putting together.
    bool isObserved() const;

    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace SilentAuth
