// libFuzzer target: certificate file text through certificate_from_text (the guarded parse, the
// in-place read of the checks, the rest as nlohmann values), then rendered in every format, as
// `gpucert report` and `gpucert fleet` do with a certificate someone sent. Bad input must end in
// InputError; any other exception, a crash, a leak or UB is a finding.
#include "harness/core/error.hpp"
#include "harness/model/certificate.hpp"
#include "reports/render.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const gpucert::report::Certificate cert = gpucert::report::certificate_from_text(
        std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.json");
    for (const auto& format : gpucert::report::formats())
      (void)format.render(cert, {});
    (void)gpucert::report::render_console(cert);
  } catch (const gpucert::InputError&) {
    // expected: rejected with the bad-input error
  }
  return 0;
}
