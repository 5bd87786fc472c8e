// Guarded file reading (see input_file.hpp for why each check exists).
#include "harness/core/input_file.hpp"

#include "harness/core/error.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

namespace gpucert {
namespace {

/// Closes the descriptor on every exit path, including a throw.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0)
      ::close(fd);
  }
};

[[noreturn]] void fail_at(std::string_view text, std::size_t offset, const std::string& file,
                          const std::string& what) {
  const TextPos p = text_pos(text, offset);
  throw InputError(fmt::format("{}:{}:{}: {}", file, p.line, p.col, what));
}

/// Length of the UTF-8 sequence at p[0..n), or 0 when it is malformed.
std::size_t utf8_len(const unsigned char* p, std::size_t n) {
  const unsigned char c = p[0];
  std::size_t len = 0;
  std::uint32_t cp = 0;
  if ((c & 0xe0) == 0xc0)
    len = 2, cp = c & 0x1f;
  else if ((c & 0xf0) == 0xe0)
    len = 3, cp = c & 0x0f;
  else if ((c & 0xf8) == 0xf0)
    len = 4, cp = c & 0x07;
  else
    return 0;
  if (len > n)
    return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((p[k] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (p[k] & 0x3f);
  }
  const bool overlong =
      (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
  if (overlong || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
    return 0;
  return len;
}

} // namespace

TextPos text_pos(std::string_view text, std::size_t offset) {
  TextPos p;
  const std::size_t end = offset < text.size() ? offset : text.size();
  for (std::size_t i = 0; i < end; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++p.line;
      p.col = 1;
    } else if ((c & 0xc0) != 0x80) { // continuation bytes belong to the previous character
      ++p.col;
    }
  }
  return p;
}

namespace {
/// Whether the 8 bytes at `p` are all printable ASCII (0x20 to 0x7e): most of a JSON or YAML
/// file, checked a word at a time.
bool printable_ascii8(const unsigned char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  const std::uint64_t below_space = (w - 0x20 * ones) & ~w & high; // some byte < 0x20 (or >= 0x80)
  const std::uint64_t del = ((w ^ 0x7f * ones) - ones) & ~(w ^ 0x7f * ones) & high; // some 0x7f
  return ((w & high) | below_space | del) == 0;
}
} // namespace

void check_text(std::string_view text, const std::string& file) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  for (std::size_t i = 0; i < text.size();) {
    if (i + 8 <= text.size() && printable_ascii8(p + i)) {
      i += 8;
      continue;
    }
    const unsigned char c = p[i];
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
        fail_at(text, i, file, fmt::format("binary content (byte 0x{:02x}): not a text file", c));
      ++i;
      continue;
    }
    const std::size_t len = utf8_len(p + i, text.size() - i);
    if (len == 0)
      fail_at(text, i, file, fmt::format("invalid UTF-8 (byte 0x{:02x})", c));
    i += len;
  }
}

std::string read_input_file(const std::string& path, const InputKind& kind) {
  // O_NONBLOCK: opening a FIFO with no writer must not hang; fstat on the open descriptor (not
  // stat on the name) so the file checked is the file read.
  Fd f{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)};
  if (f.fd < 0) {
    const int err = errno;
    throw InputError(fmt::format("{}: cannot open the {} file: {}", path, kind.what,
                                 err == ENOENT ? "no such file" : std::strerror(err)));
  }
  struct stat st {};
  if (::fstat(f.fd, &st) != 0)
    throw InputError(
        fmt::format("{}: cannot read the {} file: {}", path, kind.what, std::strerror(errno)));
  if (!S_ISREG(st.st_mode))
    throw InputError(fmt::format(
        "{}: not a regular file (the {} file must be a plain file, not a {})", path, kind.what,
        S_ISDIR(st.st_mode)    ? "directory"
        : S_ISFIFO(st.st_mode) ? "FIFO"
        : S_ISSOCK(st.st_mode) ? "socket"
                               : "device"));
  if (static_cast<std::uintmax_t>(st.st_size) > kind.max_bytes)
    throw InputError(fmt::format("{}: file is {} bytes; a {} file may be at most {} bytes", path,
                                 st.st_size, kind.what, kind.max_bytes));
  // One byte more than fstat promised: a file that grows while we read is refused, not
  // silently cut, and never makes us read past the cap.
  std::string text(static_cast<std::size_t>(st.st_size) + 1, '\0');
  std::size_t got = 0;
  while (got < text.size()) {
    const ssize_t n = ::read(f.fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      throw InputError(
          fmt::format("{}: cannot read the {} file: {}", path, kind.what, std::strerror(errno)));
    if (n == 0)
      break;
    got += static_cast<std::size_t>(n);
  }
  if (got > static_cast<std::size_t>(st.st_size))
    throw InputError(fmt::format("{}: the {} file changed while being read", path, kind.what));
  text.resize(got);
  check_text(text, path);
  return text;
}

} // namespace gpucert
