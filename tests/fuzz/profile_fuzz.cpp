// libFuzzer target: a profile's YAML text through the loader and validator (parse_profile).
// Bad input must end in InputError; any other exception, a crash, a leak or UB is a finding.
#include "harness/benchmarks/catalog.hpp"
#include "harness/core/error.hpp"
#include "harness/profile/profile.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    // `extends: NAME` resolves against the shipped profiles, so merging is reached too.
    (void)gpucert::profile::parse_profile(gpucert::builtin_registry(), text, "fuzz.yaml",
                                          GPUCERT_FUZZ_PROFILE_DIR);
  } catch (const gpucert::InputError&) {
    // expected: rejected with the bad-input error
  }
  return 0;
}
