// Signed certificates end to end (docs/trust.md): key generate → run --sign-key → verify on the
// simulator; `sign` of an existing directory; wrong, revoked and rotated keys; a missing or
// truncated envelope; --this-node on another host; bad input exits 2; and tampering: one byte
// flipped anywhere in any signed file, the outcome edited, samples scaled by 1.42, simulated set
// to false (each also re-signed by the seller's key) are all rejected.
#include "harness/benchmarks/catalog.hpp"
#include "harness/profile/sha256.hpp"
#include "harness/trust/envelope.hpp"
#include "harness/trust/keys.hpp"
#include "harness/trust/signature_status.hpp"
#include "harness/trust/verify.hpp"
#include "tests/support/cli.hpp"

#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace gpucert {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::run_cli;
using ::testing::HasSubstr;

const std::string kQuick = "h100-sxm5-80gb-8x-quick";
const std::string kNode = "h100-sxm5-80gb-8x";

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

/// One signed run, shared: a node with a slow GPU (NOT CERTIFIED), so an edited outcome is
/// a lie to catch. Each test copies the directory before changing anything.
class TrustCli : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    root_ = test::make_temp_dir("gpucert-trust");
    key_ = root_ + "/seller.key";
    const auto gen = run_cli({"key", "generate", "--out", key_});
    ASSERT_EQ(gen.rc, 0) << gen.err;
    run_ = root_ + "/run";
    const auto r = run_cli({"run", "--profile", kQuick, "--simulate", kNode, "--seed", "3",
                            "--fault", "gpu3:gemm=0.8", "--sign-key", key_, "--out", run_});
    ASSERT_EQ(r.rc, 1) << r.err; // not certified: gpu3 is slow
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }

  /// A fresh copy of the signed run.
  std::string copy_run(const std::string& name) {
    const std::string d = root_ + "/" + name;
    fs::remove_all(d);
    fs::copy(run_, d, fs::copy_options::recursive);
    fs::remove(d + "/.gpucert.lock");
    return d;
  }
  test::CliResult verify(const std::string& dir, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"verify", dir, "--pubkey", key_ + ".pub"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args);
  }
  trust::VerifyReport verify_in_process(const std::string& dir) {
    trust::VerifyOptions o;
    o.registry = &builtin_registry();
    o.keyring = trust::load_keyring({key_ + ".pub"}, {});
    o.allow_simulated = true;
    return trust::verify_run_dir(dir, o);
  }
  static std::string root_, key_, run_;
};
std::string TrustCli::root_, TrustCli::key_, TrustCli::run_;

TEST_F(TrustCli, RunSignKeyThenVerifyRoundTrips) {
  for (const char* f :
       {"results.json", "certificate.json", "certificate.dsse.json", "report.md",
        "profile/h100-sxm5-80gb-8x-quick.yaml", "profile/h100-sxm5-80gb-8x-standard.yaml"})
    EXPECT_TRUE(fs::exists(run_ + "/" + f)) << f;
  const auto v = verify(run_, {"--allow-simulated"});
  EXPECT_EQ(v.rc, 0) << v.out << v.err;
  for (const char* step :
       {"✓ envelope", "✓ signer key", "✓ signature", "✓ file digests", "✓ documents", "✓ profile",
        "✓ re-evaluation", "✓ statement", "✓ simulated", "✓ age"})
    EXPECT_THAT(v.out, HasSubstr(step));
  EXPECT_THAT(v.out, HasSubstr("NOT CERTIFIED"));
  EXPECT_THAT(v.out, HasSubstr("accepted because of --allow-simulated"));
  EXPECT_THAT(v.out, HasSubstr("VALID:"));
  // The report rendered after signing shows the status verification computes.
  EXPECT_THAT(test::read_file(run_ + "/report.md"), HasSubstr("VALID"));
  // certificate.json's results.sha256 is the digest of results.json's bytes (verify checks it).
  const json env = json::parse(test::read_file(run_ + "/certificate.dsse.json"));
  EXPECT_EQ(env.at("payloadType"), "application/vnd.in-toto+json");
}

TEST_F(TrustCli, ASimulatedCertificateIsInvalidWithoutAllowSimulated) {
  const auto v = verify(run_);
  EXPECT_EQ(v.rc, 1) << v.out << v.err;
  EXPECT_THAT(v.out, HasSubstr("✗ simulated"));
  EXPECT_THAT(v.out, HasSubstr("INVALID: simulated"));
}

