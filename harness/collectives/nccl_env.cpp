// NCCL_* environment capture and the library version.
#include "harness/collectives/nccl_env.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <mutex>

extern char** environ;

namespace gpucert::coll {

namespace {

// Variables that replace NCCL's own choice of how to move data (NCCL env docs: "Debugging" and
// "Troubleshooting" sections). Logging (NCCL_DEBUG*), socket/IB interface selection and the like
// are recorded but do not change the algorithm a fair run would use.
constexpr std::array<std::string_view, 22> kTuning = {
    "NCCL_ALGO",           "NCCL_PROTO",
    "NCCL_MIN_NCHANNELS",  "NCCL_MAX_NCHANNELS",
    "NCCL_MIN_CTAS",       "NCCL_MAX_CTAS",
    "NCCL_NTHREADS",       "NCCL_BUFFSIZE",
    "NCCL_NVLS_ENABLE",    "NCCL_COLLNET_ENABLE",
    "NCCL_P2P_DISABLE",    "NCCL_P2P_LEVEL",
    "NCCL_SHM_DISABLE",    "NCCL_IB_DISABLE",
    "NCCL_NET_GDR_LEVEL",  "NCCL_TUNER_PLUGIN",
    "NCCL_CUMEM_ENABLE",   "NCCL_LL128_BUFFSIZE",
    "NCCL_LL_BUFFSIZE",    "NCCL_NCHANNELS_PER_NET_PEER",
    "NCCL_NVLS_NCHANNELS", "NCCL_CTA_POLICY",
};

} // namespace

bool forces_tuning(std::string_view name) {
  for (auto t : kTuning)
    if (t == name)
      return true;
  return false;
}

NcclEnvironment read_nccl_environment(char** envp) {
  NcclEnvironment env;
  for (char** e = envp ? envp : environ; e && *e; ++e) {
    const std::string_view kv(*e);
    if (kv.rfind("NCCL_", 0) != 0)
      continue;
    const auto eq = kv.find('=');
    if (eq == std::string_view::npos)
      continue;
    std::string name(kv.substr(0, eq)), value(kv.substr(eq + 1));
    if (forces_tuning(name))
      env.forced.push_back(name + "=" + value);
    env.variables.emplace(std::move(name), std::move(value));
  }
  std::sort(env.forced.begin(), env.forced.end());
  return env;
}

std::string comm_blocking_problem(const NcclEnvironment& env) {
  const auto it = env.variables.find("NCCL_COMM_BLOCKING");
  if (it == env.variables.end() || it->second.empty())
    return {};
  errno = 0;
  const long long v = std::strtoll(it->second.c_str(), nullptr, 0);
  if (errno != 0 || v != 0)
    return {};
  return "NCCL_COMM_BLOCKING=" + it->second +
         " makes every NCCL communicator nonblocking: each timed collective would be launched "
         "from a new NCCL thread and waited for by polling (NCCL >= 2.23), so the figures would "
         "be low; unset it (gpucert polls initialisation under a deadline itself)";
}

std::string nccl_version_string(int code) {
  if (code >= 10000)
    return std::to_string(code / 10000) + "." + std::to_string(code % 10000 / 100) + "." +
           std::to_string(code % 100);
  return std::to_string(code / 1000) + "." + std::to_string(code % 1000 / 100) + "." +
         std::to_string(code % 100);
}

void warn_forced_tuning(const NcclEnvironment& env) {
  static std::once_flag once;
  if (env.forced.empty())
    return;
  std::call_once(once, [&] {
    for (const auto& f : env.forced)
      std::fprintf(stderr,
                   "gpucert: warning: %s forces NCCL's tuning: collective figures are not "
                   "comparable with an untouched NCCL (recorded in the results)\n",
                   f.c_str());
  });
}

nlohmann::json nccl_provenance(const NcclEnvironment& env,
                               const std::optional<NcclLibrary>& library) {
  nlohmann::json j;
  const bool used = library.has_value();
  j["version"] = used && library->version ? nlohmann::json(*library->version) : nlohmann::json();
  j["built_against"] = used ? nlohmann::json(library->built_against) : nlohmann::json();
  j["env"] = env.variables;
  j["forced"] = env.forced;
  j["used"] = used;
  if (!used)
    j["note"] = "simulated: no NCCL call was made; the environment is recorded as found";
  return j;
}

} // namespace gpucert::coll
