// Turns libvirt's thread-local last error into Status values, and keeps
// libvirt from printing errors to stderr itself. Thread-safe: libvirt's last
// error is per thread, and the handler install is done once per process.
#ifndef VMBALANCE_EXPORTER_LIBVIRT_LIBVIRT_ERRORS_H_
#define VMBALANCE_EXPORTER_LIBVIRT_LIBVIRT_ERRORS_H_

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <string>

#include "exporter/core/status.h"

namespace vmbalance {
namespace libvirt_internal {

// Installs a process-wide libvirt error handler that records nothing and
// prints nothing (errors are read back with virGetLastError). Idempotent.
void SilenceLibvirtErrors();
// The same for one connection (virConnSetErrorFunc).
void SilenceLibvirtErrors(virConnectPtr conn);

// What virGetLastError said after a failed call on this thread.
struct LibvirtError {
  int code = VIR_ERR_OK;  // virErrorNumber; VIR_ERR_OK when libvirt set none
  std::string message;    // libvirt's text, or "unknown libvirt error"
};
LibvirtError LastLibvirtError();

// "<what>: <libvirt message>" for the failure just seen on this thread.
Status ErrorFromLibvirt(const std::string& what);

// True for error codes meaning the domain is gone (destroyed or undefined
// between list and read).
bool IsNoDomain(int code);
// True for error codes meaning the connection itself is broken.
bool IsConnectionError(int code);

}  // namespace libvirt_internal
}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_LIBVIRT_LIBVIRT_ERRORS_H_
