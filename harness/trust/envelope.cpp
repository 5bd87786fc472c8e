// DSSE envelope and in-toto Statement (see envelope.hpp).
#include "harness/trust/envelope.hpp"

#include "harness/core/error.hpp"
#include "harness/core/json_input.hpp"
#include "harness/trust/keys.hpp"

#include <fmt/core.h>
#include <set>

namespace gpucert::trust {

namespace {

using nlohmann::json;

const json& field(const json& obj, const char* key, json::value_t type, const std::string& what,
                  const std::string& path) {
  const auto it = obj.find(key);
  const std::string name = path.empty() ? key : path + "." + key;
  if (it == obj.end())
    throw InputError(fmt::format("{}: field '{}' missing", what, name));
  if (it->type() != type && !(type == json::value_t::number_unsigned && it->is_number_integer()))
    throw InputError(fmt::format("{}: field '{}' must be {}, got {}", what, name,
                                 json(type).type_name(), it->type_name()));
  return *it;
}

void only_keys(const json& obj, const std::set<std::string>& keys, const std::string& what,
               const std::string& path) {
  for (const auto& [k, v] : obj.items())
    if (!keys.count(k))
      throw InputError(fmt::format("{}: unknown field '{}{}'", what, path.empty() ? "" : path + ".",
                                   k.size() > 64 ? k.substr(0, 64) + "..." : k));
}

bool is_hex64(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

} // namespace

std::string pae(std::string_view payload_type, std::string_view payload) {
  return fmt::format("DSSEv1 {} {} {} ", payload_type.size(), payload_type, payload.size()) +
         std::string(payload);
}

std::string envelope_text(const Envelope& e) {
  json sigs = json::array();
  for (const auto& s : e.signatures)
    sigs.push_back({{"keyid", s.keyid}, {"sig", base64_encode(s.sig)}});
  const json j = {
      {"payloadType", e.payload_type}, {"payload", base64_encode(e.payload)}, {"signatures", sigs}};
  return j.dump(2) + "\n";
}

Envelope parse_envelope(std::string_view text, const std::string& file) {
  if (text.empty())
    throw InputError(fmt::format("{}: empty", file));
  if (text.size() > kMaxEnvelopeBytes)
    throw InputError(fmt::format("{}: larger than {} bytes", file, kMaxEnvelopeBytes));
  check_text(text, file);
  const json j = parse_json_text(text, file);
  if (!j.is_object())
    throw InputError(fmt::format("{}: an envelope is a JSON object, got {}", file, j.type_name()));
  only_keys(j, {"payloadType", "payload", "signatures"}, file, "");
  Envelope e;
  e.payload_type = field(j, "payloadType", json::value_t::string, file, "").get<std::string>();
  if (e.payload_type != kPayloadType)
    throw InputError(fmt::format("{}: field 'payloadType' must be '{}'", file, kPayloadType));
  e.payload = base64_decode(field(j, "payload", json::value_t::string, file, "").get<std::string>(),
                            file + ": field 'payload'");
  const json& sigs = field(j, "signatures", json::value_t::array, file, "");
  if (sigs.size() != 1)
    throw InputError(fmt::format("{}: field 'signatures' must hold exactly one signature (gpucert "
                                 "signs with one key), got {}",
                                 file, sigs.size()));
  const std::string path = "signatures[0]";
  const json& s = sigs[0];
  if (!s.is_object())
    throw InputError(fmt::format("{}: field '{}' must be an object", file, path));
  only_keys(s, {"keyid", "sig"}, file, path);
  EnvelopeSignature sig;
  sig.keyid = field(s, "keyid", json::value_t::string, file, path).get<std::string>();
  if (sig.keyid.size() != 16 ||
      sig.keyid.find_first_not_of("0123456789abcdef") != std::string::npos)
    throw InputError(fmt::format("{}: field '{}.keyid' must be a gpucert key id (16 lower-case hex "
                                 "digits)",
                                 file, path));
  sig.sig = base64_decode(field(s, "sig", json::value_t::string, file, path).get<std::string>(),
                          file + ": field '" + path + ".sig'");
  if (sig.sig.size() != kSignatureBytes)
    throw InputError(fmt::format("{}: field '{}.sig' must decode to {} bytes (Ed25519), got {}",
                                 file, path, kSignatureBytes, sig.sig.size()));
  e.signatures.push_back(std::move(sig));
  return e;
}

std::string statement_text(const Statement& s) {
  json subjects = json::array();
  for (const auto& sub : s.subjects)
    subjects.push_back({{"name", sub.name}, {"digest", {{"sha256", sub.sha256}}}});
  const json j = {{"_type", kStatementType},
                  {"subject", subjects},
                  {"predicateType", kPredicateType},
                  {"predicate", s.predicate}};
  return j.dump();
}

Statement parse_statement(std::string_view payload, const std::string& what) {
  check_text(payload, what);
  const json j = parse_json_text(payload, what);
  if (!j.is_object())
    throw InputError(fmt::format("{}: a statement is a JSON object, got {}", what, j.type_name()));
  only_keys(j, {"_type", "subject", "predicateType", "predicate"}, what, "");
  if (field(j, "_type", json::value_t::string, what, "") != kStatementType)
    throw InputError(fmt::format("{}: field '_type' must be '{}'", what, kStatementType));
  if (field(j, "predicateType", json::value_t::string, what, "") != kPredicateType)
    throw InputError(fmt::format("{}: field 'predicateType' must be '{}'", what, kPredicateType));
  Statement s;
  const json& subjects = field(j, "subject", json::value_t::array, what, "");
  if (subjects.empty())
    throw InputError(fmt::format("{}: field 'subject' is empty", what));
  std::set<std::string> names;
  for (std::size_t i = 0; i < subjects.size(); ++i) {
    const std::string path = fmt::format("subject[{}]", i);
    const json& sub = subjects[i];
    if (!sub.is_object())
      throw InputError(fmt::format("{}: field '{}' must be an object", what, path));
    only_keys(sub, {"name", "digest"}, what, path);
    Subject out;
    out.name = field(sub, "name", json::value_t::string, what, path).get<std::string>();
    const json& digest = field(sub, "digest", json::value_t::object, what, path);
    only_keys(digest, {"sha256"}, what, path + ".digest");
    out.sha256 = field(digest, "sha256", json::value_t::string, what, path + ".digest");
    if (!is_hex64(out.sha256))
      throw InputError(
          fmt::format("{}: field '{}.digest.sha256' must be 64 lower-case hex digits", what, path));
    if (!names.insert(out.name).second)
      throw InputError(fmt::format("{}: field '{}.name': subject named twice", what, path));
    s.subjects.push_back(std::move(out));
  }
  s.predicate = field(j, "predicate", json::value_t::object, what, "");
  return s;
}

} // namespace gpucert::trust
