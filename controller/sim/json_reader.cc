#include "controller/sim/json_reader.h"

#include <sstream>

namespace vmbalance {
namespace sim {

void JsonReader::Fail(const std::string& path, const std::string& what) {
  if (error_.empty()) error_ = path + ": " + what;
}

void JsonReader::Number(const json& obj, const std::string& path,
                        const char* key, double lo, double hi, double* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return;
  if (!it->is_number()) return Fail(path + key, "expected a number");
  const double v = it->get<double>();
  if (!(v >= lo && v <= hi)) return ValueFail(path + key, lo, hi, v);
  *out = v;
}

bool JsonReader::ReadInteger(const json& v, const std::string& where,
                             int64_t lo, int64_t hi, int64_t* out) {
  int64_t i = 0;
  if (v.is_number_integer()) {
    i = v.is_number_unsigned()
            ? static_cast<int64_t>(std::min<uint64_t>(
                  v.get<uint64_t>(), std::numeric_limits<int64_t>::max()))
            : v.get<int64_t>();
  } else if (v.is_number_float() && std::isfinite(v.get<double>()) &&
             std::floor(v.get<double>()) == v.get<double>() &&
             std::fabs(v.get<double>()) < 9e15) {
    i = static_cast<int64_t>(v.get<double>());  // 3.0 but not 3.5
  } else {
    Fail(where, "expected an integer");
    return false;
  }
  if (i < lo || i > hi) {
    RangeFail(where, lo, hi, i);
    return false;
  }
  *out = i;
  return true;
}

void JsonReader::Bool(const json& obj, const std::string& path, const char* key,
                      bool* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return;
  if (!it->is_boolean()) return Fail(path + key, "expected true or false");
  *out = it->get<bool>();
}

void JsonReader::String(const json& obj, const std::string& path,
                        const char* key, std::string* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return;
  if (!it->is_string()) return Fail(path + key, "expected a string");
  *out = it->get<std::string>();
}

void JsonReader::IntList(const json& obj, const std::string& path,
                         const char* key, int64_t lo, int64_t hi,
                         std::vector<int64_t>* out) {
  auto it = obj.find(key);
  if (it == obj.end()) return;
  if (it->is_number()) {
    int64_t v = 0;
    if (ReadInteger(*it, path + key, lo, hi, &v)) out->assign(1, v);
    return;
  }
  if (!it->is_array()) return Fail(path + key, "expected a list of integers");
  out->clear();
  for (size_t i = 0; i < it->size(); ++i) {
    int64_t v = 0;
    if (!ReadInteger((*it)[i], path + key + "[" + std::to_string(i) + "]", lo,
                     hi, &v)) {
      return;
    }
    out->push_back(v);
  }
}

void JsonReader::Series(const json& v, const std::string& where, double lo,
                        double hi, std::vector<SeriesPoint>* out) {
  out->clear();
  if (v.is_number()) {
    const double x = v.get<double>();
    if (!(x >= lo && x <= hi)) return ValueFail(where, lo, hi, x);
    out->push_back({0, x});
    return;
  }
  if (!v.is_array() || v.empty()) {
    return Fail(where, "expected a number or a list of [tick, value]");
  }
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    const json& p = v[i];
    if (!p.is_array() || p.size() != 2 || !p[1].is_number()) {
      return Fail(at, "expected [tick, value]");
    }
    SeriesPoint point;
    if (!ReadInteger(p[0], at + "[0]", 0, std::numeric_limits<int32_t>::max(),
                     &point.tick)) {
      return;
    }
    point.value = p[1].get<double>();
    if (!(point.value >= lo && point.value <= hi)) {
      return ValueFail(at + "[1]", lo, hi, point.value);
    }
    if (!out->empty() && point.tick <= out->back().tick) {
      return Fail(at, "ticks must be strictly ascending");
    }
    out->push_back(point);
  }
}

void JsonReader::RangeFail(const std::string& where, int64_t lo, int64_t hi,
                           int64_t got) {
  Fail(where, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                  "], got " + std::to_string(got));
}

void JsonReader::ValueFail(const std::string& where, double lo, double hi,
                           double got) {
  std::ostringstream os;
  os << "must be in [" << lo << ", " << hi << "], got " << got;
  Fail(where, os.str());
}

}  // namespace sim
}  // namespace vmbalance
