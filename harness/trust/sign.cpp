// Signing a run directory (see sign.hpp).
#include "harness/trust/sign.hpp"

#include "gpucert/version.hpp"
#include "harness/core/error.hpp"
#include "harness/profile/sha256.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
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

} // namespace

std::vector<std::string> signed_file_names(const report::Certificate& cert) {
  std::vector<std::string> names{"results.json", "certificate.json"};
  for (const auto& f : cert.profile.files)
    names.push_back(std::string(kProfileDir) + "/" + f.first);
  return names;
}

std::string read_run_file(const std::string& dir, const std::string& name) {
  const std::string path = dir + "/" + name;
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

std::string sign_run_dir(const std::string& dir, const report::Certificate& cert,
                         const SecretKey& key, const std::string& signed_at) {
  if (cert.profile.files.empty())
    throw InputError(fmt::format("{}/certificate.json: lists no profile file to sign", dir));
  Statement st;
  for (const auto& name : signed_file_names(cert))
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