TEST_F(TrustCli, WrongRevokedAndRotatedKeys) {
  const std::string other = root_ + "/other.key";
  ASSERT_EQ(run_cli({"key", "generate", "--out", other}).rc, 0);
  auto v = run_cli({"verify", run_, "--pubkey", other + ".pub", "--allow-simulated"});
  EXPECT_EQ(v.rc, 1) << v.out;
  EXPECT_THAT(v.out, HasSubstr("not in the keyring"));
  // A keyring of the new and the old key (rotation) accepts; revoking the signer refuses.
  const std::string ring = root_ + "/ring";
  write_text(ring, test::read_file(other + ".pub") + test::read_file(key_ + ".pub"));
  v = run_cli({"verify", run_, "--pubkey", ring, "--allow-simulated"});
  EXPECT_EQ(v.rc, 0) << v.out;
  const auto show = run_cli({"key", "show", key_ + ".pub"});
  ASSERT_EQ(show.rc, 0);
  const std::string id = show.out.substr(0, 16);
  write_text(root_ + "/revoked", "# retired\n" + id + "\n");
  v = run_cli(
      {"verify", run_, "--pubkey", ring, "--revoked", root_ + "/revoked", "--allow-simulated"});
  EXPECT_EQ(v.rc, 1) << v.out;
  EXPECT_THAT(v.out, HasSubstr("is revoked"));
}

TEST_F(TrustCli, AMissingOrTruncatedEnvelopeIsInvalid) {
  const std::string d = copy_run("truncated");
  const std::string env = test::read_file(d + "/certificate.dsse.json");
  write_text(d + "/certificate.dsse.json", env.substr(0, env.size() / 2));
  auto v = verify(d, {"--allow-simulated"});
  EXPECT_EQ(v.rc, 1) << v.out;
  EXPECT_THAT(v.out, HasSubstr("✗ envelope"));
  fs::remove(d + "/certificate.dsse.json");
  v = verify(d, {"--allow-simulated"});
  EXPECT_EQ(v.rc, 1) << v.out;
  EXPECT_THAT(v.out, HasSubstr("missing: the directory is not signed"));
}

TEST_F(TrustCli, ThisNodeMustBeTheCertifiedNode) {
  auto v = verify(run_, {"--allow-simulated", "--this-node", "--simulate", kNode});
  EXPECT_EQ(v.rc, 0) << v.out << v.err;
  EXPECT_THAT(v.out, HasSubstr("✓ this node"));
  v = verify(run_, {"--allow-simulated", "--this-node", "--simulate", kNode, "--hostname",
                    "another-node"});
  EXPECT_EQ(v.rc, 1) << v.out << v.err;
  EXPECT_THAT(v.out, HasSubstr("✗ this node"));
  EXPECT_THAT(v.out, HasSubstr("another-node"));
}

TEST_F(TrustCli, BadInputExitsTwo) {
  EXPECT_EQ(verify(root_ + "/no-such-dir", {"--allow-simulated"}).rc, 2);
  EXPECT_EQ(run_cli({"verify", run_, "--pubkey", root_ + "/no-such.pub"}).rc, 2);
  EXPECT_EQ(run_cli({"verify", run_}).rc, 2); // --pubkey is required
  const auto v = verify(run_, {"--max-age", "soon"});
  EXPECT_EQ(v.rc, 2);
  EXPECT_THAT(v.err, HasSubstr("--max-age"));
  // A secret key others can read is refused before anything is measured.
  const std::string k = root_ + "/loose.key";
  ASSERT_EQ(run_cli({"key", "generate", "--out", k}).rc, 0);
  fs::permissions(k, fs::perms::others_read, fs::perm_options::add);
  const std::string out = root_ + "/loose-run";
  const auto r = run_cli({"run", "--profile", kQuick, "--simulate", kNode, "--seed", "3",
                          "--sign-key", k, "--out", out});
  EXPECT_EQ(r.rc, 2);
  EXPECT_THAT(r.err, HasSubstr("chmod 600"));
  EXPECT_FALSE(fs::exists(out + "/results.json"));
  // key generate never overwrites.
  const auto again = run_cli({"key", "generate", "--out", key_});
  EXPECT_EQ(again.rc, 2);
  EXPECT_THAT(again.err, HasSubstr("already exists"));
}

