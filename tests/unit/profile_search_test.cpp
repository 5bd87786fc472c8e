// Profiles by name: which --profile values are names, the search order, the error for an unknown
// name, the listing; and `profile show`'s YAML, which must read back as the same profile.
#include "harness/benchmarks/catalog.hpp"
#include "harness/core/error.hpp"
#include "harness/profile/profile.hpp"
#include "harness/profile/profile_search.hpp"
#include "harness/profile/profile_yaml.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <string>

namespace gpucert::profile {
namespace {

namespace fs = std::filesystem;

const std::string kShipped = std::string(GPUCERT_SOURCE_DIR) + "/profiles";

/// A fresh directory removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "gpucert-search-XXXXXX").string();
    path = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

std::string minimal_profile(const std::string& name) {
  return "schema: gpucert/profile/v1\nname: " + name +
         "\nclauses:\n  - {id: launch, metric: launch.issue.us, max: 3}\n";
}

TEST(ProfileName, PathsAndNamesAreToldApart) {
  EXPECT_TRUE(is_profile_name("h100-sxm5-80gb-8x-standard"));
  EXPECT_TRUE(is_profile_name("no-such-profile"));
  EXPECT_FALSE(is_profile_name("profiles/h100-pcie-80gb.yaml")); // has a '/'
  EXPECT_FALSE(is_profile_name("./x"));
  EXPECT_FALSE(is_profile_name("mine.yaml")); // a .yaml suffix: a file, even a missing one
  EXPECT_FALSE(is_profile_name("mine.yml"));
  EXPECT_FALSE(is_profile_name(""));
  // An existing file of that name (in the working directory) wins over the name.
  TempDir d;
  const fs::path old = fs::current_path();
  fs::current_path(d.path);
  d.write("local-profile", minimal_profile("local-profile"));
  EXPECT_FALSE(is_profile_name("local-profile"));
  EXPECT_EQ(resolve_profile_path("local-profile", {}), "local-profile");
  fs::current_path(old);
}

TEST(ProfileSearch, FirstDirectoryWins) {
  TempDir a, b;
  a.write("shared.yaml", minimal_profile("shared"));
  b.write("shared.yaml", minimal_profile("shared"));
  b.write("only-b.yaml", minimal_profile("only-b"));
  const std::vector<SearchDir> dirs = {{a.path.string(), "first"}, {b.path.string(), "second"}};
  EXPECT_EQ(resolve_profile_path("shared", dirs), (a.path / "shared.yaml").string());
  EXPECT_EQ(resolve_profile_path("only-b", dirs), (b.path / "only-b.yaml").string());
  // A path is returned as given, never searched.
  EXPECT_EQ(resolve_profile_path("x/shared.yaml", dirs), "x/shared.yaml");

  const auto found = list_profile_files(dirs);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].name, "only-b");
  EXPECT_EQ(found[1].name, "shared");
  EXPECT_EQ(found[1].origin, "first"); // listed once, from the directory --profile uses
}

TEST(ProfileSearch, UnknownNameListsDirectoriesAndNames) {
  TempDir a;
  a.write("alpha.yaml", minimal_profile("alpha"));
  a.write("notes.txt", "not a profile");
  const std::vector<SearchDir> dirs = {{a.path.string(), "GPUCERT_PROFILE_PATH"},
                                       {"/nonexistent/gpucert-profiles", "installed"}};
  try {
    resolve_profile_path("beta", dirs);
    FAIL() << "no error for an unknown name";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.code(), ExitCode::bad_input);
    EXPECT_NE(msg.find("'beta'"), std::string::npos) << msg;
    EXPECT_NE(msg.find(a.path.string()), std::string::npos) << msg;
    EXPECT_NE(msg.find("/nonexistent/gpucert-profiles (installed, missing)"), std::string::npos)
        << msg;
    EXPECT_NE(msg.find("available profiles: alpha"), std::string::npos) << msg;
  }
  // A name that could climb out of the directory is never looked up.
  EXPECT_THROW(resolve_profile_path("..hidden", dirs), InputError);
}

TEST(ProfileSearch, EnvironmentComesFirst) {
  TempDir a, b;
  const std::string value = a.path.string() + "::" + b.path.string() + ":";
  ASSERT_EQ(setenv("GPUCERT_PROFILE_PATH", value.c_str(), 1), 0);
  const auto dirs = profile_search_dirs();
  unsetenv("GPUCERT_PROFILE_PATH");
  ASSERT_GE(dirs.size(), 3u); // a, b, then the installed (or source-tree) profiles
  EXPECT_EQ(dirs[0].path, a.path.string());
  EXPECT_EQ(dirs[0].origin, "GPUCERT_PROFILE_PATH");
  EXPECT_EQ(dirs[1].path, b.path.string()); // empty entries are skipped
  EXPECT_NE(dirs[2].origin, "GPUCERT_PROFILE_PATH");
}

