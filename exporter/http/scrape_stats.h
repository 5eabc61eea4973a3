// ScrapeStats: the server's own figures, as prometheus-cpp's Exposer exported
// them (same names, help and types, so dashboards and the metrics contract
// keep working): exposer_scrapes_total, exposer_transferred_bytes_total and
// the exposer_request_latencies summary (microseconds). Thread-safe.
#ifndef VMBALANCE_EXPORTER_HTTP_SCRAPE_STATS_H_
#define VMBALANCE_EXPORTER_HTTP_SCRAPE_STATS_H_

#include <cstddef>
#include <memory>
#include <string>

#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "prometheus/summary.h"

namespace vmbalance {

class ScrapeStats {
 public:
  ScrapeStats();

  // One served scrape: body bytes sent (compressed if it was) and how long
  // serving it took.
  void Record(size_t body_bytes, double microseconds);

  // The three families in exposition text: the head of every page.
  std::string Text() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Counter& transferred_bytes_;
  prometheus::Counter& scrapes_;
  prometheus::Summary& latencies_;
};

}  // namespace vmbalance

#endif  // VMBALANCE_EXPORTER_HTTP_SCRAPE_STATS_H_
