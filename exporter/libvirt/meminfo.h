// Reads the host kernel's MemAvailable (its estimate of memory new work can
// have without swapping) from /proc/meminfo text. The parser is pure and
// thread-safe; ReadMemAvailableKib does the file I/O.
#ifndef VMBALANCE_EXPORTER_LIBVIRT_MEMINFO_H_
#define VMBALANCE_EXPORTER_LIBVIRT_MEMINFO_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "exporter/core/status.h"

namespace vmbalance {

// The value of the "MemAvailable:" line, in KiB. /proc/meminfo lines read
// "Name:   <digits> kB"; the kernel always says kB (meaning KiB). Errors, never
// a crash, on a missing line (kernels before 3.14), a line without digits,
// a unit other than kB, or a value that overflows.
StatusOr<uint64_t> ParseMemAvailableKib(std::string_view meminfo);

// Reads `path` (normally /proc/meminfo) and parses it as above. The error
// names the path.
StatusOr<uint64_t> ReadMemAvailableKib(const std::string& path);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_LIBVIRT_MEMINFO_H_
