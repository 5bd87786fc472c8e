// The signed envelope of a run directory: DSSE (github.com/secure-systems-lab/dsse, v1.0) around
// an in-toto Statement v1 whose subjects are the signed files. Format: docs/trust.md.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace gpucert::trust {

inline constexpr const char* kEnvelopeFile = "certificate.dsse.json"; ///< in the run directory
inline constexpr const char* kProfileDir = "profile"; ///< the profile chain's copy, in the run dir
inline constexpr const char* kPayloadType = "application/vnd.in-toto+json";
inline constexpr const char* kStatementType = "https://in-toto.io/Statement/v1";
inline constexpr const char* kPredicateType = "urn:gpucert:attestation:certificate:v1";
inline constexpr std::size_t kMaxEnvelopeBytes = 1u << 20;

/// DSSE's pre-authentication encoding: "DSSEv1 <len> <type> <len> <payload>" (lengths in ASCII
/// decimal bytes). What is signed, so the type cannot be swapped under the payload.
std::string pae(std::string_view payload_type, std::string_view payload);

struct EnvelopeSignature {
  std::string keyid;
  std::string sig; ///< raw signature bytes (decoded)
};

struct Envelope {
  std::string payload_type;
  std::string payload; ///< raw payload bytes (decoded)
  std::vector<EnvelopeSignature> signatures;
};

/// The envelope's JSON text (fields base64-encoded), as written to kEnvelopeFile.
std::string envelope_text(const Envelope& e);

/// Parses an envelope strictly: exactly the DSSE fields, strings where strings belong, base64
/// that decodes, exactly one signature of 64 bytes, the in-toto payload type. InputError
/// "FILE: ..." naming the field otherwise.
Envelope parse_envelope(std::string_view text, const std::string& file);

struct Subject {
  std::string name;   ///< path relative to the run directory: "results.json", "profile/x.yaml"
  std::string sha256; ///< hex
};

/// The in-toto Statement: subjects and gpucert's predicate (kept as JSON; see docs/trust.md).
struct Statement {
  std::vector<Subject> subjects;
  nlohmann::json predicate = nlohmann::json::object();
};

/// The payload bytes of `s` (compact JSON).
std::string statement_text(const Statement& s);

/// Parses a payload: _type, subject[] (name, digest.sha256 of 64 hex digits, no name twice),
/// predicateType and the predicate object. InputError "WHAT: ..." naming the field otherwise.
Statement parse_statement(std::string_view payload, const std::string& what);

} // namespace gpucert::trust
