#include "exporter/http/test_certs.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstdlib>

namespace vmbalance {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "test certificate: %s failed\n", what);
    std::abort();
  }
}

EVP_PKEY* ReadKey(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  Check(f != nullptr, "open CA key");
  EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  Check(key != nullptr, "read CA key");
  return key;
}

X509* ReadCert(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "r");
  Check(f != nullptr, "open CA cert");
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  Check(cert != nullptr, "read CA cert");
  return cert;
}

}  // namespace

void WriteTestCert(const std::string& dir, const std::string& name,
                   const std::string& ca) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  Check(key != nullptr, "key generation");
  X509* cert = X509_new();
  static long serial = 1;
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
  X509_set_pubkey(cert, key);
  X509_NAME* subject = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(
      subject, "CN", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
  EVP_PKEY* signer = key;
  X509* issuer = cert;
  if (ca != name) {
    signer = ReadKey(dir + "/" + ca + ".key");
    issuer = ReadCert(dir + "/" + ca + ".crt");
  }
  X509_set_issuer_name(cert, X509_get_subject_name(issuer));
  Check(X509_sign(cert, signer, EVP_sha256()) > 0, "signing");
  std::FILE* f = std::fopen((dir + "/" + name + ".key").c_str(), "w");
  Check(f && PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr,
                                  nullptr) == 1,
        "write key");
  std::fclose(f);
  f = std::fopen((dir + "/" + name + ".crt").c_str(), "w");
  Check(f && PEM_write_X509(f, cert) == 1, "write cert");
  std::fclose(f);
  if (ca != name) {
    EVP_PKEY_free(signer);
    X509_free(issuer);
  }
  X509_free(cert);
  EVP_PKEY_free(key);
}

}  // namespace vmbalance
