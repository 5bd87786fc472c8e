// The locked, single-run output directory (see out_dir.hpp).
#include "harness/cli/out_dir.hpp"

#include "harness/certify/atomic_file.hpp"
#include "harness/core/error.hpp"
#include "harness/core/utc_time.hpp"
#include "harness/trust/envelope.hpp"
#include "reports/render.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <fmt/core.h>
#include <fstream>
#include <map>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace gpucert::cli {

namespace {

constexpr const char* kLockName = ".gpucert.lock";
constexpr std::size_t kMaxLockBytes = 4096; // what we read back of another run's lock file
constexpr std::size_t kMaxField = 200;      // per field quoted in a message

/// Only printable ASCII, capped: the lock file is ours, but a message never echoes raw bytes.
std::string printable(const std::string& s, std::size_t cap = kMaxField) {
  std::string out;
  for (const char c : s) {
    if (out.size() >= cap) {
      out += "...";
      break;
    }
    out += (c >= 0x20 && c < 0x7f) ? c : '?';
  }
  return out;
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0)
    return "?";
  return buf;
}

/// The command line of this process, for the lock file (Linux: /proc/self/cmdline).
std::string own_command() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::replace(cmd.begin(), cmd.end(), '\0', ' ');
  while (!cmd.empty() && cmd.back() == ' ')
    cmd.pop_back();
  return printable(cmd, 1000);
}

/// "pid 123 on host n1, started 2025-01-31T12:00:00Z: gpucert run ..." from a held lock file.
std::string describe_holder(int fd) {
  std::string text(kMaxLockBytes, '\0');
  const ssize_t n = ::pread(fd, text.data(), text.size(), 0);
  text.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  std::map<std::string, std::string> f;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const auto sp = line.find(' ');
    if (sp != std::string::npos)
      f[line.substr(0, sp)] = printable(line.substr(sp + 1));
  }
  if (!f.count("pid"))
    return "its details are not written yet";
  std::string who = fmt::format("pid {} on host {}, started {}", f["pid"], f["host"], f["started"]);
  if (!f["command"].empty())
    who += ": " + f["command"];
  return who;
}

std::string strip_trailing_slashes(std::string dir) {
  // lstat("link/") follows the link; the name without the slash is the entry itself.
  while (dir.size() > 1 && dir.back() == '/')
    dir.pop_back();
  return dir;
}

/// Creates `dir` unless it exists; refuses a link or a non-directory at that name.
void make_directory(const std::string& dir) {
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
      throw InputError(fmt::format("--out {}: cannot create the directory: {}", dir, ec.message()));
    if (::lstat(dir.c_str(), &st) != 0)
      throw InputError(fmt::format("--out {}: cannot create the directory", dir));
  }
  if (S_ISLNK(st.st_mode))
    throw InputError(fmt::format("--out {}: is a symbolic link; give the directory itself "
                                 "(gpucert does not write through links)",
                                 dir));
  if (!S_ISDIR(st.st_mode))
    throw InputError(fmt::format("--out {}: is {}, not a directory", dir,
                                 certify::non_regular_kind(dir).empty()
                                     ? "a regular file"
                                     : certify::non_regular_kind(dir)));
}

std::string compact_utc(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

} // namespace

const std::vector<std::string>& out_dir_file_names() {
  // The raw results, then every report a run writes (the format table decides which).
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n{"results.json", trust::kEnvelopeFile};
    for (const report::Format& f : report::formats())
      if (!f.out_file.empty())
        n.push_back(f.out_file);
    return n;
  }();
  return names;
}

OutDir::OutDir(const std::string& dir) : dir_(strip_trailing_slashes(dir)) {
  make_directory(dir_);
  const std::string lock = dir_ + "/" + kLockName;
  // O_NONBLOCK: opening a FIFO planted under the lock's name must not hang.
  lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) {
    const int err = errno;
    const std::string kind = certify::non_regular_kind(lock);
    if (!kind.empty())
      throw InputError(
          fmt::format("{}: is {}; gpucert's lock must be a regular file (remove it)", lock, kind));
    throw EnvironmentError(fmt::format("cannot create {}: {}", lock, std::strerror(err)));
  }
  try {
    lock_and_check(lock);
  } catch (...) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    throw;
  }
}

void OutDir::lock_and_check(const std::string& lock) {
  struct stat st {};
  if (::fstat(lock_fd_, &st) != 0 || !S_ISREG(st.st_mode))
    throw InputError(
        fmt::format("{}: is not a regular file; gpucert's lock must be one (remove it)", lock));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err == EWOULDBLOCK)
      throw InputError(fmt::format("--out {}: another gpucert is writing there ({}); wait for it "
                                   "to finish or choose another --out",
                                   dir_, describe_holder(lock_fd_)));
    throw EnvironmentError(fmt::format("cannot lock {}: {}", lock, std::strerror(err)));
  }
  const std::string info = fmt::format("pid {}\nhost {}\nstarted {}\ncommand {}\n", ::getpid(),
                                       printable(host_name()), utc_now_iso8601(), own_command());
  if (::ftruncate(lock_fd_, 0) != 0 ||
      ::pwrite(lock_fd_, info.data(), info.size(), 0) != static_cast<ssize_t>(info.size()))
    throw EnvironmentError(fmt::format("cannot write {}: {}", lock, std::strerror(errno)));
  // Refuse before anything moves: a link, FIFO or device under one of our names was planted.
  for (const auto& name : out_dir_file_names()) {
    certify::require_regular_target(dir_ + "/" + name);
    certify::require_regular_target(dir_ + "/" + name + ".tmp");
  }
}

OutDir::~OutDir() {
  if (lock_fd_ >= 0)
    ::close(lock_fd_); // releases the flock; the file stays (removing it would race a newcomer)
}

std::string OutDir::move_previous_aside() {
  std::vector<std::string> present;
  std::time_t newest = 0;
  for (const auto& name : out_dir_file_names()) {
    for (const std::string& n : {name, name + ".tmp"}) { // .tmp: left by a killed run
      struct stat st {};
      if (::lstat((dir_ + "/" + n).c_str(), &st) == 0) {
        present.push_back(n);
        newest = std::max(newest, st.st_mtime);
      }
    }
  }
  // The profile chain's copy (a folder, see harness/trust/envelope.hpp) goes with its run.
  if (struct stat st{}; ::lstat((dir_ + "/" + trust::kProfileDir).c_str(), &st) == 0 &&
                        S_ISDIR(st.st_mode) && !present.empty())
    present.push_back(trust::kProfileDir);
  if (present.empty())
    return "";
  // Named after the time the previous files were last written: that identifies the old run.
  const std::string base = dir_ + "/previous-" + compact_utc(newest);
  std::string aside = base;
  for (int i = 2; ::mkdir(aside.c_str(), 0755) != 0; ++i) {
    if (errno != EEXIST || i > 1000)
      throw EnvironmentError(fmt::format("cannot create {}: {}", aside, std::strerror(errno)));
    aside = fmt::format("{}-{}", base, i);
  }
  for (const auto& n : present) {
    const std::string from = dir_ + "/" + n, to = aside + "/" + n;
    if (std::rename(from.c_str(), to.c_str()) != 0)
      throw EnvironmentError(
          fmt::format("cannot move {} to {}: {}", from, to, std::strerror(errno)));
  }
  fmt::print(stderr, "gpucert: {} held a previous run's files: moved to {}/\n", dir_, aside);
  return aside;
}

} // namespace gpucert::cli
