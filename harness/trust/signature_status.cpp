// Placeholder: every directory reads as unsigned until the envelope reader lands.
#include "harness/trust/signature_status.hpp"

namespace gpucert::trust {

report::SignatureStatus signature_status(const std::filesystem::path&,
                                         const std::vector<std::string>&) {
  report::SignatureStatus s;
  s.state = report::SignatureStatus::State::unsigned_;
  return s;
}

} // namespace gpucert::trust
