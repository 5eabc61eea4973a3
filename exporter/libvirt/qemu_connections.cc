#include "exporter/libvirt/qemu_connections.h"

#include <algorithm>
#include <utility>

#include "exporter/libvirt/libvirt_errors.h"

namespace vmbalance {
namespace libvirt_internal {

QemuConnection::~QemuConnection() {
  domains.clear();  // each handle holds a reference to conn
  virConnectClose(conn);
}

void QemuConnection::Prune(const std::map<std::string, int>& live) {
  for (auto it = domains.begin(); it != domains.end();) {
    auto found = live.find(it->first);
    if (found == live.end() || found->second != it->second.id) {
      it = domains.erase(it);
    } else {
      ++it;
    }
  }
}

void QemuConnections::Reset() {
  std::vector<std::unique_ptr<QemuConnection>> to_close;
  {
    std::lock_guard<std::mutex> lock(mu);
    ++generation;
    to_close.swap(free);
  }
  to_close.clear();  // frees the kept handles, then closes
}

void QemuConnections::SetLive(std::map<std::string, int> live_now) {
  std::lock_guard<std::mutex> lock(mu);
  if (live_now == live) return;
  live = std::move(live_now);
  ++live_version;
}

QemuLease::~QemuLease() {
  if (conn_ == nullptr) return;
  constexpr size_t kMaxFree = 4;
  std::lock_guard<std::mutex> lock(conns_->mu);
  if (generation_ == conns_->generation && conns_->free.size() < kMaxFree &&
      virConnectIsAlive(conn_->conn) == 1) {
    conns_->free.push_back(std::move(conn_));
  }
  // else conn_ closes here (a local call: no round trip).
}

virConnectPtr QemuLease::Get(const std::string& uuid) {
  if (conn_ != nullptr) return conn_->conn;
  {
    std::lock_guard<std::mutex> lock(conns_->mu);
    generation_ = conns_->generation;
    std::vector<std::unique_ptr<QemuConnection>>& free = conns_->free;
    if (!free.empty()) {
      auto pick = std::find_if(free.begin(), free.end(), [&](const auto& c) {
        return c->domains.count(uuid) != 0;
      });
      if (pick == free.end()) pick = free.end() - 1;
      conn_ = std::move(*pick);
      free.erase(pick);
      if (conn_->pruned_at != conns_->live_version) {
        conn_->Prune(conns_->live);
        conn_->pruned_at = conns_->live_version;
      }
      return conn_->conn;
    }
  }
  virConnectPtr opened = virConnectOpen(uri_.c_str());
  if (opened == nullptr) {
    const LibvirtError error = LastLibvirtError();
    error_ = "cannot connect to " + uri_ + ": " + error.message;
    error_code_ = error.code;
    return nullptr;
  }
  SilenceLibvirtErrors(opened);
  conn_ = std::make_unique<QemuConnection>(opened);
  return opened;
}

virDomainPtr QemuLease::Domain(const std::string& uuid) {
  if (Get(uuid) == nullptr) return nullptr;
  auto kept = conn_->domains.find(uuid);
  if (kept != conn_->domains.end()) return kept->second.handle.get();
  DomainHandle dom(virDomainLookupByUUIDString(conn_->conn, uuid.c_str()));
  if (dom == nullptr) return nullptr;
  const unsigned int id = virDomainGetID(dom.get());
  QemuConnection::Domain& entry = conn_->domains[uuid];
  entry.id = id == static_cast<unsigned int>(-1) ? -1 : static_cast<int>(id);
  entry.handle = std::move(dom);
  return entry.handle.get();
}

}  // namespace libvirt_internal
}  // namespace vmbalance
