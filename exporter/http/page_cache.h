// PageCache: the exposition text of a list of Collectables, rendered once per
// change of any of them (VersionedCollectable::generation) and shared by every
// scrape until the next change. A Page's gzip is built once, on first demand.
// Collectables that are not versioned are collected on every Get().
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

// One rendering: immutable text, and its deflated form made lazily.
class Page {
 public:
  explicit Page(std::string text) : text_(std::move(text)) {}

  const std::string& text() const { return text_; }
  // The text as a last deflate part; null if zlib failed. Thread-safe; the
  // first caller compresses, concurrent ones wait for it.
  const DeflatedPart* deflated() const;

 private:
  const std::string text_;
  mutable std::once_flag once_;
  mutable std::optional<DeflatedPart> deflated_;
};

class PageCache {
 public:
  // Adds a source; pages list sources in registration order. Expired
  // sources are skipped.
  void Register(std::weak_ptr<prometheus::Collectable> source);

  // The page for the sources as they are now: the cached one unless a source
  // changed. Concurrent callers share one render. Throws what a source's
  // Collect() throws (the cache is then left as it was).
  std::shared_ptr<const Page> Get();

  // Pages rendered so far (for tests and benchmarks).
  uint64_t renders() const;

 private:
  // Each source's generation, or kChanged for an unversioned one: equal keys
  // mean the cached page is still right.
  std::optional<std::vector<uint64_t>> CurrentKey() const;
  std::string Render() const;

  mutable std::mutex mutex_;  // guards everything below; held while rendering
  std::vector<std::weak_ptr<prometheus::Collectable>> sources_;
  std::optional<std::vector<uint64_t>> key_;  // of page_; nullopt: none yet
  std::shared_ptr<const Page> page_;
  uint64_t renders_ = 0;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_HTTP_PAGE_CACHE_H_
