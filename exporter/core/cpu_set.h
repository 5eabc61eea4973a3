// CpuSet: an immutable set of CPU numbers of any width. Parses and prints the
// Linux/libvirt list format ("0-3,8") and converts to and from libvirt cpumaps
// (bit i of byte i/8). Safe to share between threads; all methods are const.
#ifndef VMBALANCE_EXPORTER_CORE_CPU_SET_H_
#define VMBALANCE_EXPORTER_CORE_CPU_SET_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmbalance {

class CpuSet {
 public:
  CpuSet() = default;  // empty
  CpuSet(std::initializer_list<int> cpus);
  explicit CpuSet(const std::vector<int>& cpus);

  // [first, last], both inclusive. Empty when last < first.
  static CpuSet Range(int first, int last);
  // "0-3,8" style list; "" is the empty set. nullopt on malformed input.
  static std::optional<CpuSet> Parse(std::string_view list);
  // A libvirt cpumap of maplen bytes.
  static CpuSet FromCpumap(const unsigned char* map, size_t maplen);

  // A cpumap wide enough for cpus [0, ncpus); members >= ncpus are dropped.
  std::vector<unsigned char> ToCpumap(int ncpus) const;
  std::string ToString() const;  // canonical list format, "" when empty
  std::vector<int> ToVector() const;  // ascending

  bool Contains(int cpu) const;
  bool Empty() const { return words_.empty(); }
  int Size() const;
  int First() const;  // -1 when empty
  int Last() const;   // -1 when empty

  CpuSet Union(const CpuSet& other) const;
  CpuSet Intersection(const CpuSet& other) const;
  CpuSet Difference(const CpuSet& other) const;
  bool IsSubsetOf(const CpuSet& other) const;

  bool operator==(const CpuSet& other) const { return words_ == other.words_; }
  bool operator!=(const CpuSet& other) const { return !(*this == other); }

 private:
  void Add(int cpu);
  void Trim();

  std::vector<uint64_t> words_;  // bit i of word i/64; no trailing zero words
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_CORE_CPU_SET_H_
