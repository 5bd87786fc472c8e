// Atomic file replacement (see atomic_file.hpp).
#include "harness/certify/atomic_file.hpp"

#include "harness/core/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

namespace gpucert::certify {

namespace {

std::string kind_of(mode_t mode) {
  if (S_ISREG(mode))
    return "";
  if (S_ISLNK(mode))
    return "a symbolic link";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISSOCK(mode))
    return "a socket";
  if (S_ISDIR(mode))
    return "a directory";
  return "not a regular file";
}

[[noreturn]] void refuse(const std::string& path, const std::string& kind) {
  throw InputError(fmt::format(
      "{}: is {}; gpucert replaces only regular files: choose another path", path, kind));
}

/// Creates the temp file exclusively and without following a link, so a name planted next to
/// the target cannot redirect the write. A regular file left by an interrupted write is removed.
int open_temp(const std::string& tmp) {
  constexpr int kFlags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  int fd = ::open(tmp.c_str(), kFlags, 0644);
  if (fd < 0 && errno == EEXIST) {
    const std::string kind = non_regular_kind(tmp);
    if (!kind.empty())
      refuse(tmp, kind);
    ::unlink(tmp.c_str());
    fd = ::open(tmp.c_str(), kFlags, 0644);
  }
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT || err == ENOTDIR)
      throw InputError(fmt::format("cannot write {}: {} (its directory does not exist)", tmp,
                                   std::strerror(err)));
    throw EnvironmentError(fmt::format("cannot write {}: {}", tmp, std::strerror(err)));
  }
  return fd;
}

} // namespace

std::string non_regular_kind(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0)
    return ""; // nothing there (or not reachable: the write reports that)
  return kind_of(st.st_mode);
}

void require_regular_target(const std::string& path) {
  const std::string kind = non_regular_kind(path);
  if (!kind.empty())
    refuse(path, kind);
}

void write_file_atomic(const std::string& path, const std::string& content) {
  require_regular_target(path);
  const std::string tmp = path + ".tmp";
  const int fd = open_temp(tmp);
  const char* p = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR)
        continue; // a signal arrived mid-write: keep writing
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw EnvironmentError(fmt::format("cannot write {}: {}", tmp, std::strerror(err)));
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  const int synced = ::fsync(fd) == 0 ? 0 : errno;
  const int closed = ::close(fd) == 0 ? 0 : errno;
  if (synced != 0 || closed != 0) {
    const int err = synced != 0 ? synced : closed;
    ::unlink(tmp.c_str());
    throw EnvironmentError(fmt::format("cannot write {}: {}", tmp, std::strerror(err)));
  }
  // rename() replaces the directory entry itself: had a link been planted at `path` since the
  // check above, the link is replaced and the file it points to is left untouched.
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw EnvironmentError(fmt::format("cannot replace {}: {}", path, std::strerror(err)));
  }
}

} // namespace gpucert::certify
