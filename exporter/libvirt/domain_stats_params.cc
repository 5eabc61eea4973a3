#include "exporter/libvirt/domain_stats_params.h"

#include <charconv>
#include <cstring>
#include <limits>
#include <string_view>

namespace vmbalance {
namespace {

// Any integer-typed parameter as a signed 64-bit value; nullopt for other
// types (a string or a double where a count is expected is not a count).
std::optional<int64_t> IntegerValue(const virTypedParameter& param) {
  switch (param.type) {
    case VIR_TYPED_PARAM_INT:
      return param.value.i;
    case VIR_TYPED_PARAM_UINT:
      return param.value.ui;
    case VIR_TYPED_PARAM_LLONG:
      return param.value.l;
    case VIR_TYPED_PARAM_ULLONG:
      return static_cast<int64_t>(param.value.ul);
    default:
      return std::nullopt;
  }
}

// A count or enum that must fit an int: a wider value (say vcpu.current =
// 2^32 + 1) is not a reading, rather than one truncated to 1.
std::optional<int> IntValue(const virTypedParameter& param) {
  std::optional<int64_t> value = IntegerValue(param);
  if (!value || *value < std::numeric_limits<int>::min() ||
      *value > std::numeric_limits<int>::max()) {
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

// Counters and sizes: negative values are not valid readings.
std::optional<uint64_t> UnsignedValue(const virTypedParameter& param) {
  switch (param.type) {
    case VIR_TYPED_PARAM_INT:
      if (param.value.i < 0) return std::nullopt;
      return static_cast<uint64_t>(param.value.i);
    case VIR_TYPED_PARAM_UINT:
      return param.value.ui;
    case VIR_TYPED_PARAM_LLONG:
      if (param.value.l < 0) return std::nullopt;
      return static_cast<uint64_t>(param.value.l);
    case VIR_TYPED_PARAM_ULLONG:
      return param.value.ul;
    default:
      return std::nullopt;
  }
}

// "vcpu.<N>.<field>" -> N and field; false for any other shape.
bool SplitVcpuName(std::string_view name, int* index, std::string_view* field) {
  constexpr std::string_view kPrefix = "vcpu.";
  if (name.substr(0, kPrefix.size()) != kPrefix) return false;
  name.remove_prefix(kPrefix.size());
  size_t dot = name.find('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  auto [end, error] = std::from_chars(name.data(), name.data() + dot, *index);
  if (error != std::errc() || end != name.data() + dot || *index < 0) {
    return false;
  }
  *field = name.substr(dot + 1);
  return true;
}

void ReadBalloon(std::string_view field, const virTypedParameter& param,
                 BalloonSample* balloon) {
  if (field == "last-update") {
    std::optional<int64_t> value = IntegerValue(param);
    if (value) balloon->last_update_s = *value;
    return;
  }
  std::optional<uint64_t>* target = nullptr;
  if (field == "current") {
    target = &balloon->actual_kib;
  } else if (field == "maximum") {
    target = &balloon->maximum_kib;
  } else if (field == "unused") {
    target = &balloon->unused_kib;
  } else if (field == "available") {
    target = &balloon->available_kib;
  } else if (field == "usable") {
    target = &balloon->usable_kib;
  } else if (field == "rss") {
    target = &balloon->rss_kib;
  } else if (field == "disk_caches") {
    target = &balloon->disk_caches_kib;
  } else if (field == "major_fault") {
    target = &balloon->major_faults;
  } else if (field == "swap_in") {
    target = &balloon->swap_in_kib;
  } else if (field == "swap_out") {
    target = &balloon->swap_out_kib;
  }
  if (target != nullptr) {
    std::optional<uint64_t> value = UnsignedValue(param);
    if (value) *target = *value;
  }
}

}  // namespace

DomainStatsParams ParseDomainStatsParams(const virTypedParameter* params,
                                         int count) {
  DomainStatsParams out;
  for (int i = 0; params != nullptr && i < count; ++i) {
    const virTypedParameter& param = params[i];
    std::string_view name(param.field,
                          strnlen(param.field, sizeof(param.field)));
    constexpr std::string_view kBalloon = "balloon.";
    int vcpu = 0;
    std::string_view field;
    if (name == "state.state") {
      std::optional<int> value = IntValue(param);
      if (value) out.state = *value;
    } else if (name == "vcpu.current") {
      std::optional<int> value = IntValue(param);
      if (value && *value >= 0) out.vcpu_current = *value;
    } else if (name.substr(0, kBalloon.size()) == kBalloon) {
      ReadBalloon(name.substr(kBalloon.size()), param, &out.balloon);
    } else if (SplitVcpuName(name, &vcpu, &field)) {
      std::optional<uint64_t> value = UnsignedValue(param);
      if (!value) continue;
      if (field == "time") {
        out.vcpu_time_ns[vcpu] = *value;
      } else if (field == "delay") {
        out.vcpu_delay_ns[vcpu] = *value;
      }
    }
  }
  return out;
}

DomainState DomainStateFromLibvirt(int state) {
  switch (state) {
    case VIR_DOMAIN_RUNNING:
      return DomainState::kRunning;
    case VIR_DOMAIN_BLOCKED:
      return DomainState::kBlocked;
    case VIR_DOMAIN_PAUSED:
      return DomainState::kPaused;
    case VIR_DOMAIN_SHUTDOWN:
      return DomainState::kShutdown;
    case VIR_DOMAIN_SHUTOFF:
      return DomainState::kShutoff;
    case VIR_DOMAIN_CRASHED:
      return DomainState::kCrashed;
    case VIR_DOMAIN_PMSUSPENDED:
      return DomainState::kSuspended;
    default:
      return DomainState::kUnknown;
  }
}

}  // namespace vmbalance
