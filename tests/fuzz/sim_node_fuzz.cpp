// libFuzzer target: a simulator node description (YAML text) through parse_node.
// Bad input must end in InputError; any other exception, a crash, a leak or UB is a finding.
#include "harness/backends/sim/sim_node.hpp"
#include "harness/core/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)gpucert::sim::parse_node(text, "fuzz-node.yaml");
  } catch (const gpucert::InputError&) {
    // expected: rejected with the bad-input error
  }
  return 0;
}
