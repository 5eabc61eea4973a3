#include "exporter/http/basic_auth.h"

#include <openssl/evp.h>
#include <strings.h>

#include <cstring>
#include <vector>

#include "exporter/http/bcrypt.h"

namespace vmbalance {
namespace {

std::string Sha256(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
  return std::string(reinterpret_cast<char*>(digest), size);
}

}  // namespace

bool ParseBasicAuthorization(const char* header, std::string* user,
                             std::string* password) {
  if (header == nullptr || strncasecmp(header, "Basic ", 6) != 0) return false;
  std::string encoded(header + 6);
  while (!encoded.empty() && encoded.front() == ' ') encoded.erase(0, 1);
  while (!encoded.empty() && encoded.back() == ' ') encoded.pop_back();
  if (encoded.empty() || encoded.size() % 4 != 0 || encoded.size() > 4096) {
    return false;
  }
  std::vector<unsigned char> decoded(encoded.size() / 4 * 3 + 1);
  const int size = EVP_DecodeBlock(
      decoded.data(), reinterpret_cast<const unsigned char*>(encoded.data()),
      encoded.size());
  if (size < 0) return false;
  // EVP_DecodeBlock counts the padding's zero bytes.
  size_t length = size;
  for (size_t i = encoded.size(); i > 0 && encoded[i - 1] == '='; --i) {
    --length;
  }
  const std::string text(reinterpret_cast<char*>(decoded.data()), length);
  const size_t colon = text.find(':');
  if (colon == std::string::npos) return false;
  *user = text.substr(0, colon);
  *password = text.substr(colon + 1);
  return true;
}

bool BasicAuth::Allows(const char* authorization) {
  if (users_.empty()) return true;
  std::string user, password;
  if (!ParseBasicAuthorization(authorization, &user, &password)) return false;
  auto it = users_.find(user);
  if (it == users_.end()) {
    // Same cost as a known user's check, then no.
    BcryptMatches(password, users_.begin()->second);
    return false;
  }
  const std::string key = user + '\0' + it->second + '\0' + Sha256(password);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (remembered_.count(key) != 0) return true;
  }
  if (!BcryptMatches(password, it->second)) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  if (remembered_.size() >= kMaxRemembered) remembered_.clear();
  remembered_.insert(key);
  return true;
}

}  // namespace vmbalance
