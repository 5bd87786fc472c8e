// `gpucert compare` end to end on the simulator: a 6 % GEMM drop on every GPU that still passes
// the floor exits 1 naming every GEMM check REGRESSED; two clean runs of other seeds exit 0 with
// every compared check SAME; JUnit fails exactly the regressed testcases; bad input exits 2.
#include "tests/support/cli.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

namespace gpucert {
namespace {

namespace fs = std::filesystem;
using test::run_cli;
using ::testing::HasSubstr;

const std::string kQuick = "h100-sxm5-80gb-8x-quick";
const std::string kNode = "h100-sxm5-80gb-8x";

/// A quick simulated run into a fresh directory; asserts it certified (the floors hold).
std::string run(const std::string& seed, const std::vector<std::string>& extra = {}) {
  const std::string dir = test::make_temp_dir("gpucert-compare");
  std::vector<std::string> args = {"run",   "--profile", kQuick,   "--simulate", kNode,
                                   "--out", dir,         "--seed", seed};
  args.insert(args.end(), extra.begin(), extra.end());
  const test::CliResult r = run_cli(args);
  EXPECT_EQ(r.rc, 0) << r.err; // 0.94 x stays above the GEMM floor: still certified
  return dir;
}

std::vector<std::string> gemm_faults(double factor) {
  std::vector<std::string> out;
  for (int g = 0; g < 8; ++g) {
    out.push_back("--fault");
    out.push_back("gpu" + std::to_string(g) + ":gemm=" + std::to_string(factor));
  }
  return out;
}

struct Fixture {
  std::string base, clean, slow;
};
const Fixture& runs() {
  static const Fixture f{run("1"), run("2"), run("2", gemm_faults(0.94))};
  return f;
}

nlohmann::json compare_json(const std::string& a, const std::string& b, int want_rc) {
  const test::CliResult r = run_cli({"compare", a, b, "--format", "json"});
  EXPECT_EQ(r.rc, want_rc) << r.err;
  return nlohmann::json::parse(r.out);
}

TEST(CompareCli, SixPercentGemmDropOnEveryGpuIsRegressed) {
  const nlohmann::json j = compare_json(runs().base, runs().slow, 1);
  std::set<std::string> regressed;
  for (const auto& c : j.at("checks")) {
    if (c.at("verdict") == "REGRESSED")
      regressed.insert(c.at("clause_id").get<std::string>() + "@" +
                       c.at("target").get<std::string>());
    else
      EXPECT_EQ(c.at("verdict"), "SAME") << c.dump(); // nothing else moved
  }
  std::set<std::string> want;
  for (int g = 0; g < 8; ++g)
    want.insert("gemm-bf16@gpu" + std::to_string(g));
  EXPECT_EQ(regressed, want);
  for (const auto& c : j.at("checks"))
    if (c.at("verdict") == "REGRESSED")
      EXPECT_NEAR(c.at("shift_percent").get<double>(), -6.0, 1.0);
  EXPECT_TRUE(j.at("simulated").get<bool>());

  // Markdown: the regressions lead the table (worst first), SIMULATED said.
  const test::CliResult md = run_cli({"compare", runs().base, runs().slow});
  EXPECT_EQ(md.rc, 1);
  EXPECT_THAT(md.out, HasSubstr("SIMULATED"));
  EXPECT_THAT(md.out, HasSubstr("**8 REGRESSED**"));
  const std::size_t table = md.out.find("| Check |");
  ASSERT_NE(table, std::string::npos);
  EXPECT_THAT(md.out.substr(table, 600), HasSubstr("| gemm-bf16@gpu"));
}

TEST(CompareCli, JunitFailsTheRegressedTestcasesOnly) {
  const std::string out = test::make_temp_dir("gpucert-compare-junit") + "/compare.xml";
  const test::CliResult r =
      run_cli({"compare", runs().base, runs().slow, "--format", "junit", "-o", out});
  EXPECT_EQ(r.rc, 1) << r.err;
  const std::string xml = test::read_file(out);
  EXPECT_THAT(xml, HasSubstr("failures=\"8\""));
  const std::regex failure("<testcase classname=\"compare\\.([^\"]+)\" name=\"([^\"]+)\">\\s*"
                           "<failure type=\"regressed\"");
  int n = 0;
  for (auto it = std::sregex_iterator(xml.begin(), xml.end(), failure);
       it != std::sregex_iterator(); ++it, ++n)
    EXPECT_EQ((*it)[1].str(), "gemm-bf16");
  EXPECT_EQ(n, 8);
  // Valid against the JUnit XSD the run's junit.xml is checked with (where xmllint exists).
  if (std::system("command -v xmllint >/dev/null 2>&1") == 0)
    EXPECT_EQ(std::system(("xmllint --noout --schema " + test::source_dir() +
                           "/tests/data/junit.xsd " + out + " 2>/dev/null")
                              .c_str()),
              0);
}

TEST(CompareCli, CleanRunsOfOtherSeedsAreSameAndExitZero) {
  // Seeds 1 and 2 of the same simulated node differ by noise only (CV well under 1 %): with 20+
  // samples a side each interval is a few tenths of a percent wide, inside ±2 %, so every
  // compared check is SAME and the exit is 0 (not 5).
  const nlohmann::json j = compare_json(runs().base, runs().clean, 0);
  ASSERT_FALSE(j.at("checks").empty());
  for (const auto& c : j.at("checks")) {
    EXPECT_EQ(c.at("verdict"), "SAME") << c.dump();
    EXPECT_LT(std::abs(c.at("shift_percent").get<double>()), 1.0);
  }
  EXPECT_EQ(j.at("counts").at("regressed"), 0);
  EXPECT_EQ(j.at("counts").at("undecided"), 0);
}

TEST(CompareCli, TighterToleranceIsUndecidedNotRegressed) {
  // At ±0.1 % the same clean pair cannot show "within": INCONCLUSIVE (exit 5), never REGRESSED.
  const test::CliResult r =
      run_cli({"compare", runs().base, runs().clean, "--tolerance", "0.1%", "--format", "json"});
  EXPECT_EQ(r.rc, 5) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out).at("counts").at("regressed"), 0);
}

