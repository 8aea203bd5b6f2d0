#pragma once

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <memory>

namespace SilentAuth::Mock {

// OpenSSL objects owned the C++ way: Owned<EVP_PKEY> frees with
// EVP_PKEY_free, and so on for every type the server's code holds.
struct OpenSslFree
{
    void operator()(EVP_PKEY *p) const { EVP_PKEY_free(p); }
    void operator()(EVP_PKEY_CTX *p) const { EVP_PKEY_CTX_free(p); }
    void operator()(EVP_MD_CTX *p) const { EVP_MD_CTX_free(p); }
    void operator()(BIGNUM *p) const { BN_free(p); }
    void operator()(ECDSA_SIG *p) const { ECDSA_SIG_free(p); }
    void operator()(OSSL_PARAM_BLD *p) const { OSSL_PARAM_BLD_free(p); }
    void operator()(OSSL_PARAM *p) const { OSSL_PARAM_free(p); }
    void operator()(X509 *p) const { X509_free(p); }
    void operator()(X509_NAME *p) const { X509_NAME_free(p); }
    void operator()(BIO *p) const { BIO_free(p); }
};
template<typename T> using Owned = std::unique_ptr<T, OpenSslFree>;

} // namespace SilentAuth::Mock
