// The certificate as JSON: the certificate's own codec (harness/model), pretty-printed. It is the
// certificate itself (the signed document), so it never carries a signature status.
#include "harness/model/certificate.hpp"
#include "harness/model/signature_status.hpp"

namespace gpucert::report {

std::string render_json(const Certificate& c, const SignatureStatus& /*sig*/) {
  return to_json(c).dump(2) + "\n";
}

} // namespace gpucert::report
