// `gpucert profile list / show` and `--profile NAME`: a shipped profile is found by its name from
// any working directory, $GPUCERT_PROFILE_PATH comes first, and an unknown name exits 2 saying
// where it looked and what it found.
#include "harness/benchmarks/catalog.hpp"
#include "harness/profile/profile.hpp"
#include "tests/support/cli.hpp"

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

const std::string kShipped = test::source_dir() + "/profiles";

std::set<std::string> shipped_names() {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(kShipped))
    if (e.path().extension() == ".yaml")
      out.insert(e.path().stem().string());
  return out;
}

/// Runs the command with the working directory set to a fresh temporary directory (the child
/// inherits it), so nothing is found relative to the source or build tree by accident.
struct Elsewhere {
  fs::path old = fs::current_path();
  std::string dir = test::make_temp_dir("gpucert-elsewhere");
  Elsewhere() { fs::current_path(dir); }
  ~Elsewhere() {
    fs::current_path(old);
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

TEST(ProfileCli, RunFindsAShippedProfileByNameFromAnotherDirectory) {
  Elsewhere cwd;
  const auto r = run_cli({"run", "--profile", "h100-sxm5-80gb-8x-quick", "--simulate",
                          "h100-sxm5-80gb-8x", "--out", "cert"});
  ASSERT_EQ(r.rc, 0) << r.err << r.out;
  const auto results = nlohmann::json::parse(test::read_file(cwd.dir + "/cert/results.json"));
  EXPECT_EQ(results.at("profile_name"), "h100-sxm5-80gb-8x-quick");
  // Provenance records the file the name resolved to.
  const std::string path = results.at("provenance").at("profile_path");
  EXPECT_TRUE(fs::equivalent(path, kShipped + "/h100-sxm5-80gb-8x-quick.yaml")) << path;
  const auto cert = test::read_certificate(cwd.dir + "/cert/certificate.json");
  EXPECT_EQ(cert.at("outcome"), "CERTIFIED");
}

TEST(ProfileCli, EvaluateAndValidateTakeNamesToo) {
  Elsewhere cwd;
  const auto run = run_cli({"run", "--profile", "h100-sxm5-80gb-8x-quick", "--simulate",
                            "h100-sxm5-80gb-8x", "--out", "cert"});
  ASSERT_EQ(run.rc, 0) << run.err;
  const auto ev =
      run_cli({"evaluate", "--profile", "h100-sxm5-80gb-8x-quick", "cert/results.json"});
  EXPECT_EQ(ev.rc, 0) << ev.err;
  const auto val = run_cli({"profile", "validate", "h100-pcie-80gb", "h200-sxm-141gb-8x"});
  EXPECT_EQ(val.rc, 0) << val.err;
  EXPECT_NE(val.out.find("ok  " + kShipped), std::string::npos) << val.out;
}

TEST(ProfileCli, UnknownNameExits2WithWhereItLookedAndWhatExists) {
  Elsewhere cwd;
  const auto r = run_cli({"run", "--profile", "h100-sxm5-80gb-8x-gold", "--simulate",
                          "h100-sxm5-80gb-8x", "--out", "cert"});
  EXPECT_EQ(r.rc, 2) << r.err;
  EXPECT_NE(r.err.find("'h100-sxm5-80gb-8x-gold'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(kShipped), std::string::npos) << "names the directory searched: " << r.err;
  for (const auto& name : shipped_names())
    EXPECT_NE(r.err.find(name), std::string::npos) << "lists " << name << ": " << r.err;
  EXPECT_FALSE(fs::exists(cwd.dir + "/cert"));
  // Every command that takes a name says the same: show, validate, evaluate.
  for (const auto& args :
       std::vector<std::vector<std::string>>{{"profile", "show", "nope"},
                                             {"profile", "validate", "nope"},
                                             {"evaluate", "--profile", "nope", "results.json"}}) {
    const auto n = run_cli(args);
    EXPECT_EQ(n.rc, 2) << args[1];
    EXPECT_EQ(n.out, "") << args[1];
    EXPECT_THAT(n.err, HasSubstr("profile 'nope' is neither a file nor a known profile name; "
                                 "searched for nope.yaml in:"));
    EXPECT_THAT(n.err, HasSubstr("\n  " + kShipped + " ("));
    EXPECT_THAT(n.err, HasSubstr("available profiles: h100-pcie-80gb, h100-sxm5-80gb-8x-quick, "
                                 "h100-sxm5-80gb-8x-standard, h200-sxm-141gb-8x"));
  }
  // A path that does not exist stays a path (exit 2, the file named), never a name lookup.
  const auto missing = run_cli({"profile", "show", "nope.yaml"});
  EXPECT_EQ(missing.rc, 2);
  EXPECT_EQ(missing.err, "gpucert: nope.yaml: cannot open the profile file: no such file\n");
}

TEST(ProfileCli, UnknownNameListsEveryDirectorySearchedInOrder) {
  Elsewhere cwd;
  const std::string mine = cwd.dir + "/mine";
  fs::create_directory(mine);
  std::ofstream(mine + "/site-contract.yaml")
      << "schema: gpucert/profile/v1\nname: site-contract\n"
         "clauses:\n  - {id: launch, metric: launch.issue.us, max: 3}\n";
  const std::vector<std::string> env = {"GPUCERT_PROFILE_PATH=" + mine + ":" + cwd.dir + "/gone"};
  const auto r = run_cli({"profile", "show", "site-contrakt"}, env);
  EXPECT_EQ(r.rc, 2);
  const auto at_mine = r.err.find("\n  " + mine + " (GPUCERT_PROFILE_PATH)");
  const auto at_gone = r.err.find("\n  " + cwd.dir + "/gone (GPUCERT_PROFILE_PATH, missing)");
  const auto at_shipped = r.err.find("\n  " + kShipped + " (");
  EXPECT_NE(at_mine, std::string::npos) << r.err;
  EXPECT_NE(at_gone, std::string::npos) << r.err;
  EXPECT_NE(at_shipped, std::string::npos) << r.err;
  EXPECT_LT(at_mine, at_gone) << r.err;
  EXPECT_LT(at_gone, at_shipped) << r.err;
  EXPECT_THAT(r.err, HasSubstr("site-contract")) << "lists the names found on the path too";
}

TEST(ProfileCli, ListShowsABrokenProfileWithItsError) {
  Elsewhere cwd;
  const std::string mine = cwd.dir + "/mine";
  fs::create_directory(mine);
  fs::copy_file(test::source_dir() + "/tests/data/profiles/bad/06-quoted-number.yaml",
                mine + "/broken.yaml");
  const std::vector<std::string> env = {"GPUCERT_PROFILE_PATH=" + mine};
  const auto j = run_cli({"profile", "list", "--json"}, env);
  EXPECT_EQ(j.rc, 2) << j.err;
  bool seen = false;
  const auto listed = nlohmann::json::parse(j.out);
  for (const auto& p : listed.at("profiles")) {
    if (p.at("name").get<std::string>() != "broken")
      continue;
    seen = true;
    EXPECT_EQ(p.at("error"), mine + "/broken.yaml:7:10: key 'min': expected a number, got '720'");
  }
  EXPECT_TRUE(seen) << j.out;
  const auto text = run_cli({"profile", "list"}, env);
  EXPECT_EQ(text.rc, 2) << text.err;
  EXPECT_TRUE(std::regex_search(
      text.out, std::regex("broken +- +INVALID \\(gpucert profile validate\\) +- +" + mine +
                           "/broken\\.yaml")))
      << text.out;
  // Exit 2 is bad input, and its message names file:line:col and the field (README, "Exit
  // codes"): the text listing says so on stderr too, not only exit 2.
  EXPECT_EQ(text.err,
            "gpucert: " + mine + "/broken.yaml:7:10: key 'min': expected a number, got '720'\n");
  EXPECT_THAT(text.out, HasSubstr("\nsearched (first match wins): " + mine + ", "));
}

TEST(ProfileCli, ListShowsEveryShippedProfile) {
  Elsewhere cwd;
  const auto r = run_cli({"profile", "list", "--json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  std::set<std::string> listed;
  for (const auto& p : j.at("profiles")) {
    listed.insert(p.at("name").get<std::string>());
    EXPECT_EQ(p.at("name"), p.at("profile_name")) << "name equals the file stem";
    EXPECT_GT(p.at("clauses").get<int>(), 0);
    EXPECT_EQ(p.at("sha256").get<std::string>().size(), 64u);
    EXPECT_TRUE(fs::exists(p.at("path").get<std::string>()));
  }
  EXPECT_EQ(listed, shipped_names());
  EXPECT_FALSE(j.at("search_path").empty());

  const auto text = run_cli({"profile", "list"});
  ASSERT_EQ(text.rc, 0) << text.err;
  for (const auto& name : shipped_names())
    EXPECT_NE(text.out.find(name), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("8 × NVIDIA H100 80GB HBM3"), std::string::npos) << text.out;
}

TEST(ProfileCli, ProfilePathComesFirstAndShadowsAShippedName) {
  Elsewhere cwd;
  const std::string mine = cwd.dir + "/mine";
  fs::create_directory(mine);
  std::ofstream(mine + "/h100-pcie-80gb.yaml")
      << "schema: gpucert/profile/v1\nname: h100-pcie-80gb\n"
         "clauses:\n  - {id: launch, metric: launch.issue.us, max: 3}\n";
  std::ofstream(mine + "/site-contract.yaml")
      << "schema: gpucert/profile/v1\nname: site-contract\n"
         "clauses:\n  - {id: launch, metric: launch.issue.us, max: 3}\n";
  const std::vector<std::string> env = {"GPUCERT_PROFILE_PATH=" + mine};
  const auto show = run_cli({"profile", "show", "h100-pcie-80gb"}, env);
  ASSERT_EQ(show.rc, 0) << show.err;
  EXPECT_NE(show.out.find("# " + mine + "/h100-pcie-80gb.yaml"), std::string::npos) << show.out;
  const auto list = run_cli({"profile", "list", "--json"}, env);
  ASSERT_EQ(list.rc, 0) << list.err;
  const auto j = nlohmann::json::parse(list.out);
  EXPECT_EQ(j.at("search_path").at(0).at("path"), mine);
  bool site = false;
  for (const auto& p : j.at("profiles")) {
    if (p.at("name") == "h100-pcie-80gb")
      EXPECT_EQ(p.at("origin"), "GPUCERT_PROFILE_PATH");
    site = site || p.at("name") == "site-contract";
  }
  EXPECT_TRUE(site);
}

TEST(ProfileCli, ShowPrintsTheMergedProfileAndItsFingerprint) {
  Elsewhere cwd;
  const auto r = run_cli({"profile", "show", "h100-sxm5-80gb-8x-quick"});
  ASSERT_EQ(r.rc, 0) << r.err;
  const profile::Profile p =
      profile::load_profile(builtin_registry(), kShipped + "/h100-sxm5-80gb-8x-quick.yaml");
  EXPECT_NE(r.out.find("# sha256 " + p.sha256 + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("h100-sxm5-80gb-8x-standard.yaml (sha256 "), std::string::npos)
      << "lists the base it extends: " << r.out;
  EXPECT_EQ(r.out.find("extends:"), std::string::npos) << r.out;
  // The output is a profile: it validates and has the same clauses as the original.
  std::ofstream("shown.yaml") << r.out;
  const auto v = run_cli({"profile", "validate", "shown.yaml"});
  EXPECT_EQ(v.rc, 0) << v.err;
  const profile::Profile shown = profile::load_profile(builtin_registry(), cwd.dir + "/shown.yaml");
  ASSERT_EQ(shown.clauses.size(), p.clauses.size());
  for (std::size_t i = 0; i < p.clauses.size(); ++i) {
    EXPECT_EQ(shown.clauses[i].id, p.clauses[i].id);
    EXPECT_EQ(shown.clauses[i].resolved, p.clauses[i].resolved);
  }
  // A path works as well as a name.
  const auto by_path = run_cli({"profile", "show", kShipped + "/h100-sxm5-80gb-8x-quick.yaml"});
  EXPECT_EQ(by_path.rc, 0);
  EXPECT_NE(by_path.out.find("# sha256 " + p.sha256), std::string::npos);
}

} // namespace
} // namespace gpucert
