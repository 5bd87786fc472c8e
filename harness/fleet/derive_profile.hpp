// `gpucert fleet derive-profile`: a profile whose benchmark thresholds come from a lot. Each
// threshold is a rule over the lot's distribution of the clause's statistic ("median-4*MAD"),
// recorded next to the threshold with the lot's size and digest, so the profile says where its
// numbers came from.
#pragma once

#include "harness/model/lot.hpp"
#include "harness/profile/profile.hpp"

#include <map>
#include <string>
#include <vector>

namespace gpucert::fleet {

/// A threshold rule: BASE [± K*MAD | ± X%], BASE one of median, p1, p5, min. Written for a
/// higher-is-better metric (a floor below the lot); for a lower-is-better metric the offset is
/// mirrored (median-4*MAD becomes median+4*MAD, a ceiling above the lot), and p1, p5 and min,
/// which are the lot's low tail, do not apply.
struct Rule {
  std::string text;            ///< as given, e.g. "median-4*MAD"
  std::string base = "median"; ///< "median", "p1", "p5", "min"
  double mads = 0;             ///< offset in MADs, signed as written (−4 for "-4*MAD")
  double percent = 0;          ///< offset in % of the base, signed as written
};

/// Parses a rule; InputError naming `--rule` and what is wrong.
Rule parse_rule(const std::string& text);

struct DerivedThreshold {
  std::string clause_id;
  bool higher_is_better = true;
  std::optional<double> base_threshold; ///< the base profile's
  std::optional<double> lot_value;      ///< the rule applied to the lot
  std::optional<double> threshold;      ///< what the derived profile states
  int n = 0;                            ///< values of the lot behind it
  /// "derived", "kept: the lot's value would loosen it", "skipped: ..." (why not derived).
  std::string action;
};

struct DerivedProfile {
  profile::Profile profile;                 ///< the base with the derived thresholds
  std::vector<DerivedThreshold> thresholds; ///< one per benchmark clause of the base
  std::map<std::string, std::string> notes; ///< clause id → the comment next to its threshold
  std::string yaml;                         ///< the profile as written (header comment + YAML)
};

/// Derives from `base` (loaded, extends applied) and `lot`: every benchmark clause of the base
/// that is in the lot with a distribution, the same statistic and unit, and a floor (higher is
/// better) or ceiling (lower is better) gets the rule's value. A derived threshold never loosens
/// the base's unless `allow_looser`. Sibling-relative clauses and health clauses are kept as they
/// are. InputError when the lot has no clause the rule can apply to.
DerivedProfile derive_profile(const profile::Profile& base, const report::LotCertificate& lot,
                              const Rule& rule, const std::string& name, bool allow_looser);

} // namespace gpucert::fleet
