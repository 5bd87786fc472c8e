// libFuzzer target: simulator fault tokens (`--fault`, one per line of the input) through
// parse_faults, against a GPU count and against each built-in node. Bad input must end in
// InputError; any other exception, a crash, a leak or UB is a finding.
#include "harness/backends/sim/faults.hpp"
#include "harness/backends/sim/sim_node.hpp"
#include "harness/core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace {

const std::vector<gpucert::sim::SimNode>& nodes() {
  static const std::vector<gpucert::sim::SimNode> all = [] {
    std::vector<gpucert::sim::SimNode> v;
    for (const auto& name : gpucert::sim::builtin_node_names())
      v.push_back(gpucert::sim::load_builtin_node(name));
    return v;
  }();
  return all;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> tokens(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == '\n')
      tokens.emplace_back();
    else
      tokens.back().push_back(static_cast<char>(data[i]));
  }
  try {
    (void)gpucert::sim::parse_faults(tokens, 8);
  } catch (const gpucert::InputError&) {
    // expected: rejected with the bad-input error
  }
  for (const auto& node : nodes()) {
    try {
      (void)gpucert::sim::parse_faults(tokens, node);
    } catch (const gpucert::InputError&) {
    }
  }
  return 0;
}
