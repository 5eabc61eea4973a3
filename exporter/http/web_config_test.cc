#include "exporter/http/web_config.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "exporter/http/test_certs.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vmbalance {
namespace {

using ::testing::HasSubstr;

// htpasswd -bnBC 5 alice wonderland
constexpr char kAliceHash[] =
    "$2y$05$NuUdxVOgiOIQqD8nSsCI6e6h.dy.2xaPaYrYsNFHHrEfpNBrmEcOu";

std::string ErrorOf(const std::string& yaml) {
  StatusOr<WebConfig> config = ParseWebConfig(yaml, "/etc/vmbalance");
  return config.ok() ? "(parsed)" : config.status().message();
}

TEST(ParseWebConfigTest, EmptyFileIsPlainOpenHttp) {
  for (const char* text : {"", "---\n", "# nothing\n"}) {
    StatusOr<WebConfig> config = ParseWebConfig(text, "/x");
    ASSERT_TRUE(config.ok()) << config.status().message();
    EXPECT_FALSE(config->tls);
    EXPECT_TRUE(config->users.empty());
    EXPECT_TRUE(config->headers.empty());
  }
}

TEST(ParseWebConfigTest, ReadsTheToolkitFormat) {
  StatusOr<WebConfig> config = ParseWebConfig(
      std::string("tls_server_config:\n"
                  "  cert_file: server.crt\n"
                  "  key_file: /keys/server.key\n"
                  "  client_auth_type: RequireAndVerifyClientCert\n"
                  "  client_ca_file: ca.crt\n"
                  "  min_version: TLS13\n"
                  "  cipher_suites:\n"
                  "    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\n"
                  "  prefer_server_cipher_suites: false\n"
                  "http_server_config:\n"
                  "  http2: true\n"
                  "  headers:\n"
                  "    X-Frame-Options: deny\n"
                  "    Strict-Transport-Security: max-age=31536000\n"
                  "basic_auth_users:\n"
                  "  alice: ") +
          kAliceHash + "\n",
      "/etc/vmbalance");
  ASSERT_TRUE(config.ok()) << config.status().message();
  ASSERT_TRUE(config->tls);
  EXPECT_EQ(config->tls->cert_file, "/etc/vmbalance/server.crt");
  EXPECT_EQ(config->tls->key_file, "/keys/server.key");
  EXPECT_EQ(config->tls->client_ca_file, "/etc/vmbalance/ca.crt");
  EXPECT_EQ(config->tls->client_auth, ClientAuth::kRequireAndVerifyClientCert);
  EXPECT_EQ(config->tls->min_version, 0x0304);
  EXPECT_EQ(config->tls->max_version, 0);  // min TLS13 asked for: no cap
  EXPECT_EQ(config->tls->cipher_suites,
            std::vector<std::string>{"ECDHE-RSA-AES128-GCM-SHA256"});
  EXPECT_FALSE(config->tls->prefer_server_cipher_suites);
  EXPECT_EQ(config->users.at("alice"), kAliceHash);
  ASSERT_EQ(config->headers.size(), 2u);
  EXPECT_EQ(config->headers[0].first, "X-Frame-Options");
  EXPECT_EQ(config->headers[0].second, "deny");
}

TEST(ParseWebConfigTest, TlsDefaultsToTls12AndNoClientCert) {
  StatusOr<WebConfig> config = ParseWebConfig(
      "tls_server_config:\n  cert_file: a\n  key_file: b\n", "/d");
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->tls->min_version, 0x0303);
  EXPECT_EQ(config->tls->client_auth, ClientAuth::kNoClientCert);
  EXPECT_TRUE(config->tls->cipher_suites.empty());  // kDefaultCipherList
}

TEST(ParseWebConfigTest, ClientCertificatesStayAtTls12UnlessAsked) {
  const std::string base =
      "tls_server_config:\n  cert_file: a\n  key_file: b\n"
      "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: c\n";
  StatusOr<WebConfig> capped = ParseWebConfig(base, "/d");
  ASSERT_TRUE(capped.ok()) << capped.status().message();
  EXPECT_EQ(capped->tls->max_version, 0x0303);
  StatusOr<WebConfig> asked =
      ParseWebConfig(base + "  max_version: TLS13\n", "/d");
  ASSERT_TRUE(asked.ok()) << asked.status().message();
  EXPECT_EQ(asked->tls->max_version, 0x0304);
}

