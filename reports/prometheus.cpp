// Prometheus text exposition (node_exporter textfile collector): one gauge family per figure,
// labels name the profile, clause, target and metric; `simulated` is a label on every series.
#include "reports/format.hpp"
#include "reports/render.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <fmt/core.h>
#include <functional>
#include <map>

namespace gpucert::report {

namespace {

std::string label_value(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '\\')
      out += "\\\\";
    else if (ch == '"')
      out += "\\\"";
    else if (ch == '\n')
      out += "\\n";
    else
      out += ch;
  }
  return out;
}

std::string sample_value(double v) {
  if (std::isnan(v))
    return "NaN";
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{:.17g}", v);
}

/// Seconds since the epoch of an ISO 8601 UTC time ("2026-12-03T11:07:53Z"), or nothing.
std::optional<double> epoch_seconds(const std::string& iso) {
  std::tm tm{};
  int y = 0, mo = 0, d = 0, h = 0, mi = 0;
  double sec = 0;
  if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%lf", &y, &mo, &d, &h, &mi, &sec) != 6)
    return std::nullopt;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  const std::time_t t = timegm(&tm);
  if (t == static_cast<std::time_t>(-1))
    return std::nullopt;
  return static_cast<double>(t) + sec;
}

int severity(Verdict v) {
  switch (v) {
  case Verdict::pass:
    return 1;
  case Verdict::skipped:
    return 0;
  case Verdict::inconclusive:
    return 2;
  case Verdict::fail:
    return 3;
  case Verdict::error:
    return 4;
  }
  return 0;
}