TEST_F(TrustCli, MaxAgeAndTheFuture) {
  trust::VerifyOptions o;
  o.registry = &builtin_registry();
  o.keyring = trust::load_keyring({key_ + ".pub"}, {});
  o.allow_simulated = true;
  o.max_age_seconds = trust::parse_duration("30d");
  EXPECT_TRUE(trust::verify_run_dir(run_, o).valid);
  o.now = std::time(nullptr) + 31 * 86400;
  auto r = trust::verify_run_dir(run_, o);
  EXPECT_FALSE(r.valid);
  EXPECT_THAT(r.failure(), HasSubstr("older than --max-age"));
  o.now = std::time(nullptr) - 3600;
  r = trust::verify_run_dir(run_, o);
  EXPECT_FALSE(r.valid);
  EXPECT_THAT(r.failure(), HasSubstr("in the future"));
}

TEST_F(TrustCli, FlippingAnyByteOfAnySignedFileInvalidates) {
  const std::string d = copy_run("flips");
  ASSERT_TRUE(verify_in_process(d).valid) << verify_in_process(d).failure();
  std::vector<std::string> files{"results.json", "certificate.json", "certificate.dsse.json"};
  for (const auto& e : fs::directory_iterator(d + "/profile"))
    files.push_back("profile/" + e.path().filename().string());
  ASSERT_EQ(files.size(), 5u);
  constexpr int kFlipsPerFile = 30;
  for (const auto& f : files) {
    const std::string path = d + "/" + f;
    const std::string original = test::read_file(path);
    ASSERT_GT(original.size(), 100u) << f;
    for (int i = 0; i < kFlipsPerFile; ++i) {
      // Spread over the file, first and last byte included; two bit patterns.
      const std::size_t pos = (original.size() - 1) * i / (kFlipsPerFile - 1);
      std::string changed = original;
      changed[pos] = static_cast<char>(changed[pos] ^ (i % 2 ? 0x01 : 0x20));
      write_text(path, changed);
      const trust::VerifyReport r = verify_in_process(d);
      EXPECT_FALSE(r.valid) << f << " byte " << pos << " flipped still verifies";
    }
    write_text(path, original);
  }
  EXPECT_TRUE(verify_in_process(d).valid);
}

TEST_F(TrustCli, SignatureStatusForTheRenderers) {
  using State = report::SignatureStatus::State;
  const std::string other = root_ + "/status-other.key";
  trust::write_key_pair(other);
  EXPECT_EQ(trust::signature_status(run_, {key_ + ".pub"}).state, State::valid);
  EXPECT_EQ(trust::signature_status(run_, {key_ + ".pub"}).fingerprint,
            trust::load_keyring(key_ + ".pub").at(0).fingerprint);
  EXPECT_EQ(trust::signature_status(run_).state, State::untrusted);
  EXPECT_EQ(trust::signature_status(run_, {other + ".pub"}).state, State::untrusted);
  const std::string d = copy_run("status");
  std::string cert = test::read_file(d + "/certificate.json");
  cert[cert.size() / 2] ^= 0x01;
  write_text(d + "/certificate.json", cert);
  const report::SignatureStatus bad = trust::signature_status(d, {key_ + ".pub"});
  EXPECT_EQ(bad.state, State::invalid);
  EXPECT_THAT(bad.detail, HasSubstr("certificate.json"));
  write_text(d + "/certificate.dsse.json", "{");
  EXPECT_EQ(trust::signature_status(d, {key_ + ".pub"}).state, State::invalid);
  fs::remove(d + "/certificate.dsse.json");
  EXPECT_EQ(trust::signature_status(d, {key_ + ".pub"}).state, State::unsigned_);
}

TEST_F(TrustCli, FlippingEveryByteOfTheEnvelopeInvalidates) {
  // The envelope is small: every position, so no JSON or base64 spelling of it slips through.
  const std::string d = copy_run("envelope-flips");
  const std::string path = d + "/certificate.dsse.json";
  const std::string original = test::read_file(path);
  int accepted = 0;
  for (std::size_t pos = 0; pos < original.size(); ++pos) {
    std::string changed = original;
    changed[pos] = static_cast<char>(changed[pos] ^ 0x01);
    write_text(path, changed);
    if (verify_in_process(d).valid)
      ADD_FAILURE() << "byte " << pos << " of the envelope flipped still verifies", ++accepted;
  }
  EXPECT_EQ(accepted, 0);
  write_text(path, original);
  EXPECT_TRUE(verify_in_process(d).valid);
}

