// `gpucert fleet` end to end on a generated lot whose faults and outliers are known
// (gpucert-simlot's manifest): every faulty node is named among the failures and nothing else
// fails, the counts are exact, every planted outlier GPU is listed with its UUID and no healthy
// GPU is; the profile's fleet: section, --lot-size, --pubkey, an unreadable certificate,
// sample-plan and derive-profile as a user would run them, and bad input.
#include "tests/support/cli.hpp"

#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace gpucert {
namespace {

namespace fs = std::filesystem;
using test::run_cli;
using ::testing::HasSubstr;

constexpr int kNodes = 30;

struct Lot {
  std::string dir;
  nlohmann::json manifest;
};

// 30 nodes, 5 faulty (one of each of five fault kinds), 1 % of the made nodes' GPUs slowed 5 %
// on GEMM; GPU spread 0.5 %, so that no healthy GPU lies 3 % (6σ) below the median.
const Lot& lot() {
  static const Lot l = [] {
    Lot x;
    x.dir = test::make_temp_dir("gpucert-fleet-lot");
    const test::CliResult r = run_cli({"--nodes",      std::to_string(kNodes),
                                       "--out",        x.dir,
                                       "--seed",       "11",
                                       "--faulty",     "16.7%",
                                       "--outliers",   "1.5%",
                                       "--gpu-spread", "0.5",
                                       "--fault-kind", "gpuN:hbm=0.9",
                                       "--fault-kind", "gpuN-gpuM:nvlink=0.5",
                                       "--fault-kind", "gpuN:pcie=gen4x16",
                                       "--fault-kind", "gpuN:ecc_uncorrectable=2",
                                       "--fault-kind", "gpuN:gemm=0.85"},
                                      {}, 300, GPUCERT_SIMLOT_BIN);
    EXPECT_EQ(r.rc, 0) << r.err;
    x.manifest = nlohmann::json::parse(test::read_file(x.dir + "/manifest.json"));
    return x;
  }();
  return l;
}

nlohmann::json fleet_json(const std::vector<std::string>& extra, int want_rc,
                          std::string* out_dir = nullptr) {
  const std::string out = test::make_temp_dir("gpucert-fleet-out");
  std::vector<std::string> args = {"fleet", lot().dir, "--out", out};
  args.insert(args.end(), extra.begin(), extra.end());
  const test::CliResult r = run_cli(args);
  EXPECT_EQ(r.rc, want_rc) << r.out << r.err;
  if (out_dir)
    *out_dir = out;
  return nlohmann::json::parse(test::read_file(out + "/lot.json"));
}

TEST(FleetCli, GeneratedLotNamesEveryFaultyNodeAndOutlierWithExactCounts) {
  ASSERT_EQ(lot().manifest["faulty"].size(), 5u);
  std::string out;
  const nlohmann::json j = fleet_json({}, 1, &out);
  EXPECT_EQ(j["schema"], "gpucert/lot/v1");
  EXPECT_TRUE(j["simulated"].get<bool>());
  EXPECT_EQ(j["outcome"], "NOT CERTIFIED");
  EXPECT_EQ(j["nodes_offered"], kNodes);
  EXPECT_EQ(j["nodes_read"], kNodes);
  EXPECT_EQ(j["nodes_certified"], kNodes - 5);
  EXPECT_EQ(j["nodes_not_certified"], 5);
  EXPECT_EQ(j["nodes_unreadable"], 0);
  EXPECT_EQ(j["gpus_offered"], kNodes * 8);
  EXPECT_EQ(j["gpus_certified"], (kNodes - 5) * 8);
  EXPECT_EQ(j["certified_fraction"]["k"], kNodes - 5);
  EXPECT_LT(j["certified_fraction"]["lo"].get<double>(), 25.0 / 30);
  EXPECT_GT(j["certified_fraction"]["hi"].get<double>(), 25.0 / 30);

  std::set<std::string> faulty, failed_nodes;
  for (const auto& f : lot().manifest["faulty"])
    faulty.insert(f["hostname"].get<std::string>());
  for (const auto& g : j["failures"])
    for (const auto& n : g["nodes"])
      failed_nodes.insert(n.get<std::string>());
  EXPECT_EQ(failed_nodes, faulty);
  for (const auto& n : j["nodes"])
    EXPECT_EQ(n["outcome"] == "CERTIFIED", !faulty.count(n["hostname"].get<std::string>()))
        << n["hostname"];

  // The NVLink fault is one group across its clauses' causes; the PCIe fault names the training.
  std::string groups;
  for (const auto& g : j["failures"])
    groups += g["cause"].get<std::string>() + "\n";
  EXPECT_THAT(groups, HasSubstr("NVLink 9 of 18 links active"));
  EXPECT_THAT(groups, HasSubstr("PCIe link trained down to gen4 x16"));
  EXPECT_THAT(groups, HasSubstr("ecc-uncorrected"));

  // Outliers: every planted GPU, with its UUID, in every GEMM clause; nothing on a healthy GPU.
  std::set<std::pair<std::string, int>> planted, found_gemm;
  std::map<std::pair<std::string, int>, std::string> uuid;
  for (const auto& o : lot().manifest["outliers"]) {
    planted.insert({o["hostname"].get<std::string>(), o["gpu"].get<int>()});
    uuid[{o["hostname"].get<std::string>(), o["gpu"].get<int>()}] = o["gpu_uuid"];
  }
  ASSERT_GE(planted.size(), 2u);
  for (const auto& o : j["outliers"]) {
    const std::string node = o["node"];
    if (faulty.count(node))
      continue; // a faulty node's slow target is an outlier too, and named as failed above
    const std::pair<std::string, int> key{node, o["gpu"].get<int>()};
    EXPECT_TRUE(planted.count(key)) << "unexpected outlier " << o.dump();
    EXPECT_EQ(o["gpu_uuid"], uuid[key]);
    EXPECT_EQ(o["verdict"], "PASS") << "a planted outlier stays above every floor";
    if (o["clause_id"] == "gemm-bf16")
      found_gemm.insert(key);
  }
  EXPECT_EQ(found_gemm, planted);

  // The per-clause distribution names the worst GPU; the CSV has one row per check.
  bool hbm = false;
  for (const auto& c : j["clauses"])
    if (c["id"] == "hbm-triad") {
      hbm = true;
      EXPECT_EQ(c["distribution"]["n"], kNodes * 8);
      EXPECT_TRUE(faulty.count(c["distribution"]["worst_node"].get<std::string>()));
      EXPECT_THAT(c["distribution"]["worst_gpu_uuid"].get<std::string>(), HasSubstr("GPU-"));
    }
  EXPECT_TRUE(hbm);
  int checks = 0;
  for (const auto& n : j["nodes"])
    checks += n["counts"]["total"].get<int>();
  const std::string csv = test::read_file(out + "/lot.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), checks + 1);
  const std::string md = test::read_file(out + "/lot.md");
  EXPECT_THAT(md, HasSubstr("SIMULATED"));
  for (const auto& h : faulty)
    EXPECT_THAT(md, HasSubstr(h));

  // lot.html: stamped in its title, every faulty node named under its cause, a histogram for
  // each clause whose values spread, and each outlier of gemm-bf16 marked on its histogram.
  const std::string html = test::read_file(out + "/lot.html");
  EXPECT_THAT(html, HasSubstr("(SIMULATED) — "));
  const auto causes = html.find("<h2>Failures by cause</h2>");
  const auto clauses = html.find("<h2>Clauses over the lot</h2>");
  ASSERT_NE(causes, std::string::npos);
  ASSERT_NE(clauses, std::string::npos);
  for (const auto& h : faulty)
    EXPECT_NE(html.substr(causes, clauses - causes).find(h), std::string::npos) << h;
  auto section = [&](const std::string& id) {
    const auto at = html.find("<h3>" + id + "</h3>", clauses);
    return at == std::string::npos ? std::string()
                                   : html.substr(at, html.find("</section>", at) - at);
  };
  int spread = 0, gemm_outliers = 0;
  for (const auto& c : j["clauses"]) {
    if (c["distribution"].is_null())
      continue;
    const bool varies = c["distribution"]["min"] != c["distribution"]["max"];
    spread += varies;
    EXPECT_EQ(section(c["id"]).find("<svg") != std::string::npos, varies) << c["id"];
  }
  EXPECT_GT(spread, 10);
  for (const auto& o : j["outliers"])
    gemm_outliers += o["clause_id"] == "gemm-bf16";
  const std::string gemm = section("gemm-bf16");
  std::size_t marks = 0;
  for (auto p = gemm.find("class=\"outlier\""); p != std::string::npos;
       p = gemm.find("class=\"outlier\"", p + 1))
    ++marks;
  EXPECT_EQ(marks, std::size_t(gemm_outliers));
  EXPECT_GT(marks, 0u);
}

TEST(FleetCli, FleetSectionDecidesHowManyMayFail) {
  const std::string dir = test::make_temp_dir("gpucert-fleet-profile");
  fs::copy_file(test::source_dir() + "/profiles/h100-sxm5-80gb-8x-standard.yaml",
                dir + "/h100-sxm5-80gb-8x-standard.yaml");
  auto write = [&](const std::string& name, const std::string& fleet) {
    std::ofstream(dir + "/" + name) << "schema: gpucert/profile/v1\nname: lot\n"
                                       "extends: h100-sxm5-80gb-8x-standard.yaml\nfleet:\n"
                                    << fleet;
    return dir + "/" + name;
  };
  // 25 of 30 = 0.833 certified.
  const nlohmann::json pass =
      fleet_json({"--profile", write("a.yaml", "  min_certified_fraction: 0.8\n  median_floors: "
                                               "{gemm-bf16: 760}\n  max_outlier_fraction: 0.05\n")},
                 0);
  EXPECT_EQ(pass["outcome"], "CERTIFIED");
  EXPECT_EQ(pass["lot_clauses"].size(), 3u);
  for (const auto& c : pass["lot_clauses"])
    EXPECT_EQ(c["verdict"], "PASS") << c.dump();
  const nlohmann::json fail =
      fleet_json({"--profile", write("b.yaml", "  min_certified_fraction: 0.9\n  median_floors: "
                                               "{gemm-bf16: 900}\n")},
                 1);
  EXPECT_EQ(fail["outcome"], "NOT CERTIFIED");
  for (const auto& c : fail["lot_clauses"])
    EXPECT_EQ(c["verdict"], "FAIL") << c.dump();
}

TEST(FleetCli, SampleOfALargerLotIsBoundedAndUnsignedNodesAreUnverified) {
  const nlohmann::json s = fleet_json({"--lot-size", "1000"}, 1);
  ASSERT_TRUE(s["sample"].is_object());
  EXPECT_EQ(s["sample"]["sampled"], kNodes);
  EXPECT_EQ(s["sample"]["defective"], 5);
  // 5 of 30 seen: the lot's defective fraction is bounded above 5/30.
  EXPECT_GT(s["sample"]["max_defective_fraction"].get<double>(), 5.0 / 30);
  EXPECT_LT(s["sample"]["max_defective_fraction"].get<double>(), 0.5);

  const std::string keys = test::make_temp_dir("gpucert-fleet-key");
  ASSERT_EQ(run_cli({"key", "generate", "--out", keys + "/k"}).rc, 0);
  const nlohmann::json v = fleet_json({"--pubkey", keys + "/k.pub"}, 1);
  EXPECT_EQ(v["nodes_unverified"], kNodes);
  EXPECT_EQ(v["nodes_certified"], 0);
  EXPECT_EQ(v["nodes"][0]["signature"]["state"], "unsigned");
}

TEST(FleetCli, SignedNodesVerifyAndATamperedOneIsCountedApart) {
  // Two nodes certified and signed as a seller would (run --sign-key), checked with the seller's
  // public key; then one node's certificate changed after signing.
  const std::string root = test::make_temp_dir("gpucert-fleet-signed");
  ASSERT_EQ(run_cli({"key", "generate", "--out", root + "/k"}).rc, 0);
  for (const char* host : {"node-a", "node-b"}) {
    const test::CliResult r = run_cli({"run", "--profile", "h100-sxm5-80gb-8x-quick", "--simulate",
                                       "h100-sxm5-80gb-8x", "--hostname", host, "--seed", "3",
                                       "--out", root + "/lot/" + host, "--sign-key", root + "/k"});
    ASSERT_EQ(r.rc, 0) << r.err;
  }
  auto fleet = [&](const std::string& out) {
    const test::CliResult r =
        run_cli({"fleet", root + "/lot", "--pubkey", root + "/k.pub", "--out", root + "/" + out});
    EXPECT_NE(r.rc, 2) << r.err;
    return nlohmann::json::parse(test::read_file(root + "/" + out + "/lot.json"));
  };
  nlohmann::json lot = fleet("ok");
  EXPECT_EQ(lot["nodes_unverified"], 0);
  ASSERT_EQ(lot["nodes"].size(), 2u);
  for (const auto& n : lot["nodes"])
    EXPECT_EQ(n["signature"]["state"], "valid") << n.dump();

  std::string cert = test::read_file(root + "/lot/node-b/certificate.json");
  cert.insert(cert.find('{') + 1, " ");
  std::ofstream(root + "/lot/node-b/certificate.json", std::ios::binary) << cert;
  lot = fleet("tampered");
  EXPECT_EQ(lot["nodes_unverified"], 1);
  for (const auto& n : lot["nodes"])
    EXPECT_EQ(n["signature"]["state"], n["hostname"] == "node-b" ? "invalid" : "valid") << n.dump();
  fs::remove_all(root);
}

TEST(FleetCli, UnreadableCertificateIsANodeNotCertifiedAndNamed) {
  const std::string dir = test::make_temp_dir("gpucert-fleet-bad");
  for (const char* h : {"node00001", "node00002"})
    fs::copy(lot().dir + "/" + h, dir + "/" + h, fs::copy_options::recursive);
  std::ofstream(dir + "/node00002/certificate.json") << "{\"schema\": ";
  const std::string out = test::make_temp_dir("gpucert-fleet-bad-out");
  const test::CliResult r = run_cli({"fleet", dir, "--out", out});
  EXPECT_EQ(r.rc, 1) << r.err;
  const auto j = nlohmann::json::parse(test::read_file(out + "/lot.json"));
  EXPECT_EQ(j["nodes_unreadable"], 1);
  EXPECT_THAT(j["nodes"][1]["load_error"].get<std::string>(), HasSubstr("node00002"));
  EXPECT_THAT(r.out, HasSubstr("certificate unreadable"));
}

TEST(FleetCli, SamplePlanIsSeededAndBadInputExits2) {
  const auto a = run_cli({"fleet", "sample-plan", "--lot-size", "1250", "--max-defective", "1%",
                          "--confidence", "95%", "--seed", "42", "--json"});
  ASSERT_EQ(a.rc, 0) << a.err;
  const auto j = nlohmann::json::parse(a.out);
  EXPECT_EQ(j["seed"], "42");
  EXPECT_EQ(j["chosen"].size(), j["sample"].get<std::size_t>());
  EXPECT_LE(j["accept_at_rejectable"].get<double>(), 0.05);
  const auto b = run_cli({"fleet", "sample-plan", "--lot-size", "1250", "--max-defective", "1%",
                          "--seed", "42", "--json"});
  EXPECT_EQ(nlohmann::json::parse(b.out)["chosen"], j["chosen"]);

  EXPECT_EQ(run_cli({"fleet", "sample-plan", "--lot-size", "100", "--max-defective", "150%"}).rc,
            2);
  EXPECT_EQ(run_cli({"fleet", "sample-plan", "--lot-size", "100", "--max-defective", "x"}).rc, 2);
  EXPECT_EQ(run_cli({"fleet", "sample-plan", "--lot-size", "100", "--max-defective", "1%", "--seed",
                     "-3"})
                .rc,
            2);
  EXPECT_EQ(run_cli({"fleet", "/no/such/dir", "--out", test::make_temp_dir("gpucert-x")}).rc, 2);
  EXPECT_EQ(run_cli({"fleet", lot().dir}).rc, 2); // no --out
}

TEST(FleetCli, DeriveProfileRecordsRuleAndDigestAndReloads) {
  std::string out;
  const nlohmann::json j = fleet_json({}, 1, &out);
  const std::string dir = test::make_temp_dir("gpucert-fleet-derive");
  const std::string file = dir + "/derived.yaml";
  const auto r = run_cli({"fleet", "derive-profile", out, "--base", "h100-sxm5-80gb-8x-standard",
                          "--rule", "median-4*MAD", "-o", file});
  ASSERT_EQ(r.rc, 0) << r.err;
  const std::string yaml = test::read_file(file);
  EXPECT_THAT(yaml, HasSubstr(j["lot_sha256"].get<std::string>()));
  EXPECT_THAT(yaml, HasSubstr("median-4*MAD"));
  EXPECT_EQ(run_cli({"profile", "validate", file}).rc, 0);
  EXPECT_EQ(run_cli({"fleet", "derive-profile", out, "--base", "h100-sxm5-80gb-8x-standard",
                     "--rule", "mean-2"})
                .rc,
            2);
}

} // namespace
} // namespace gpucert
