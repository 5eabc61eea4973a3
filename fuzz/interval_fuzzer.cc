// Fuzzes ParseIntervalSeconds, the controllers' one positional argument and
// the exporter's --interval. What it accepts must be a finite number of
// seconds in the documented range, and its shortest decimal form parses back
// to the same value.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

#include "exporter/cli.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // A command-line argument ends at the first NUL.
  const std::string text(reinterpret_cast<const char*>(data),
                         strnlen(reinterpret_cast<const char*>(data), size));
  const vmbalance::StatusOr<double> seconds =
      vmbalance::ParseIntervalSeconds(text);
  if (!seconds.ok()) {
    FUZZ_CHECK(!seconds.status().message().empty());
    return 0;
  }
  FUZZ_CHECK(std::isfinite(*seconds));
  FUZZ_CHECK(*seconds >= 0.01 && *seconds <= 86400);

  char printed[64];
  std::snprintf(printed, sizeof(printed), "%.17g", *seconds);
  const vmbalance::StatusOr<double> again =
      vmbalance::ParseIntervalSeconds(printed);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(*again == *seconds);
  return 0;
}