TEST(CompareCli, BadInputExitsTwoNamingIt) {
  const std::string empty = test::make_temp_dir("gpucert-compare-empty");
  auto bad = [](const std::vector<std::string>& args, const std::string& what) {
    const test::CliResult r = run_cli(args);
    EXPECT_EQ(r.rc, 2) << r.err;
    EXPECT_THAT(r.err, HasSubstr(what));
  };
  bad({"compare", "/nonexistent/run", runs().clean}, "not a run directory");
  bad({"compare", runs().base, empty}, "certificate.json is missing");
  const std::string broken = test::make_temp_dir("gpucert-compare-broken");
  fs::copy(runs().base, broken, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  { std::ofstream(broken + "/certificate.json") << "{\"schema\": "; }
  bad({"compare", runs().base, broken}, broken + "/certificate.json");
  bad({"compare", runs().base, runs().clean, "--tolerance", "2"}, "--tolerance 2");
  // Another profile: refused unless asked for.
  const std::string other = test::make_temp_dir("gpucert-compare-other");
  // (its verdict does not matter here, only that it wrote a certificate)
  run_cli({"run", "--profile", "h100-sxm5-80gb-8x-standard", "--simulate", kNode, "--gpus", "0",
           "--out", other, "--seed", "1"});
  ASSERT_TRUE(fs::exists(other + "/certificate.json"));
  bad({"compare", runs().base, other}, "different profiles");
  // ... and compared when asked: the base's checks on GPUs 1-7 are not in the new run, so the
  // comparison cannot clear it there (exit 5), and the note says the profiles differ.
  const test::CliResult allowed =
      run_cli({"compare", runs().base, other, "--allow-profile-change", "--format", "json"});
  EXPECT_EQ(allowed.rc, 5) << allowed.err;
  EXPECT_THAT(allowed.err, HasSubstr("different profiles"));
  EXPECT_GT(nlohmann::json::parse(allowed.out).at("counts").at("undecided").get<int>(), 0);
}

} // namespace
} // namespace gpucert
