// WebConfig: the --web.config.file of every vmbalance binary, in the
// Prometheus exporter-toolkit format (YAML): TLS server settings, basic-auth
// users with bcrypt hashes, and extra response headers. LoadWebConfig reads
// and fully checks a file (unknown fields, unreadable or mismatched cert and
// key, bad hashes are errors), so a config it returns can be served as is.
#ifndef VMBALANCE_EXPORTER_HTTP_WEB_CONFIG_H_
#define VMBALANCE_EXPORTER_HTTP_WEB_CONFIG_H_

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "exporter/core/status.h"

namespace vmbalance {

// The toolkit's client_auth_type values (Go's tls.ClientAuthType).
enum class ClientAuth {
  kNoClientCert,
  kRequestClientCert,           // asked for, not required, not verified
  kRequireAnyClientCert,        // required, not verified
  kVerifyClientCertIfGiven,     // verified against client_ca_file if sent
  kRequireAndVerifyClientCert,  // required and verified
};

struct TlsServerConfig {
  std::string cert_file;  // PEM, may hold the chain; absolute paths
  std::string key_file;
  std::string client_ca_file;  // empty: none
  ClientAuth client_auth = ClientAuth::kNoClientCert;
  // OpenSSL protocol versions (TLS1_2_VERSION...). The toolkit's default
  // minimum is TLS 1.2; 0 as maximum: the highest OpenSSL offers (1.3).
  // With client certificates asked for, the default maximum is TLS 1.2
  // (kClientCertDefaultMaxVersion; see web_config.cc for why).
  int min_version = 0x0303;
  int max_version = 0;
  // OpenSSL names of the TLS <= 1.2 suites, from the toolkit's Go names;
  // empty: kDefaultCipherList. TLS 1.3 suites are OpenSSL's (all AEAD).
  std::vector<std::string> cipher_suites;
  bool prefer_server_cipher_suites = true;

  bool operator==(const TlsServerConfig& o) const;
  bool operator!=(const TlsServerConfig& o) const { return !(*this == o); }
};

inline constexpr int kClientCertDefaultMaxVersion = 0x0303;

// ECDHE key exchange (forward secrecy) with AEAD ciphers only: what
// Mozilla's "intermediate" profile allows for TLS 1.2, without DHE.
extern const char kDefaultCipherList[];

struct WebConfig {
  std::optional<TlsServerConfig> tls;        // unset: plain HTTP
  std::map<std::string, std::string> users;  // user -> bcrypt hash
  std::vector<std::pair<std::string, std::string>> headers;

  bool operator==(const WebConfig& o) const {
    return tls == o.tls && users == o.users && headers == o.headers;
  }
};

// Parses the YAML text; relative file paths are taken from `base_dir` (the
// file's directory, as the toolkit does). Checks the structure, names and
// values, not the files named.
StatusOr<WebConfig> ParseWebConfig(const std::string& yaml,
                                   const std::string& base_dir);

// Reads `path`, parses it, and checks what it names: cert and key readable
// and matching, the CA file readable (see CheckTlsServerConfig).
StatusOr<WebConfig> LoadWebConfig(const std::string& path);

// The toolkit's Go cipher-suite name -> OpenSSL's name, or "" if unknown.
std::string OpensslCipherName(const std::string& go_name);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_HTTP_WEB_CONFIG_H_
