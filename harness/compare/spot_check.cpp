// The buyer's spot-check: identity, the seeded draw, the cut-down profile, the comparison.
#include "harness/compare/spot_check.hpp"

#include "harness/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <fmt/core.h>
#include <fmt/ranges.h>
#include <map>
#include <optional>
#include <random>
#include <set>

namespace gpucert::compare {

namespace {

void same_field(Identity& id, const std::string& what, const std::optional<std::string>& certified,
                const std::optional<std::string>& here) {
  if (!certified)
    return; // the certificate holds nothing to check against
  if (here == certified) {
    id.checked.push_back(fmt::format("{} {}", what, *certified));
    return;
  }
  id.match = false;
  id.mismatches.push_back(fmt::format("{}: certified {}, this node {}", what, *certified,
                                      here ? *here : "(unreadable)"));
}

std::string contract_text(const report::Check& c) {
  if (!c.cause.empty())
    return c.cause;
  return c.message;
}

} // namespace

Identity check_identity(const Inventory& certified, const Inventory& here) {
  Identity id;
  same_field(id, "hostname", certified.node.hostname, here.node.hostname);
  if (certified.gpus.size() != here.gpus.size()) {
    id.match = false;
    id.mismatches.push_back(fmt::format("GPU count: certified {}, this node {}",
                                        certified.gpus.size(), here.gpus.size()));
  } else {
    id.checked.push_back(fmt::format("{} GPUs", here.gpus.size()));
  }
  for (const GpuInfo& c : certified.gpus) {
    auto it = std::find_if(here.gpus.begin(), here.gpus.end(),
                           [&](const GpuInfo& g) { return g.index == c.index; });
    if (it == here.gpus.end())
      continue; // counted above
    same_field(id, fmt::format("gpu{} uuid", c.index), c.uuid, it->uuid);
    same_field(id, fmt::format("gpu{} serial", c.index), c.serial, it->serial);
  }
  return id;
}

Draw draw_checks(const report::Certificate& seller, double fraction, std::uint64_t seed,
                 const std::vector<int>& allowed_gpus) {
  if (!(fraction > 0 && fraction <= 1))
    throw InputError(fmt::format("--fraction {}: expected a fraction in (0, 1]", fraction));
  const std::set<int> allowed(allowed_gpus.begin(), allowed_gpus.end());
  std::vector<const report::Check*> pool;
  for (const report::Check& c : seller.checks) {
    if (!not_measured(c).empty())
      continue;
    // A node-scope check is measured on every GPU at once, a sibling clause judges a GPU
    // against all the others: either needs the whole node, so neither is drawn from a subset.
    const bool whole_node = c.scope == Scope::node || c.relative.has_value();
    const bool on_allowed =
        std::all_of(c.gpus.begin(), c.gpus.end(), [&](int g) { return allowed.count(g) > 0; });
    if (!allowed.empty() && (whole_node || !on_allowed))
      continue;
    pool.push_back(&c);
  }
  if (pool.empty())
    throw InputError(
        allowed.empty() ? "the seller's certificate holds no measured benchmark check to re-measure"
                        : fmt::format("--gpus: the seller's certificate holds no measured "
                                      "benchmark check on GPUs {} alone",
                                      fmt::join(allowed_gpus, ",")));
  Draw d;
  d.seed = seed;
  d.fraction = fraction;
  d.candidates = static_cast<int>(pool.size());
  const std::size_t k = std::clamp<std::size_t>(
      static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(pool.size()) - 1e-9)), 1,
      pool.size());
  std::vector<std::size_t> idx(pool.size());
  for (std::size_t i = 0; i < idx.size(); ++i)
    idx[i] = i;
  std::mt19937_64 rng(seed);
  for (std::size_t i = 0; i < k; ++i) { // partial Fisher–Yates; modulo bias < 2^-40 here
    const std::size_t j = i + static_cast<std::size_t>(rng() % (idx.size() - i));
    std::swap(idx[i], idx[j]);
  }
  idx.resize(k);
  std::sort(idx.begin(), idx.end()); // back to the certificate's order
  std::set<int> gpus;
  for (std::size_t i : idx) {
    const report::Check& c = *pool[i];
    d.checks.push_back({c.clause_id, c.target, c.scope, c.gpus});
    if (c.scope == Scope::node || c.relative)
      d.all_gpus = true;
    gpus.insert(c.gpus.begin(), c.gpus.end());
  }
  if (!d.all_gpus)
    d.gpus.assign(gpus.begin(), gpus.end());
  return d;
}

profile::Profile restrict_profile(const profile::Profile& p, const Draw& d) {
  std::set<std::string> ids;
  for (const Drawn& c : d.checks)
    ids.insert(c.clause_id);
  profile::Profile out = p;
  out.match = {};
  out.clauses.clear();
  for (const profile::Clause& c : p.clauses)
    if (ids.count(c.id))
      out.clauses.push_back(c);
  return out;
}

