// RAII owners for libvirt objects: each frees its object exactly once with the
// matching libvirt call (virConnectClose, virDomainFree, ...). Move-only, so a
// handle can never be freed twice or leak on an early return. Not thread-safe
// beyond what libvirt itself guarantees for the underlying object.
#ifndef VMBALANCE_EXPORTER_LIBVIRT_LIBVIRT_HANDLES_H_
#define VMBALANCE_EXPORTER_LIBVIRT_LIBVIRT_HANDLES_H_

#include <libvirt/libvirt.h>

#include <cstdlib>
#include <memory>
#include <utility>

namespace vmbalance {
namespace libvirt_internal {

struct ConnectCloser {
  void operator()(virConnectPtr conn) const { virConnectClose(conn); }
};
struct DomainFreer {
  void operator()(virDomainPtr dom) const { virDomainFree(dom); }
};
struct StatsRecordListFreer {
  void operator()(virDomainStatsRecordPtr* list) const {
    virDomainStatsRecordListFree(list);
  }
};

struct MallocFreer {
  void operator()(void* memory) const { std::free(memory); }
};

// A byte buffer libvirt allocated for the caller (e.g. virNodeGetCPUMap).
using LibvirtBytes = std::unique_ptr<unsigned char, MallocFreer>;
// An open connection; closed on destruction.
using ConnectionHandle = std::unique_ptr<virConnect, ConnectCloser>;
// A domain reference from a lookup; freed on destruction.
using DomainHandle = std::unique_ptr<virDomain, DomainFreer>;
// The NULL-terminated list from virConnectGetAllDomainStats. The records own
// their domain references and params; do not free those separately.
using StatsRecordList =
    std::unique_ptr<virDomainStatsRecordPtr[], StatsRecordListFreer>;

// A typed-parameter list that libvirt allocates (virTypedParamsAdd*, or
// calls returning virTypedParameterPtr); freed with virTypedParamsFree.
class TypedParams {
 public:
  // libvirt's helpers touch its per-thread error state, which exists only
  // after virInitialize (idempotent and cheap after the first call).
  TypedParams() { virInitialize(); }
  ~TypedParams() { virTypedParamsFree(params_, count_); }

  TypedParams(const TypedParams&) = delete;
  TypedParams& operator=(const TypedParams&) = delete;
  TypedParams(TypedParams&& other) noexcept
      : params_(std::exchange(other.params_, nullptr)),
        count_(std::exchange(other.count_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  TypedParams& operator=(TypedParams&& other) noexcept {
    if (this != &other) {
      virTypedParamsFree(params_, count_);
      params_ = std::exchange(other.params_, nullptr);
      count_ = std::exchange(other.count_, 0);
      capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
  }

  // Each returns false when libvirt rejects the value (e.g. a duplicate name).
  bool AddInt(const char* name, int value) {
    return virTypedParamsAddInt(&params_, &count_, &capacity_, name, value) ==
           0;
  }
  bool AddUInt(const char* name, unsigned int value) {
    return virTypedParamsAddUInt(&params_, &count_, &capacity_, name, value) ==
           0;
  }
  bool AddULLong(const char* name, unsigned long long value) {  // NOLINT
    return virTypedParamsAddULLong(&params_, &count_, &capacity_, name,
                                   value) == 0;
  }
  bool AddLLong(const char* name, long long value) {  // NOLINT
    return virTypedParamsAddLLong(&params_, &count_, &capacity_, name, value) ==
           0;
  }
  bool AddString(const char* name, const char* value) {
    return virTypedParamsAddString(&params_, &count_, &capacity_, name,
                                   value) == 0;
  }

  virTypedParameterPtr get() const { return params_; }
  int count() const { return count_; }

 private:
  virTypedParameterPtr params_ = nullptr;
  int count_ = 0;
  int capacity_ = 0;
};

}  // namespace libvirt_internal
}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_LIBVIRT_LIBVIRT_HANDLES_H_
