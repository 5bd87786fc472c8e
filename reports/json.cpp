// The certificate as JSON: the certificate's own codec (harness/model), pretty-printed.
#include "harness/model/certificate.hpp"

namespace gpucert::report {

std::string render_json(const Certificate& c, const SignatureStatus& /*sig*/) {
  return to_json(c).dump(2) + "\n";
}

} // namespace gpucert::report
