#include "tlsfiles.h"
#include "ownedssl.h"

#include <QtCore/QDateTime>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QSaveFile>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace SilentAuth::Mock {

namespace {

bool addExtension(X509 *certificate, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(nullptr, &context, nid, value);
    if (!extension)
        return false;
    const bool added = X509_add_ext(certificate, extension, -1) == 1;
    X509_EXTENSION_free(extension);
    return added;
}

Owned<X509> makeCertificate(EVP_PKEY *key, const char *commonName, long serial, long notBefore,
                            long notAfter, X509 *issuer, EVP_PKEY *issuerKey)
{
    Owned<X509> certificate(X509_new());
    if (!certificate || X509_set_version(certificate.get(), 2) != 1)
        return nullptr;
    ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), serial);
    X509_gmtime_adj(X509_getm_notBefore(certificate.get()), notBefore);
    X509_gmtime_adj(X509_getm_notAfter(certificate.get()), notAfter);
    X509_NAME *name = X509_get_subject_name(certificate.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char *>("SilentAuth mock server"),
                               -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char *>(commonName), -1, -1, 0);
    X509_set_issuer_name(certificate.get(), issuer ? X509_get_subject_name(issuer) : name);
    if (X509_set_pubkey(certificate.get(), key) != 1)
        return nullptr;
    X509 *signer = issuer ? issuer : certificate.get();
    const bool authority = !issuer;
    const bool extended = authority
        ? addExtension(certificate.get(), signer, NID_basic_constraints, "critical,CA:TRUE")
            && addExtension(certificate.get(), signer, NID_key_usage,
                            "critical,keyCertSign,cRLSign")
            && addExtension(certificate.get(), signer, NID_subject_key_identifier, "hash")
        : addExtension(certificate.get(), signer, NID_basic_constraints, "critical,CA:FALSE")
            && addExtension(certificate.get(), signer, NID_key_usage,
                            "critical,digitalSignature,keyEncipherment")
            && addExtension(certificate.get(), signer, NID_ext_key_usage, "serverAuth")
            && addExtension(certificate.get(), signer, NID_subject_alt_name,
                            "IP:127.0.0.1,IP:0:0:0:0:0:0:0:1,DNS:localhost")
            && addExtension(certificate.get(), signer, NID_authority_key_identifier,
                            "keyid:always");
    if (!extended || X509_sign(certificate.get(), issuerKey, EVP_sha256()) <= 0)
        return nullptr;
    return certificate;
}

QByteArray pem(X509 *certificate)
{
    Owned<BIO> bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), certificate);
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, size);
}

QByteArray pem(EVP_PKEY *key)
{
    Owned<BIO> bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    return QByteArray(data, size);
}

bool save(const QString &path, const QByteArray &content, bool secret, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    if (secret)
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(content);
    if (!file.commit()) {
        *error = QStringLiteral("Cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace

TlsFiles TlsFiles::in(const QString &dir)
{
    const QDir d(dir);
    return {d.filePath(QStringLiteral("ca.pem")), d.filePath(QStringLiteral("server.pem")),
            d.filePath(QStringLiteral("server-key.pem")),
            d.filePath(QStringLiteral("server-expired.pem"))};
}

bool TlsFiles::create(const QString &dir, QString *error)
{
    if (!QDir().mkpath(dir)) {
        *error = QStringLiteral("Cannot create %1").arg(dir);
        return false;
    }
    Owned<EVP_PKEY> caKey(EVP_EC_gen("P-256"));
    Owned<EVP_PKEY> serverKey(EVP_EC_gen("P-256"));
    if (!caKey || !serverKey) {
        *error = QStringLiteral("Cannot make EC keys");
        return false;
    }
    const long day = 24 * 3600;
    const long serial = long(QDateTime::currentSecsSinceEpoch() & 0x7fffffff);
    Owned<X509> ca = makeCertificate(caKey.get(), "SilentAuth mock server test CA", serial, -day,
                                     3650 * day, nullptr, caKey.get());
    Owned<X509> server = ca ? makeCertificate(serverKey.get(), "localhost", serial + 1, -3600,
                                              30 * day, ca.get(), caKey.get())
                            : nullptr;
    Owned<X509> expired = ca ? makeCertificate(serverKey.get(), "localhost", serial + 2, -30 * day,
                                               -day, ca.get(), caKey.get())
                             : nullptr;
    if (!ca || !server || !expired) {
        *error = QStringLiteral("Cannot make the certificates");
        return false;
    }
    const TlsFiles files = in(dir);
    return save(files.caCertificate, pem(ca.get()), false, error)
        && save(files.certificate, pem(server.get()), false, error)
        && save(files.key, pem(serverKey.get()), true, error)
        && save(files.expiredCertificate, pem(expired.get()), false, error);
}

} // namespace SilentAuth::Mock
