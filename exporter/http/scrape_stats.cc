#include "exporter/http/scrape_stats.h"

#include "prometheus/text_serializer.h"

namespace vmbalance {

ScrapeStats::ScrapeStats()
    : registry_(std::make_shared<prometheus::Registry>()),
      transferred_bytes_(prometheus::BuildCounter()
                             .Name("exposer_transferred_bytes_total")
                             .Help("Transferred bytes to metrics services")
                             .Register(*registry_)
                             .Add({})),
      scrapes_(prometheus::BuildCounter()
                   .Name("exposer_scrapes_total")
                   .Help("Number of times metrics were scraped")
                   .Register(*registry_)
                   .Add({})),
      latencies_(
          prometheus::BuildSummary()
              .Name("exposer_request_latencies")
              .Help("Latencies of serving scrape requests, in microseconds")
              .Register(*registry_)
              .Add({}, prometheus::Summary::Quantiles{
                           {0.5, 0.05}, {0.9, 0.01}, {0.99, 0.001}})) {}

void ScrapeStats::Record(size_t body_bytes, double microseconds) {
  transferred_bytes_.Increment(static_cast<double>(body_bytes));
  scrapes_.Increment();
  latencies_.Observe(microseconds);
}

std::string ScrapeStats::Text() const {
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace vmbalance
