// The certificate as JSON: the certificate's own codec (harness/model), in its file form. It is
// the certificate itself (the signed document), so it never carries a signature status.
#include "harness/model/certificate.hpp"
#include "harness/model/certificate_compact.hpp"
#include "harness/model/signature_status.hpp"

namespace gpucert::report {

std::string render_json(const Certificate& c, const SignatureStatus& /*sig*/) {
  return certificate_text(c);
}

/// The full form (schema gpucert/certificate/v1): what the file form expands to, with the
/// samples the certificate holds (those in results.json only when they were attached).
std::string render_json_full(const Certificate& c, const SignatureStatus& /*sig*/) {
  return to_json(c).dump(1) + "\n";
}

} // namespace gpucert::report
