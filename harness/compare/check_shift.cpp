// A check pair's shift and its one-sided p-values against the tolerance bounds.
#include "harness/compare/check_shift.hpp"

#include "harness/compare/holm.hpp"
#include "harness/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>

namespace gpucert::compare {

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t h = v.size() / 2;
  return v.size() % 2 == 1 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

bool positive(const std::vector<double>& v) {
  return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x) && x > 0; });
}

nlohmann::json num(double d) {
  return std::isfinite(d) ? nlohmann::json(d) : nlohmann::json(nullptr);
}

} // namespace

double parse_tolerance(const std::string& text, const std::string& option) {
  std::string t = text;
  bool percent_sign = false;
  while (!t.empty() && t.back() == ' ')
    t.pop_back();
  if (!t.empty() && t.back() == '%') {
    percent_sign = true;
    t.pop_back();
    while (!t.empty() && t.back() == ' ')
      t.pop_back();
  }
  double v = 0;
  std::size_t used = 0;
  try {
    v = std::stod(t, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (t.empty() || used != t.size() || !std::isfinite(v))
    throw InputError(
        fmt::format("{} {}: expected a percentage (2%) or a fraction (0.02)", option, text));
  if (percent_sign)
    v /= 100;
  else if (v >= 0.5)
    throw InputError(fmt::format("{} {}: a fraction below 0.5 or a percentage with '%' ({}%?)",
                                 option, text, text));
  if (v < 0 || v >= 0.5)
    throw InputError(fmt::format("{} {}: expected 0 to under 50 %", option, text));
  return v;
}

Bounds bounds(bool higher_is_better, double tolerance) {
  const double down = std::log1p(-tolerance), up = std::log1p(tolerance);
  return higher_is_better ? Bounds{down, up} : Bounds{up, down};
}

double ShiftRow::percent() const {
  return compare::percent(shift.estimate);
}
double ShiftRow::percent_lo() const {
  return compare::percent(shift.lo);
}
double ShiftRow::percent_hi() const {
  return compare::percent(shift.hi);
}
double ShiftRow::oriented() const {
  return higher_is_better ? shift.estimate : -shift.estimate;
}

bool ShiftRow::not_worse_beyond(double tolerance) const {
  if (!shift.valid)
    return false;
  const Bounds b = bounds(higher_is_better, tolerance);
  return higher_is_better ? shift.lo >= b.worse : shift.hi <= b.worse;
}

bool ShiftRow::within(double tolerance) const {
  return shift.valid && shift.lo >= std::log1p(-tolerance) && shift.hi <= std::log1p(tolerance);
}

std::string not_measured(const report::Check& c) {
  if (c.kind != "benchmark")
    return fmt::format("a {} check, not a measurement", c.kind.empty() ? "non-benchmark" : c.kind);
  if (c.samples.empty())
    return fmt::format("{} without samples{}", report::to_string(c.verdict),
                       c.message.empty() ? "" : ": " + c.message);
  if (!positive(c.samples))
    return "samples not all positive (a ratio needs positive figures)";
  return "";
}

std::string not_comparable(const report::Check& base, const report::Check& fresh) {
  if (const std::string why = not_measured(base); !why.empty())
    return "base: " + why;
  if (const std::string why = not_measured(fresh); !why.empty())
    return "new: " + why;
  if (base.metric != fresh.metric)
    return fmt::format("metric differs ({} / {})", base.metric, fresh.metric);
  if (base.params != fresh.params)
    return fmt::format("parameters differ ('{}' / '{}')", base.params, fresh.params);
  if (base.threshold.higher_is_better != fresh.threshold.higher_is_better)
    return "direction (higher_is_better) differs";
  return "";
}

ShiftRow shift_row(const report::Check& base, const report::Check& fresh,
                   const ShiftOptions& opts) {
  ShiftRow r;
  r.clause_id = base.clause_id;
  r.target = base.target;
  r.metric = base.metric;
  // A sibling clause's threshold is a ratio; its samples are the metric's own figures.
  r.unit = base.relative ? "" : base.threshold.unit;
  r.stat = base.stat;
  r.params = base.params;
  r.higher_is_better = base.threshold.higher_is_better;
  r.n_base = static_cast<int>(base.samples.size());
  r.n_new = static_cast<int>(fresh.samples.size());
  r.base_median = median(base.samples);
  r.new_median = median(fresh.samples);
  const ShiftTest test(base.samples, fresh.samples);
  r.shift = test.interval(opts.confidence);
  const Bounds b = bounds(r.higher_is_better, opts.tolerance);
  r.p_worse = r.higher_is_better ? test.p_below(b.worse) : test.p_above(b.worse);
  r.p_better = r.higher_is_better ? test.p_above(b.better) : test.p_below(b.better);
  r.p_worse_holm = r.p_worse;
  r.p_better_holm = r.p_better;
  if (!r.shift.valid)
    r.note = fmt::format("{} + {} samples cannot give a {:g} % interval", r.n_base, r.n_new,
                         100 * opts.confidence);
  return r;
}

void adjust(std::vector<ShiftRow>& rows) {
  std::vector<double> worse, better;
  for (const ShiftRow& r : rows) {
    worse.push_back(r.p_worse);
    better.push_back(r.p_better);
  }
  worse = holm_adjust(worse);
  better = holm_adjust(better);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows[i].p_worse_holm = worse[i];
    rows[i].p_better_holm = better[i];
  }
}

std::string check_name(const std::string& clause_id, const std::string& target) {
  return clause_id + "@" + target;
}

nlohmann::json to_json(const ShiftRow& r) {
  nlohmann::json j = {{"clause_id", r.clause_id},
                      {"target", r.target},
                      {"metric", r.metric},
                      {"unit", r.unit},
                      {"params", r.params},
                      {"higher_is_better", r.higher_is_better},
                      {"n_base", r.n_base},
                      {"n_new", r.n_new},
                      {"base_median", num(r.base_median)},
                      {"new_median", num(r.new_median)},
                      {"log_shift", num(r.shift.estimate)},
                      {"shift_percent", num(r.percent())},
                      {"interval_valid", r.shift.valid},
                      {"interval_method", r.shift.method},
                      {"confidence", r.shift.confidence},
                      {"p_worse", num(r.p_worse)},
                      {"p_better", num(r.p_better)},
                      {"p_worse_holm", num(r.p_worse_holm)},
                      {"p_better_holm", num(r.p_better_holm)},
                      {"verdict", r.verdict}};
  j["interval_percent"] = r.shift.valid
                              ? nlohmann::json::array({num(r.percent_lo()), num(r.percent_hi())})
                              : nlohmann::json(nullptr);
  if (!r.note.empty())
    j["note"] = r.note;
  return j;
}

} // namespace gpucert::compare
