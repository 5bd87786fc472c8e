// JUnit XML: one testcase per check (clause × target). An SLA miss is <failure
// type="sla_violation">, wrong results <failure type="wrong_results">, an undecided check
// <failure type="inconclusive">, a check that could not be measured <error>; SKIPPED <skipped>.
#include "reports/format.hpp"
#include "reports/render.hpp"
#include "reports/xml.hpp"

#include <fmt/core.h>
#include <map>

namespace gpucert::report {

namespace {

double seconds_between(const std::string& a, const std::string& b) {
  // ISO-8601 "YYYY-MM-DDTHH:MM:SS(.fff)Z": only the time of day matters within one check.
  auto secs = [](const std::string& t) -> double {
    if (t.size() < 19)
      return -1;
    try {
      return std::stod(t.substr(11, 2)) * 3600 + std::stod(t.substr(14, 2)) * 60 +
             std::stod(t.substr(17));
    } catch (const std::exception&) {
      return -1;
    }
  };
  const double x = secs(a), y = secs(b);
  if (x < 0 || y < 0)
    return 0;
  double d = y - x;
  if (d < 0)
    d += 86400;
  return d;
}

std::string detail(const Check& k) {
  std::string s = fmt::format("{} {} on {}: {} (threshold {})", k.clause_id, k.metric, k.target,
                              value_text(k), threshold_text(k));
  const std::string ci = interval_text(k);
  if (!ci.empty())
    s += fmt::format(", {:.0f}% {}", 100 * k.confidence, ci);
  if (k.n)
    s += fmt::format(", n={}", k.n);
  if (!k.params.empty())
    s += "\nparams: " + k.params;
  const std::string why = explanation(k);
  if (!why.empty())
    s += "\n" + std::string(k.verdict == Verdict::fail ? "cause: " : "") + why;
  if (k.simulated)
    s += std::string("\n") + kSimulatedStamp;
  return s;
}

} // namespace

std::string render_junit(const Certificate& c, const SignatureStatus& sig) {
  const Derived d = derive(c);
  const Counts& n = d.counts;
  const bool sig_invalid = sig.state == SignatureStatus::State::invalid;
  // An inconsistent certificate and an invalid signature are test cases of their own that fail,
  // so a CI system shows them as loudly as a failed clause.
  const int extra = (d.consistent ? 0 : 1) + (sig_invalid ? 1 : 0);
  const std::string suite = "gpucert." + c.profile.name;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
      xml_escape(suite), n.total + extra, n.fail + n.inconclusive + extra, n.error, n.skipped);
  out += fmt::format(
      "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\"",
      xml_escape(suite), n.total + extra, n.fail + n.inconclusive + extra, n.error, n.skipped);
  if (c.inventory.node.hostname)
    out += fmt::format(" hostname=\"{}\"", xml_escape(*c.inventory.node.hostname));
  if (!c.results.started_at.empty())
    out += fmt::format(" timestamp=\"{}\"", xml_escape(c.results.started_at));
  out += ">\n    <properties>\n";
  auto prop = [&](const std::string& k, const std::string& v) {
    out +=
        fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", xml_escape(k), xml_escape(v));
  };
  prop("outcome", to_string(d.outcome));
  prop("summary", d.summary);
  prop("consistent", d.consistent ? "true" : "false");
  if (!d.consistent) {
    prop("stated_outcome", to_string(c.outcome));
    prop("inconsistency", inconsistency_banner(d));
  }
  prop("simulated", d.simulated ? "true" : "false");
  if (d.simulated)
    prop("notice", std::string(kSimulatedStamp) + " (" + simulation_note(c) + ")");
  prop("scope", scope_text(d));
  std::string gpus;
  for (int g : d.scope.gpus)
    gpus += (gpus.empty() ? "" : ",") + std::to_string(g);
  prop("scope_gpus", gpus);
  prop("scope_gpus_in_node", std::to_string(d.scope.gpus_in_node));
  prop("scope_complete_node", d.scope.complete_node ? "true" : "false");
  prop("signature", to_string(sig.state));
  prop("signature_detail", signature_text(sig));
  if (!sig.key_id.empty())
    prop("signature_key_id", sig.key_id);
  if (!sig.fingerprint.empty())
    prop("signature_fingerprint", sig.fingerprint);
  prop("profile", c.profile.name);
  prop("profile_sha256", c.profile.sha256);
  prop("results_complete", c.results.complete ? "true" : "false");
  prop("tool_version", c.tool_version + " (" + c.git_revision + ")");
  out += "    </properties>\n";
  if (!d.consistent)
    out += fmt::format("    <testcase classname=\"{}\" name=\"certificate consistent\" "
                       "time=\"0.000\">\n      <failure type=\"inconsistent\" "
                       "message=\"{}\"/>\n    </testcase>\n",
                       xml_escape(suite + ".integrity"), xml_escape(inconsistency_banner(d)));
  if (sig_invalid)
    out += fmt::format("    <testcase classname=\"{}\" name=\"signature\" time=\"0.000\">\n"
                       "      <failure type=\"signature_invalid\" message=\"{}\"/>\n"
                       "    </testcase>\n",
                       xml_escape(suite + ".integrity"), xml_escape(signature_text(sig)));

  std::map<std::string, int> seen; // JUnit consumers merge testcases with equal names
  for (const auto& k : c.checks) {
    std::string name = k.clause_id + " " + k.target;
    if (int dup = seen[name]++; dup > 0)
      name += fmt::format(" #{}", dup + 1);
    const double t = seconds_between(k.started_at, k.finished_at);
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"",
                       xml_escape(suite + "." + k.clause_id), xml_escape(name), t);
    const std::string body = xml_escape(detail(k));
    const std::string why = explanation(k);
    const std::string msg = xml_escape(fmt::format("{} vs {}{}{}", value_text(k), threshold_text(k),
                                                   why.empty()                  ? ""
                                                   : k.verdict == Verdict::fail ? "; cause: "
                                                                                : "; ",
                                                   why));
    switch (k.verdict) {
    case Verdict::pass:
      out += "/>\n";
      continue;
    case Verdict::fail: {
      const bool wrong = k.cause.rfind("wrong results", 0) == 0;
      out += fmt::format(">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n",
                         wrong ? "wrong_results" : "sla_violation", msg, body);
      break;
    }
    case Verdict::inconclusive:
      out += fmt::format(">\n      <failure type=\"inconclusive\" message=\"{}\">{}</failure>\n",
                         msg, body);
      break;
    case Verdict::error:
      out += fmt::format(">\n      <error type=\"not_measured\" message=\"{}\">{}</error>\n",
                         xml_escape(k.message), body);
      break;
    case Verdict::skipped:
      out += fmt::format(">\n      <skipped message=\"{}\"/>\n", xml_escape(k.message));
      break;
    }
    out += "    </testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

} // namespace gpucert::report
