// Signing a run directory (see sign.hpp).
#include "harness/trust/sign.hpp"

#include "gpucert/version.hpp"
#include "harness/core/error.hpp"
#include "harness/profile/sha256.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

namespace gpucert::trust {

namespace {

using nlohmann::json;

constexpr std::size_t kMaxRunFileBytes = std::size_t{1} << 30;

json opt(const std::optional<std::string>& s) {
  return s ? json(*s) : json(nullptr);
}

namespace fs = std::filesystem;

std::string generic(const fs::path& p) {
  return p.lexically_normal().generic_string();
}

bool is_under(const fs::path& p, const fs::path& base) {
  const fs::path rel = p.lexically_relative(base);
  return !rel.empty() && *rel.begin() != "..";
}

} // namespace

bool is_signable_name(const std::string& n) {
  if (n == "results.json" || n == "certificate.json")
    return true;
  const std::string prefix = std::string(kProfileDir) + "/";
  if (n.rfind(prefix, 0) != 0 || n.size() > 1024 || n.find('\\') != std::string::npos)
    return false;
  std::size_t parts = 0;
  for (std::size_t b = prefix.size();; ++parts) {
    const std::size_t e = n.find('/', b);
    const std::string part = n.substr(b, e == std::string::npos ? std::string::npos : e - b);
    if (part.empty() || part == "." || part == ".." || parts > 16)
      return false;
    if (e == std::string::npos)
      return true;
    b = e + 1;
  }
}

std::vector<std::string> embedded_names(const profile::Profile& prof) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& f : prof.files)
    files.push_back(fs::weakly_canonical(fs::absolute(f.path), ec));
  fs::path common = files.empty() ? fs::path() : files.front().parent_path();
  for (const auto& f : files)
    while (!is_under(f.parent_path(), common) && common != common.root_path())
      common = common.parent_path();
  std::vector<std::string> names;
  for (const auto& f : files)
    names.push_back(std::string(kProfileDir) + "/" + generic(f.lexically_relative(common)));
  return names;
}

EmbeddedProfile load_embedded_profile(const Registry& registry, const std::string& dir,
                                      const std::string& top) {
  if (!is_signable_name(top) || top.rfind(std::string(kProfileDir) + "/", 0) != 0)
    throw InputError(fmt::format("'{}' is not a file of {}/{}/", top, dir, kProfileDir));
  const std::string root = dir + "/" + kProfileDir;
  std::error_code ec;
  const fs::path dir_canon = fs::weakly_canonical(fs::absolute(dir), ec);
  EmbeddedProfile e;
  read_run_file(dir, top); // a regular file, no link on the way
  e.profile = profile::load_profile(registry, dir + "/" + top, {root});
  for (const auto& f : e.profile.files) {
    const std::string rel =
        generic(fs::weakly_canonical(fs::absolute(f.path), ec).lexically_relative(dir_canon));
    if (!is_signable_name(rel) || rel.rfind(std::string(kProfileDir) + "/", 0) != 0)
      throw InputError(fmt::format("{}: a file of the profile chain outside {}/", f.path, root));
    e.names.push_back(rel);
  }
  return e;
}

std::string find_embedded_top(const std::string& dir, const report::Certificate& cert) {
  if (cert.profile.files.empty())
    throw InputError(fmt::format("{}/certificate.json: lists no profile file", dir));
  const std::string want = cert.profile.files.front().first;
  const fs::path root = fs::path(dir) / kProfileDir;
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(root, ec)))
    throw InputError(fmt::format("{}: missing: no copy of the profile chain", root.string()));
  std::vector<std::string> found;
  fs::recursive_directory_iterator it(root, ec), end;
  for (int seen = 0; !ec && it != end && seen < 10000; it.increment(ec), ++seen) {
    if (it.depth() > 16)
      it.disable_recursion_pending();
    if (it->is_regular_file(ec) && !it->is_symlink(ec) && it->path().filename() == want)
      found.push_back(std::string(kProfileDir) + "/" +
                      generic(it->path().lexically_relative(root)));
  }
  if (found.empty())
    throw InputError(
        fmt::format("{}: holds no '{}' (the certificate's profile)", root.string(), want));
  if (found.size() > 1)
    throw InputError(fmt::format("{}: holds '{}' {} times; which one was certified is unclear",
                                 root.string(), want, found.size()));
  return found.front();
}

