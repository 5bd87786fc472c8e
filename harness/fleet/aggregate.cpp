// The lot from its node certificates. Each worker thread reads, parses and reduces whole
// certificates; the reduced nodes are merged in input order, so the lot certificate does not
// depend on the number of threads.
#include "harness/fleet/aggregate.hpp"

#include "gpucert/version.hpp"
#include "harness/core/error.hpp"
#include "harness/core/json_input.hpp"
#include "harness/core/utc_time.hpp"
#include "harness/profile/sha256.hpp"
#include "harness/stats/statistic_fn.hpp"
#include "harness/trust/signature_status.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fmt/core.h>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>

namespace gpucert::fleet {

namespace fs = std::filesystem;
using report::Check;
using report::LotCertificate;
using report::Verdict;

namespace {

// A clause as one node's certificate states it.
struct ClauseMeta {
  std::string id, metric, unit, stat, kind;
  bool higher_is_better = true;
  Scope scope = Scope::gpu;
  report::Threshold threshold;
};

struct LocalRow {
  std::uint16_t clause = 0, target = 0;
  std::int16_t gpu = -1;
  Verdict verdict = Verdict::error;
  double value = NAN, margin_rel = NAN;
};

// One certificate reduced: what the lot keeps of it.
struct Reduced {
  report::LotNode node;
  std::vector<ClauseMeta> clauses; // this node's clauses, LocalRow::clause indexes them
  std::vector<std::string> targets;
  std::vector<LocalRow> rows;
  std::set<std::string> groups; // cause groups of its FAIL/ERROR checks
};

// "gpu3: " / "gpu0-gpu1: " at the start of a cause, and any later "; gpuN: ..." part: a cause
// names each target it saw, and the group is the thing seen, not where.
std::string strip_target_prefix(std::string s) {
  if (auto semi = s.find("; "); semi != std::string::npos)
    s.resize(semi);
  std::size_t i = 0;
  auto gpu_label = [&](std::size_t& k) {
    if (s.compare(k, 3, "gpu") != 0)
      return false;
    std::size_t d = k + 3;
    while (d < s.size() && std::isdigit(static_cast<unsigned char>(s[d])))
      ++d;
    if (d == k + 3)
      return false;
    k = d;
    return true;
  };
  std::size_t k = 0;
  if (gpu_label(k)) {
    if (k < s.size() && s[k] == '-') {
      std::size_t k2 = k + 1;
      if (gpu_label(k2))
        k = k2;
    }
    if (s.compare(k, 2, ": ") == 0)
      i = k + 2;
  }
  return s.substr(i);
}

bool has_numeric_value(const Check& c) {
  return c.value && std::isfinite(*c.value) && !c.observed;
}

Reduced reduce(const fs::path& path, const AggregateOptions& opts) {
  Reduced r;
  report::LotNode& n = r.node;
  const fs::path dir = path.filename() == "certificate.json" ? path.parent_path() : path;
  n.dir = dir.string();
  report::Certificate cert;
  try {
    const std::string bytes = read_input_file(path.string(), kCertificateInput);
    n.certificate_sha256 = sha256_hex(bytes);
    cert = report::certificate_from_text(bytes, path.string());
  } catch (const Error& e) {
    n.load_error = e.what();
    if (n.load_error.rfind(path.string(), 0) != 0)
      n.load_error = path.string() + ": " + n.load_error;
    r.groups.insert("certificate unreadable");
    return r;
  }
  n.readable = true;
  if (opts.check_signatures) {
    try {
      n.signature = trust::signature_status_with_keys(dir, opts.keys);
    } catch (const Error& e) {
      n.signature.state = report::SignatureStatus::State::invalid;
      n.signature.detail = e.what();
    }
    n.verified = n.signature.state == report::SignatureStatus::State::valid;
    if (!n.verified)
      r.groups.insert(fmt::format("signature {}", report::to_string(n.signature.state)));
  }
  const report::Derived d = report::derive(cert);
  n.hostname = cert.inventory.node.hostname.value_or("");
  n.simulated = d.simulated;
  n.outcome = d.outcome;
  n.consistent = d.consistent;
  n.counts = d.counts;
  n.gpus = static_cast<int>(d.scope.gpus.size());
  n.gpus_in_node = d.scope.gpus_in_node;
  n.profile_name = cert.profile.name;
  n.profile_sha256 = cert.profile.sha256;
  for (const auto& g : cert.inventory.gpus) {
    if (g.index < 0 || g.index > 4096)
      continue;
    if (n.gpu_uuids.size() <= std::size_t(g.index))
      n.gpu_uuids.resize(g.index + 1);
    n.gpu_uuids[g.index] = g.uuid.value_or("");
  }

  std::unordered_map<std::string, std::uint16_t> clause_ix, target_ix;
  std::set<std::string> causes;
  r.rows.reserve(cert.checks.size());
  for (const Check& c : cert.checks) {
    auto [cit, cnew] = clause_ix.try_emplace(c.clause_id, std::uint16_t(r.clauses.size()));
    if (cnew)
      r.clauses.push_back({c.clause_id, c.metric, c.threshold.unit, c.stat, c.kind,
                           c.threshold.higher_is_better, c.scope, c.threshold});
    auto [tit, tnew] = target_ix.try_emplace(c.target, std::uint16_t(r.targets.size()));
    if (tnew)
      r.targets.push_back(c.target);
    LocalRow row;
    row.clause = cit->second;
    row.target = tit->second;
    row.gpu = c.scope == Scope::gpu && c.gpus.size() == 1 ? std::int16_t(c.gpus.front()) : -1;
    row.verdict = c.verdict;
    if (has_numeric_value(c))
      row.value = *c.value;
    if (c.margin_rel && std::isfinite(*c.margin_rel))
      row.margin_rel = *c.margin_rel;
    r.rows.push_back(row);
    if (c.verdict == Verdict::fail || c.verdict == Verdict::error) {
      const std::string g = cause_group(c);
      r.groups.insert(g);
      causes.insert(g);
    }
  }
  n.causes.assign(causes.begin(), causes.end());
  return r;
}

std::string sorted_digest(const std::vector<report::LotNode>& nodes) {
  std::vector<std::string> digests;
  for (const auto& n : nodes)
    if (!n.certificate_sha256.empty())
      digests.push_back(n.certificate_sha256);
  std::sort(digests.begin(), digests.end());
  std::string all;
  for (const auto& d : digests)
    all += d + "\n";
  return sha256_hex(all);
}

std::string node_name(const report::LotNode& n) {
  return n.hostname.empty() ? n.dir : n.hostname;
}

std::string thousands(long long v) {
  std::string s = std::to_string(v);
  for (int i = int(s.size()) - 3; i > 0; i -= 3)
    s.insert(std::size_t(i), ",");
  return s;
}

// Distribution and outliers of one clause over the lot's rows of it.
void describe_clause(const LotCertificate& lot, std::size_t clause,
                     const std::vector<std::uint32_t>& rows, report::LotClause& out,
                     std::vector<report::Outlier>& outliers, const report::LotOptions& o) {
  std::vector<double> v;
  v.reserve(rows.size());
  for (auto i : rows)
    if (std::isfinite(lot.rows[i].value))
      v.push_back(lot.rows[i].value);
  if (v.empty())
    return;
  std::sort(v.begin(), v.end());
  report::Distribution d;
  d.n = static_cast<int>(v.size());
  d.median = stats::quantile_sorted(v, 0.5);
  std::vector<double> dev;
  dev.reserve(v.size());
  for (double x : v)
    dev.push_back(std::fabs(x - d.median));
  std::sort(dev.begin(), dev.end());
  d.mad = 1.4826 * stats::quantile_sorted(dev, 0.5);
  d.p1 = stats::quantile_sorted(v, 0.01);
  d.p5 = stats::quantile_sorted(v, 0.05);
  d.min = v.front();
  d.max = v.back();
  const bool hib = out.higher_is_better;
  d.worst = hib ? d.min : d.max;
  for (auto i : rows) {
    const auto& row = lot.rows[i];
    if (row.value == d.worst) {
      const auto& node = lot.nodes[row.node];
      d.worst_node = node_name(node);
      d.worst_target = lot.targets[row.target];
      if (row.gpu >= 0 && std::size_t(row.gpu) < node.gpu_uuids.size())
        d.worst_gpu_uuid = node.gpu_uuids[row.gpu];
      break;
    }
  }
  out.distribution = d;

  // Outliers: only among measured throughputs (a count of ECC errors has no spread to be far
  // from), and only with enough values for a median to mean something.
  if (out.kind != "benchmark" || d.n < 8 || d.median == 0)
    return;
  for (auto i : rows) {
    const auto& row = lot.rows[i];
    if (!std::isfinite(row.value))
      continue;
    const double worse = hib ? d.median - row.value : row.value - d.median; // > 0: worse
    const double rel = row.value / d.median - 1;
    const double z = d.mad > 0 ? worse / d.mad : 0;
    const bool far_z = d.mad > 0 && z > o.outlier_z;
    const bool far_rel = hib ? rel < -o.outlier_rel : rel > o.outlier_rel;
    if (!far_z && !far_rel)
      continue;
    const auto& node = lot.nodes[row.node];
    report::Outlier x;
    x.clause_id = out.id;
    x.node = node_name(node);
    x.target = lot.targets[row.target];
    x.gpu = row.gpu;
    if (row.gpu >= 0 && std::size_t(row.gpu) < node.gpu_uuids.size())
      x.gpu_uuid = node.gpu_uuids[row.gpu];
    x.value = row.value;
    x.lot_median = d.median;
    x.rel_to_median = rel;
    x.robust_z = d.mad > 0 ? z : (worse > 0 ? INFINITY : 0);
    x.verdict = row.verdict;
    outliers.push_back(x);
  }
  (void)clause;
}

} // namespace

std::string cause_group(const Check& c) {
  const std::string cause = strip_target_prefix(c.cause);
  if (c.verdict == Verdict::error) {
    std::string m = c.message.empty() ? cause : c.message;
    if (auto semi = m.find("; "); semi != std::string::npos)
      m.resize(semi);
    return fmt::format("{} could not be measured{}", c.clause_id, m.empty() ? "" : ": " + m);
  }
  if (cause.rfind("wrong results", 0) == 0)
    return "wrong results (the result check failed)";
  if (c.relative || cause.find("siblings' median") != std::string::npos)
    return fmt::format("{}: below its sibling GPUs", c.clause_id);
  if (cause.empty())
    return fmt::format("{}: {} its threshold {}", c.clause_id,
                       c.threshold.higher_is_better ? "below" : "above", c.threshold.str());
  // A reading ("reads 9 before and after the run, expected ≥ 18 links") says nothing without
  // the clause it reads for.
  if (cause.rfind("reads ", 0) == 0)
    return fmt::format("{}: {}", c.clause_id, cause);
  return cause;
}

LotCertificate aggregate(const std::vector<fs::path>& certificates, const AggregateOptions& opts) {
  LotCertificate lot;
  lot.tool_version = kToolVersion;
  lot.git_revision = kGitRevision;
  lot.created_at = utc_now_iso8601();
  lot.options = opts.lot;

  // Read and reduce in parallel; each slot is written by one worker only.
  std::vector<Reduced> reduced(certificates.size());
  std::atomic<std::size_t> next{0};
  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const unsigned threads = std::min<std::size_t>(opts.threads > 0 ? unsigned(opts.threads) : hw,
                                                 std::max<std::size_t>(1, certificates.size()));
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < certificates.size();)
      reduced[i] = reduce(certificates[i], opts);
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t)
    pool.emplace_back(work);
  work();
  for (auto& t : pool)
    t.join();

  // Merge in input order.
  std::unordered_map<std::string, std::uint16_t> clause_ix;
  std::unordered_map<std::string, std::uint32_t> target_ix;
  std::vector<std::vector<std::uint32_t>> clause_rows;
  std::map<std::string, std::vector<std::string>> groups;
  std::map<std::pair<std::string, std::string>, int> profiles;
  int inconsistent = 0, gpus_read = 0;
  for (auto& r : reduced) {
    const auto node_index = std::uint32_t(lot.nodes.size());
    std::vector<std::uint16_t> cmap(r.clauses.size());
    for (std::size_t i = 0; i < r.clauses.size(); ++i) {
      const ClauseMeta& m = r.clauses[i];
      auto [it, fresh] = clause_ix.try_emplace(m.id, std::uint16_t(lot.clauses.size()));
      if (fresh) {
        report::LotClause lc;
        lc.id = m.id;
        lc.metric = m.metric;
        lc.unit = m.unit;
        lc.stat = m.stat;
        lc.kind = m.kind;
        lc.higher_is_better = m.higher_is_better;
        lc.scope = m.scope;
        lc.threshold = m.threshold;
        lot.clauses.push_back(std::move(lc));
        clause_rows.emplace_back();
      }
      cmap[i] = it->second;
    }
    std::vector<std::uint32_t> tmap(r.targets.size());
    for (std::size_t i = 0; i < r.targets.size(); ++i) {
      auto [it, fresh] = target_ix.try_emplace(r.targets[i], std::uint32_t(lot.targets.size()));
      if (fresh)
        lot.targets.push_back(r.targets[i]);
      tmap[i] = it->second;
    }
    for (const LocalRow& lr : r.rows) {
      report::LotRow row;
      row.node = node_index;
      row.clause = cmap[lr.clause];
      row.target = tmap[lr.target];
      row.gpu = lr.gpu;
      row.verdict = lr.verdict;
      row.value = lr.value;
      row.margin_rel = lr.margin_rel;
      clause_rows[row.clause].push_back(std::uint32_t(lot.rows.size()));
      report::Counts& k = lot.clauses[row.clause].counts;
      ++k.total;
      switch (row.verdict) {
      case Verdict::pass:
        ++k.pass;
        break;
      case Verdict::fail:
        ++k.fail;
        break;
      case Verdict::inconclusive:
        ++k.inconclusive;
        break;
      case Verdict::error:
        ++k.error;
        break;
      case Verdict::skipped:
        ++k.skipped;
        break;
      }
      lot.rows.push_back(row);
    }
    report::LotNode& n = r.node;
    ++lot.nodes_offered;
    if (!n.readable) {
      ++lot.nodes_unreadable;
    } else {
      ++lot.nodes_read;
      gpus_read += n.gpus_in_node;
      lot.simulated |= n.simulated;
      inconsistent += !n.consistent;
      ++profiles[{n.profile_name, n.profile_sha256}];
      if (!n.verified)
        ++lot.nodes_unverified;
      else if (n.outcome == report::Outcome::certified)
        ++lot.nodes_certified;
      else if (n.outcome == report::Outcome::inconclusive)
        ++lot.nodes_inconclusive;
      else
        ++lot.nodes_not_certified;
      lot.gpus_offered += n.gpus_in_node;
      if (n.verified && n.outcome == report::Outcome::certified)
        lot.gpus_certified += n.gpus;
    }
    const bool counts_as_failed =
        !n.readable || !n.verified || n.outcome == report::Outcome::not_certified;
    if (counts_as_failed)
      for (const auto& g : r.groups)
        groups[g].push_back(node_name(n));
    lot.nodes.push_back(std::move(n));
    r = Reduced{}; // free the node's rows as soon as they are merged
  }

  // GPUs of an unreadable node are unknown: they are offered (the seller offered the node) and
  // counted as the median node of the lot holds, and said so.
  if (lot.nodes_unreadable > 0) {
    std::vector<double> per_node;
    for (const auto& n : lot.nodes)
      if (n.readable)
        per_node.push_back(n.gpus_in_node);
    std::sort(per_node.begin(), per_node.end());
    const int assumed = per_node.empty() ? 0 : int(stats::quantile_sorted(per_node, 0.5));
    lot.gpus_offered += assumed * lot.nodes_unreadable;
    lot.notes.push_back(fmt::format("{} unreadable node{} counted as {} GPUs each (the median "
                                    "node of the lot) among the GPUs offered",
                                    lot.nodes_unreadable, lot.nodes_unreadable == 1 ? "" : "s",
                                    assumed));
  }
  (void)gpus_read;
  if (profiles.size() > 1) {
    std::string list;
    for (const auto& [p, count] : profiles)
      list += fmt::format("{}{} ({}…, {} node{})", list.empty() ? "" : ", ", p.first,
                          p.second.substr(0, 12), count, count == 1 ? "" : "s");
    lot.notes.push_back(fmt::format("the nodes were certified against {} different profiles: {}",
                                    profiles.size(), list));
  }
  if (profiles.size() == 1) {
    lot.profile_name = profiles.begin()->first.first;
    lot.profile_sha256 = profiles.begin()->first.second;
  }
  if (inconsistent > 0)
    lot.notes.push_back(fmt::format("{} node certificate{} state an outcome that {} checks do not "
                                    "give; the lot uses the outcome derived from the checks",
                                    inconsistent, inconsistent == 1 ? "" : "s",
                                    inconsistent == 1 ? "its" : "their"));

  for (std::size_t c = 0; c < lot.clauses.size(); ++c)
    describe_clause(lot, c, clause_rows[c], lot.clauses[c], lot.outliers, opts.lot);
  std::stable_sort(lot.outliers.begin(), lot.outliers.end(),
                   [](const report::Outlier& a, const report::Outlier& b) {
                     return a.clause_id != b.clause_id ? a.clause_id < b.clause_id
                                                       : a.robust_z > b.robust_z;
                   });

  for (auto& [cause, nodes] : groups) {
    std::sort(nodes.begin(), nodes.end());
    nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    lot.failures.push_back({cause, nodes});
  }
  std::stable_sort(lot.failures.begin(), lot.failures.end(),
                   [](const report::CauseGroup& a, const report::CauseGroup& b) {
                     return a.nodes.size() > b.nodes.size();
                   });

  lot.lot_sha256 = sorted_digest(lot.nodes);

  report::Proportion& p = lot.certified_fraction;
  p.confidence = opts.lot.confidence;
  p.k = lot.nodes_certified;
  p.n = lot.nodes_offered;
  if (p.n > 0) {
    p.estimate = double(p.k) / p.n;
    const stats::ExactInterval ci = stats::clopper_pearson(p.k, p.n, p.confidence);
    p.lo = ci.lo;
    p.hi = ci.hi;
  }

  if (opts.lot_size) {
    const int N = *opts.lot_size;
    if (N < lot.nodes_offered)
      throw InputError(
          fmt::format("--lot-size {}: smaller than the {} nodes given", N, lot.nodes_offered));
    if (lot.nodes_offered > 0) {
      report::SampleBound b;
      b.lot_size = N;
      b.sampled = lot.nodes_offered;
      b.defective = lot.nodes_offered - lot.nodes_certified;
      b.confidence = opts.lot.confidence;
      const stats::LotBound lb =
          stats::lot_defect_bound(N, b.sampled, b.defective, b.confidence, opts.rates);
      b.max_defective_nodes = lb.max_defective;
      b.max_defective_fraction = lb.max_defective_fraction;
      b.method = "hypergeometric (sampling without replacement), verdict miss rate folded in";
      b.detail = fmt::format(
          "{} of {} sampled nodes not certified; with a {:g} % chance per node that a defective "
          "node passes anyway, a lot of {} with more than {} defective nodes would show this few "
          "with probability below {:g} %",
          b.defective, b.sampled, opts.rates.miss * 100, N, b.max_defective_nodes,
          (1 - b.confidence) * 100);
      lot.sample = b;
    }
  }

  const int offered_gpus = lot.gpus_offered;
  lot.capacity = fmt::format(
      "{} of {} GPUs certified in {} of {} nodes{}", thousands(lot.gpus_certified),
      thousands(offered_gpus), thousands(lot.nodes_certified), thousands(lot.nodes_offered),
      lot.nodes_offered > 0
          ? fmt::format(" (certified fraction {:.4f}, {:g} % interval {:.4f}–{:.4f})", p.estimate,
                        p.confidence * 100, p.lo, p.hi)
          : std::string());
  return lot;
}

} // namespace gpucert::fleet
