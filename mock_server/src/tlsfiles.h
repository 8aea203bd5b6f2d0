#pragma once

#include <QtCore/QString>

namespace SilentAuth::Mock {

// What --tls-self-signed makes: a certificate authority of its own and a
// server certificate it signed for 127.0.0.1, ::1 and localhost, as PEM
// files in one directory. Clients trust ca.pem; the server presents
// server.pem with server-key.pem.
struct TlsFiles
{
    QString caCertificate; // DIR/ca.pem
    QString certificate; // DIR/server.pem
    QString key; // DIR/server-key.pem
    QString expiredCertificate; // DIR/server-expired.pem: the same, expired a day ago

    static TlsFiles in(const QString &dir);
    // Makes the four files: EC P-256 keys, SHA-256 signatures, the CA valid
    // for ten years, the server certificate for 30 days from an hour ago.
    // False, with *error, when it could not. The CA's key is not kept.
    static bool create(const QString &dir, QString *error);
};

} // namespace SilentAuth::Mock
