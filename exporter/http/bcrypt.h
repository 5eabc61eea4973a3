// Bcrypt password checks through the system's crypt library (libxcrypt's
// crypt_rn), as the exporter-toolkit's basic_auth_users use them: no bcrypt
// of our own.
#ifndef VMBALANCE_EXPORTER_HTTP_BCRYPT_H_
#define VMBALANCE_EXPORTER_HTTP_BCRYPT_H_

#include <string>

#include "exporter/core/status.h"

namespace vmbalance {

// OK for a well-formed bcrypt hash ($2a$, $2b$ or $2y$, cost 04-31, 53
// characters of salt and digest) that libxcrypt accepts; else why not.
Status CheckBcryptHash(const std::string& hash);

// Whether `password` hashes to `hash`, compared in constant time. False for
// a malformed hash. Costs one bcrypt (about 50 ms at cost 10).
bool BcryptMatches(const std::string& password, const std::string& hash);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_HTTP_BCRYPT_H_