SpotCheck spot_compare(const report::Certificate& seller, const report::Certificate& buyer,
                       const Draw& draw, const ShiftOptions& opts) {
  SpotCheck s;
  s.opts = opts;
  s.draw = draw;
  s.simulated = seller.simulated || buyer.simulated;
  std::map<std::pair<std::string, std::string>, const report::Check*> sel, buy;
  for (const report::Check& c : seller.checks)
    sel.emplace(std::make_pair(c.clause_id, c.target), &c);
  for (const report::Check& c : buyer.checks)
    buy.emplace(std::make_pair(c.clause_id, c.target), &c);

  std::vector<ShiftRow> shifts;
  std::vector<std::size_t> at; // row index of each shift
  for (const Drawn& d : draw.checks) {
    SpotRow row;
    row.shift.clause_id = d.clause_id;
    row.shift.target = d.target;
    const auto si = sel.find({d.clause_id, d.target});
    const auto bi = buy.find({d.clause_id, d.target});
    if (bi == buy.end()) {
      row.reason = "the buyer's run has no such check";
      row.contract = "ERROR";
      row.contract_message = "not measured";
    } else {
      row.contract = report::to_string(bi->second->verdict);
      row.contract_message = contract_text(*bi->second);
      if (si == sel.end())
        row.reason = "not in the seller's certificate";
      else
        row.reason = not_comparable(*si->second, *bi->second);
      if (row.reason.empty()) {
        row.compared = true;
        shifts.push_back(shift_row(*si->second, *bi->second, opts));
        at.push_back(s.rows.size());
      }
    }
    s.rows.push_back(std::move(row));
  }
  adjust(shifts);
  for (std::size_t i = 0; i < shifts.size(); ++i)
    s.rows[at[i]].shift = shifts[i];

  const double level = opts.one_sided_level();
  for (SpotRow& r : s.rows) {
    if (!r.compared)
      r.verdict = kInconclusive;
    else if (r.shift.p_worse_holm <= level)
      r.verdict = kBelowCertified;
    else if (r.shift.not_worse_beyond(opts.tolerance))
      r.verdict = kConsistent;
    else
      r.verdict = kInconclusive;
    r.shift.verdict = r.verdict;
    s.consistent += r.verdict == kConsistent;
    s.below += r.verdict == kBelowCertified;
    s.inconclusive += r.verdict == kInconclusive;
    if (r.contract == "PASS" || r.contract == "SKIPPED")
      ++s.contract_pass;
    else if (r.contract == "FAIL" || r.contract == "ERROR")
      ++s.contract_fail;
    else
      ++s.contract_undecided;
  }
  return s;
}

int exit_code(const SpotCheck& s) {
  if ((!s.identity.match && !s.identity_overridden) || s.below > 0 || s.contract_fail > 0)
    return 1;
  if (s.inconclusive > 0 || s.contract_undecided > 0)
    return 5;
  return 0;
}

nlohmann::json to_json(const SpotCheck& s) {
  nlohmann::json rows = nlohmann::json::array();
  for (const SpotRow& r : s.rows) {
    nlohmann::json j = r.compared ? to_json(r.shift)
                                  : nlohmann::json{{"clause_id", r.shift.clause_id},
                                                   {"target", r.shift.target},
                                                   {"verdict", r.verdict},
                                                   {"not_compared", r.reason}};
    j["contract"] = r.contract;
    if (!r.contract_message.empty())
      j["contract_message"] = r.contract_message;
    rows.push_back(std::move(j));
  }
  nlohmann::json drawn = nlohmann::json::array();
  for (const Drawn& d : s.draw.checks)
    drawn.push_back(check_name(d.clause_id, d.target));
  return {{"schema", "gpucert/spot-check/v1"},
          {"simulated", s.simulated},
          {"tolerance", s.opts.tolerance},
          {"confidence", s.opts.confidence},
          {"error_control", "holm-one-sided"},
          {"one_sided_level", s.opts.one_sided_level()},
          {"identity",
           {{"match", s.identity.match},
            {"overridden", s.identity_overridden},
            {"checked", s.identity.checked},
            {"mismatches", s.identity.mismatches}}},
          {"draw",
           {{"seed", s.draw.seed},
            {"fraction", s.draw.fraction},
            {"candidates", s.draw.candidates},
            {"drawn", drawn},
            {"gpus", s.draw.all_gpus ? nlohmann::json("all") : nlohmann::json(s.draw.gpus)}}},
          {"counts",
           {{"consistent", s.consistent},
            {"below_certified", s.below},
            {"inconclusive", s.inconclusive},
            {"contract_pass", s.contract_pass},
            {"contract_fail", s.contract_fail},
            {"contract_undecided", s.contract_undecided}}},
          {"checks", rows},
          {"exit_code", exit_code(s)}};
}

} // namespace gpucert::compare
