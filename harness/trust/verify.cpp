// Verifying a signed run directory (see verify.hpp).
#include "harness/trust/verify.hpp"

#include "harness/core/error.hpp"
#include "harness/core/json_input.hpp"
#include "harness/evaluate/evaluate.hpp"
#include "harness/profile/profile.hpp"
#include "harness/profile/sha256.hpp"
#include "harness/trust/envelope.hpp"
#include "harness/trust/sign.hpp"

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fmt/core.h>
#include <map>
#include <set>

namespace gpucert::trust {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxDetail = 400;

std::string capped(std::string s) {
  if (s.size() > kMaxDetail)
    s = s.substr(0, kMaxDetail) + "...";
  return s;
}

/// The signature part shared by verify and the renderers' status.
struct Signed {
  Envelope env;
  Statement st;
  PublicKey key;                            ///< the key the signature was checked with
  std::map<std::string, std::string> files; ///< subject name → exact bytes
};

std::string str_of(const json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// The predicate's signer key: decoded and consistent with the envelope's keyid.
PublicKey embedded_key(const Statement& st, const std::string& keyid) {
  const auto it = st.predicate.find("signer");
  if (it == st.predicate.end() || !it->is_object())
    throw InputError("statement: field 'predicate.signer' missing");
  const PublicKey k = decode_public_key(str_of(*it, "public_key"),
                                        "statement: field 'predicate.signer.public_key'");
  if (k.id != keyid || str_of(*it, "key_id") != keyid)
    throw InputError(fmt::format("statement: the signer key recorded in the predicate is not the "
                                 "key {} the envelope names",
                                 keyid));
  return k;
}

std::string subject_list(const Statement& st) {
  std::string s;
  for (const auto& sub : st.subjects)
    s += (s.empty() ? "" : ", ") + sub.name;
  return s;
}

class Runner {
public:
  explicit Runner(VerifyReport& r) : r_(r) {}
  void pass(const std::string& name, const std::string& detail) {
    r_.steps.push_back({true, name, capped(detail)});
  }
  bool fail(const std::string& name, const std::string& detail) {
    r_.steps.push_back({false, name, capped(detail)});
    r_.valid = false;
    return false;
  }
  /// Runs `f` (returns the detail of success); an exception is the step's failure.
  template <class F> bool step(const std::string& name, F&& f) {
    try {
      pass(name, f());
      return true;
    } catch (const std::exception& e) {
      return fail(name, e.what());
    }
  }

private:
  VerifyReport& r_;
};

std::string envelope_path(const std::string& dir) {
  return dir + "/" + kEnvelopeFile;
}

std::string read_envelope(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::symlink_status(envelope_path(dir), ec)))
    throw InputError(fmt::format("{}: missing: the directory is not signed (gpucert sign DIR "
                                 "--key K signs it)",
                                 envelope_path(dir)));
  return read_run_file(dir, kEnvelopeFile);
}

void parse_signed(const std::string& dir, Signed& s) {
  s.env = parse_envelope(read_envelope(dir), envelope_path(dir));
  s.st = parse_statement(s.env.payload, envelope_path(dir) + ": payload");
}

void check_sig(const Signed& s, const PublicKey& key) {
  if (!verify_bytes(key, pae(s.env.payload_type, s.env.payload), s.env.signatures[0].sig))
    throw InputError(fmt::format("the Ed25519 signature does not verify with key {}: the envelope "
                                 "was altered or signed by another key",
                                 key.id));
}

std::string check_digests(const std::string& dir, Signed& s) {
  for (const auto& sub : s.st.subjects) {
    if (!is_signable_name(sub.name))
      throw InputError(fmt::format("subject '{}' is not a file gpucert signs", capped(sub.name)));
    std::string bytes = read_run_file(dir, sub.name);
    if (sha256_hex(bytes) != sub.sha256)
      throw InputError(
          fmt::format("{}: its SHA-256 is not the signed one (changed after signing)", sub.name));
    s.files[sub.name] = std::move(bytes);
  }
  for (const char* required : {"results.json", "certificate.json"})
    if (!s.files.count(required))
      throw InputError(fmt::format("{} is not among the signed subjects", required));
  bool profile = false;
  for (const auto& [name, bytes] : s.files)
    profile = profile || name.rfind(std::string(kProfileDir) + "/", 0) == 0;
  if (!profile)
    throw InputError("no profile file is among the signed subjects");
  return fmt::format("{} signed files match their SHA-256: {}", s.files.size(), subject_list(s.st));
}

