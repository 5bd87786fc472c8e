// libFuzzer target: a certificate (JSON text) through certificate_from_json, then rendered in
// every format, as `gpucert report` does with a certificate someone sent. Text that is not JSON
// is the JSON library's business and is skipped. Bad input must end in InputError; any other
// exception, a crash, a leak or UB is a finding.
#include "harness/core/error.hpp"
#include "harness/model/certificate.hpp"
#include "reports/render.hpp"

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const nlohmann::json doc = nlohmann::json::parse(data, data + size, nullptr, false);
  if (doc.is_discarded())
    return 0;
  try {
    const gpucert::report::Certificate cert = gpucert::report::certificate_from_json(doc);
    for (const auto& format : gpucert::report::formats())
      (void)format.render(cert, {});
    (void)gpucert::report::render_console(cert);
  } catch (const gpucert::InputError&) {
    // expected: rejected with the bad-input error
  }
  return 0;
}
