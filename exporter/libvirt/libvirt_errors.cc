#include "exporter/libvirt/libvirt_errors.h"

#include <libvirt/virterror.h>

#include <mutex>

namespace vmbalance {
namespace libvirt_internal {
namespace {

// libvirt's default handler prints every error to stderr; we report errors
// ourselves, once, through glog.
void IgnoreError(void* /*user_data*/, virErrorPtr /*error*/) {}

}  // namespace

void SilenceLibvirtErrors() {
  static std::once_flag once;
  std::call_once(once, [] {
    virInitialize();
    virSetErrorFunc(nullptr, IgnoreError);
  });
}

void SilenceLibvirtErrors(virConnectPtr conn) {
  virConnSetErrorFunc(conn, nullptr, IgnoreError);
}

LibvirtError LastLibvirtError() {
  LibvirtError error;
  virErrorPtr last = virGetLastError();
  if (last != nullptr) {
    error.code = last->code;
    if (last->message != nullptr) error.message = last->message;
  }
  if (error.message.empty()) error.message = "unknown libvirt error";
  return error;
}

Status ErrorFromLibvirt(const std::string& what) {
  return Status::Error(what + ": " + LastLibvirtError().message);
}

bool IsNoDomain(int code) { return code == VIR_ERR_NO_DOMAIN; }

bool IsConnectionError(int code) {
  return code == VIR_ERR_NO_CONNECT || code == VIR_ERR_INVALID_CONN ||
         code == VIR_ERR_SYSTEM_ERROR || code == VIR_ERR_RPC ||
         code == VIR_ERR_AUTH_FAILED;
}

}  // namespace libvirt_internal
}  // namespace vmbalance
