#include "exporter/http/bcrypt.h"

#include <crypt.h>
#include <openssl/crypto.h>

#include <cctype>
#include <cstring>
#include <memory>

namespace vmbalance {
namespace {

constexpr size_t kBcryptLength = 60;  // "$2b$10$" + 22 salt + 31 digest
constexpr char kBcryptAlphabet[] =
    "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

}  // namespace

Status CheckBcryptHash(const std::string& hash) {
  if (hash.size() < 7 || hash[0] != '$' || hash[1] != '2' ||
      (hash[2] != 'a' && hash[2] != 'b' && hash[2] != 'y') || hash[3] != '$' ||
      hash[6] != '$') {
    return Status::Error(
        "not a bcrypt hash (expected $2b$, $2y$ or $2a$; "
        "make one with htpasswd -nBC 10 USER)");
  }
  if (hash.size() != kBcryptLength) {
    return Status::Error("bcrypt hash has " + std::to_string(hash.size()) +
                         " characters, expected 60");
  }
  const bool digits = std::isdigit(static_cast<unsigned char>(hash[4])) &&
                      std::isdigit(static_cast<unsigned char>(hash[5]));
  const int cost = digits ? (hash[4] - '0') * 10 + (hash[5] - '0') : -1;
  if (cost < 4 || cost > 31) {
    return Status::Error("bcrypt cost must be 04-31, got '" +
                         hash.substr(4, 2) + "'");
  }
  if (hash.find_first_not_of(kBcryptAlphabet, 7) != std::string::npos) {
    return Status::Error("bcrypt hash has characters outside its alphabet");
  }
  if (crypt_checksalt(hash.c_str()) != CRYPT_SALT_OK) {
    return Status::Error(
        "the system's crypt library rejects this bcrypt "
        "setting");
  }
  return Status::Ok();
}

bool BcryptMatches(const std::string& password, const std::string& hash) {
  if (!CheckBcryptHash(hash).ok()) return false;
  // crypt_data is 32 KiB: on the heap, not on a civetweb worker's stack.
  auto data = std::make_unique<crypt_data>();
  const char* out =
      crypt_rn(password.c_str(), hash.c_str(), data.get(), sizeof(crypt_data));
  if (out == nullptr || std::strlen(out) != hash.size()) return false;
  return CRYPTO_memcmp(out, hash.data(), hash.size()) == 0;
}

}  // namespace vmbalance
