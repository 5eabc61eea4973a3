#include "exporter/http/page_cache.h"

#include <limits>
#include <utility>

#include "exporter/metrics/versioned_collectable.h"
#include "prometheus/metric_family.h"
#include "prometheus/text_serializer.h"

namespace vmbalance {
namespace {

// zlib's default: the body is compressed once per snapshot, so the better
// ratio is worth its time (the same level prometheus-cpp used per scrape).
constexpr int kBodyCompressionLevel = 6;
// Stands for an expired source in a key.
constexpr uint64_t kGone = std::numeric_limits<uint64_t>::max();

}  // namespace

const DeflatedPart* Page::deflated() const {
  std::call_once(once_, [this] {
    deflated_ = Deflate(text_, /*last=*/true, kBodyCompressionLevel);
  });
  return deflated_ ? &*deflated_ : nullptr;
}

void PageCache::Register(std::weak_ptr<prometheus::Collectable> source) {
  std::lock_guard<std::mutex> lock(mutex_);
  sources_.push_back(std::move(source));
  key_.reset();  // the next Get() renders with the new source
}

std::optional<std::vector<uint64_t>> PageCache::CurrentKey() const {
  std::vector<uint64_t> key;
  key.reserve(sources_.size());
  for (const auto& weak : sources_) {
    const std::shared_ptr<prometheus::Collectable> source = weak.lock();
    if (source == nullptr) {
      key.push_back(kGone);
      continue;
    }
    const auto* versioned =
        dynamic_cast<const VersionedCollectable*>(source.get());
    if (versioned == nullptr) return std::nullopt;  // may change at any time
    key.push_back(versioned->generation());
  }
  return key;
}

std::string PageCache::Render() const {
  std::vector<prometheus::MetricFamily> families;
  for (const auto& weak : sources_) {
    if (const auto source = weak.lock()) {
      std::vector<prometheus::MetricFamily> more = source->Collect();
      families.insert(families.end(), std::make_move_iterator(more.begin()),
                      std::make_move_iterator(more.end()));
    }
  }
  return prometheus::TextSerializer().Serialize(families);
}

std::shared_ptr<const Page> PageCache::Get() {
  std::lock_guard<std::mutex> lock(mutex_);
  // Read before collecting: a publish in between costs a render, never a
  // stale page (see VersionedCollectable).
  std::optional<std::vector<uint64_t>> key = CurrentKey();
  if (key && key_ && *key == *key_ && page_ != nullptr) return page_;
  auto page = std::make_shared<const Page>(Render());
  ++renders_;
  page_ = page;
  key_ = std::move(key);
  return page;
}

uint64_t PageCache::renders() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return renders_;
}

}  // namespace vmbalance
