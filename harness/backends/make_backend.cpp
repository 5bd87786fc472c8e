// The choice of backend a command's --simulate / --fault / --gpus imply: the simulator, or the
// CUDA backend loaded at run time.
#include "harness/backends/make_backend.hpp"

#include "harness/backends/cuda_plugin.hpp"
#include "harness/backends/sim/faults.hpp"
#include "harness/backends/sim/sim_backend.hpp"
#include "harness/backends/sim/sim_node.hpp"
#include "harness/core/error.hpp"
#include "harness/core/input_file.hpp"
#include "harness/core/seed.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>

namespace gpucert::backends {

std::string node_names() {
  return fmt::format("{}", fmt::join(sim::builtin_node_names(), ", "));
}

namespace {

/// A built-in node by name, or a node description file (profile authors describe their own SKU).
sim::SimNode load_node(const std::string& name_or_path) {
  const bool is_file = name_or_path.find('/') != std::string::npos ||
                       name_or_path.ends_with(".yaml") || name_or_path.ends_with(".yml");
  if (!is_file)
    return sim::load_builtin_node(name_or_path);
  std::string text;
  try {
    text = read_input_file(name_or_path, kNodeInput);
  } catch (const InputError& e) {
    throw InputError(fmt::format("--simulate {} (built-in nodes: {})", e.what(), node_names()));
  }
  return sim::parse_node(text, name_or_path);
}

int parse_index(const std::string& text, std::string_view part) {
  int v = 0;
  auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v);
  if (part.empty() || ec != std::errc() || end != part.data() + part.size() || v < 0)
    throw InputError(
        fmt::format("--gpus {}: '{}' is not a GPU index or range (e.g. 0,2-3)", text, part));
  return v;
}

} // namespace

std::uint64_t random_seed() {
  std::random_device rd;
  const std::uint64_t hi = rd(), lo = rd();
  return ((hi << 32) ^ lo) & ((1ULL << 53) - 1);
}

nlohmann::json sim_provenance(const Backend& backend) {
  const auto* sim = dynamic_cast<const sim::SimBackend*>(&backend);
  if (!sim)
    return nullptr;
  return {{"seed", sim->seed()},
          {"hostname", sim::identity_key(sim->node())},
          {"node", sim->node().name}};
}

std::vector<int> parse_gpu_list(const std::string& text) {
  std::vector<int> out;
  if (text.empty())
    return out;
  std::string_view rest(text);
  while (true) {
    const auto comma = rest.find(',');
    const std::string_view part = rest.substr(0, comma);
    if (const auto dash = part.find('-'); dash != std::string_view::npos) {
      const int lo = parse_index(text, part.substr(0, dash));
      const int hi = parse_index(text, part.substr(dash + 1));
      if (hi < lo)
        throw InputError(fmt::format("--gpus {}: range '{}' runs backwards", text, part));
      for (int i = lo; i <= hi; ++i)
        out.push_back(i);
    } else {
      out.push_back(parse_index(text, part));
    }
    if (comma == std::string_view::npos)
      break;
    rest = rest.substr(comma + 1);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::unique_ptr<Backend> make_backend(const NodeOptions& opts) {
  const std::vector<int> gpus = parse_gpu_list(opts.gpus);
  if (opts.simulate.empty()) {
    if (!opts.seed.empty() || !opts.hostname.empty())
      throw InputError(fmt::format("{} {}: only a simulated node takes a seed or a hostname (add "
                                   "--simulate NODE; nodes: {})",
                                   opts.seed.empty() ? "--hostname" : "--seed",
                                   opts.seed.empty() ? opts.hostname : opts.seed, node_names()));
    if (!opts.faults.empty())
      throw InputError(fmt::format("--fault {}: faults can only be injected into a simulated node "
                                   "(add --simulate NODE; nodes: {})",
                                   opts.faults.front(), node_names()));
    try {
      return load_cuda_backend(gpus);
    } catch (const EnvironmentError& e) {
      throw EnvironmentError(fmt::format("{} (to try gpucert without a GPU: --simulate NODE, "
                                         "e.g. --simulate h100-sxm5-80gb-8x)",
                                         e.what()));
    }
  }
  const std::uint64_t seed = opts.seed.empty() ? random_seed() : gpucert::parse_seed(opts.seed);
  sim::SimNode node = load_node(opts.simulate);
  if (!opts.hostname.empty())
    sim::set_hostname(node, opts.hostname);
  sim::FaultSet faults(sim::parse_faults(opts.faults, node));
  for (int g : gpus)
    if (g >= node.gpu_count)
      throw InputError(fmt::format("--gpus {}: GPU {} does not exist on {} ({} GPU{}: 0-{})",
                                   opts.gpus, g, node.name, node.gpu_count,
                                   node.gpu_count == 1 ? "" : "s", node.gpu_count - 1));
  return std::make_unique<sim::SimBackend>(std::move(node), std::move(faults), gpus, seed);
}

} // namespace gpucert::backends
