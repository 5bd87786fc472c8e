// Which backend measures: the simulator (--simulate NODE, with --fault tokens) or this machine's
// GPUs through the CUDA backend, loaded at run time so that commands which only read files need
// no CUDA library.
#pragma once

#include "harness/measure/backend.hpp"

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gpucert::backends {

/// What every command that touches a GPU says about the node.
struct NodeOptions {
  std::string simulate;            ///< simulator node name or node file; empty = the real node
  std::vector<std::string> faults; ///< --fault tokens (simulator only)
  std::string gpus;                ///< "0,2-3"; empty = all
  std::string seed;     ///< --seed N (simulator only): the noise; empty = a random seed, recorded
  std::string hostname; ///< --hostname H (simulator only): renames the node (identity, silicon)
};

/// The simulator when `simulate` is given, else the CUDA backend. Throws InputError on bad
/// faults / GPU lists, EnvironmentError when the CUDA backend, the driver or a GPU is missing.
std::unique_ptr<Backend> make_backend(const NodeOptions& opts);

/// What a simulated run records (results.json provenance.sim): {"seed", "hostname", "node"}; null
/// for a backend that is not the simulator.
nlohmann::json sim_provenance(const Backend& backend);

/// A fresh random seed (below 2^53, so a JSON reader that holds numbers as doubles keeps it).
std::uint64_t random_seed();

/// Parses "0,2-3" into sorted unique indices; throws InputError.
std::vector<int> parse_gpu_list(const std::string& text);

/// The built-in simulated nodes, comma-separated (for help texts and errors).
std::string node_names();

} // namespace gpucert::backends
