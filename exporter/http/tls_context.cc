#include "exporter/http/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace vmbalance {
namespace {

// Sessions resumed under client-certificate checks need an id context.
constexpr unsigned char kSessionIdContext[] = "vmbalance";

// OpenSSL's queued errors as one line (and clears the queue).
std::string OpensslErrors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    text += (text.empty() ? "" : "; ") + std::string(buffer);
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

Status Readable(const std::string& path, const std::string& what) {
  std::FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) {
    return Status::Error("cannot read " + what + " " + path + ": " +
                         std::strerror(errno));
  }
  std::fclose(file);
  return Status::Ok();
}

// Client certificates asked for but not verified (RequestClientCert,
// RequireAnyClientCert): any certificate is accepted, as Go does.
int AcceptAnyCertificate(int, X509_STORE_CTX*) { return 1; }

Status ConfigureClientAuth(SSL_CTX* ctx, const TlsServerConfig& tls) {
  switch (tls.client_auth) {
    case ClientAuth::kNoClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
      return Status::Ok();
    case ClientAuth::kRequestClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, &AcceptAnyCertificate);
      return Status::Ok();
    case ClientAuth::kRequireAnyClientCert:
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                         &AcceptAnyCertificate);
      return Status::Ok();
    case ClientAuth::kVerifyClientCertIfGiven:
    case ClientAuth::kRequireAndVerifyClientCert:
      break;
  }
  if (Status s = Readable(tls.client_ca_file, "client_ca_file"); !s.ok()) {
    return s;
  }
  if (SSL_CTX_load_verify_locations(ctx, tls.client_ca_file.c_str(), nullptr) !=
      1) {
    return Status::Error("client_ca_file " + tls.client_ca_file + ": " +
                         OpensslErrors());
  }
  // The CA names go out in the certificate request, so clients pick theirs.
  STACK_OF(X509_NAME)* names =
      SSL_load_client_CA_file(tls.client_ca_file.c_str());
  if (names == nullptr) {
    return Status::Error("client_ca_file " + tls.client_ca_file +
                         " holds no certificate");
  }
  SSL_CTX_set_client_CA_list(ctx, names);
  int mode = SSL_VERIFY_PEER;
  if (tls.client_auth == ClientAuth::kRequireAndVerifyClientCert) {
    mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  }
  SSL_CTX_set_verify(ctx, mode, nullptr);
  return Status::Ok();
}

}  // namespace

Status ConfigureTls(void* ssl_ctx, const TlsServerConfig& tls) {
  SSL_CTX* ctx = static_cast<SSL_CTX*>(ssl_ctx);
  ERR_clear_error();
  if (SSL_CTX_set_min_proto_version(ctx, tls.min_version) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, tls.max_version) != 1) {
    return Status::Error("TLS versions: " + OpensslErrors());
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION);
  if (tls.prefer_server_cipher_suites) {
    SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  } else {
    SSL_CTX_clear_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
  }
  std::string ciphers;
  for (const std::string& c : tls.cipher_suites) {
    ciphers += (ciphers.empty() ? "" : ":") + c;
  }
  if (ciphers.empty()) ciphers = kDefaultCipherList;
  if (SSL_CTX_set_cipher_list(ctx, ciphers.c_str()) != 1) {
    return Status::Error("cipher_suites: " + OpensslErrors());
  }
  if (Status s = Readable(tls.cert_file, "cert_file"); !s.ok()) return s;
  if (Status s = Readable(tls.key_file, "key_file"); !s.ok()) return s;
  if (SSL_CTX_use_certificate_chain_file(ctx, tls.cert_file.c_str()) != 1) {
    return Status::Error("cert_file " + tls.cert_file + ": " + OpensslErrors());
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, tls.key_file.c_str(),
                                  SSL_FILETYPE_PEM) != 1) {
    // A key of another certificate fails here ("key values mismatch").
    return Status::Error("key_file " + tls.key_file + " (for cert_file " +
                         tls.cert_file + "): " + OpensslErrors());
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return Status::Error("key_file " + tls.key_file +
                         " does not match cert_file " + tls.cert_file);
  }
  SSL_CTX_set_session_id_context(ctx, kSessionIdContext,
                                 sizeof(kSessionIdContext) - 1);
  return ConfigureClientAuth(ctx, tls);
}

Status CheckTlsServerConfig(const TlsServerConfig& tls) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(
      SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
  if (ctx == nullptr) return Status::Error("TLS: " + OpensslErrors());
  return ConfigureTls(ctx.get(), tls);
}

}  // namespace vmbalance
