// libFuzzer target: a results document (JSON text) through results_from_json, then written back
// (what `gpucert evaluate` reads must also be writable). Text that is not JSON is the JSON
// library's business and is skipped. Bad input must end in InputError; any other exception, a
// crash, a leak or UB is a finding.
#include "harness/core/error.hpp"
#include "harness/model/results.hpp"

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json doc = nlohmann::json::parse(data, data + size, nullptr, false);
  if (doc.is_discarded())
    return 0;
  try {
    const gpucert::Results r = gpucert::results_from_json(doc);
    (void)gpucert::to_json(r).dump();
  } catch (const gpucert::InputError&) {
    // expected: rejected with the bad-input error
  }
  return 0;
}
