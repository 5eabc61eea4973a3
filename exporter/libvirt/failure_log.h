// FailureLog: logs a recurring failure once when it starts and once when it
// clears, instead of every interval. Failures are keyed by what failed
// ("connect", "host cpu stats", "domain <uuid>"). Not thread-safe.
#ifndef VMBALANCE_EXPORTER_LIBVIRT_FAILURE_LOG_H_
#define VMBALANCE_EXPORTER_LIBVIRT_FAILURE_LOG_H_

#include <map>
#include <string>

namespace vmbalance {

class FailureLog {
 public:
  // Records that `key` is failing. Logs a warning and returns true only when
  // it was not failing before.
  bool Fail(const std::string& key, const std::string& message);
  // Records that `key` works. Logs and returns true only when it was failing.
  bool Clear(const std::string& key);
  bool failing(const std::string& key) const {
    return failing_.count(key) != 0;
  }

 private:
  std::map<std::string, std::string> failing_;  // key -> first message
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_LIBVIRT_FAILURE_LOG_H_
