#include "controller/cpu/cell_rules.h"

#include <algorithm>
#include <climits>
#include <iterator>
#include <map>
#include <numeric>

namespace vmbalance {
namespace {

// The problem's bins by cell, and the items by guest.
struct CellIndex {
  std::map<int, std::vector<int>> bins;  // cell -> its bins, ascending
  std::vector<std::vector<int>> items;   // guest -> its items
};

CellIndex IndexCells(const PlacementProblem& problem, size_t guests) {
  CellIndex index;
  for (int b = 0; b < problem.bins(); ++b) {
    if (problem.bin_cell[b] >= 0) index.bins[problem.bin_cell[b]].push_back(b);
  }
  index.items.resize(guests);
  for (int i = 0; i < problem.items(); ++i) {
    const int g = problem.group[i];
    if (g >= 0 && static_cast<size_t>(g) < guests) index.items[g].push_back(i);
  }
  return index;
}

// The bins of `bins` that `item` may use.
std::vector<int> AllowedWithin(const PlacementProblem& problem, int item,
                               const std::vector<int>& bins) {
  const std::vector<int>& allowed = problem.allowed[item];
  if (allowed.empty()) return bins;
  std::vector<int> both;
  std::set_intersection(allowed.begin(), allowed.end(), bins.begin(),
                        bins.end(), std::back_inserter(both));
  return both;
}

std::vector<int> BinsOfCells(const CellIndex& index,
                             const std::vector<int>& cells) {
  std::vector<int> bins;
  for (int cell : cells) {
    auto it = index.bins.find(cell);
    if (it != index.bins.end()) {
      bins.insert(bins.end(), it->second.begin(), it->second.end());
    }
  }
  std::sort(bins.begin(), bins.end());
  return bins;
}

std::string CellList(const std::vector<int>& cells) {
  std::string text;
  for (int cell : cells) {
    text += (text.empty() ? "" : ",") + std::to_string(cell);
  }
  return text;
}

// The cells with pCPUs nearest to any of `memory` (ACPI distance) among
// those where every item of `items` may run; empty when no distance is known.
std::vector<int> NearestCells(const PlacementProblem& problem,
                              const CellIndex& index,
                              const std::vector<int>& items,
                              const std::vector<int>& memory,
                              const CellDistance& distance) {
  int best = INT_MAX;
  std::vector<int> nearest;
  for (const auto& [cell, bins] : index.bins) {
    const bool usable = std::all_of(items.begin(), items.end(), [&](int i) {
      return !AllowedWithin(problem, i, bins).empty();
    });
    if (!usable) continue;
    int d = INT_MAX;
    for (int from : memory) {
      const int known = distance ? distance(from, cell) : -1;
      if (known >= 0) d = std::min(d, known);
    }
    if (d == INT_MAX) continue;
    if (d < best) nearest.clear();
    if (d <= best) {
      best = d;
      nearest.push_back(cell);
    }
  }
  return nearest;
}

// A guest bound to `memory` cells: each vCPU may use only their pCPUs. If
// some vCPU may use none of them (the cells have no usable pCPU, or the
// operator pinned it elsewhere), the guest goes to the nearest cells all its
// vCPUs may use, or keeps what it had; the note says which.
void BindGuest(const GuestCells& guest, const std::vector<int>& items,
               const CellIndex& index, const CellDistance& distance,
               PlacementProblem* problem, CellReport* report) {
  std::vector<int> cells = guest.memory_cells;
  std::vector<int> bins = BinsOfCells(index, cells);
  const bool reachable = std::all_of(items.begin(), items.end(), [&](int i) {
    return !AllowedWithin(*problem, i, bins).empty();
  });
  if (!reachable) {
    std::string note = guest.name + ": memory bound to cell(s) " +
                       CellList(cells) + " (" + guest.memory_mode +
                       ") but its vCPUs may use no pCPU there";
    cells = NearestCells(*problem, index, items, guest.memory_cells, distance);
    if (cells.empty()) {
      report->notes.push_back(note + "; placed without a cell rule");
      return;
    }
    report->notes.push_back(note + "; kept in the nearest cell(s) " +
                            CellList(cells));
    bins = BinsOfCells(index, cells);
  }
  for (int i : items) problem->allowed[i] = AllowedWithin(*problem, i, bins);
  report->bound_vcpus += static_cast<int>(items.size());
}

// Where the guests without a binding may go: each cell's fair share of the
// demand (the placed mean times its bins, less their base load), and how
// much of it is taken so far.
struct CellRoom {
  std::map<int, double> room;
  std::map<int, double> taken;
};

CellRoom RoomOf(const PlacementProblem& problem, const CellIndex& index) {
  CellRoom cells;
  const double mean = PlacedMean(problem);
  for (const auto& [cell, bins] : index.bins) {
    double base = 0;
    for (int b : bins) base += problem.base_load[b];
    cells.room[cell] = mean * bins.size() - base;
    cells.taken[cell] = 0;
  }
  return cells;
}

// The one cell `item` is confined to, or -1 when it may use several.
int ConfinedCell(const PlacementProblem& problem, int item) {
  const std::vector<int>& allowed = problem.allowed[item];
  if (allowed.empty()) return -1;
  const int cell = problem.bin_cell[allowed.front()];
  for (int b : allowed) {
    if (problem.bin_cell[b] != cell) return -1;
  }
  return cell;
}

double DemandOf(const PlacementProblem& problem,
                const std::vector<int>& items) {
  double sum = 0;
  for (int i : items) sum += problem.demand[i];
  return sum;
}

// The cell most of `items` are on now (more demand on ties, then the lower
// cell); -1 when none is placed.
int CurrentCell(const PlacementProblem& problem,
                const std::vector<int>& items) {
  std::map<int, std::pair<int, double>> on;  // cell -> (items, demand)
  for (int i : items) {
    const int bin = problem.current[i];
    if (bin < 0 || problem.bin_cell[bin] < 0) continue;
    auto& [count, demand] = on[problem.bin_cell[bin]];
    ++count;
    demand += problem.demand[i];
  }
  int best = -1;
  std::pair<int, double> most{0, -1.0};
  for (const auto& [cell, figures] : on) {
    if (figures > most) {
      most = figures;
      best = cell;
    }
  }
  return best;
}

// The home cell for a guest of `demand`: the one it is on now when it fits
// there, else the fitting cell with the most room left; -1 when none fits.
int HomeCell(const PlacementProblem& problem, const CellIndex& index,
             const std::vector<int>& items, double demand,
             const CellRoom& cells, const TopologyConfig& config) {
  auto fits = [&](int cell) {
    const std::vector<int>& bins = index.bins.at(cell);
    const bool usable = std::all_of(items.begin(), items.end(), [&](int i) {
      return !AllowedWithin(problem, i, bins).empty();
    });
    return usable && cells.taken.at(cell) + demand <=
                         cells.room.at(cell) +
                             config.cell_fill_slack * bins.size() + 1e-9;
  };
  const int now = CurrentCell(problem, items);
  if (now >= 0 && index.bins.count(now) && fits(now)) return now;
  int best = -1;
  double most = 0;
  for (const auto& [cell, room] : cells.room) {
    const double left = room - cells.taken.at(cell);
    if (fits(cell) && (best < 0 || left > most)) {
      best = cell;
      most = left;
    }
  }
  return best;
}

// Gives the guests without a binding a home cell, largest first; a homed
// vCPU may stay where it is, and moves only into its home cell.
void HomeGuests(const std::vector<GuestCells>& guests, const CellIndex& index,
                const TopologyConfig& config, PlacementProblem* problem,
                CellReport* report) {
  CellRoom cells = RoomOf(*problem, index);
  std::vector<int> free;  // guests whose vCPUs may use several cells
  for (size_t g = 0; g < guests.size(); ++g) {
    const std::vector<int>& items = index.items[g];
    bool confined = true;
    for (int i : items) {
      const int cell = ConfinedCell(*problem, i);
      if (cell < 0) {
        confined = false;
      } else {
        cells.taken[cell] += problem->demand[i];
      }
    }
    if (!confined && guests[g].memory_cells.empty()) {
      free.push_back(static_cast<int>(g));
    }
  }
  std::vector<double> demand(guests.size(), 0.0);
  for (int g : free) demand[g] = DemandOf(*problem, index.items[g]);
  std::stable_sort(free.begin(), free.end(),
                   [&](int a, int b) { return demand[a] > demand[b]; });
  for (int g : free) {
    const std::vector<int>& items = index.items[g];
    const int home = HomeCell(*problem, index, items, demand[g], cells, config);
    if (home < 0) {
      ++report->homeless_guests;
      continue;
    }
    ++report->homed_guests;
    cells.taken[home] += demand[g];
    const std::vector<int>& bins = index.bins.at(home);
    for (int i : items) {
      std::vector<int> allowed = AllowedWithin(*problem, i, bins);
      const int now = problem->current[i];
      if (now >= 0 && MayPlace(*problem, i, now) &&
          problem->bin_cell[now] != home) {
        allowed.insert(std::upper_bound(allowed.begin(), allowed.end(), now),
                       now);
      }
      problem->allowed[i] = std::move(allowed);
    }
  }
}

}  // namespace

CellReport ApplyCellRules(const std::vector<GuestCells>& guests,
                          const CellDistance& distance,
                          const TopologyConfig& config,
                          PlacementProblem* problem) {
  CellReport report;
  if (problem->bin_cell.size() != static_cast<size_t>(problem->bins()) ||
      problem->group.size() != static_cast<size_t>(problem->items())) {
    return report;
  }
  const CellIndex index = IndexCells(*problem, guests.size());
  if (index.bins.size() < 2) return report;
  problem->allowed.resize(problem->items());
  for (size_t g = 0; g < guests.size(); ++g) {
    if (guests[g].memory_cells.empty() || index.items[g].empty()) continue;
    BindGuest(guests[g], index.items[g], index, distance, problem, &report);
  }
  if (config.home_cells) HomeGuests(guests, index, config, problem, &report);
  return report;
}

}  // namespace vmbalance