TEST(ProfileSearch, BuildTreeBinaryFindsTheShippedProfiles) {
  // The unit-test binary is not installed, so the source tree's profiles/ is searched.
  unsetenv("GPUCERT_PROFILE_PATH");
  const std::string path = resolve_profile_path("h100-sxm5-80gb-8x-quick");
  EXPECT_TRUE(fs::equivalent(path, kShipped + "/h100-sxm5-80gb-8x-quick.yaml")) << path;
  std::vector<std::string> names;
  for (const auto& f : list_profile_files(profile_search_dirs()))
    names.push_back(f.name);
  for (const auto& e : fs::directory_iterator(kShipped))
    if (e.path().extension() == ".yaml")
      EXPECT_NE(std::find(names.begin(), names.end(), e.path().stem().string()), names.end())
          << e.path();
}

// --- profile show: the merged profile as YAML ------------------------------------------------

TEST(ProfileYaml, ReadsBackAsTheSameProfile) {
  for (const char* stem : {"h100-sxm5-80gb-8x-quick", "h100-sxm5-80gb-8x-standard",
                           "h100-pcie-80gb", "h200-sxm-141gb-8x"}) {
    const Profile p = load_profile(builtin_registry(), kShipped + "/" + stem + ".yaml");
    const std::string yaml = to_yaml(p);
    const Profile q = parse_profile(builtin_registry(), yaml, std::string(stem) + " (shown)");
    EXPECT_EQ(q.name, p.name);
    EXPECT_EQ(q.tier, p.tier);
    EXPECT_EQ(q.match.gpu_name, p.match.gpu_name);
    EXPECT_EQ(q.match.gpu_count, p.match.gpu_count);
    EXPECT_EQ(q.match.memory_gib_min, p.match.memory_gib_min);
    EXPECT_EQ(q.match.nvlink_links_per_gpu, p.match.nvlink_links_per_gpu);
    EXPECT_EQ(q.match.ecc, p.match.ecc);
    EXPECT_EQ(q.method.target_rel_ci, p.method.target_rel_ci);
    EXPECT_EQ(q.method.max_samples, p.method.max_samples);
    EXPECT_EQ(q.method.max_seconds_per_clause, p.method.max_seconds_per_clause);
    ASSERT_EQ(q.clauses.size(), p.clauses.size()) << stem;
    for (std::size_t i = 0; i < p.clauses.size(); ++i) {
      const Clause &a = p.clauses[i], &b = q.clauses[i];
      EXPECT_EQ(b.id, a.id);
      EXPECT_EQ(b.metric, a.metric);
      EXPECT_EQ(b.resolved, a.resolved) << a.id;
      EXPECT_EQ(b.each, a.each);
      EXPECT_EQ(b.stat, a.stat);
      EXPECT_EQ(b.min, a.min);
      EXPECT_EQ(b.max, a.max);
      EXPECT_EQ(b.duration, a.duration);
      EXPECT_EQ(b.equals.has_value(), a.equals.has_value());
      if (a.equals && b.equals)
        EXPECT_EQ(b.equals->str(), a.equals->str()) << a.id;
      EXPECT_EQ(b.description, a.description);
    }
  }
}

TEST(ProfileYaml, ExtendsIsAppliedAndNumbersReadAsWritten) {
  const Profile p = load_profile(builtin_registry(), kShipped + "/h100-sxm5-80gb-8x-quick.yaml");
  const std::string yaml = to_yaml(p);
  EXPECT_EQ(yaml.find("extends"), std::string::npos) << yaml;
  EXPECT_EQ(yaml.find("remove_clauses"), std::string::npos);
  EXPECT_NE(yaml.find("confidence: 0.95\n"), std::string::npos) << yaml; // not 0.9499999...
  EXPECT_NE(yaml.find("target_rel_ci: 0.02\n"), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("gpu_name: \"NVIDIA H100 80GB HBM3\""), std::string::npos) << yaml;
  EXPECT_NE(yaml.find("id: gemm-bf16\n"), std::string::npos); // inherited from the standard tier
  EXPECT_EQ(yaml.find("id: gemm-fp8\n"), std::string::npos);  // removed by the quick tier
}

TEST(ProfileYaml, TextThatLooksLikeANumberStaysText) {
  const Profile p = parse_profile(builtin_registry(), R"(schema: gpucert/profile/v1
name: quoting
description: "8"
clauses:
  - {id: name, metric: inventory.gpu_name, equals: "123", contract_ref: "true"}
)",
                                  "quoting.yaml");
  const Profile q = parse_profile(builtin_registry(), to_yaml(p), "shown.yaml");
  EXPECT_EQ(q.description, "8");
  ASSERT_TRUE(q.clauses.at(0).equals);
  EXPECT_EQ(q.clauses.at(0).equals->kind, Expected::Kind::text);
  EXPECT_EQ(q.clauses.at(0).equals->text, "123");
  EXPECT_EQ(q.clauses.at(0).contract_ref, "true");
}

} // namespace
} // namespace gpucert::profile
