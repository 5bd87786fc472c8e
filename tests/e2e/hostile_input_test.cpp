// Hostile inputs to `gpucert evaluate`, `report`, `run --simulate` and `profile validate`: each
// exits 2 with a message naming the file, never hangs (FIFO), never allocates what a number in the
// file asks for, and never quotes another file's contents.
#include "tests/support/cli.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>

namespace gpucert {
namespace {

namespace fs = std::filesystem;
using test::run_cli;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSrc = GPUCERT_SOURCE_DIR;
const std::string kStandard = kSrc + "/profiles/h100-sxm5-80gb-8x-standard.yaml";
const std::string kQuick = kSrc + "/profiles/h100-sxm5-80gb-8x-quick.yaml";

/// One simulated run shared by the tests that tamper with its results and certificate.
class HostileInput : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dir_ = test::make_temp_dir("gpucert-hostile");
    const auto r = run_cli({"run", "--profile", kQuick, "--simulate", "h100-sxm5-80gb-8x", "--gpus",
                            "0,1", "--out", dir_ + "/run"});
    ASSERT_EQ(r.rc, 1) << r.err; // GPUs 0-1 of 8: the node-scope clauses are ERROR
    results_ = nlohmann::json::parse(test::read_file(dir_ + "/run/results.json"));
    cert_ = test::read_certificate(dir_ + "/run/certificate.json");
  }
  static void TearDownTestSuite() { fs::remove_all(dir_); }

  static std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ + "/" + name, std::ios::binary) << text;
    return dir_ + "/" + name;
  }
  /// Exit 2 and a message naming `file`.
  static void expect_rejected(const test::CliResult& r, const std::string& file,
                              const std::string& needle) {
    EXPECT_EQ(r.rc, 2) << r.err;
    EXPECT_NE(r.err.find(file), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
    EXPECT_EQ(r.out, "");
  }

  static inline std::string dir_;
  static inline nlohmann::json results_, cert_;
};

TEST_F(HostileInput, EvaluateRefusesFilesThatAreNotRegular) {
  expect_rejected(run_cli({"evaluate", "--profile", kStandard, "/dev/zero"}, {}, 20), "/dev/zero",
                  "not a regular file");
  const std::string fifo = dir_ + "/results.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // No writer: a blocking open would hang until the timeout (rc 124).
  expect_rejected(run_cli({"evaluate", "--profile", kStandard, fifo}, {}, 20), fifo, "FIFO");
  expect_rejected(run_cli({"evaluate", "--profile", kStandard, dir_}, {}, 20), dir_,
                  "not a regular file");
}

TEST_F(HostileInput, EvaluateRefusesMalformedJsonWithItsPlace) {
  const auto bad_utf8 = write("utf8.json", "{\n \"schema\": \"\xff\"}");
  expect_rejected(run_cli({"evaluate", "--profile", kStandard, bad_utf8}),
                  bad_utf8 + ":2:13:", "invalid UTF-8");
  const auto deep = write("deep.json", std::string(100000, '[') + std::string(100000, ']'));
  expect_rejected(run_cli({"evaluate", "--profile", kStandard, deep}),
                  deep + ":1:65:", "nesting deeper");
  const auto dup = write("dup.json", R"({"schema": "gpucert/results/v1", "schema": "x"})");
  expect_rejected(run_cli({"evaluate", "--profile", kStandard, dup}), dup, "field 'schema'");
  const auto two = write("two.json", results_.dump() + "\n" + results_.dump());
  expect_rejected(run_cli({"evaluate", "--profile", kStandard, two}), two + ":2:1:", "not JSON");
}

TEST_F(HostileInput, EvaluateRangeChecksNumbersInResults) {
  auto huge_gpu = results_;
  huge_gpu["measurements"][0]["target"]["gpus"][0] = 1000000000000LL;
  const auto gpu = write("gpu.json", huge_gpu.dump());
  expect_rejected(run_cli({"evaluate", "--profile", kStandard, gpu}), gpu,
                  "measurements[0].target.gpus[0]: must be an integer from 0 to 1023");
  auto negative = results_;
  negative["measurements"][0]["warmup_samples"] = -5;
  const auto neg = write("neg.json", negative.dump());
  expect_rejected(run_cli({"evaluate", "--profile", kStandard, neg}), neg,
                  "measurements[0].warmup_samples");
  auto key = results_;
  key["measurements"][0]["telemetry"]["99999999999"] = nlohmann::json::object();
  const auto tel = write("tel.json", key.dump());
  expect_rejected(run_cli({"evaluate", "--profile", kStandard, tel}), tel, "not a GPU index");
}

