// Reads what the testbed monitor shows from libvirt: every active domain's
// vCPU times, waits, last pCPU and affinity, its balloon figures, and the
// host's free memory and idle time. Owns one connection (RAII); not
// thread-safe.
#ifndef VMBALANCE_TESTS_TESTBED_LIBVIRT_READER_H_
#define VMBALANCE_TESTS_TESTBED_LIBVIRT_READER_H_

#include <libvirt/libvirt.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/testbed/monitor_stats.h"

namespace vmbalance::testbed {

struct GuestMemory {
  std::string uuid;
  std::string name;
  int64_t actual_kib = -1;  // -1: not reported
  int64_t unused_kib = -1;
  int64_t usable_kib = -1;
  int64_t last_update_s = -1;
};

struct HostReading {
  int64_t monotonic_ns = 0;
  int pcpu_count = 0;
  int64_t host_free_kib = -1;  // /proc/meminfo's MemFree via libvirt
  // Cumulative idle time summed over all pCPUs (/proc/stat via libvirt);
  // -1 when not reported. What the guests could have had but nobody used.
  int64_t host_idle_ns = -1;
  VcpuReadings vcpus;
  std::vector<GuestMemory> guests;  // sorted by name
};

class LibvirtReader {
 public:
  // nullptr (and *error set) when the connection fails.
  static std::unique_ptr<LibvirtReader> Connect(const std::string& uri,
                                                std::string* error);
  ~LibvirtReader();
  LibvirtReader(const LibvirtReader&) = delete;
  LibvirtReader& operator=(const LibvirtReader&) = delete;

  // Reads active domains whose name starts with `prefix`. A domain that
  // fails (e.g. vanished mid-read) is skipped; false only when listing fails.
  bool Read(const std::string& prefix, HostReading* out, std::string* error);

 private:
  explicit LibvirtReader(virConnectPtr conn) : conn_(conn) {}
  virConnectPtr conn_;
};

}  // namespace vmbalance::testbed

#endif  // VMBALANCE_TESTS_TESTBED_LIBVIRT_READER_H_