std::string verdict_text(report::Verdict v) {
  return report::to_string(v);
}

bool is_simulated(const report::Certificate& c, const Results& r) {
  return c.simulated || r.simulated || r.inventory_before.simulated || c.inventory.simulated ||
         r.backend == "sim" || !r.inventory_before.sim_node.empty();
}

std::string age_text(double s) {
  if (s < 120)
    return fmt::format("{:.0f} s", s);
  if (s < 2 * 3600)
    return fmt::format("{:.0f} min", s / 60);
  if (s < 2 * 86400)
    return fmt::format("{:.1f} h", s / 3600);
  return fmt::format("{:.1f} days", s / 86400);
}

std::string this_node_check(const Inventory& here, const Inventory& cert) {
  const std::string h = here.node.hostname.value_or(""), c = cert.node.hostname.value_or("");
  if (h != c)
    throw InputError(fmt::format("hostname: this node is '{}', the certificate is of '{}'",
                                 capped(h), capped(c)));
  if (here.gpus.size() != cert.gpus.size())
    throw InputError(fmt::format("this node has {} GPUs, the certificate {}", here.gpus.size(),
                                 cert.gpus.size()));
  for (const auto& g : cert.gpus) {
    if (!g.uuid)
      throw InputError(fmt::format("the certificate records no UUID for gpu{}: it cannot be "
                                   "matched",
                                   g.index));
    const GpuInfo* found = nullptr;
    for (const auto& m : here.gpus)
      if (m.uuid == g.uuid)
        found = &m;
    if (!found)
      throw InputError(
          fmt::format("gpu{} {} of the certificate is not on this node", g.index, capped(*g.uuid)));
    if (found->serial != g.serial)
      throw InputError(fmt::format("gpu{} {}: serial {} here, {} certified", g.index, *g.uuid,
                                   capped(found->serial.value_or("?")),
                                   capped(g.serial.value_or("?"))));
  }
  return fmt::format("host '{}' and its {} GPUs (UUIDs, serials) are the ones in the certificate",
                     h, cert.gpus.size());
}

} // namespace

std::string VerifyReport::failure() const {
  if (valid || steps.empty())
    return "";
  return steps.back().name + ": " + steps.back().detail;
}

