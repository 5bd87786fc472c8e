// Checking a valid profile against the node it is about to run on: parameters the node's GPUs
// cannot measure as the clause means them (HBM arrays its L2 could hold, ...). Each benchmark
// says what it needs (BenchmarkDef::fits); this reads the node's inventory.
#pragma once

#include "harness/model/catalog.hpp"
#include "harness/model/inventory.hpp"
#include "harness/profile/profile.hpp"

#include <string>
#include <vector>

namespace gpucert::profile {

/// One clause that cannot be measured on one GPU of the node, and why.
struct NodeFitProblem {
  std::string clause_id;
  int gpu = 0;
  Loc loc;            ///< the parameter (or the clause) in the profile
  std::string reason; ///< the benchmark's, naming the GPU and the fact (e.g. its L2 size)
  /// "FILE:LINE:COL: clause 'ID': REASON"
  std::string str() const;
};

/// Every (clause, GPU) of `inventory` that `profile` cannot measure as written; empty when the
/// node can run it all. GPUs whose facts are unknown (no L2 size in the inventory) are not
/// refused here: the backend checks again when it sets up.
std::vector<NodeFitProblem> node_fit_problems(const Registry& registry, const Profile& profile,
                                              const Inventory& inventory);

/// Throws InputError listing the problems (one per line, the first in the first line), if any.
void check_node_fit(const Registry& registry, const Profile& profile, const Inventory& inventory);

} // namespace gpucert::profile