TEST_F(TrustCli, EditedOutcomeIsRejectedEvenWhenResigned) {
  const std::string d = copy_run("outcome");
  json c = test::read_certificate(d + "/certificate.json");
  ASSERT_EQ(c.at("outcome"), "NOT CERTIFIED");
  c["outcome"] = "CERTIFIED"; // jq '.outcome="CERTIFIED"'
  write_text(d + "/certificate.json", c.dump(2) + "\n");
  auto v = verify(d, {"--allow-simulated"});
  EXPECT_EQ(v.rc, 1);
  EXPECT_THAT(v.out, HasSubstr("certificate.json: its SHA-256 is not the signed one"));
  ASSERT_EQ(run_cli({"sign", d, "--key", key_}).rc, 0);
  v = verify(d, {"--allow-simulated"});
  EXPECT_EQ(v.rc, 1) << v.out;
  EXPECT_THAT(v.out, HasSubstr("✗ re-evaluation"));
  EXPECT_THAT(v.out, HasSubstr("outcome is CERTIFIED, re-evaluation gives NOT CERTIFIED"));
}

TEST_F(TrustCli, ScaledSamplesAreRejectedEvenWhenResigned) {
  const std::string d = copy_run("scaled");
  const json original = json::parse(test::read_file(d + "/results.json"));
  json r = original;
  int scaled = 0;
  for (auto& m : r.at("measurements"))
    if (m.at("target").at("gpus") == json::array({3}))
      for (auto& [metric, samples] : m.at("metrics").items())
        for (auto& x : samples)
          x = x.get<double>() * 1.42, ++scaled;
  ASSERT_GT(scaled, 0);
  write_text(d + "/results.json", r.dump(1) + "\n");
  auto v = verify(d, {"--allow-simulated"});
  EXPECT_EQ(v.rc, 1);
  EXPECT_THAT(v.out, HasSubstr("results.json: its SHA-256 is not the signed one"));
  // Re-signed by the seller: scaled samples no longer fit their recorded seconds and work, so
  // the results are bad input.
  ASSERT_EQ(run_cli({"sign", d, "--key", key_}).rc, 0);
  v = verify(d, {"--allow-simulated"});
  EXPECT_EQ(v.rc, 1) << v.out;
  EXPECT_THAT(v.out, HasSubstr("is inconsistent with the sample's recorded time and work"));
  // GEMM's samples scaled with its recorded work to match: the derivation holds, but the
  // certificate no longer holds results.json's digest.
  r = original;
  for (auto& m : r.at("measurements"))
    if (m.at("target").at("gpus") == json::array({3}) && m.at("benchmark") == "gemm") {
      m["flops_per_sample"] = m.at("flops_per_sample").get<double>() * 1.42;
      for (auto& [metric, samples] : m.at("metrics").items())
        for (auto& x : samples)
          x = x.get<double>() * 1.42;
    }
  write_text(d + "/results.json", r.dump(1) + "\n");
  ASSERT_EQ(run_cli({"sign", d, "--key", key_}).rc, 0);
  v = verify(d, {"--allow-simulated"});
  EXPECT_EQ(v.rc, 1) << v.out;
  EXPECT_THAT(v.out, HasSubstr("is not the SHA-256 of results.json"));
  // And with the digest patched too: the certificate's verdicts are not those of the results.
  json c = test::read_certificate(d + "/certificate.json");
  c["results"]["sha256"] = sha256_hex(test::read_file(d + "/results.json"));
  write_text(d + "/certificate.json", c.dump(2) + "\n");
  ASSERT_EQ(run_cli({"sign", d, "--key", key_}).rc, 0);
  v = verify(d, {"--allow-simulated"});
  EXPECT_EQ(v.rc, 1) << v.out;
  EXPECT_THAT(v.out, HasSubstr("re-evaluating results.json gives PASS"));
}

