// Test helper: throwaway TLS material written to files (a CA, and keys and
// certificates it signs), made with OpenSSL's API so tests need no tools.
#ifndef VMBALANCE_EXPORTER_HTTP_TEST_CERTS_H_
#define VMBALANCE_EXPORTER_HTTP_TEST_CERTS_H_

#include <string>

namespace vmbalance {

// Writes `dir`/<name>.key (P-256) and `dir`/<name>.crt, valid for a day,
// subject CN=<name>, signed by `dir`/<ca>.key (self-signed when ca == name).
// Aborts the test binary on failure (a broken fixture is no finding).
void WriteTestCert(const std::string& dir, const std::string& name,
                   const std::string& ca);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_HTTP_TEST_CERTS_H_
