// JsonReader: reads typed, range-checked fields out of a parsed JSON
// document for the scenario parser. It checks every type before reading,
// so bad input becomes one error naming the field ("domains[2].cpu[1]:
// expected [tick, value]"), never an exception. The first failure sticks;
// later reads are no-ops for the caller to skip. Not thread-safe.
#ifndef VMBALANCE_CONTROLLER_SIM_JSON_READER_H_
#define VMBALANCE_CONTROLLER_SIM_JSON_READER_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "controller/sim/scenario.h"
#include "exporter/core/status.h"

namespace vmbalance {
namespace sim {

class JsonReader {
 public:
  using json = nlohmann::json;

  Status error() const { return Status::Error(error_); }
  bool failed() const { return !error_.empty(); }
  // Records `path: what` unless an earlier failure is already recorded.
  void Fail(const std::string& path, const std::string& what);

  // Each reads obj[key] when present into *out, named path + key in errors.
  // An optional number in [lo, hi].
  void Number(const json& obj, const std::string& path, const char* key,
              double lo, double hi, double* out);
  // An optional integer in [lo, hi] (3.0 is accepted, 3.5 is not).
  template <typename Int>
  void Integer(const json& obj, const std::string& path, const char* key,
               int64_t lo, int64_t hi, Int* out) {
    auto it = obj.find(key);
    if (it == obj.end()) return;
    int64_t v = 0;
    if (ReadInteger(*it, path + key, lo, hi, &v)) *out = static_cast<Int>(v);
  }
  void Bool(const json& obj, const std::string& path, const char* key,
            bool* out);
  void String(const json& obj, const std::string& path, const char* key,
              std::string* out);
  // A list of integers in [lo, hi]; a single number is a one-element list.
  void IntList(const json& obj, const std::string& path, const char* key,
               int64_t lo, int64_t hi, std::vector<int64_t>* out);
  // [[tick, value], ...] with ascending ticks, or a bare number (constant).
  // `v` is the value itself, named `where` in errors.
  void Series(const json& v, const std::string& where, double lo, double hi,
              std::vector<SeriesPoint>* out);

  // The value itself as an integer in [lo, hi]; false (and failed()) if
  // it is not one.
  bool ReadInteger(const json& v, const std::string& where, int64_t lo,
                   int64_t hi, int64_t* out);

 private:
  void RangeFail(const std::string& where, int64_t lo, int64_t hi, int64_t got);
  void ValueFail(const std::string& where, double lo, double hi, double got);

  std::string error_;
};

}  // namespace sim
}  // namespace vmbalance

#endif  // VMBALANCE_CONTROLLER_SIM_JSON_READER_H_