TEST_F(HostileInput, ReportRangeChecksNumbersInCertificates) {
  auto n = cert_;
  n["checks"][0]["n"] = 1e300;
  const auto nf = write("n.json", n.dump());
  expect_rejected(run_cli({"report", nf, "--format", "md"}), nf, "checks[0].n");
  auto gpus = cert_;
  gpus["checks"][0]["gpus"] = {-1};
  const auto gf = write("g.json", gpus.dump());
  expect_rejected(run_cli({"report", gf, "--format", "md"}), gf, "checks[0].gpus[0]");
  auto samples = cert_;
  samples["checks"][0]["telemetry"]["0"]["samples"] = 4294967296LL;
  const auto sf = write("s.json", samples.dump());
  expect_rejected(run_cli({"report", sf, "--format", "md"}), sf, "telemetry.0.samples");
  expect_rejected(run_cli({"report", "/dev/zero", "--format", "md"}, {}, 20), "/dev/zero",
                  "not a regular file");
}

TEST_F(HostileInput, WrongTypesNameTheFileAndTheField) {
  auto seconds = results_;
  seconds["measurements"][0]["seconds"] = "x";
  const auto sf = write("seconds.json", seconds.dump());
  expect_rejected(run_cli({"evaluate", "--profile", kStandard, sf}), sf + ": ",
                  "measurements[0].seconds: expected an array, got string");
  auto nameless = results_;
  nameless["measurements"][1].erase("benchmark");
  const auto nf = write("nameless.json", nameless.dump());
  expect_rejected(run_cli({"evaluate", "--profile", kStandard, nf}), nf + ": ",
                  "measurements[1]: missing required field 'benchmark'");
  auto outcome = cert_;
  outcome["outcome"] = "MAYBE";
  const auto of = write("outcome.json", outcome.dump());
  expect_rejected(run_cli({"report", of, "--format", "md"}), of + ": ",
                  "field 'outcome': 'MAYBE' is not an outcome");
}

TEST_F(HostileInput, InvalidUtf8IsGivenAsLineAndColumnInEveryKindOfFile) {
  // A certificate: line 3, the 17th character (the é before it counts as one).
  const auto cert = write("utf8-cert.json", "{\n  \"schema\": \"gpucert/certificate/v1\",\n"
                                            "  \"note\": \"ok \xc3\xa9 \xc0\xaf\"\n}\n");
  expect_rejected(run_cli({"report", cert, "--format", "md"}),
                  cert + ":3:17: ", "invalid UTF-8 (byte 0xc0)");
  // A node file: line 3, column 10.
  const auto node = write("utf8-node.yaml", "name: x\ngpus:\n  - caf\xc3\xa9 \xff\n");
  expect_rejected(run_cli({"inventory", "--simulate", node}),
                  node + ":3:10: ", "invalid UTF-8 (byte 0xff)");
  // A profile, through run and through validate.
  const auto prof = write("utf8-profile.yaml", "schema: gpucert/profile/v1\nname: x\n"
                                               "description: \"\xe2\x82\"\n");
  expect_rejected(run_cli({"run", "--profile", prof, "--simulate", "h100-sxm5-80gb-8x", "--out",
                           dir_ + "/utf8-out"}),
                  prof + ":3:15: ", "invalid UTF-8 (byte 0xe2)");
  EXPECT_FALSE(fs::exists(dir_ + "/utf8-out"));
  const auto v = run_cli({"profile", "validate", prof});
  EXPECT_EQ(v.rc, 2);
  EXPECT_THAT(v.err, HasSubstr(prof + ":3:15: invalid UTF-8 (byte 0xe2)"));
}

TEST_F(HostileInput, OversizedProfileIsRefusedBeforeParsingNamingTheLimit) {
  const auto huge = write("huge.yaml", "schema: gpucert/profile/v1\nname: huge\ndescription: \"" +
                                           std::string(2 << 20, 'x') + "\"\n");
  const std::string size = std::to_string(fs::file_size(huge));
  expect_rejected(run_cli({"run", "--profile", huge, "--simulate", "h100-sxm5-80gb-8x", "--out",
                           dir_ + "/huge-out"}),
                  huge + ": file is " + size + " bytes",
                  "a profile file may be at most 1048576 bytes");
  EXPECT_FALSE(fs::exists(dir_ + "/huge-out"));
  const auto v = run_cli({"profile", "validate", huge});
  EXPECT_EQ(v.rc, 2);
  EXPECT_THAT(v.err, HasSubstr(huge + ": file is " + size + " bytes"));
  EXPECT_THAT(v.err, Not(HasSubstr("xxxxxxxx"))) << "quotes the file";
}

