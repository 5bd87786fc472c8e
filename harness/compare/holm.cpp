// Holm (1979), "A simple sequentially rejective multiple test procedure".
#include "harness/compare/holm.hpp"

#include <algorithm>
#include <numeric>

namespace gpucert::compare {

std::vector<double> holm_adjust(const std::vector<double>& p) {
  const std::size_t k = p.size();
  std::vector<std::size_t> order(k);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return p[a] < p[b]; });
  std::vector<double> adj(k);
  double run = 0;
  for (std::size_t i = 0; i < k; ++i) {
    run = std::max(run, std::min(1.0, static_cast<double>(k - i) * p[order[i]]));
    adj[order[i]] = run;
  }
  return adj;
}

} // namespace gpucert::compare
