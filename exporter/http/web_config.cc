#include "exporter/http/web_config.h"

#include <yaml.h>

#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "exporter/http/bcrypt.h"
#include "exporter/http/tls_context.h"

namespace vmbalance {

const char kDefaultCipherList[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

bool TlsServerConfig::operator==(const TlsServerConfig& o) const {
  return cert_file == o.cert_file && key_file == o.key_file &&
         client_ca_file == o.client_ca_file && client_auth == o.client_auth &&
         min_version == o.min_version && max_version == o.max_version &&
         cipher_suites == o.cipher_suites &&
         prefer_server_cipher_suites == o.prefer_server_cipher_suites;
}

namespace {

// Go's crypto/tls names (what the toolkit accepts) and OpenSSL's, for the
// TLS <= 1.2 suites both offer. Go's TLS 1.3 suites are not configurable.
const std::map<std::string, std::string>& CipherNames() {
  static const auto* names = new std::map<std::string, std::string>{
      {"TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"},
      {"TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"},
      {"TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256"},
      {"TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384"},
      {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA"},
      {"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA"},
      {"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA"},
      {"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA"},
      {"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256"},
      {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
       "ECDHE-ECDSA-AES128-GCM-SHA256"},
      {"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"},
      {"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
       "ECDHE-ECDSA-AES256-GCM-SHA384"},
      {"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
       "ECDHE-RSA-CHACHA20-POLY1305"},
      {"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
       "ECDHE-ECDSA-CHACHA20-POLY1305"},
  };
  return *names;
}

// The headers the toolkit lets an operator set, with their allowed values
// (empty: any). Others could break the exposition (Content-Type) or auth.
const std::map<std::string, std::vector<std::string>>& AllowedHeaders() {
  static const auto* headers =
      new std::map<std::string, std::vector<std::string>>{
          {"Strict-Transport-Security", {}},
          {"X-Content-Type-Options", {"nosniff"}},
          {"X-Frame-Options", {"deny", "sameorigin"}},
          {"X-XSS-Protection", {}},
          {"Content-Security-Policy", {}},
      };
  return *headers;
}

// A loaded YAML document; nodes are looked up through it.
class Yaml {
 public:
  Yaml() { std::memset(&doc_, 0, sizeof(doc_)); }
  ~Yaml() {
    if (loaded_) yaml_document_delete(&doc_);
  }
  Status Load(const std::string& text) {
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) return Status::Error("out of memory");
    yaml_parser_set_input_string(
        &parser, reinterpret_cast<const unsigned char*>(text.data()),
        text.size());
    const bool ok = yaml_parser_load(&parser, &doc_);
    Status status;
    if (!ok) {
      status = Status::Error(
          "YAML error at line " + std::to_string(parser.problem_mark.line + 1) +
          ": " + (parser.problem ? parser.problem : "unknown problem"));
    }
    yaml_parser_delete(&parser);
    loaded_ = ok;
    return status;
  }
  yaml_node_t* Root() { return yaml_document_get_root_node(&doc_); }
  yaml_node_t* Node(int index) { return yaml_document_get_node(&doc_, index); }

 private:
  yaml_document_t doc_;
  bool loaded_ = false;
};

std::string Scalar(const yaml_node_t* node) {
  return std::string(reinterpret_cast<const char*>(node->data.scalar.value),
                     node->data.scalar.length);
}

bool IsNull(const yaml_node_t* node) {
  if (node == nullptr) return true;
  if (node->type != YAML_SCALAR_NODE ||
      node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
    return false;
  }
  const std::string v = Scalar(node);
  return v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL";
}

// Visits a mapping's entries as (key, value); an error stops the walk.
template <typename Visit>
Status ForEachEntry(Yaml* yaml, yaml_node_t* node, const std::string& where,
                    Visit visit) {
  if (IsNull(node)) return Status::Ok();
  if (node->type != YAML_MAPPING_NODE) {
    return Status::Error(where + " must be a mapping");
  }
  std::set<std::string> seen;
  for (yaml_node_pair_t* pair = node->data.mapping.pairs.start;
       pair < node->data.mapping.pairs.top; ++pair) {
    yaml_node_t* key = yaml->Node(pair->key);
    if (key == nullptr || key->type != YAML_SCALAR_NODE) {
      return Status::Error(where + ": keys must be plain strings");
    }
    const std::string name = Scalar(key);
    if (!seen.insert(name).second) {
      return Status::Error(where + ": '" + name + "' given twice");
    }
    Status s = visit(name, yaml->Node(pair->value));
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

StatusOr<std::string> StringValue(const yaml_node_t* node,
                                  const std::string& where) {
  if (IsNull(node)) return std::string();
  if (node->type != YAML_SCALAR_NODE) {
    return Status::Error(where + " must be a string");
  }
  return Scalar(node);
}

std::string Resolve(const std::string& path, const std::string& base_dir) {
  if (path.empty() || path.front() == '/' || base_dir.empty()) return path;
  return base_dir + "/" + path;
}

StatusOr<int> TlsVersion(const std::string& name, const std::string& where) {
  static const std::map<std::string, int> versions = {{"TLS10", 0x0301},
                                                      {"TLS11", 0x0302},
                                                      {"TLS12", 0x0303},
                                                      {"TLS13", 0x0304}};
  auto it = versions.find(name);
  if (it == versions.end()) {
    return Status::Error(where + ": unknown TLS version '" + name +
                         "' (TLS10, TLS11, TLS12 or TLS13)");
  }
  return it->second;
}

StatusOr<ClientAuth> ClientAuthType(const std::string& name) {
  static const std::map<std::string, ClientAuth> types = {
      {"", ClientAuth::kNoClientCert},
      {"NoClientCert", ClientAuth::kNoClientCert},
      {"RequestClientCert", ClientAuth::kRequestClientCert},
      {"RequireAnyClientCert", ClientAuth::kRequireAnyClientCert},
      {"VerifyClientCertIfGiven", ClientAuth::kVerifyClientCertIfGiven},
      {"RequireAndVerifyClientCert", ClientAuth::kRequireAndVerifyClientCert}};
  auto it = types.find(name);
  if (it == types.end()) {
    return Status::Error(
        "tls_server_config.client_auth_type: unknown '" + name +
        "' (NoClientCert, RequestClientCert, RequireAnyClientCert, "
        "VerifyClientCertIfGiven, RequireAndVerifyClientCert)");
  }
  return it->second;
}

Status ParseCipherSuites(Yaml* yaml, yaml_node_t* node, TlsServerConfig* tls) {
  const std::string where = "tls_server_config.cipher_suites";
  if (IsNull(node)) return Status::Ok();
  if (node->type != YAML_SEQUENCE_NODE) {
    return Status::Error(where + " must be a list");
  }
  for (yaml_node_item_t* item = node->data.sequence.items.start;
       item < node->data.sequence.items.top; ++item) {
    StatusOr<std::string> name = StringValue(yaml->Node(*item), where);
    if (!name.ok()) return name.status();
    const std::string openssl = OpensslCipherName(*name);
    if (openssl.empty()) {
      return Status::Error(where + ": unknown or unsupported suite '" + *name +
                           "' (use Go's names, e.g. "
                           "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)");
    }
    tls->cipher_suites.push_back(openssl);
  }
  return Status::Ok();
}

StatusOr<std::optional<TlsServerConfig>> ParseTls(Yaml* yaml, yaml_node_t* node,
                                                  const std::string& base_dir) {
  TlsServerConfig tls;
  std::string auth_type, min_version, max_version;
  Status s = ForEachEntry(
      yaml, node, "tls_server_config",
      [&](const std::string& key, yaml_node_t* value) -> Status {
        const std::string where = "tls_server_config." + key;
        std::string* target = nullptr;
        if (key == "cert_file") target = &tls.cert_file;
        if (key == "key_file") target = &tls.key_file;
        if (key == "client_ca_file") target = &tls.client_ca_file;
        if (key == "client_auth_type") target = &auth_type;
        if (key == "min_version") target = &min_version;
        if (key == "max_version") target = &max_version;
        if (key == "cipher_suites") return ParseCipherSuites(yaml, value, &tls);
        if (key == "prefer_server_cipher_suites") {
          StatusOr<std::string> v = StringValue(value, where);
          if (!v.ok()) return v.status();
          if (*v != "true" && *v != "false" && !v->empty()) {
            return Status::Error(where + " must be true or false");
          }
          tls.prefer_server_cipher_suites = *v != "false";
          return Status::Ok();
        }
        if (key == "cert" || key == "key" || key == "client_ca" ||
            key == "curve_preferences" || key == "client_allowed_sans") {
          return Status::Error(where + " is not supported by vmbalance");
        }
        if (target == nullptr) {
          return Status::Error("unknown field " + where);
        }
        StatusOr<std::string> v = StringValue(value, where);
        if (!v.ok()) return v.status();
        *target = *v;
        return Status::Ok();
      });
  if (!s.ok()) return s;
  if (tls.cert_file.empty() && tls.key_file.empty() &&
      tls.client_ca_file.empty() && auth_type.empty()) {
    return std::optional<TlsServerConfig>();  // plain HTTP
  }
  if (tls.cert_file.empty()) {
    return Status::Error("tls_server_config: missing cert_file");
  }
  if (tls.key_file.empty()) {
    return Status::Error("tls_server_config: missing key_file");
  }
  StatusOr<ClientAuth> auth = ClientAuthType(auth_type);
  if (!auth.ok()) return auth.status();
  tls.client_auth = *auth;
  const bool verifies =
      tls.client_auth == ClientAuth::kVerifyClientCertIfGiven ||
      tls.client_auth == ClientAuth::kRequireAndVerifyClientCert;
  if (verifies && tls.client_ca_file.empty()) {
    return Status::Error("tls_server_config: client_auth_type " + auth_type +
                         " needs client_ca_file");
  }
  if (!tls.client_ca_file.empty() && !verifies) {
    return Status::Error(
        "tls_server_config: client_ca_file is set but client_auth_type does "
        "not verify client certificates (use VerifyClientCertIfGiven or "
        "RequireAndVerifyClientCert)");
  }
  if (!min_version.empty()) {
    StatusOr<int> v = TlsVersion(min_version, "tls_server_config.min_version");
    if (!v.ok()) return v.status();
    tls.min_version = *v;
  }
  if (!max_version.empty()) {
    StatusOr<int> v = TlsVersion(max_version, "tls_server_config.max_version");
    if (!v.ok()) return v.status();
    tls.max_version = *v;
    if (tls.max_version < tls.min_version) {
      return Status::Error(
          "tls_server_config: max_version is below min_version");
    }
  }
  if (tls.client_auth != ClientAuth::kNoClientCert && max_version.empty() &&
      tls.min_version <= kClientCertDefaultMaxVersion) {
    // Prometheus 2.42 (Go 1.19) fails TLS 1.3 handshakes that carry a
    // client certificate with this civetweb ("tls: unexpected message";
    // curl succeeds): such configs stay at TLS 1.2 unless max_version says.
    tls.max_version = kClientCertDefaultMaxVersion;
  }
  tls.cert_file = Resolve(tls.cert_file, base_dir);
  tls.key_file = Resolve(tls.key_file, base_dir);
  tls.client_ca_file = Resolve(tls.client_ca_file, base_dir);
  return std::optional<TlsServerConfig>(tls);
}

Status ParseUsers(Yaml* yaml, yaml_node_t* node, WebConfig* config) {
  return ForEachEntry(
      yaml, node, "basic_auth_users",
      [&](const std::string& user, yaml_node_t* value) -> Status {
        const std::string where = "basic_auth_users." + user;
        if (user.empty() || user.find(':') != std::string::npos) {
          return Status::Error("basic_auth_users: user name '" + user +
                               "' must be non-empty and without ':'");
        }
        StatusOr<std::string> hash = StringValue(value, where);
        if (!hash.ok()) return hash.status();
        Status valid = CheckBcryptHash(*hash);
        if (!valid.ok()) return Status::Error(where + ": " + valid.message());
        config->users[user] = *hash;
        return Status::Ok();
      });
}

Status ParseHeaders(Yaml* yaml, yaml_node_t* node, WebConfig* config) {
  return ForEachEntry(
      yaml, node, "http_server_config.headers",
      [&](const std::string& name, yaml_node_t* value) -> Status {
        auto allowed = AllowedHeaders().find(name);
        if (allowed == AllowedHeaders().end()) {
          return Status::Error("http_server_config.headers: header '" + name +
                               "' can not be configured (allowed: "
                               "Strict-Transport-Security, "
                               "X-Content-Type-Options, X-Frame-Options, "
                               "X-XSS-Protection, Content-Security-Policy)");
        }
        StatusOr<std::string> v =
            StringValue(value, "http_server_config.headers." + name);
        if (!v.ok()) return v.status();
        if (v->find_first_of("\r\n") != std::string::npos) {
          return Status::Error("http_server_config.headers." + name +
                               ": value has a line break");
        }
        const std::vector<std::string>& values = allowed->second;
        bool ok = values.empty();
        for (const std::string& a : values) ok = ok || a == *v;
        if (!ok) {
          std::string list;
          for (const std::string& a : values)
            list += (list.empty() ? "" : ", ") + a;
          return Status::Error("http_server_config.headers." + name + ": '" +
                               *v + "' is not one of " + list);
        }
        config->headers.emplace_back(name, *v);
        return Status::Ok();
      });
}

Status ParseHttp(Yaml* yaml, yaml_node_t* node, WebConfig* config) {
  return ForEachEntry(
      yaml, node, "http_server_config",
      [&](const std::string& key, yaml_node_t* value) -> Status {
        if (key == "headers") return ParseHeaders(yaml, value, config);
        if (key == "http2") {
          // Accepted for compatibility: vmbalance serves HTTP/1.1 either way.
          StatusOr<std::string> v =
              StringValue(value, "http_server_config.http2");
          if (!v.ok()) return v.status();
          if (*v != "true" && *v != "false" && !v->empty()) {
            return Status::Error(
                "http_server_config.http2 must be true or false");
          }
          return Status::Ok();
        }
        return Status::Error("unknown field http_server_config." + key);
      });
}

}  // namespace

std::string OpensslCipherName(const std::string& go_name) {
  auto it = CipherNames().find(go_name);
  return it == CipherNames().end() ? "" : it->second;
}

StatusOr<WebConfig> ParseWebConfig(const std::string& text,
                                   const std::string& base_dir) {
  Yaml yaml;
  Status loaded = yaml.Load(text);
  if (!loaded.ok()) return loaded;
  WebConfig config;
  yaml_node_t* root = yaml.Root();
  if (root == nullptr) return config;  // an empty file: plain, open HTTP
  Status s = ForEachEntry(
      &yaml, root, "the web config",
      [&](const std::string& key, yaml_node_t* value) -> Status {
        if (key == "tls_server_config") {
          StatusOr<std::optional<TlsServerConfig>> tls =
              ParseTls(&yaml, value, base_dir);
          if (!tls.ok()) return tls.status();
          config.tls = *tls;
          return Status::Ok();
        }
        if (key == "basic_auth_users") return ParseUsers(&yaml, value, &config);
        if (key == "http_server_config")
          return ParseHttp(&yaml, value, &config);
        return Status::Error("unknown field '" + key +
                             "' (expected tls_server_config, "
                             "http_server_config, basic_auth_users)");
      });
  if (!s.ok()) return s;
  return config;
}

StatusOr<WebConfig> LoadWebConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return Status::Error("cannot read web config " + path + ": " +
                         std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  const size_t slash = path.rfind('/');
  const std::string dir =
      slash == std::string::npos ? "." : path.substr(0, slash);
  StatusOr<WebConfig> config =
      ParseWebConfig(text.str(), slash == 0 ? "/" : dir);
  if (!config.ok()) {
    return Status::Error("web config " + path + ": " +
                         config.status().message());
  }
  if (config->tls) {
    Status tls = CheckTlsServerConfig(*config->tls);
    if (!tls.ok())
      return Status::Error("web config " + path + ": " + tls.message());
  }
  return config;
}

}  // namespace vmbalance