std::string read_run_file(const std::string& dir, const std::string& name) {
  const std::string path = dir + "/" + name;
  // No link on the way either: a planted profile/ -> / must not read outside DIR.
  for (std::size_t slash = name.find('/'); slash != std::string::npos;
       slash = name.find('/', slash + 1)) {
    struct stat st {};
    const std::string part = dir + "/" + name.substr(0, slash);
    if (::lstat(part.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      throw InputError(fmt::format("{}: not a directory (a symbolic link or missing)", part));
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    throw InputError(fmt::format("{}: {}", path,
                                 errno == ELOOP ? "is a symbolic link (signed files must be the "
                                                  "files themselves)"
                                                : std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw InputError(fmt::format("{}: not a regular file", path));
  }
  if (static_cast<std::size_t>(st.st_size) > kMaxRunFileBytes) {
    ::close(fd);
    throw InputError(fmt::format("{}: larger than {} bytes", path, kMaxRunFileBytes));
  }
  std::string data;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw InputError(fmt::format("{}: {}", path, std::strerror(err)));
    }
    if (n == 0)
      break;
    data.append(buf, static_cast<std::size_t>(n));
    if (data.size() > kMaxRunFileBytes) {
      ::close(fd);
      throw InputError(fmt::format("{}: larger than {} bytes", path, kMaxRunFileBytes));
    }
  }
  ::close(fd);
  return data;
}

json node_identity(const Inventory& inv) {
  json gpus = json::array();
  for (const auto& g : inv.gpus)
    gpus.push_back({{"index", g.index},
                    {"uuid", opt(g.uuid)},
                    {"serial", opt(g.serial)},
                    {"pci_bus_id", opt(g.pci_bus_id)}});
  return {{"hostname", opt(inv.node.hostname)}, {"board_serial", nullptr}, {"gpus", gpus}};
}

json certificate_binding(const report::Certificate& cert) {
  json files = json::array();
  for (const auto& [name, sha] : cert.profile.files)
    files.push_back({{"name", name}, {"sha256", sha}});
  return {
      {"tool", {{"version", cert.tool_version}, {"git_revision", cert.git_revision}}},
      {"simulated", cert.simulated},
      {"outcome", report::to_string(cert.outcome)},
      {"profile", {{"name", cert.profile.name}, {"sha256", cert.profile.sha256}, {"files", files}}},
      {"results", {{"sha256", cert.results.sha256}, {"complete", cert.results.complete}}},
      {"node", node_identity(cert.inventory)}};
}

std::string sign_run_dir(const Registry& registry, const std::string& dir,
                         const report::Certificate& cert, const std::string& profile_top,
                         const SecretKey& key, const std::string& signed_at) {
  const EmbeddedProfile emb = load_embedded_profile(registry, dir, profile_top);
  if (emb.profile.sha256 != cert.profile.sha256)
    throw InputError(fmt::format("{}/{}: the profile there (sha256 {}) is not the certificate's "
                                 "({})",
                                 dir, profile_top, emb.profile.sha256, cert.profile.sha256));
  Statement st;
  for (const std::string name : {"results.json", "certificate.json"})
    st.subjects.push_back({name, sha256_hex(read_run_file(dir, name))});
  for (const auto& name : emb.names)
    st.subjects.push_back({name, sha256_hex(read_run_file(dir, name))});
  st.predicate = certificate_binding(cert);
  st.predicate["signed_at"] = signed_at;
  st.predicate["signer"] = {{"key_id", key.pub.id},
                            {"public_key", key.pub.encoded()},
                            {"fingerprint", key.pub.fingerprint}};
  st.predicate["signing_tool"] = {{"version", kToolVersion}, {"git_revision", kGitRevision}};
  Envelope e;
  e.payload_type = kPayloadType;
  e.payload = statement_text(st);
  const auto sig = sign_bytes(key, pae(e.payload_type, e.payload));
  e.signatures.push_back(
      {key.pub.id, std::string(reinterpret_cast<const char*>(sig.data()), sig.size())});
  return envelope_text(e);
}

} // namespace gpucert::trust
