// PageCache: the exposition text of a list of Collectables, kept per source
// and rendered again only when that source changes
// (VersionedCollectable::generation); every scrape in between shares the same
// bytes. The exporter and the controller publish at different moments of a
// tick, so each change costs only its own source's render. A Part's deflated
// form is built once, on first demand. Unversioned sources are collected on
// every Get().
#ifndef VMBALANCE_EXPORTER_HTTP_PAGE_CACHE_H_
#define VMBALANCE_EXPORTER_HTTP_PAGE_CACHE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "exporter/http/gzip.h"
#include "prometheus/collectable.h"

namespace vmbalance {

// One source's rendering: immutable text, and its deflated form made lazily.
class Part {
 public:
  explicit Part(std::string text) : text_(std::move(text)) {}

  const std::string& text() const { return text_; }
  // Null if zlib failed. Thread-safe; the first caller compresses,
  // concurrent ones wait for it.
  const DeflatedPart* deflated() const;

 private:
  const std::string text_;
  mutable std::once_flag once_;
  mutable std::optional<DeflatedPart> deflated_;
};

// What one scrape serves: the sources' parts, in registration order.
struct Page {
  std::vector<std::shared_ptr<const Part>> parts;

  size_t size() const;
  std::string Text() const;  // all parts in one string (tests)
  // Every part's deflated form; nullopt if any failed.
  std::optional<std::vector<const DeflatedPart*>> Deflated() const;
};

class PageCache {
 public:
  // Adds a source. Expired sources are skipped.
  void Register(std::weak_ptr<prometheus::Collectable> source);

  // The page for the sources as they are now: unchanged sources keep their
  // part, and if none changed this is the previous Page object. Concurrent
  // callers share renders. Throws what a source's Collect() throws (the
  // cache is then left as it was).
  std::shared_ptr<const Page> Get();

  // Sources rendered so far (for tests and benchmarks).
  uint64_t renders() const;

 private:
  struct Slot {
    std::weak_ptr<prometheus::Collectable> source;
    std::optional<uint64_t> generation;  // of part; nullopt: render again
    std::shared_ptr<const Part> part;
  };
  // The slot's part as its source is now: the cached one, a new render or
  // null (the source is gone). Sets *changed when it is not the cached one.
  std::shared_ptr<const Part> Refresh(Slot* slot, bool* changed);

  mutable std::mutex mutex_;  // guards everything below; held while rendering
  std::vector<Slot> slots_;
  std::shared_ptr<const Page> page_;
  uint64_t renders_ = 0;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_HTTP_PAGE_CACHE_H_