TEST(ParseWebConfigTest, EachMistakeIsNamed) {
  const std::string tls = "tls_server_config:\n  cert_file: a\n  key_file: b\n";
  struct Case {
    std::string yaml;
    std::string why;
  };
  for (const Case& c : std::vector<Case>{
           {"tls_server_config: [\n", "YAML error at line"},
           {"- a\n- b\n", "must be a mapping"},
           {"tls_config:\n  cert_file: a\n", "unknown field 'tls_config'"},
           {tls + "  cert_flie: x\n",
            "unknown field tls_server_config.cert_flie"},
           {tls + "  client_auth_type: RequireClientCert\n",
            "client_auth_type: unknown 'RequireClientCert'"},
           {tls + "  client_auth_type: RequireAndVerifyClientCert\n",
            "needs client_ca_file"},
           {tls + "  client_ca_file: ca\n", "does not verify"},
           {"tls_server_config:\n  key_file: b\n", "missing cert_file"},
           {"tls_server_config:\n  cert_file: a\n", "missing key_file"},
           {tls + "  min_version: TLS1.2\n", "unknown TLS version 'TLS1.2'"},
           {tls + "  min_version: TLS13\n  max_version: TLS12\n",
            "max_version is below min_version"},
           {tls + "  cipher_suites: [TLS_RSA_WITH_RC4_128_SHA]\n",
            "unsupported suite 'TLS_RSA_WITH_RC4_128_SHA'"},
           {tls + "  cert: inline\n", "not supported"},
           {tls + "  cert_file: again\n", "given twice"},
           {"basic_auth_users:\n  alice: secret\n",
            "basic_auth_users.alice: not a bcrypt hash"},
           {"basic_auth_users:\n  alice: $2y$05$short\n", "expected 60"},
           {"basic_auth_users:\n  'a:b': " + std::string(kAliceHash) + "\n",
            "without ':'"},
           {"basic_auth_users: [alice]\n", "must be a mapping"},
           {"http_server_config:\n  headers:\n    Content-Type: text/html\n",
            "'Content-Type' can not be configured"},
           {"http_server_config:\n  headers:\n    Server: x\n",
            "can not be configured"},
           {"http_server_config:\n  headers:\n    X-Frame-Options: allow\n",
            "not one of deny, sameorigin"},
           {"http_server_config:\n  headers:\n    X-XSS-Protection: "
            "\"1\\r\\nX: y\"\n",
            "line break"},
           {"http_server_config:\n  http3: true\n",
            "unknown field http_server_config.http3"},
       }) {
    EXPECT_THAT(ErrorOf(c.yaml), HasSubstr(c.why)) << c.yaml;
  }
}

TEST(OpensslCipherNameTest, MapsGoNames) {
  EXPECT_EQ(OpensslCipherName("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"),
            "ECDHE-ECDSA-CHACHA20-POLY1305");
  EXPECT_EQ(OpensslCipherName("TLS_AES_128_GCM_SHA256"), "");
}

// LoadWebConfig checks what the file names.
class LoadWebConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/web_config_test.XXXXXX";
    dir_ = mkdtemp(pattern);
    WriteTestCert(dir_, "ca", "ca");
    WriteTestCert(dir_, "server", "ca");
    WriteTestCert(dir_, "other", "ca");
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string Write(const std::string& text) {
    const std::string path = dir_ + "/web.yml";
    std::ofstream(path) << text;
    return path;
  }
  std::string LoadError(const std::string& text) {
    StatusOr<WebConfig> config = LoadWebConfig(Write(text));
    return config.ok() ? "(loaded)" : config.status().message();
  }
  std::string dir_;
};

TEST_F(LoadWebConfigTest, LoadsAGoodFileWithPathsBesideIt) {
  StatusOr<WebConfig> config =
      LoadWebConfig(Write("tls_server_config:\n  cert_file: server.crt\n"
                          "  key_file: server.key\n"
                          "  client_auth_type: VerifyClientCertIfGiven\n"
                          "  client_ca_file: ca.crt\n"));
  ASSERT_TRUE(config.ok()) << config.status().message();
  EXPECT_EQ(config->tls->cert_file, dir_ + "/server.crt");
}

TEST_F(LoadWebConfigTest, BadFilesAreErrors) {
  EXPECT_THAT(LoadError("tls_server_config:\n  cert_file: missing.crt\n"
                        "  key_file: server.key\n"),
              HasSubstr("cannot read cert_file " + dir_ + "/missing.crt"));
  EXPECT_THAT(LoadError("tls_server_config:\n  cert_file: server.crt\n"
                        "  key_file: nokey.key\n"),
              HasSubstr("cannot read key_file"));
  std::ofstream(dir_ + "/garbage.key") << "not a key\n";
  EXPECT_THAT(LoadError("tls_server_config:\n  cert_file: server.crt\n"
                        "  key_file: garbage.key\n"),
              HasSubstr("key_file " + dir_ + "/garbage.key"));
  EXPECT_THAT(LoadError("tls_server_config:\n  cert_file: server.crt\n"
                        "  key_file: other.key\n"),
              HasSubstr("key values mismatch"));
  EXPECT_THAT(LoadError("tls_server_config:\n  cert_file: server.key\n"
                        "  key_file: server.key\n"),
              HasSubstr("cert_file"));
  EXPECT_THAT(LoadError("tls_server_config:\n  cert_file: server.crt\n"
                        "  key_file: server.key\n"
                        "  client_auth_type: RequireAndVerifyClientCert\n"
                        "  client_ca_file: garbage.key\n"),
              HasSubstr("client_ca_file"));
  StatusOr<WebConfig> none = LoadWebConfig(dir_ + "/absent.yml");
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.status().message(),
              HasSubstr("cannot read web config " + dir_ + "/absent.yml"));
}

}  // namespace
}  // namespace vmbalance
