// Durability of every write gpucert makes (results.json, certificate.json, reports): a write that
// fails part-way, or whose fsync fails, must leave the previous file intact and no temporary
// behind. Failures are injected at the libc boundary, not mocked: the file-size limit makes
// write() fail with EFBIG in a child process, and fsync() is interposed in this test binary.
#include "harness/certify/atomic_file.hpp"
#include "harness/core/error.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <dlfcn.h>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {
// When set, the next fsync() in this process fails with EIO (as on a disk that lost the write).
std::atomic<bool> g_fail_fsync{false};
} // namespace

// Interposes libc's fsync for the whole test binary; it passes through unless a test arms it.
extern "C" int fsync(int fd) {
  if (g_fail_fsync.exchange(false)) {
    errno = EIO;
    return -1;
  }
  using Fn = int (*)(int);
  static const Fn real = reinterpret_cast<Fn>(dlsym(RTLD_NEXT, "fsync"));
  return real(fd);
}

namespace gpucert::certify {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

fs::path fresh_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / (name + "-" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::vector<std::string> names_in(const fs::path& d) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(d))
    out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(AtomicFile, AFailedWriteLeavesThePreviousFileIntact) {
  const fs::path dir = fresh_dir("gpucert-atomic-efbig");
  const fs::path p = dir / "results.json";
  const std::string old_text = "{\"previous\": \"run\"}\n";
  write_file_atomic(p.string(), old_text);

  // In a child: files may grow to 64 bytes, so writing 1 MiB fails part-way with EFBIG.
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::signal(SIGXFSZ, SIG_IGN);
    const rlimit lim{64, 64};
    setrlimit(RLIMIT_FSIZE, &lim);
    try {
      write_file_atomic(p.string(), std::string(1 << 20, 'x'));
      _exit(10); // the failure went unnoticed
    } catch (const EnvironmentError& e) {
      const std::string what = e.what();
      _exit(what.find("cannot write") != std::string::npos &&
                    what.find("File too large") != std::string::npos
                ? 0
                : 11);
    } catch (...) {
      _exit(12);
    }
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10: no error raised; 11: wrong message; 12: wrong type";
  EXPECT_EQ(slurp(p), old_text) << "the previous results were damaged";
  EXPECT_EQ(names_in(dir), std::vector<std::string>{"results.json"}) << "a temporary was left";
  fs::remove_all(dir);
}

TEST(AtomicFile, AFailedFsyncIsAnErrorAndKeepsThePreviousFile) {
  const fs::path dir = fresh_dir("gpucert-atomic-fsync");
  const fs::path p = dir / "certificate.json";
  write_file_atomic(p.string(), "old");
  g_fail_fsync = true;
  try {
    write_file_atomic(p.string(), "new");
    ADD_FAILURE() << "a failed fsync was ignored";
  } catch (const EnvironmentError& e) {
    EXPECT_NE(std::string(e.what()).find("Input/output error"), std::string::npos) << e.what();
  }
  g_fail_fsync = false;
  EXPECT_EQ(slurp(p), "old");
  EXPECT_EQ(names_in(dir), std::vector<std::string>{"certificate.json"});
  // And without the fault the same call goes through.
  write_file_atomic(p.string(), "new");
  EXPECT_EQ(slurp(p), "new");
  fs::remove_all(dir);
}

TEST(AtomicFile, ReplacementIsByRenameNotInPlace) {
  // A reader holding the old file open keeps reading the old contents: the new file is another
  // inode renamed over the name, never the old one truncated and rewritten.
  const fs::path dir = fresh_dir("gpucert-atomic-inode");
  const fs::path p = dir / "results.json";
  write_file_atomic(p.string(), "first version");
  std::ifstream reader(p, std::ios::binary);
  write_file_atomic(p.string(), "second version, longer");
  std::string seen((std::istreambuf_iterator<char>(reader)), std::istreambuf_iterator<char>());
  EXPECT_EQ(seen, "first version");
  EXPECT_EQ(slurp(p), "second version, longer");
  fs::remove_all(dir);
}

} // namespace
} // namespace gpucert::certify
