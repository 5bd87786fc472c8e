// What verifying a run directory's signature found, as plain data for the renderers: a report
// shows the status computed when it is rendered, never one stored in the files it renders.
// Made by harness/trust (signature_status.hpp); read by reports/.
#pragma once

#include <string>

namespace gpucert::report {

struct SignatureStatus {
  enum class State {
    not_checked, ///< the renderer was given a certificate alone, not a run directory
    unsigned_,   ///< the directory holds no signature envelope
    valid,       ///< signature and every subject's digest hold, by a trusted key
    untrusted,   ///< intact (digests and signature hold) but no trusted key was given or matched
    invalid      ///< a digest or the signature does not hold, or the envelope is malformed
  };
  State state = State::not_checked;
  std::string key_id;      ///< of the key that signed ("" when unsigned)
  std::string fingerprint; ///< the signer's public key fingerprint, for people to compare
  std::string detail;      ///< the first thing that failed, or what was checked
};

inline const char* to_string(SignatureStatus::State s) {
  switch (s) {
  case SignatureStatus::State::not_checked:
    return "NOT CHECKED";
  case SignatureStatus::State::unsigned_:
    return "UNSIGNED";
  case SignatureStatus::State::valid:
    return "VALID";
  case SignatureStatus::State::untrusted:
    return "UNTRUSTED";
  case SignatureStatus::State::invalid:
    return "INVALID";
  }
  return "INVALID";
}

} // namespace gpucert::report
