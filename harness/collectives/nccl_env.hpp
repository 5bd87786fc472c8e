// NCCL provenance: the library version and every NCCL_* environment variable, with the ones that
// force an algorithm, protocol or channel count flagged (a forced figure is not a fair figure).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gpucert::coll {

struct NcclEnvironment {
  std::map<std::string, std::string> variables; ///< every NCCL_* variable, as set
  std::vector<std::string> forced;              ///< "NCCL_ALGO=Ring": the tuning-forcing ones
};

/// Reads NCCL_* from `envp` (a NULL-terminated "K=V" array; the process environment when null).
NcclEnvironment read_nccl_environment(char** envp = nullptr);

/// Whether setting this variable overrides NCCL's own tuning (algorithm, protocol, channels,
/// threads, buffer sizes, transports, NVLS/CollNet, tuner plugins).
bool forces_tuning(std::string_view name);

/// Why collectives could not be timed on blocking communicators under this environment, or
/// empty. NCCL_COMM_BLOCKING overrides every communicator's `blocking` (NCCL reads it with
/// strtoll, so any non-empty value that reads as 0, "abc" included, makes them nonblocking):
/// each timed ncclGroupEnd would then start a thread and return ncclInProgress (NCCL >= 2.23).
/// NCCL_COMM_BLOCKING=1 is harmless: only the initialisation loses its polled deadline.
std::string comm_blocking_problem(const NcclEnvironment& env);

/// NCCL_VERSION_CODE → "2.28.9" (codes below 10000 use the pre-2.9 scheme, e.g. 2804 → 2.8.4).
std::string nccl_version_string(int code);

/// One warning line per forced variable on stderr, once per process.
void warn_forced_tuning(const NcclEnvironment& env);

/// The NCCL that ran: the loaded library's version and the header version built against.
struct NcclLibrary {
  std::optional<std::string> version;
  std::string built_against;
};

/// {"version", "built_against", "env": {...}, "forced": [...], "used": bool, "note"?}: what the
/// results file records. `library` is empty on the simulator (no NCCL call is made; "used" false).
nlohmann::json nccl_provenance(const NcclEnvironment& env,
                               const std::optional<NcclLibrary>& library);

} // namespace gpucert::coll
