// The libvirt connections of the QEMU-bound calls (made on workers, each of
// which may hang with its guest's QEMU) and the domain handles kept on each:
// a call leases one (QemuLease), which returns to a small free list when the
// call ends; a reconnect retires them all (QemuConnections::Reset).
// Thread-safe: leases run on workers while the loop resets and lists.
#ifndef VMBALANCE_EXPORTER_LIBVIRT_QEMU_CONNECTIONS_H_
#define VMBALANCE_EXPORTER_LIBVIRT_QEMU_CONNECTIONS_H_

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "exporter/libvirt/libvirt_handles.h"

namespace vmbalance {
namespace libvirt_internal {

// One connection of the QEMU-bound calls and the domain handles looked up
// on it, kept across calls and ticks by UUID: a handle belongs to one
// connection, and looking one up is a round trip per call (1000 per sample
// at 1000 guests). The remote driver names the domain by UUID in every call
// (libvirtd looks it up there), so a kept handle stays good while the domain
// exists; one whose UUID left the listing, or came back with another id, is
// dropped (Prune).
struct QemuConnection {
  struct Domain {
    int id = -1;
    DomainHandle handle;
  };
  explicit QemuConnection(virConnectPtr c) : conn(c) {}
  ~QemuConnection();
  QemuConnection(const QemuConnection&) = delete;
  QemuConnection& operator=(const QemuConnection&) = delete;

  // Drops the handles of domains not in `live` (UUID -> id).
  void Prune(const std::map<std::string, int>& live);

  virConnectPtr conn;
  std::map<std::string, Domain> domains;  // by UUID
  uint64_t pruned_at = 0;  // QemuConnections::live_version when last pruned
};

// The free connections of the QEMU-bound calls, shared with their leases (a
// stuck call's lease may outlive a reconnect, or the hypervisor).
struct QemuConnections {
  // Retires every connection: the free ones close now, leased ones when
  // their call ends (a reconnect: they belong to the old libvirtd).
  void Reset();
  // The active domains (UUID -> id) of the latest listing.
  void SetLive(std::map<std::string, int> live_now);

  std::mutex mu;
  std::vector<std::unique_ptr<QemuConnection>> free;
  uint64_t generation = 0;  // bumped on reconnect: older ones are closed
  // The active domains (UUID -> id) at the last listing; a connection's
  // handles are pruned to these when it is next leased after a change.
  std::map<std::string, int> live;
  uint64_t live_version = 0;
};

// One QEMU-bound call's connection: a free one, else one that Get opens on
// the worker making the call. When the lease goes, a live connection of the
// current generation returns to the free list, with its domain handles (at
// most kMaxFree: no more calls run at once); any other closes.
class QemuLease {
 public:
  // Takes nothing yet: a call waits in the queue without a connection, so
  // a thousand queued calls hold none (taking one here opened a connection
  // per queued call: 480 opens per sample at 1000 guests).
  QemuLease(std::shared_ptr<QemuConnections> conns, std::string uri)
      : conns_(std::move(conns)), uri_(std::move(uri)) {}
  ~QemuLease();
  QemuLease(const QemuLease&) = delete;
  QemuLease& operator=(const QemuLease&) = delete;

  // The connection; opened here when the lease has none (on a worker: a
  // libvirtd that never answers holds this call, within its deadline, not
  // the loop). Of the free ones, one that kept `uuid`'s handle if any, so a
  // domain's calls settle on the connections that know it. Null when
  // libvirt cannot be reached; error() says why.
  virConnectPtr Get(const std::string& uuid = "");
  // The domain `uuid` on this lease's connection: a kept handle, else one
  // looked up now and kept. Null on failure, with libvirt's error left for
  // the caller to read.
  virDomainPtr Domain(const std::string& uuid);
  const std::string& error() const { return error_; }
  int error_code() const { return error_code_; }

 private:
  std::shared_ptr<QemuConnections> conns_;
  std::string uri_;
  uint64_t generation_ = 0;
  std::unique_ptr<QemuConnection> conn_;
  std::string error_;
  int error_code_ = VIR_ERR_OK;
};

}  // namespace libvirt_internal
}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_LIBVIRT_QEMU_CONNECTIONS_H_
