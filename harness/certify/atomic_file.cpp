// Atomic file replacement (see atomic_file.hpp).
#include "harness/certify/atomic_file.hpp"

#include "harness/core/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <fmt/core.h>
#include <unistd.h>

namespace gpucert::certify {

void write_file_atomic(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    throw EnvironmentError(fmt::format("cannot write {}: {}", tmp, std::strerror(errno)));
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
  ::fsync(fd);
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    throw EnvironmentError(fmt::format("cannot replace {}: {}", path, std::strerror(err)));
  }
}

} // namespace gpucert::certify
