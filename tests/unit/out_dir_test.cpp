// The --out directory: its lock (a second holder is refused, naming the first) and moving a
// previous run's files aside, in-process.
#include "harness/cli/out_dir.hpp"
#include "harness/core/error.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace gpucert::cli {
namespace {

namespace fs = std::filesystem;

struct OutDirTest : ::testing::Test {
  fs::path dir = fs::temp_directory_path() / ("gpucert-outdir-" + std::to_string(getpid()));
  void SetUp() override { fs::remove_all(dir); }
  void TearDown() override { fs::remove_all(dir); }
};

TEST_F(OutDirTest, ASecondHolderIsRefusedNamingTheFirst) {
  OutDir first(dir.string());
  try {
    OutDir second(dir.string());
    ADD_FAILURE() << "two holders of one --out";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("another gpucert is writing there (pid " +
                                         std::to_string(getpid()) + " on host "),
              std::string::npos)
        << e.what();
  }
}

TEST_F(OutDirTest, TheLockEndsWithItsHolder) {
  { OutDir first(dir.string()); }
  OutDir again(dir.string());
  EXPECT_TRUE(fs::is_regular_file(dir / ".gpucert.lock"));
}

TEST_F(OutDirTest, MovesOnlyGpucertFilesAsideAndNothingWhenEmpty) {
  OutDir out(dir.string());
  EXPECT_EQ(out.move_previous_aside(), "");
  std::ofstream(dir / "results.json") << "{}";
  std::ofstream(dir / "report.md") << "old";
  std::ofstream(dir / "notes.txt") << "the user's";
  const auto written = fs::last_write_time(dir / "results.json");
  fs::last_write_time(dir / "report.md", written);
  const std::string aside = out.move_previous_aside();
  ASSERT_NE(aside, "");
  EXPECT_EQ(fs::path(aside).parent_path(), dir);
  EXPECT_EQ(fs::path(aside).filename().string().rfind("previous-", 0), 0u);
  EXPECT_TRUE(fs::exists(fs::path(aside) / "results.json"));
  EXPECT_TRUE(fs::exists(fs::path(aside) / "report.md"));
  EXPECT_FALSE(fs::exists(dir / "results.json"));
  EXPECT_TRUE(fs::exists(dir / "notes.txt"));
  // Same second, same mtime: a second folder, not a merge into the first.
  std::ofstream(dir / "results.json") << "{}";
  fs::last_write_time(dir / "results.json", written);
  const std::string second = out.move_previous_aside();
  EXPECT_NE(second, aside);
  EXPECT_EQ(second, aside + "-2");
}

TEST_F(OutDirTest, RefusesALinkOrAFileAsTheDirectory) {
  fs::create_directories(dir / "real");
  fs::create_directory_symlink(dir / "real", dir / "link");
  EXPECT_THROW(OutDir((dir / "link").string()), InputError);
  EXPECT_THROW(OutDir((dir / "link").string() + "/"), InputError);
  std::ofstream(dir / "file") << "x";
  EXPECT_THROW(OutDir((dir / "file").string()), InputError);
}

TEST_F(OutDirTest, RefusesAPlantedLinkUnderAnOutputName) {
  fs::create_directories(dir);
  fs::create_symlink("/etc/hostname", dir / "certificate.json");
  EXPECT_THROW(OutDir(dir.string()), InputError);
  EXPECT_TRUE(fs::is_symlink(dir / "certificate.json"));
}

} // namespace
} // namespace gpucert::cli