TEST_F(HostileInput, RunRefusesHostileNodeFiles) {
  const auto run = [&](const std::string& node) {
    return run_cli({"run", "--profile", kQuick, "--simulate", node, "--out", dir_ + "/n"}, {}, 30);
  };
  const std::string fifo = dir_ + "/node.yaml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_rejected(run(fifo), fifo, "FIFO");
  const auto bin = write("bin.yaml", std::string("schema: x\n\0", 11));
  expect_rejected(run(bin), bin + ":2:1:", "binary content");
  const auto bomb = write("bomb.yaml", "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
                                       "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                                       "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                                       "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                                       "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n");
  expect_rejected(run(bomb), bomb, "alias bomb");
  // A real node file with an absurd link count.
  std::string node = test::read_file(kSrc + "/harness/backends/sim/nodes/h100-sxm5-80gb-8x.yaml");
  const auto at = node.find("nvlink_links: 18");
  ASSERT_NE(at, std::string::npos);
  node.replace(at, 16, "nvlink_links: 2000000000");
  const auto links = write("links.yaml", node);
  expect_rejected(run(links), links, "nvlink_links: must be 0 to 64");
}

TEST(HostileProfileCli, ExtendsStaysInsideTheProfilesFolder) {
  const std::string dir = test::make_temp_dir("gpucert-extends");
  fs::create_directories(dir + "/mine");
  const auto write = [&](const std::string& name, const std::string& extends) {
    std::ofstream(dir + "/" + name)
        << "schema: gpucert/profile/v1\nname: x\nextends: " << extends << "\n";
    return dir + "/" + name;
  };
  // Every refusal names the extends line (file:3:10, the value) and the key.
  const auto refused_at_extends = [](const test::CliResult& r, const std::string& file,
                                     const std::string& why) {
    EXPECT_EQ(r.rc, 2) << r.err;
    EXPECT_THAT(r.err, HasSubstr("gpucert: " + file + ":3:10: key 'extends': " + why));
    EXPECT_THAT(r.err, Not(HasSubstr("root:"))) << "quotes /etc/passwd";
  };
  // Absolute: refused without reading, so nothing of the file can leak.
  const auto abs = write("mine/abs.yaml", "/etc/passwd");
  refused_at_extends(run_cli({"profile", "validate", abs}), abs,
                     "'/etc/passwd' is an absolute path");
  // Up and out with ..: refused; a symlink out: refused too. Both say how to allow it.
  const auto up = write("mine/up.yaml", "../../../../../../../etc/passwd");
  auto r = run_cli({"profile", "validate", up});
  refused_at_extends(r, up, "'../../../../../../../etc/passwd' is outside " + dir + "/mine");
  EXPECT_THAT(r.err, HasSubstr("--extends-from DIR"));
  fs::create_symlink("/etc/passwd", dir + "/mine/link.yaml");
  const auto link = write("mine/via-link.yaml", "link.yaml");
  refused_at_extends(run_cli({"profile", "validate", link}), link,
                     "'link.yaml' is outside " + dir + "/mine");
  // A file outside with a recognisable line: never quoted, by any command, through .. or a link.
  std::ofstream(dir + "/secret.yaml") << "SECRET-TOKEN-4711: not for your eyes\n";
  fs::create_symlink("../secret.yaml", dir + "/mine/secret-link.yaml");
  const auto via_up = write("mine/secret-up.yaml", "../secret.yaml");
  const auto via_link = write("mine/secret-via-link.yaml", "secret-link.yaml");
  for (const auto& p : {via_up, via_link}) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"profile", "validate", p},
             {"profile", "show", p},
             {"run", "--profile", p, "--simulate", "h100-sxm5-80gb-8x", "--out", dir + "/o"}}) {
      r = run_cli(args);
      EXPECT_EQ(r.rc, 2) << args[1] << " " << p << ": " << r.err;
      EXPECT_THAT(r.err, HasSubstr(p + ":3:10: key 'extends': ")) << args[1];
      EXPECT_THAT(r.err, HasSubstr("is outside")) << args[1];
      EXPECT_THAT(r.err + r.out, Not(HasSubstr("SECRET-TOKEN"))) << args[1];
      EXPECT_THAT(r.err + r.out, Not(HasSubstr("not for your eyes"))) << args[1];
    }
  }
  EXPECT_FALSE(fs::exists(dir + "/o"));
  // The shipped base, outside the folder: refused by default, allowed when named explicitly.
  const std::string base = fs::relative(kStandard, dir + "/mine").string();
  std::ofstream(dir + "/mine/site.yaml")
      << "schema: gpucert/profile/v1\nname: site\nextends: " << base << "\n";
  r = run_cli({"profile", "validate", dir + "/mine/site.yaml"});
  refused_at_extends(r, dir + "/mine/site.yaml", "'" + base + "' is outside " + dir + "/mine");
  EXPECT_THAT(r.err, HasSubstr("--extends-from DIR"));
  r = run_cli(
      {"profile", "validate", "--extends-from", kSrc + "/profiles", dir + "/mine/site.yaml"});
  EXPECT_EQ(r.rc, 0) << r.err;
  fs::remove_all(dir);
}

} // namespace
} // namespace gpucert