VerifyReport verify_run_dir(const std::string& dir, const VerifyOptions& opts) {
  if (!opts.registry)
    throw InternalError("verify_run_dir: no registry");
  VerifyReport r;
  Runner run(r);
  Signed s;
  if (!run.step("envelope", [&] {
        parse_signed(dir, s);
        return fmt::format("{} is a DSSE envelope of an in-toto statement ({} subjects)",
                           kEnvelopeFile, s.st.subjects.size());
      }))
    return r;
  const std::string keyid = s.env.signatures[0].keyid;
  r.key_id = keyid;
  const PublicKey* key = opts.keyring.find(keyid);
  if (!key) {
    run.fail("signer key",
             fmt::format("signed by key {}, which is not in the keyring (--pubkey)", keyid));
    return r;
  }
  r.fingerprint = key->fingerprint;
  if (opts.keyring.revoked.count(keyid)) {
    run.fail("signer key", fmt::format("key {} ({}) is revoked", keyid, key->fingerprint));
    return r;
  }
  run.pass("signer key",
           fmt::format("key {} ({}), from {}, not revoked", keyid, key->fingerprint, key->source));
  if (!run.step("signature", [&] {
        check_sig(s, *key);
        const PublicKey emb = embedded_key(s.st, keyid);
        if (emb.bytes != key->bytes)
          throw InputError("the predicate records another public key than the one that signed");
        return std::string("the Ed25519 signature over the statement holds");
      }))
    return r;
  if (!run.step("file digests", [&] { return check_digests(dir, s); }))
    return r;

  report::Certificate cert;
  Results results;
  if (!run.step("documents", [&] {
        cert = report::certificate_from_json(
            parse_json_text(s.files.at("certificate.json"), dir + "/certificate.json"));
        results =
            results_from_json(parse_json_text(s.files.at("results.json"), dir + "/results.json"),
                              *opts.registry); // with the samples' derivation check
        return std::string("certificate.json and results.json are well-formed");
      }))
    return r;
  r.simulated = is_simulated(cert, results);

  profile::Profile prof;
  if (!run.step("profile", [&] {
        if (cert.profile.files.empty())
          throw InputError("certificate.json lists no profile file");
        std::string top; // the first profile subject is the chain's top file
        for (const auto& sub : s.st.subjects)
          if (top.empty() && sub.name.rfind(std::string(kProfileDir) + "/", 0) == 0)
            top = sub.name;
        if (std::filesystem::path(top).filename() != cert.profile.files.front().first)
          throw InputError(fmt::format("the first signed profile file {} is not the certificate's "
                                       "profile {}",
                                       top, cert.profile.files.front().first));
        const EmbeddedProfile emb = load_embedded_profile(*opts.registry, dir, top);
        prof = emb.profile;
        for (const auto& name : emb.names)
          if (!s.files.count(name))
            throw InputError(fmt::format("{} (extended by the profile) is not signed", name));
        const json& pp = s.st.predicate.value("profile", json::object());
        if (prof.sha256 != cert.profile.sha256)
          throw InputError(
              fmt::format("the embedded profile's sha256 {} is not the certificate's {}",
                          prof.sha256, cert.profile.sha256));
        if (!pp.is_object() || str_of(pp, "sha256") != prof.sha256)
          throw InputError(
              fmt::format("the embedded profile's sha256 {} is not the signed one", prof.sha256));
        return fmt::format("embedded profile '{}' ({} file{}) reloads with sha256 {}, as certified "
                           "and signed",
                           prof.name, prof.files.size(), prof.files.size() == 1 ? "" : "s",
                           prof.sha256);
      }))
    return r;

  if (!run.step("re-evaluation", [&] {
        const std::string digest = sha256_hex(s.files.at("results.json"));
        if (cert.results.sha256 != digest)
          throw InputError(fmt::format("certificate.json's results.sha256 {} is not the SHA-256 of "
                                       "results.json ({})",
                                       cert.results.sha256, digest));
        const report::Certificate again = evaluate::evaluate(prof, results);
        if (again.checks.size() != cert.checks.size())
          throw InputError(fmt::format("re-evaluating results.json gives {} checks, the "
                                       "certificate lists {}",
                                       again.checks.size(), cert.checks.size()));
        for (std::size_t i = 0; i < cert.checks.size(); ++i) {
          const report::Check &a = again.checks[i], &c = cert.checks[i];
          if (a.clause_id != c.clause_id || a.target != c.target)
            throw InputError(fmt::format("check {}: the certificate lists {} on {}, re-evaluation "
                                         "{} on {}",
                                         i + 1, capped(c.clause_id), capped(c.target), a.clause_id,
                                         a.target));
          if (a.verdict != c.verdict)
            throw InputError(fmt::format("check {} on {}: the certificate says {}, re-evaluating "
                                         "results.json gives {}",
                                         c.clause_id, c.target, verdict_text(c.verdict),
                                         verdict_text(a.verdict)));
        }
        if (again.outcome != cert.outcome)
          throw InputError(fmt::format("the certificate's outcome is {}, re-evaluation gives {}",
                                       report::to_string(cert.outcome),
                                       report::to_string(again.outcome)));
        if (again.simulated != cert.simulated || r.simulated != cert.simulated)
          throw InputError(fmt::format("the certificate says simulated: {}, its results say {}",
                                       cert.simulated, r.simulated));
        if (node_identity(again.inventory) != node_identity(cert.inventory))
          throw InputError("the certificate's node identity is not the one in results.json");
        return fmt::format("re-evaluating results.json (sha256 as certified) with the embedded "
                           "profile reproduces all {} verdicts and the outcome {}",
                           cert.checks.size(), report::to_string(cert.outcome));
      }))
    return r;

  if (!run.step("statement", [&] {
        const json want = certificate_binding(cert);
        for (const auto& [k, v] : want.items()) {
          const auto it = s.st.predicate.find(k);
          if (it == s.st.predicate.end() || *it != v)
            throw InputError(fmt::format("the signed predicate's '{}' does not match "
                                         "certificate.json",
                                         k));
        }
        return std::string("the signed predicate matches the certificate (node identity, "
                           "simulated, outcome, profile, results, tool)");
      }))
    return r;

  if (r.simulated && !opts.allow_simulated) {
    run.fail("simulated", "the certificate is SIMULATED (measured on the simulator, not on GPUs); "
                          "--allow-simulated accepts it for tests and demos");
    return r;
  }
  run.pass("simulated", r.simulated ? "SIMULATED certificate, accepted because of "
                                      "--allow-simulated (it certifies no hardware)"
                                    : "measured on real GPUs (not simulated)");

  if (!run.step("age", [&] {
        const std::string at = str_of(s.st.predicate, "signed_at");
        const auto t = parse_utc(at);
        if (!t)
          throw InputError(fmt::format("the predicate's signed_at '{}' is not an ISO-8601 UTC time",
                                       capped(at)));
        const std::time_t now = opts.now.value_or(
            std::chrono::system_clock::to_time_t(std::chrono::system_clock::now()));
        const double age = std::difftime(now, *t);
        if (-age > opts.max_future_seconds)
          throw InputError(
              fmt::format("signed at {}, {} in the future (check the clocks)", at, age_text(-age)));
        if (opts.max_age_seconds && age > *opts.max_age_seconds)
          throw InputError(fmt::format("signed at {}, {} ago: older than --max-age ({})", at,
                                       age_text(age), age_text(*opts.max_age_seconds)));
        return fmt::format("signed at {} ({} ago{})", at, age_text(std::max(0.0, age)),
                           opts.max_age_seconds ? fmt::format(", within --max-age {}",
                                                              age_text(*opts.max_age_seconds))
                                                : std::string(", no --max-age given"));
      }))
    return r;

  if (opts.this_node &&
      !run.step("this node", [&] { return this_node_check(*opts.this_node, cert.inventory); }))
    return r;
  r.valid = true;
  return r;
}

