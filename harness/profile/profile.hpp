// SLA profile (schema gpucert/profile/v1): what a node must be (match), how to measure (method)
// and what it must deliver (clauses). Loaded and fully validated by load_profile; plain data after.
#pragma once

#include "harness/core/yaml_input.hpp"
#include "harness/model/catalog.hpp"
#include "harness/model/results.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gpucert::profile {

inline constexpr const char* kProfileSchema = "gpucert/profile/v1";

/// Where a value was written: "FILE:LINE:COL" in error messages (1-based).
struct Loc {
  std::string file;
  int line = 0, col = 0;
  std::string str() const;
};

enum class Tier { quick, standard, soak };
std::string to_string(Tier t);

/// What the node must be. Each key given becomes a health check (id "match.<key>").
struct Match {
  std::optional<std::string> gpu_name;
  std::optional<int> gpu_count;
  std::optional<double> memory_gib_min;
  std::optional<int> pcie_gen, pcie_width;
  std::optional<int> nvlink_links_per_gpu;
  std::optional<bool> ecc; ///< true: "enabled", false: "disabled"
};

/// How clauses are measured and decided.
struct Method {
  double confidence = 0.95;
  double target_rel_ci = 0.01;
  int min_samples = 10;
  int max_samples = 200;
  double max_seconds_per_clause = 30; ///< budget of one clause on one target (one measurement)
};

/// A threshold value for `equals`: health metrics of text or yes/no kind.
struct Expected {
  enum class Kind { number, boolean, text } kind = Kind::number;
  double number = 0;
  bool boolean = false;
  std::string text;
  std::string str() const; ///< as a user reads it: 8, true, "NVIDIA H100 80GB HBM3"
};

struct Clause {
  std::string id;
  std::string metric;
  Params params;         ///< as written (profile text); `resolved` after validation
  Params resolved;       ///< every axis filled and canonical (benchmark metrics only)
  std::string benchmark; ///< registry name for benchmark metrics; empty for health metrics
  std::string unit; ///< of the benchmark metric (the registry's), so evaluation needs no registry
  bool higher_is_better = true;
  Scope each = Scope::gpu;
  std::string stat = "median";
  std::optional<double> min, max;
  std::optional<Expected> equals;
  /// Sustained load: sample for exactly this many seconds (no early stop), e.g. to expose a
  /// GPU that throttles after minutes of work. Empty: the method's adaptive stopping rule.
  std::optional<double> duration;
  /// `concurrency: all` (default): measured on every target of its scope at once (GPU pairs in
  /// rounds of disjoint pairs), the load a customer's job puts on power, cooling and PCIe;
  /// `one`: each target alone on an otherwise idle node.
  Concurrency concurrency = Concurrency::all;
  /// `relative: siblings`: the clause judges the ratio of this target's statistic to the median
  /// of the same statistic on the node's other targets of its scope; `min_ratio` is its floor.
  std::string relative;
  std::optional<double> min_ratio;
  std::string description, contract_ref;
  std::map<std::string, Loc> locs; ///< where each key ("id", "metric", "params.m", ...) was written

  bool is_health() const { return benchmark.empty(); }
  bool relative_to_siblings() const { return relative == "siblings"; }
};

/// One file of the extends chain, with its fingerprint.
struct SourceFile {
  std::string path; ///< as resolved when loading
  std::string sha256;
};

/// The profile's `fleet:` section: clauses judged on a lot of node certificates
/// (`gpucert fleet`), not on one node. Each is optional; a lot with none is judged on its nodes'
/// outcomes alone (every node certified).
struct FleetPolicy {
  std::optional<double> min_certified_fraction; ///< of the nodes offered, e.g. 0.98
  /// Floors (or ceilings, for lower-is-better clauses) on the lot's median of a clause's
  /// statistic, by clause id: `median_floors: {gemm-bf16: 760}`.
  std::map<std::string, double> median_floors;
  std::optional<double> max_outlier_fraction; ///< of the GPUs (targets) that are outliers
  std::optional<double> outlier_z;            ///< robust z defining an outlier (default 4)
  std::optional<double> outlier_rel;          ///< relative distance from the median (0.03)
  std::map<std::string, Loc> locs;            ///< where each key was written
  bool empty() const {
    return !min_certified_fraction && median_floors.empty() && !max_outlier_fraction &&
           !outlier_z && !outlier_rel;
  }
};

struct Profile {
  std::string schema = kProfileSchema;
  std::string name, description;
  Tier tier = Tier::standard;
  Match match;
  Method method;
  std::vector<Clause> clauses;
  FleetPolicy fleet;
  /// SHA-256 of the profile file; when it extends others, SHA-256 of the text
  /// "<sha of this file>\n<sha of its base>\n..." (see profiles/README.md).
  std::string sha256;
  std::vector<SourceFile> files; ///< this file first, then each base
};

/// Reads, parses and validates a profile file (and its extends chain). Every problem throws
/// InputError "FILE:LINE:COL: key 'x': message". Hostile input (too big, binary, deep nesting,
/// alias bombs, extends cycles) gets the same error, never a crash or hang. An `extends` must
/// stay inside the profile's folder or one of `extends_from` (see extends_path.hpp). Metrics and
/// parameters are checked against `registry`, the benchmark catalogue of the caller's choosing.
Profile load_profile(const Registry& registry, const std::string& path,
                     const std::vector<std::string>& extends_from = {});

/// Same, from text; `source` names it in errors and `base_dir` resolves (and confines) `extends`.
Profile parse_profile(const Registry& registry, const std::string& text, const std::string& source,
                      const std::string& base_dir = ".");

/// Resource limits applied before and while parsing.
inline constexpr std::size_t kMaxProfileBytes = kProfileInput.max_bytes;
inline constexpr int kMaxExtendsDepth = 8;

} // namespace gpucert::profile
