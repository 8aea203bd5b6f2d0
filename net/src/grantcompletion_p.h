#pragma once

#include <silentauth/authprotocol.h>
#include <silentauth/providermetadata.h>

#include "idtoken_p.h"

#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtNetwork/QNetworkAccessManager>

#include <functional>
#include <memory>

namespace SilentAuth {

class OAuth2Protocol;
class Session;

namespace Internal {

class DpopKey;

/*
    The end that every sign-in through a provider shares (browser, device):
    token requests sent bounded and without redirects, the Session's sign-in
    ticket, the ID token checked against the provider's published keys (kept
    across attempts, fetched again once for an unknown kid), and the tokens
    handed to the Session, which says when it is signed in. The name shown
    is the ID token's preferred_username or name, else the userinfo
    endpoint's (OpenID Connect Core §5.3, used only when its sub is the ID
    token's).

    Tokens issued for an attempt that ends before the Session took them are
    revoked, never left live at the provider.
*/
class GrantCompletion : public QObject
{
    Q_OBJECT

public:
    enum class Failure {
        Superseded, //!< a sign-out or another sign-in came first
        SignInFailed, //!< the Session could not take the tokens
        IdTokenInvalid,
    };

    GrantCompletion(Session *session, const ProviderMetadata &provider, QObject *parent);
    ~GrantCompletion() override;

    Session *session() const { return m_session; }
    //! The Session's protocol when it is an OAuth2Protocol; else nullptr.
    const OAuth2Protocol *protocol() const;
    QString clientId() const;

    //! Posts a token request with a 30 s bound and a 1 MiB cap, no redirect followed.
    //! nullptr, with *refusal, when it would carry a secret over plain http.
    QNetworkReply *post(const AuthProtocol::Request &request, QString *refusal);
    //! A token request, as post() sends it; when the Session uses DPoP, with a proof by this
    //! grant's key, and a use_dpop_nonce answer is answered once with the server's nonce.
    //! \a done gets the last reply (in \a context). False, with *refusal, as post().
    bool postToken(const AuthProtocol::Request &request, QString *refusal, QObject *context,
                   std::function<void(QNetworkReply *)> done, bool resent = false);
    //! The answer to post(), read by the Session's protocol; a reply cut short
    //! (too large, too slow) is Transient with a message that says so.
    AuthProtocol::Outcome read(QNetworkReply *reply) const;
    //! An answer nobody waits for any more: tokens it carries are revoked.
    void discard(QNetworkReply *reply) const;

    //! From here the Session is signing in: a sign-out or another sign-in supersedes this one.
    void begin();
    //! Checks the ID token when \a openId (against \a nonce when not empty) and hands the
    //! tokens to the Session. signedIn() or failed() follows.
    void complete(const TokenResponse &tokens, bool openId, const QByteArray &nonce);
    //! Ends what is under way: a begun sign-in is abandoned, tokens not yet with the
    //! Session are revoked, a key fetch is stopped. No signal follows.
    void stop();
    bool isBegun() const { return m_begun; }

Q_SIGNALS:
    void signedIn();
    void failed(SilentAuth::Internal::GrantCompletion::Failure failure, const QString &message);

private:
    void verifyIdToken(bool refetched);
    void fetchKeys();
    void fetchProfile(const QString &subject);
    void adopt(const QString &subject, const QString &name);
    void disconnectSession();

    QPointer<Session> m_session;
    ProviderMetadata m_provider;
    // Lives with the Session: token requests still under way when this
    // object goes are finished there, and what they bring is revoked.
    QPointer<QNetworkAccessManager> m_network;
    QList<QPointer<QNetworkReply>> m_tokenReplies;
    QList<Jwk> m_keys;
    QPointer<QNetworkReply> m_pending; // the key set or the userinfo
    QList<QMetaObject::Connection> m_sessionWatch;
    QString m_lastSessionError;
    TokenResponse m_tokens; // until the ID token is checked
    std::shared_ptr<DpopKey> m_key; // DPoP: the key this grant's proofs are signed with
    QByteArray m_nonce;
    quint64 m_ticket = 0;
    bool m_begun = false;
    bool m_adopted = false;
};

} // namespace Internal
} // namespace SilentAuth