report::SignatureStatus check_signature(const std::string& dir,
                                        const std::vector<PublicKey>& trusted) {
  report::SignatureStatus st;
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::symlink_status(envelope_path(dir), ec))) {
    st.state = report::SignatureStatus::State::unsigned_;
    st.detail = fmt::format("no {} in the directory", kEnvelopeFile);
    return st;
  }
  st.state = report::SignatureStatus::State::invalid;
  try {
    Signed s;
    parse_signed(dir, s);
    const std::string keyid = s.env.signatures[0].keyid;
    st.key_id = keyid;
    const PublicKey emb = embedded_key(s.st, keyid);
    st.fingerprint = emb.fingerprint;
    const PublicKey* key = nullptr;
    for (const auto& k : trusted)
      if (k.id == keyid)
        key = &k;
    check_sig(s, key ? *key : emb);
    if (key && key->bytes != emb.bytes)
      throw InputError("the predicate records another public key than the one that signed");
    st.detail = check_digests(dir, s);
    st.state =
        key ? report::SignatureStatus::State::valid : report::SignatureStatus::State::untrusted;
    if (!key)
      st.detail += trusted.empty() ? "; no trusted key given" : "; the signer is not a trusted key";
  } catch (const std::exception& e) {
    st.state = report::SignatureStatus::State::invalid;
    st.detail = capped(e.what());
  }
  return st;
}

double parse_duration(const std::string& text) {
  static const std::map<char, double> unit{{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
  std::size_t used = 0;
  double v = -1;
  try {
    if (text.size() >= 2 && unit.count(text.back()) &&
        std::isdigit(static_cast<unsigned char>(text[0])))
      v = std::stod(text.substr(0, text.size() - 1), &used);
  } catch (const std::exception&) {
    v = -1;
  }
  if (v < 0 || !std::isfinite(v) || used != text.size() - 1)
    throw InputError(fmt::format("--max-age '{}': expected a number and a unit, e.g. 30d, 12h, "
                                 "45m, 90s",
                                 capped(text)));
  return v * unit.at(text.back());
}

std::optional<std::time_t> parse_utc(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end)
    return std::nullopt;
  std::string rest = end;
  if (!rest.empty() && rest[0] == '.') {
    std::size_t i = 1;
    while (i < rest.size() && std::isdigit(static_cast<unsigned char>(rest[i])))
      ++i;
    if (i == 1)
      return std::nullopt;
    rest = rest.substr(i);
  }
  if (rest != "Z")
    return std::nullopt;
  return timegm(&tm);
}

} // namespace gpucert::trust