TEST_F(TrustCli, SimulatedFalseIsRejectedEvenWhenResigned) {
  // In the certificate alone, re-signed: re-evaluation of the results says simulated.
  std::string d = copy_run("simfalse");
  json c = test::read_certificate(d + "/certificate.json");
  c["simulated"] = false;
  write_text(d + "/certificate.json", c.dump(2) + "\n");
  auto v = verify(d);
  EXPECT_EQ(v.rc, 1);
  EXPECT_THAT(v.out, HasSubstr("certificate.json: its SHA-256 is not the signed one"));
  ASSERT_EQ(run_cli({"sign", d, "--key", key_}).rc, 0);
  v = verify(d);
  EXPECT_EQ(v.rc, 1) << v.out;
  EXPECT_THAT(v.out, HasSubstr("✗ re-evaluation"));
  EXPECT_THAT(v.out, HasSubstr("simulated"));
  // In both files, re-signed: still refused (the results' backend and inventory say sim).
  d = copy_run("simfalse2");
  write_text(d + "/certificate.json", c.dump(2) + "\n");
  json r = json::parse(test::read_file(d + "/results.json"));
  r["simulated"] = false;
  write_text(d + "/results.json", r.dump(1) + "\n");
  ASSERT_EQ(run_cli({"sign", d, "--key", key_}).rc, 0);
  v = verify(d);
  EXPECT_EQ(v.rc, 1) << v.out;
  EXPECT_THAT(v.out, HasSubstr("INVALID"));
}

TEST_F(TrustCli, AProfileExtendingAnotherFolderIsCopiedWithItsLayout) {
  // tests/data/profiles/stricter-hbm.yaml extends ../../../profiles/...: the copy keeps both
  // files' places relative to each other, so the extends resolves inside DIR/profile/.
  const std::string d = root_ + "/extends";
  const std::string src = test::source_dir();
  const auto r = run_cli({"run", "--profile", src + "/tests/data/profiles/stricter-hbm.yaml",
                          "--extends-from", src + "/profiles", "--simulate", kNode, "--seed", "3",
                          "--sign-key", key_, "--out", d});
  ASSERT_TRUE(r.rc == 0 || r.rc == 1 || r.rc == 5) << r.err;
  EXPECT_TRUE(fs::exists(d + "/profile/tests/data/profiles/stricter-hbm.yaml"));
  EXPECT_TRUE(fs::exists(d + "/profile/profiles/h100-sxm5-80gb-8x-standard.yaml"));
  const auto v = verify(d, {"--allow-simulated"});
  EXPECT_EQ(v.rc, 0) << v.out;
  EXPECT_THAT(v.out, HasSubstr("(2 files)"));
  // Re-signing finds the copy's top file by the certificate's profile name.
  EXPECT_EQ(run_cli({"sign", d, "--key", key_}).rc, 0);
  EXPECT_EQ(verify(d, {"--allow-simulated"}).rc, 0);
}

TEST_F(TrustCli, SignAnExistingDirectory) {
  const std::string d = root_ + "/unsigned";
  const auto r =
      run_cli({"run", "--profile", kQuick, "--simulate", kNode, "--seed", "4", "--out", d});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_FALSE(fs::exists(d + "/certificate.dsse.json"));
  EXPECT_THAT(test::read_file(d + "/report.md"), HasSubstr("UNSIGNED"));
  auto v = verify(d, {"--allow-simulated"});
  EXPECT_EQ(v.rc, 1);
  // Without DIR/profile/, sign needs --profile, and only the certified one.
  fs::remove_all(d + "/profile");
  auto s = run_cli({"sign", d, "--key", key_});
  EXPECT_EQ(s.rc, 2);
  EXPECT_THAT(s.err, HasSubstr("--profile"));
  s = run_cli({"sign", d, "--key", key_, "--profile", "h100-sxm5-80gb-8x-standard"});
  EXPECT_EQ(s.rc, 2);
  EXPECT_THAT(s.err, HasSubstr("is not the certificate's profile"));
  s = run_cli({"sign", d, "--key", key_, "--profile", kQuick});
  EXPECT_EQ(s.rc, 0) << s.err;
  EXPECT_THAT(test::read_file(d + "/report.md"), HasSubstr("VALID"));
  v = verify(d, {"--allow-simulated"});
  EXPECT_EQ(v.rc, 0) << v.out;
  EXPECT_EQ(run_cli({"sign", root_ + "/nothing-here", "--key", key_}).rc, 2);
  EXPECT_EQ(run_cli({"sign", d, "--key", key_ + ".pub"}).rc, 2);
}

} // namespace
} // namespace gpucert
