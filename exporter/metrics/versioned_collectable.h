// VersionedCollectable: a Collectable that says when what it collects may have
// changed, so a server can keep the text it rendered until the next change
// instead of collecting again on every scrape, and render ahead of scrapes.
#ifndef VMBALANCE_EXPORTER_METRICS_VERSIONED_COLLECTABLE_H_
#define VMBALANCE_EXPORTER_METRICS_VERSIONED_COLLECTABLE_H_

#include <cstdint>
#include <functional>

#include "prometheus/collectable.h"

namespace vmbalance {

class VersionedCollectable : public prometheus::Collectable {
 public:
  // Changes whenever Collect()'s result may change; equal values mean equal
  // results. Read it before Collect(): a change in between then costs one
  // extra render, never a stale page.
  virtual uint64_t generation() const = 0;

  // Calls `listener` after every change, on the changing thread, so it must
  // be quick (e.g. wake a renderer). It may be called for as long as this
  // object lives: it must not point at anything that dies sooner.
  virtual void AddChangeListener(std::function<void()> listener) = 0;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_METRICS_VERSIONED_COLLECTABLE_H_
