// `gpucert spot-check` end to end on the simulator: the seller certifies node H (seed 1); the
// buyer re-measures a seeded draw on the same node (seed 2) and finds it CONSISTENT (exit 0);
// an HBM fault on GPU 0 on the buyer's side is BELOW CERTIFIED (exit 1); another hostname is
// another node (exit 1, nothing measured); a seller directory without certificate.json or
// profile is bad input (exit 2) naming the file.
#include "tests/support/cli.hpp"

#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace gpucert {
namespace {

namespace fs = std::filesystem;
using test::run_cli;
using ::testing::HasSubstr;

const std::string kQuick = "h100-sxm5-80gb-8x-quick";
const std::string kNode = "h100-sxm5-80gb-8x";
const std::string kHost = "node-h";

const std::string& seller() {
  static const std::string dir = [] {
    const std::string d = test::make_temp_dir("gpucert-seller");
    const test::CliResult r = run_cli({"run", "--profile", kQuick, "--simulate", kNode,
                                       "--hostname", kHost, "--seed", "1", "--out", d});
    EXPECT_EQ(r.rc, 0) << r.err;
    return d;
  }();
  return dir;
}

struct Spot {
  test::CliResult cli;
  std::string dir;
  nlohmann::json doc;
};

Spot spot(const std::vector<std::string>& extra, const std::string& seller_dir = seller()) {
  Spot s;
  s.dir = test::make_temp_dir("gpucert-spot");
  std::vector<std::string> args = {"spot-check", seller_dir, "--out",  s.dir,
                                   "--simulate", kNode,      "--seed", "2"};
  args.insert(args.end(), extra.begin(), extra.end());
  s.cli = run_cli(args);
  if (fs::exists(s.dir + "/spot-check.json"))
    s.doc = nlohmann::json::parse(test::read_file(s.dir + "/spot-check.json"));
  return s;
}

TEST(SpotCheckCli, SameNodeIsConsistentAndRecordsTheSeeds) {
  const Spot s = spot({"--hostname", kHost, "--draw-seed", "7"});
  // Same node, other noise seed: the simulator's run-to-run noise is well under 1 %, so every
  // drawn check's interval lies above −2 %: CONSISTENT, and the buyer's own samples PASS.
  ASSERT_EQ(s.cli.rc, 0) << s.cli.err << s.cli.out;
  ASSERT_FALSE(s.doc.is_null());
  EXPECT_TRUE(s.doc.at("identity").at("match").get<bool>());
  EXPECT_EQ(s.doc.at("draw").at("seed"), 7);
  EXPECT_EQ(s.doc.at("sim").at("seed"), 2);
  EXPECT_GE(s.doc.at("draw").at("drawn").size(), 1u);
  for (const auto& c : s.doc.at("checks")) {
    EXPECT_EQ(c.at("verdict"), "CONSISTENT") << c.dump();
    EXPECT_EQ(c.at("contract"), "PASS") << c.dump();
  }
  EXPECT_TRUE(s.doc.at("simulated").get<bool>());
  for (const char* f : {"spot-check.md", "results.json", "certificate.json"})
    EXPECT_TRUE(fs::exists(s.dir + "/" + f)) << f;
  EXPECT_THAT(test::read_file(s.dir + "/spot-check.md"), HasSubstr("SIMULATED"));
  const nlohmann::json results = nlohmann::json::parse(test::read_file(s.dir + "/results.json"));
  EXPECT_EQ(results.at("provenance").at("draw_seed"), 7);
  EXPECT_EQ(results.at("provenance").at("command"), "spot-check");
  // The same draw seed draws the same checks.
  const Spot again = spot({"--hostname", kHost, "--draw-seed", "7"});
  EXPECT_EQ(again.doc.at("draw").at("drawn"), s.doc.at("draw").at("drawn"));
}

TEST(SpotCheckCli, HbmShortfallOnTheBuyersGpu0IsBelowCertified) {
  const Spot s = spot({"--hostname", kHost, "--draw-seed", "3", "--gpus", "0", "--fraction", "1",
                       "--fault", "gpu0:hbm=0.9"});
  EXPECT_EQ(s.cli.rc, 1) << s.cli.err;
  ASSERT_FALSE(s.doc.is_null());
  bool hbm = false;
  for (const auto& c : s.doc.at("checks")) {
    const std::string id = c.at("clause_id");
    if (id.rfind("hbm", 0) == 0) {
      hbm = true;
      EXPECT_EQ(c.at("verdict"), "BELOW CERTIFIED") << c.dump();
      EXPECT_NEAR(c.at("shift_percent").get<double>(), -10.0, 1.5);
    } else {
      EXPECT_EQ(c.at("verdict"), "CONSISTENT") << c.dump();
    }
    EXPECT_EQ(c.at("target"), "gpu0");
  }
  EXPECT_TRUE(hbm);
  EXPECT_THAT(s.cli.out, HasSubstr("BELOW CERTIFIED"));
}

TEST(SpotCheckCli, AnotherHostnameIsAnotherNode) {
  const Spot s = spot({"--hostname", "someone-else", "--draw-seed", "1"});
  EXPECT_EQ(s.cli.rc, 1);
  EXPECT_THAT(s.cli.err, HasSubstr("identity: hostname: certified node-h, this node someone-else"));
  EXPECT_THAT(s.cli.err, HasSubstr("nothing measured"));
  EXPECT_FALSE(fs::exists(s.dir + "/results.json"));
  // With the override it measures, and says so.
  const Spot o = spot({"--hostname", "someone-else", "--draw-seed", "1", "--allow-other-node"});
  EXPECT_NE(o.cli.rc, 2) << o.cli.err;
  ASSERT_FALSE(o.doc.is_null());
  EXPECT_TRUE(o.doc.at("identity").at("overridden").get<bool>());
  EXPECT_THAT(o.cli.out, HasSubstr("DOES NOT MATCH"));
}

TEST(SpotCheckCli, SignedSellerShowsValidAndAnAlteredCertificateStopsIt) {
  const std::string keys = test::make_temp_dir("gpucert-spot-keys");
  ASSERT_EQ(run_cli({"key", "generate", "--out", keys + "/seller"}).rc, 0);
  const std::string signed_dir = test::make_temp_dir("gpucert-seller-signed");
  ASSERT_EQ(run_cli({"run", "--profile", kQuick, "--simulate", kNode, "--hostname", kHost, "--seed",
                     "1", "--out", signed_dir, "--sign-key", keys + "/seller"})
                .rc,
            0);
  const Spot ok = spot(
      {"--hostname", kHost, "--draw-seed", "7", "--gpus", "0", "--pubkey", keys + "/seller.pub"},
      signed_dir);
  EXPECT_EQ(ok.cli.rc, 0) << ok.cli.err;
  EXPECT_EQ(ok.doc.at("seller_signature").at("state"), "VALID");
  EXPECT_THAT(ok.cli.out, HasSubstr("Seller's signature: VALID"));
  // One byte of the certificate changed after signing: nothing is measured, exit 1.
  std::string text = test::read_file(signed_dir + "/certificate.json");
  const std::size_t at = text.find("\"gpu0\"");
  ASSERT_NE(at, std::string::npos);
  text.insert(at + 6, " ");
  std::ofstream(signed_dir + "/certificate.json", std::ios::binary) << text;
  const Spot bad = spot(
      {"--hostname", kHost, "--draw-seed", "7", "--gpus", "0", "--pubkey", keys + "/seller.pub"},
      signed_dir);
  EXPECT_EQ(bad.cli.rc, 1);
  EXPECT_THAT(bad.cli.err, HasSubstr("the signature does not hold"));
  EXPECT_FALSE(fs::exists(bad.dir + "/results.json"));
}

TEST(SpotCheckCli, SellerDirectoryWithMissingFilesIsBadInput) {
  const std::string bare = test::make_temp_dir("gpucert-seller-bare");
  const Spot missing = spot({"--hostname", kHost}, bare);
  EXPECT_EQ(missing.cli.rc, 2);
  EXPECT_THAT(missing.cli.err, HasSubstr(bare + "/certificate.json is missing"));

  // certificate.json without results.json, which holds the samples it judged: refused.
  const std::string nosamples = test::make_temp_dir("gpucert-seller-nosamples");
  fs::copy_file(seller() + "/certificate.json", nosamples + "/certificate.json");
  const Spot s = spot({"--hostname", kHost}, nosamples);
  EXPECT_EQ(s.cli.rc, 2);
  EXPECT_THAT(s.cli.err, HasSubstr(nosamples + "/results.json is missing: the certificate keeps "
                                               "its samples there"));
  // ... or with another run's results.json.
  std::string other = test::read_file(seller() + "/results.json");
  other.insert(other.find('{') + 1, "\n");
  std::ofstream(nosamples + "/results.json") << other;
  const Spot o = spot({"--hostname", kHost}, nosamples);
  EXPECT_EQ(o.cli.rc, 2);
  EXPECT_THAT(o.cli.err, HasSubstr("is not the certificate's results.sha256"));
  fs::remove_all(nosamples);

  // certificate.json but no profile copy and no --profile: says which to give.
  const std::string noprof = test::make_temp_dir("gpucert-seller-noprof");
  fs::copy_file(seller() + "/certificate.json", noprof + "/certificate.json");
  fs::copy_file(seller() + "/results.json", noprof + "/results.json");
  const Spot p = spot({"--hostname", kHost}, noprof);
  EXPECT_EQ(p.cli.rc, 2);
  EXPECT_THAT(p.cli.err, HasSubstr("--profile"));
  // ... and with the seller's profile named it runs.
  const Spot named = spot({"--hostname", kHost, "--draw-seed", "7", "--profile", kQuick}, noprof);
  EXPECT_EQ(named.cli.rc, 0) << named.cli.err;
  // Another profile than the certificate's: refused.
  const Spot wrong = spot({"--hostname", kHost, "--profile", "h100-sxm5-80gb-8x-standard"}, noprof);
  EXPECT_EQ(wrong.cli.rc, 2);
  EXPECT_THAT(wrong.cli.err, HasSubstr("is not the certificate's"));

  // The buyer's output over the seller's evidence: refused before anything is touched.
  const test::CliResult over = run_cli(
      {"spot-check", seller(), "--out", seller(), "--simulate", kNode, "--hostname", kHost});
  EXPECT_EQ(over.rc, 2);
  EXPECT_THAT(over.err, HasSubstr("that is SELLER_DIR"));
  EXPECT_TRUE(fs::exists(seller() + "/certificate.json"));

  const std::string truncated = test::make_temp_dir("gpucert-seller-trunc");
  std::ofstream(truncated + "/certificate.json") << "{\"schema\": \"gpucert/certificate/v1\"";
  const Spot t = spot({"--hostname", kHost}, truncated);
  EXPECT_EQ(t.cli.rc, 2);
  EXPECT_THAT(t.cli.err, HasSubstr(truncated + "/certificate.json"));
}

} // namespace
} // namespace gpucert
