// Which backend measures: the simulator (--simulate NODE, with --fault tokens) or this machine's
// GPUs through the CUDA backend, loaded at run time so that commands which only read files need
// no CUDA library.
#pragma once

#include "harness/measure/backend.hpp"

#include <memory>
#include <string>
#include <vector>

namespace gpucert::backends {

/// What every command that touches a GPU says about the node.
struct NodeOptions {
  std::string simulate;            ///< simulator node name or node file; empty = the real node
  std::vector<std::string> faults; ///< --fault tokens (simulator only)
  std::string gpus;                ///< "0,2-3"; empty = all
};

/// The simulator when `simulate` is given, else the CUDA backend. Throws InputError on bad
/// faults / GPU lists, EnvironmentError when the CUDA backend, the driver or a GPU is missing.
std::unique_ptr<Backend> make_backend(const NodeOptions& opts);

/// Parses "0,2-3" into sorted unique indices; throws InputError.
std::vector<int> parse_gpu_list(const std::string& text);

/// The built-in simulated nodes, comma-separated (for help texts and errors).
std::string node_names();

} // namespace gpucert::backends
