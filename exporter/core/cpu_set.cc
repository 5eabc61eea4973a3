#include "exporter/core/cpu_set.h"

#include <algorithm>
#include <charconv>

namespace vmbalance {
namespace {

constexpr int kMaxCpu = 1 << 16;  // guards Parse against absurd widths

bool ParseInt(std::string_view text, int* out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && ptr == end && *out >= 0 && *out < kMaxCpu;
}

}  // namespace

CpuSet::CpuSet(std::initializer_list<int> cpus) {
  for (int cpu : cpus) Add(cpu);
}

CpuSet::CpuSet(const std::vector<int>& cpus) {
  for (int cpu : cpus) Add(cpu);
}

CpuSet CpuSet::Range(int first, int last) {
  CpuSet set;
  for (int cpu = std::max(first, 0); cpu <= last; ++cpu) set.Add(cpu);
  return set;
}

std::optional<CpuSet> CpuSet::Parse(std::string_view list) {
  CpuSet set;
  while (!list.empty() && (list.back() == '\n' || list.back() == ' ')) {
    list.remove_suffix(1);
  }
  if (list.empty()) return set;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view item = list.substr(start, comma - start);
    size_t dash = item.find('-');
    int first = 0;
    int last = 0;
    if (dash == std::string_view::npos) {
      if (!ParseInt(item, &first)) return std::nullopt;
      last = first;
    } else if (!ParseInt(item.substr(0, dash), &first) ||
               !ParseInt(item.substr(dash + 1), &last) || last < first) {
      return std::nullopt;
    }
    for (int cpu = first; cpu <= last; ++cpu) set.Add(cpu);
    start = comma + 1;
  }
  return set;
}

CpuSet CpuSet::FromCpumap(const unsigned char* map, size_t maplen) {
  CpuSet set;
  for (size_t byte = 0; byte < maplen; ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      if (map[byte] & (1u << bit)) set.Add(static_cast<int>(byte * 8 + bit));
    }
  }
  return set;
}

std::vector<unsigned char> CpuSet::ToCpumap(int ncpus) const {
  std::vector<unsigned char> map((std::max(ncpus, 0) + 7) / 8, 0);
  for (int cpu : ToVector()) {
    if (cpu >= ncpus) break;
    map[cpu / 8] |= static_cast<unsigned char>(1u << (cpu % 8));
  }
  return map;
}

std::string CpuSet::ToString() const {
  std::string out;
  std::vector<int> cpus = ToVector();
  for (size_t i = 0; i < cpus.size();) {
    size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(cpus[i]);
    if (j > i) out += '-' + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out;
}

std::vector<int> CpuSet::ToVector() const {
  std::vector<int> cpus;
  for (size_t w = 0; w < words_.size(); ++w) {
    uint64_t word = words_[w];
    while (word != 0) {
      int bit = __builtin_ctzll(word);
      cpus.push_back(static_cast<int>(w * 64 + bit));
      word &= word - 1;
    }
  }
  return cpus;
}

bool CpuSet::Contains(int cpu) const {
  if (cpu < 0) return false;
  size_t w = static_cast<size_t>(cpu) / 64;
  return w < words_.size() && (words_[w] >> (cpu % 64)) & 1u;
}

int CpuSet::Size() const {
  int n = 0;
  for (uint64_t word : words_) n += __builtin_popcountll(word);
  return n;
}

int CpuSet::First() const {
  for (size_t w = 0; w < words_.size(); ++w) {
    if (words_[w]) return static_cast<int>(w * 64 + __builtin_ctzll(words_[w]));
  }
  return -1;
}

int CpuSet::Last() const {
  if (words_.empty()) return -1;
  size_t w = words_.size() - 1;
  return static_cast<int>(w * 64 + 63 - __builtin_clzll(words_[w]));
}

CpuSet CpuSet::Union(const CpuSet& other) const {
  CpuSet out = *this;
  if (out.words_.size() < other.words_.size()) {
    out.words_.resize(other.words_.size(), 0);
  }
  for (size_t w = 0; w < other.words_.size(); ++w) out.words_[w] |= other.words_[w];
  out.Trim();
  return out;
}

CpuSet CpuSet::Intersection(const CpuSet& other) const {
  CpuSet out;
  out.words_.resize(std::min(words_.size(), other.words_.size()));
  for (size_t w = 0; w < out.words_.size(); ++w) {
    out.words_[w] = words_[w] & other.words_[w];
  }
  out.Trim();
  return out;
}

CpuSet CpuSet::Difference(const CpuSet& other) const {
  CpuSet out = *this;
  for (size_t w = 0; w < out.words_.size() && w < other.words_.size(); ++w) {
    out.words_[w] &= ~other.words_[w];
  }
  out.Trim();
  return out;
}

bool CpuSet::IsSubsetOf(const CpuSet& other) const {
  return Difference(other).Empty();
}

void CpuSet::Add(int cpu) {
  if (cpu < 0) return;
  size_t w = static_cast<size_t>(cpu) / 64;
  if (words_.size() <= w) words_.resize(w + 1, 0);
  words_[w] |= uint64_t{1} << (cpu % 64);
}

void CpuSet::Trim() {
  while (!words_.empty() && words_.back() == 0) words_.pop_back();
}

}  // namespace vmbalance
