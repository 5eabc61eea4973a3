// Fuzzes ParseListenAddress, the --listen flag of every binary. An address it
// accepts must be in the normalised form civetweb binds (HOST:PORT with a
// port in 0-65535) and be accepted again unchanged.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "exporter/cli.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A flag value comes from argv: it ends at the first NUL.
  const std::string text(reinterpret_cast<const char*>(data),
                         strnlen(reinterpret_cast<const char*>(data), size));
  const vmbalance::StatusOr<std::string> address =
      vmbalance::ParseListenAddress(text);
  if (!address.ok()) {
    FUZZ_CHECK(!address.status().message().empty());
    return 0;
  }
  const size_t colon = address->rfind(':');
  FUZZ_CHECK(colon != std::string::npos && colon > 0);
  const std::string port = address->substr(colon + 1);
  FUZZ_CHECK(!port.empty() && port.size() <= 5);
  FUZZ_CHECK(port.find_first_not_of("0123456789") == std::string::npos);
  FUZZ_CHECK(std::stoi(port) <= 65535);
  FUZZ_CHECK(port == std::to_string(std::stoi(port)));  // no leading zeros

  const vmbalance::StatusOr<std::string> again =
      vmbalance::ParseListenAddress(*address);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *address);
  return 0;
}
