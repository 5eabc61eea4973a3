// Printf-style formatting for the policy's one-line reasons. Header-only.
#ifndef VMBALANCE_CONTROLLER_CPU_FORMAT_H_
#define VMBALANCE_CONTROLLER_CPU_FORMAT_H_

#include <cstdio>
#include <string>

namespace vmbalance {

// `format` with up to two doubles; reasons are short, longer text is cut.
inline std::string FormatReason(const char* format, double a, double b = 0) {
  char buffer[160];
  std::snprintf(buffer, sizeof(buffer), format, a, b);
  return buffer;
}

}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_CPU_FORMAT_H_