std::string render_prom(const Certificate& c, const SignatureStatus& sig, bool full) {
  const Derived d = derive(c);
  std::string out;
  const std::string sim = d.simulated ? "true" : "false";
  std::string gpus;
  for (int g : d.scope.gpus)
    gpus += (gpus.empty() ? "" : ",") + std::to_string(g);
  const std::string base =
      fmt::format("profile=\"{}\",node=\"{}\",simulated=\"{}\"", label_value(c.profile.name),
                  label_value(c.inventory.node.hostname.value_or("")), sim);
  auto family = [&](const char* name, const char* help) {
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, help, name);
  };
  family("gpucert_certified", "1 when the node is certified against the profile: the outcome its "
                              "checks give (never from a simulator run, never for a subset).");
  out += fmt::format("gpucert_certified{{{},outcome=\"{}\",scope=\"{}\"}} {}\n", base,
                     label_value(to_string(d.outcome)), label_value(d.scope.str()),
                     d.outcome == Outcome::certified && !d.simulated ? 1 : 0);
  family("gpucert_certificate_consistent",
         "1 when the outcome, counts and summary the certificate states agree with its checks.");
  out += fmt::format("gpucert_certificate_consistent{{{},stated_outcome=\"{}\"}} {}\n", base,
                     label_value(to_string(c.outcome)), d.consistent ? 1 : 0);
  family("gpucert_signature", "1 for the signature status of the run directory when rendered "
                              "(label state: VALID, UNTRUSTED, UNSIGNED, INVALID, NOT CHECKED).");
  out += fmt::format("gpucert_signature{{{},state=\"{}\",key_id=\"{}\"}} 1\n", base,
                     to_string(sig.state), label_value(sig.key_id));
  family("gpucert_scope_gpus", "GPUs the run measured (label gpus) of the node's gpus_in_node.");
  out +=
      fmt::format("gpucert_scope_gpus{{{},gpus=\"{}\",gpus_in_node=\"{}\",complete_node=\"{}\"}} "
                  "{}\n",
                  base, gpus, d.scope.gpus_in_node, d.scope.complete_node ? "true" : "false",
                  d.scope.gpus.size());
  if (auto t = epoch_seconds(c.results.finished_at)) {
    family("gpucert_run_timestamp_seconds",
           "When the run's measurements finished (Unix time): the age of these series.");
    out += fmt::format("gpucert_run_timestamp_seconds{{{}}} {}\n", base, sample_value(*t));
  }
  family("gpucert_checks", "Checks by verdict.");
  for (Verdict v :
       {Verdict::pass, Verdict::fail, Verdict::inconclusive, Verdict::error, Verdict::skipped}) {
    int n = 0;
    for (const auto& k : c.checks)
      n += k.verdict == v;
    out += fmt::format("gpucert_checks{{{},verdict=\"{}\"}} {}\n", base, to_string(v), n);
  }
  if (!full) {
    // Per clause: its outcome (the worst verdict over its targets) and the worst target's
    // statistic and margin, so that a node holds a few dozen series, not one per check.
    std::map<std::string, const Check*> worst;
    std::vector<std::string> order;
    for (const auto& k : c.checks) {
      auto [it, fresh] = worst.try_emplace(k.clause_id, &k);
      if (fresh) {
        order.push_back(k.clause_id);
        continue;
      }
      const Check& w = *it->second;
      if (severity(k.verdict) > severity(w.verdict) ||
          (severity(k.verdict) == severity(w.verdict) && k.margin_rel && w.margin_rel &&
           *k.margin_rel < *w.margin_rel))
        it->second = &k;
    }
    auto clabels = [&](const Check& k) {
      std::string l =
          fmt::format("{},clause=\"{}\",target=\"{}\",metric=\"{}\"", base,
                      label_value(k.clause_id), label_value(k.target), label_value(k.metric));
      for (const auto& g : c.inventory.gpus)
        if (k.target == "gpu" + std::to_string(g.index) && g.uuid)
          l += fmt::format(",gpu_uuid=\"{}\"", label_value(*g.uuid));
      return l;
    };
    family("gpucert_clause_verdict", "1 for a clause's outcome, the worst verdict over its "
                                     "targets (labels: verdict, and the worst target).");
    for (const auto& id : order)
      out += fmt::format("gpucert_clause_verdict{{{},verdict=\"{}\"}} 1\n", clabels(*worst[id]),
                         to_string(worst[id]->verdict));
    family("gpucert_clause_worst_value", "The statistic of the clause's worst target.");
    for (const auto& id : order)
      if (worst[id]->value)
        out += fmt::format("gpucert_clause_worst_value{{{}}} {}\n", clabels(*worst[id]),
                           sample_value(*worst[id]->value));
    family("gpucert_clause_worst_margin", "Margin of the clause's worst target: statistic minus "
                                          "threshold in the good direction (negative = miss).");
    for (const auto& id : order)
      if (worst[id]->margin)
        out += fmt::format("gpucert_clause_worst_margin{{{}}} {}\n", clabels(*worst[id]),
                           sample_value(*worst[id]->margin));
    return out;
  }
  auto labels = [&](const Check& k) {
    return fmt::format("{},clause=\"{}\",target=\"{}\",metric=\"{}\"", base,
                       label_value(k.clause_id), label_value(k.target), label_value(k.metric));
  };
  family("gpucert_check_verdict", "1 for the verdict a check received (label verdict).");
  for (const auto& k : c.checks)
    out += fmt::format("gpucert_check_verdict{{{},verdict=\"{}\"}} 1\n", labels(k),
                       to_string(k.verdict));
  auto series = [&](const char* name, const char* help,
                    const std::function<std::optional<double>(const Check&)>& get,
                    const std::string& extra = "") {
    bool any = false;
    for (const auto& k : c.checks) {
      auto v = get(k);
      if (!v)
        continue;
      if (!any)
        family(name, help);
      any = true;
      out += fmt::format("{}{{{}{}}} {}\n", name, labels(k), extra, sample_value(*v));
    }
  };
  series("gpucert_check_value", "The statistic the clause is judged on (unit of the metric).",
         [](const Check& k) { return k.value; });
  series("gpucert_check_ci_low", "Lower end of the confidence interval of the statistic.",
         [](const Check& k) { return k.ci_lo; });
  series("gpucert_check_ci_high", "Upper end of the confidence interval of the statistic.",
         [](const Check& k) { return k.ci_hi; });
  series("gpucert_check_threshold_min", "Contracted minimum.",
         [](const Check& k) { return k.threshold.min; });
  series("gpucert_check_threshold_max", "Contracted maximum.",
         [](const Check& k) { return k.threshold.max; });
  series("gpucert_check_samples", "Samples behind the statistic.",
         [](const Check& k) { return std::optional<double>(k.n); });
  return out;
}

} // namespace

/// By default a few series per clause (fits a fleet: under 100 per node).
std::string render_prometheus(const Certificate& c, const SignatureStatus& sig) {
  return render_prom(c, sig, false);
}

/// One series per check and figure (`--format prom-full`).
std::string render_prometheus_full(const Certificate& c, const SignatureStatus& sig) {
  return render_prom(c, sig, true);
}

} // namespace gpucert::report
