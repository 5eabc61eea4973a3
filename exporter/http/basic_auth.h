// BasicAuth: checks an HTTP Authorization header against the web config's
// basic_auth_users (bcrypt). A bcrypt costs tens of milliseconds, so
// successful checks are remembered (by user, hash and a SHA-256 of the
// password; never the password) for the life of this object, which a config
// reload replaces. Thread-safe.
#ifndef VMBALANCE_EXPORTER_HTTP_BASIC_AUTH_H_
#define VMBALANCE_EXPORTER_HTTP_BASIC_AUTH_H_

#include <map>
#include <mutex>
#include <set>
#include <string>

namespace vmbalance {

class BasicAuth {
 public:
  // user -> bcrypt hash; empty: everyone is let in.
  explicit BasicAuth(std::map<std::string, std::string> users)
      : users_(std::move(users)) {}

  bool enabled() const { return !users_.empty(); }

  // Whether `authorization` ("Basic base64(user:password)", may be null)
  // names a configured user with the right password. An unknown user costs
  // a bcrypt too, so timing does not tell which users exist.
  bool Allows(const char* authorization);

 private:
  // Successful checks remembered at most; then the memory starts over.
  static constexpr size_t kMaxRemembered = 1024;

  const std::map<std::string, std::string> users_;
  std::mutex mutex_;
  std::set<std::string> remembered_;  // user \0 hash \0 sha256(password)
};

// Splits "Basic base64(user:password)" into user and password; false if the
// header is not of that form.
bool ParseBasicAuthorization(const char* header, std::string* user,
                             std::string* password);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_HTTP_BASIC_AUTH_H_
