#include "exporter/libvirt/meminfo.h"

#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>

namespace vmbalance {
namespace {

constexpr std::string_view kKey = "MemAvailable:";

std::string_view TrimLeft(std::string_view text) {
  size_t start = text.find_first_not_of(" \t");
  return start == std::string_view::npos ? std::string_view()
                                         : text.substr(start);
}

// The line starting with kKey, without the key; nullopt when there is none.
std::optional<std::string_view> FindValue(std::string_view meminfo) {
  while (!meminfo.empty()) {
    size_t end = meminfo.find('\n');
    std::string_view line = meminfo.substr(0, end);
    if (line.substr(0, kKey.size()) == kKey) return line.substr(kKey.size());
    if (end == std::string_view::npos) break;
    meminfo.remove_prefix(end + 1);
  }
  return std::nullopt;
}

}  // namespace

StatusOr<uint64_t> ParseMemAvailableKib(std::string_view meminfo) {
  std::optional<std::string_view> found = FindValue(meminfo);
  if (!found) return Status::Error("no MemAvailable line");
  std::string_view rest = TrimLeft(*found);
  uint64_t kib = 0;
  auto [end, error] =
      std::from_chars(rest.data(), rest.data() + rest.size(), kib);
  if (error == std::errc::result_out_of_range) {
    return Status::Error("MemAvailable out of range");
  }
  if (error != std::errc() || end == rest.data()) {
    return Status::Error("MemAvailable has no number");
  }
  rest.remove_prefix(static_cast<size_t>(end - rest.data()));
  std::string_view unit = TrimLeft(rest);
  if (!unit.empty() && unit.back() == '\r') unit.remove_suffix(1);
  if (unit != "kB") {
    return Status::Error("MemAvailable unit is '" + std::string(unit) +
                         "', not kB");
  }
  return kib;
}

StatusOr<uint64_t> ReadMemAvailableKib(const std::string& path) {
  std::ifstream file(path);
  if (!file) return Status::Error("cannot open " + path);
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) return Status::Error("cannot read " + path);
  StatusOr<uint64_t> kib = ParseMemAvailableKib(text.str());
  if (!kib.ok()) return Status::Error(path + ": " + kib.status().message());
  return kib;
}

}  // namespace vmbalance
