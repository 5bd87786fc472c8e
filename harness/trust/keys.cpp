// Key files, keyrings and revocation lists (see keys.hpp).
#include "harness/trust/keys.hpp"

#include "harness/core/error.hpp"
#include "harness/core/input_file.hpp"
#include "harness/profile/sha256.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/core.h>
#include <sodium.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace gpucert::trust {

namespace {

constexpr InputKind kKeyInput{"key", 1u << 20};
constexpr std::string_view kComment = "untrusted comment:";
constexpr std::string_view kAlgorithm = "Ed"; // minisign's tag for Ed25519

void init_sodium() {
  if (sodium_init() < 0)
    throw EnvironmentError("libsodium could not be initialised");
}

struct Line {
  int number = 0;
  std::string text;
};

/// The lines of a key file that are not blank, comments or '#' lines.
std::vector<Line> key_lines(const std::string& text) {
  std::vector<Line> out;
  std::istringstream in(text);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    const auto first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#' ||
        std::string_view(line).substr(first).rfind(kComment, 0) == 0)
      continue;
    out.push_back({n, line});
  }
  return out;
}

/// base64 key line → "Ed" ‖ key bytes, its length checked.
std::string decode_key_line(std::string_view line, const std::string& where, std::size_t bytes,
                            const char* what) {
  const std::string raw = base64_decode(line, where);
  if (raw.size() < kAlgorithm.size() || raw.compare(0, kAlgorithm.size(), kAlgorithm) != 0)
    throw InputError(fmt::format("{}: not an Ed25519 key (the key line must start with the "
                                 "algorithm tag \"Ed\")",
                                 where));
  if (raw.size() != kAlgorithm.size() + bytes)
    throw InputError(fmt::format("{}: a {} is {} bytes after the tag, this line holds {}", where,
                                 what, bytes, raw.size() - kAlgorithm.size()));
  return raw.substr(kAlgorithm.size());
}

std::string key_comment(const char* kind, const std::string& id) {
  return fmt::format("{} gpucert {} key {}\n", kComment, kind, id);
}

int create_exclusive(const std::string& path, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    if (errno == EEXIST)
      throw InputError(fmt::format("{}: already exists; gpucert never overwrites a key (choose "
                                   "another --out, or remove the old key yourself)",
                                   path));
    throw EnvironmentError(fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  }
  return fd;
}

void write_all(int fd, const std::string& path, const std::string& text, mode_t mode) {
  const bool ok = ::fchmod(fd, mode) == 0 &&
                  ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                  ::fsync(fd) == 0;
  const int err = errno;
  ::close(fd);
  if (!ok)
    throw EnvironmentError(fmt::format("cannot write {}: {}", path, std::strerror(err)));
}

} // namespace

