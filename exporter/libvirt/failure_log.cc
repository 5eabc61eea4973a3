#include "exporter/libvirt/failure_log.h"

#include <glog/logging.h>

namespace vmbalance {

bool FailureLog::Fail(const std::string& key, const std::string& message) {
  if (!failing_.emplace(key, message).second) return false;
  LOG(WARNING) << key << " failing: " << message;
  return true;
}

bool FailureLog::Clear(const std::string& key) {
  if (failing_.erase(key) == 0) return false;
  LOG(WARNING) << key << " recovered";
  return true;
}

}  // namespace vmbalance
