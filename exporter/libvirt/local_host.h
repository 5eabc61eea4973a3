// Decides from a libvirt connection URI whether the host libvirt manages is
// the machine vmbalance runs on, so that host figures libvirt does not give
// (MemAvailable) may be read from this machine's /proc. Pure, thread-safe.
#ifndef VMBALANCE_EXPORTER_LIBVIRT_LOCAL_HOST_H_
#define VMBALANCE_EXPORTER_LIBVIRT_LOCAL_HOST_H_

#include <string_view>

namespace vmbalance {

// The rule (URI form: driver[+transport]://[user@][host][:port]/path?query):
// - the test driver ("test:///default") is never local: its host is made up;
// - no host part ("qemu:///system", "qemu+unix:///system", "lxc:///") is
//   local: libvirt then talks to the daemon on this machine;
// - a loopback host part ("localhost", "127.0.0.1", "[::1]") is local;
// - any other host is remote, even if its name equals ours: hostnames are
//   not unique (cloned VMs, containers), and wrongly calling a remote host
//   local would feed this machine's MemAvailable to the other host's policy,
//   while wrongly calling it remote only costs the free+cache fallback;
// - anything that does not parse as driver://... is remote (same reason).
// Pass the URI the open connection reports (virConnectGetURI), not the one
// asked for: an empty request resolves to the default there.
bool IsLocalHostUri(std::string_view uri);

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_LIBVIRT_LOCAL_HOST_H_