std::string PublicKey::encoded() const {
  return base64_encode(std::string(kAlgorithm) +
                       std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

PublicKey make_public_key(const std::array<std::uint8_t, kPublicKeyBytes>& bytes) {
  PublicKey k;
  k.bytes = bytes;
  const std::string digest =
      sha256_hex(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  k.id = digest.substr(0, 16);
  k.fingerprint = "SHA256:" + digest;
  return k;
}

PublicKey decode_public_key(std::string_view line, const std::string& where) {
  const std::string raw = decode_key_line(line, where, kPublicKeyBytes, "public key");
  std::array<std::uint8_t, kPublicKeyBytes> b{};
  std::memcpy(b.data(), raw.data(), b.size());
  PublicKey k = make_public_key(b);
  k.source = where;
  return k;
}

SecretKey generate_key() {
  init_sodium();
  SecretKey k;
  std::array<std::uint8_t, kPublicKeyBytes> pk{};
  crypto_sign_keypair(pk.data(), k.bytes.data());
  k.pub = make_public_key(pk);
  return k;
}

std::string secret_key_text(const SecretKey& k) {
  return key_comment("secret", k.pub.id) +
         base64_encode(std::string(kAlgorithm) +
                       std::string(reinterpret_cast<const char*>(k.bytes.data()), k.bytes.size())) +
         "\n";
}

std::string public_key_text(const PublicKey& k) {
  return key_comment("public", k.id) + k.encoded() + "\n";
}

SecretKey write_key_pair(const std::string& path) {
  const std::string pub = path + ".pub";
  struct stat st {};
  if (::lstat(pub.c_str(), &st) == 0)
    throw InputError(fmt::format("{}: already exists; gpucert never overwrites a key (choose "
                                 "another --out, or remove the old key yourself)",
                                 pub));
  const SecretKey k = generate_key();
  const int fd = create_exclusive(path, 0600);
  write_all(fd, path, secret_key_text(k), 0600);
  try {
    const int pfd = create_exclusive(pub, 0644);
    write_all(pfd, pub, public_key_text(k.pub), 0644);
  } catch (...) {
    ::unlink(path.c_str());
    throw;
  }
  return k;
}

SecretKey load_secret_key(const std::string& path) {
  init_sodium();
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077) != 0)
    throw InputError(fmt::format("{}: secret key is readable or writable by group or others "
                                 "(mode {:04o}); a secret key must be private to you: chmod 600 {}",
                                 path, st.st_mode & 07777, path));
  const std::string text = read_input_file(path, kKeyInput);
  const std::vector<Line> lines = key_lines(text);
  if (lines.empty())
    throw InputError(fmt::format("{}: no key in this file (expected an 'untrusted comment:' line "
                                 "and a base64 key line)",
                                 path));
  if (lines.size() > 1)
    throw InputError(fmt::format("{}:{}: a secret key file holds one key line, found another here",
                                 path, lines[1].number));
  const std::string where = fmt::format("{}:{}", path, lines[0].number);
  const std::string raw0 = base64_decode(lines[0].text, where);
  if (raw0.size() == kAlgorithm.size() + kPublicKeyBytes)
    throw InputError(fmt::format("{}: this is a public key; signing needs the secret key (the "
                                 "file without .pub)",
                                 where));
  const std::string raw = decode_key_line(lines[0].text, where, kSecretKeyBytes, "secret key");
  SecretKey k;
  std::memcpy(k.bytes.data(), raw.data(), k.bytes.size());
  // libsodium's secret key is seed ‖ public key: both halves must belong together.
  std::array<std::uint8_t, kPublicKeyBytes> pk{};
  std::array<std::uint8_t, kSecretKeyBytes> again{};
  crypto_sign_seed_keypair(pk.data(), again.data(), k.bytes.data());
  if (sodium_memcmp(again.data(), k.bytes.data(), again.size()) != 0)
    throw InputError(fmt::format("{}: damaged secret key (its public half does not match its "
                                 "seed)",
                                 where));
  k.pub = make_public_key(pk);
  k.pub.source = where;
  return k;
}

std::vector<PublicKey> load_keyring(const std::string& path) {
  const std::string text = read_input_file(path, kKeyInput);
  std::vector<PublicKey> keys;
  for (const Line& l : key_lines(text)) {
    const std::string where = fmt::format("{}:{}", path, l.number);
    const std::string raw = base64_decode(l.text, where);
    if (raw.size() == kAlgorithm.size() + kSecretKeyBytes)
      throw InputError(fmt::format("{}: this is a secret key; a keyring holds public keys (the "
                                   ".pub file)",
                                   where));
    keys.push_back(decode_public_key(l.text, where));
  }
  if (keys.empty())
    throw InputError(fmt::format("{}: no public key in this file", path));
  return keys;
}

std::set<std::string> load_revoked(const std::string& path) {
  const std::string text = read_input_file(path, kKeyInput);
  std::set<std::string> ids;
  std::istringstream in(text);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (const auto hash = line.find('#'); hash != std::string::npos)
      line.erase(hash);
    const auto b = line.find_first_not_of(" \t\r"), e = line.find_last_not_of(" \t\r");
    if (b == std::string::npos)
      continue;
    const std::string id = line.substr(b, e - b + 1);
    const bool hex =
        id.size() == 16 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (!hex)
      throw InputError(
          fmt::format("{}:{}: expected a key id (16 lower-case hex digits, as `gpucert "
                      "key show` prints)",
                      path, n));
    ids.insert(id);
  }
  return ids;
}

const PublicKey* Keyring::find(const std::string& id) const {
  for (const auto& k : keys)
    if (k.id == id)
      return &k;
  return nullptr;
}

Keyring load_keyring(const std::vector<std::string>& keyring_files,
                     const std::vector<std::string>& revoked_files) {
  Keyring r;
  for (const auto& f : keyring_files)
    for (auto& k : load_keyring(f))
      if (!r.find(k.id))
        r.keys.push_back(std::move(k));
  for (const auto& f : revoked_files)
    for (const auto& id : load_revoked(f))
      r.revoked.insert(id);
  return r;
}

std::array<std::uint8_t, kSignatureBytes> sign_bytes(const SecretKey& k, std::string_view message) {
  init_sodium();
  std::array<std::uint8_t, kSignatureBytes> sig{};
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), k.bytes.data());
  return sig;
}

bool verify_bytes(const PublicKey& k, std::string_view message, std::string_view signature) {
  init_sodium();
  if (signature.size() != kSignatureBytes)
    return false;
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), k.bytes.data()) == 0;
}

std::string base64_encode(std::string_view bytes) {
  std::string out(sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string base64_decode(std::string_view text, const std::string& what) {
  init_sodium();
  std::string out(text.size() / 4 * 3 + 3, '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (text.empty() || text.size() % 4 != 0 ||
      sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size())
    throw InputError(
        fmt::format("{}: not valid base64 (standard alphabet with '=' padding)", what));
  out.resize(len);
  return out;
}

} // namespace gpucert::trust
