#include "harness/core/error.hpp"
#include "harness/fleet/inputs.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

namespace fs = std::filesystem;
using gpucert::fleet::expand_inputs;

namespace {
fs::path make_lot(const std::string& name) {
  auto root = fs::temp_directory_path() / name;
  fs::remove_all(root);
  for (const char* n : {"node01", "node02", "empty"})
    fs::create_directories(root / n);
  for (const char* n : {"node01", "node02"})
    std::ofstream(root / n / "certificate.json") << "{}";
  return root;
}
} // namespace

TEST(LotInputs, RunDirLotDirAndGlobGiveTheSameSortedCertificates) {
  auto root = make_lot("gpucert_lot_inputs_a");
  auto a = expand_inputs({root.string()});
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0], root / "node01" / "certificate.json");
  EXPECT_EQ(a[1], root / "node02" / "certificate.json");
  EXPECT_EQ(expand_inputs({(root / "node*").string()}), a);
  EXPECT_EQ(expand_inputs({(root / "node02").string(), (root / "node01").string(),
                           (root / "node01").string()}),
            a);
  fs::remove_all(root);
}

TEST(LotInputs, APathThatMatchesNothingIsAnInputErrorNamingIt) {
  auto root = make_lot("gpucert_lot_inputs_b");
  try {
    expand_inputs({(root / "empty").string()});
    FAIL() << "no throw";
  } catch (const gpucert::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("empty"), std::string::npos);
  }
  EXPECT_THROW(expand_inputs({(root / "nosuch*").string()}), gpucert::InputError);
  EXPECT_THROW(expand_inputs({}), gpucert::InputError);
  fs::remove_all(root);
}
