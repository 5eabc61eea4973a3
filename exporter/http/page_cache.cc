#include "exporter/http/page_cache.h"

#include <utility>

#include "exporter/metrics/versioned_collectable.h"
#include "prometheus/metric_family.h"
#include "prometheus/text_serializer.h"

namespace vmbalance {
namespace {

// zlib's default: each part is compressed once per snapshot, so the better
// ratio is worth its time (the level prometheus-cpp used on every scrape).
constexpr int kPartCompressionLevel = 6;

}  // namespace

const DeflatedPart* Part::deflated() const {
  std::call_once(once_,
                 [this] { deflated_ = Deflate(text_, kPartCompressionLevel); });
  return deflated_ ? &*deflated_ : nullptr;
}

size_t Page::size() const {
  size_t total = 0;
  for (const auto& part : parts) total += part->text().size();
  return total;
}

std::string Page::Text() const {
  std::string text;
  for (const auto& part : parts) text += part->text();
  return text;
}

std::optional<std::vector<const DeflatedPart*>> Page::Deflated() const {
  std::vector<const DeflatedPart*> out;
  for (const auto& part : parts) {
    const DeflatedPart* deflated = part->deflated();
    if (deflated == nullptr) return std::nullopt;
    out.push_back(deflated);
  }
  return out;
}

void PageCache::Register(std::weak_ptr<prometheus::Collectable> source) {
  std::lock_guard<std::mutex> lock(mutex_);
  slots_.push_back(Slot{std::move(source), std::nullopt, nullptr});
  page_.reset();  // the next Get() builds a page with the new source
}

std::shared_ptr<const Part> PageCache::Refresh(Slot* slot, bool* changed) {
  const std::shared_ptr<prometheus::Collectable> source = slot->source.lock();
  if (source == nullptr) {
    *changed |= slot->part != nullptr;
    slot->part.reset();
    return nullptr;
  }
  // Read before collecting: a publish in between costs a render, never a
  // stale part (see VersionedCollectable).
  const auto* versioned =
      dynamic_cast<const VersionedCollectable*>(source.get());
  std::optional<uint64_t> generation;
  if (versioned != nullptr) generation = versioned->generation();
  if (generation && generation == slot->generation && slot->part != nullptr) {
    return slot->part;
  }
  auto part = std::make_shared<const Part>(
      prometheus::TextSerializer().Serialize(source->Collect()));
  ++renders_;
  slot->part = part;
  slot->generation = generation;  // nullopt: render again next time
  *changed = true;
  return part;
}

std::shared_ptr<const Page> PageCache::Get() {
  std::lock_guard<std::mutex> lock(mutex_);
  auto page = std::make_shared<Page>();
  bool changed = page_ == nullptr;
  try {
    for (Slot& slot : slots_) {
      if (auto part = Refresh(&slot, &changed)) {
        page->parts.push_back(std::move(part));
      }
    }
  } catch (...) {
    page_.reset();  // parts before the throw may have changed
    throw;
  }
  if (!changed) return page_;
  page_ = std::move(page);
  return page_;
}

uint64_t PageCache::renders() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return renders_;
}

}  // namespace vmbalance
