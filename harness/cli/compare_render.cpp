// Markdown and JUnit of compare and spot-check. Markdown tables list the checks worst first
// (compare) or in the draw's order (spot-check); JUnit has a testcase per check, a <failure> for
// REGRESSED, <skipped> with the reason for INCONCLUSIVE and for checks not compared.
#include "harness/cli/compare_render.hpp"

#include "reports/format.hpp"
#include "reports/xml.hpp"

#include <cmath>
#include <fmt/core.h>

namespace gpucert::cli {

namespace {

using compare::ShiftRow;

std::string md_cell(std::string s) {
  std::string out;
  for (char ch : s) {
    if (ch == '|')
      out += "\\|";
    else if (ch == '\n')
      out += ' ';
    else
      out += ch;
  }
  return out;
}

std::string interval_cell(const ShiftRow& r) {
  if (!r.shift.valid)
    return "— (too few samples)";
  return fmt::format("{} … {}", signed_percent(r.percent_lo()), signed_percent(r.percent_hi()));
}

std::string p_cell(double p) {
  if (p >= 0.995)
    return "1";
  if (p >= 0.01)
    return fmt::format("{:.2f}", p);
  return fmt::format("{:.1e}", p);
}

std::string medians(const ShiftRow& r) {
  return fmt::format("{} → {}", report::quantity(r.base_median, r.unit),
                     report::quantity(r.new_median, r.unit));
}

std::string direction(const ShiftRow& r) {
  return r.higher_is_better ? "higher is better" : "lower is better";
}

std::string pct(double fraction) {
  return fmt::format("{:g} %", 100 * fraction);
}

} // namespace

std::string signed_percent(double p) {
  if (!std::isfinite(p))
    return "n/a";
  const double a = std::fabs(p);
  const std::string digits = a < 1 ? fmt::format("{:.2f}", a) : fmt::format("{:.1f}", a);
  if (digits == "0.00")
    return "0.00 %";
  return fmt::format("{}{} %", p < 0 ? "−" : "+", digits);
}

std::string render_compare_markdown(const compare::RunComparison& c, const CompareLabels& l) {
  std::string out = "# gpucert compare\n\n";
  if (c.base_simulated || c.new_simulated)
    out += fmt::format("> **{}**: {} ran on a simulated node; the shifts are the simulator's.\n\n",
                       report::kSimulatedStamp,
                       c.base_simulated && c.new_simulated ? "both runs"
                       : c.base_simulated                  ? "the base run"
                                                           : "the new run");
  out += fmt::format("- Base: `{}` — profile {}\n- New: `{}` — profile {}\n", l.base,
                     c.base_profile, l.fresh, c.new_profile);
  out += fmt::format(
      "- Method: shift of new / base by the Hodges–Lehmann estimate on log samples, {:g} % "
      "Mann–Whitney interval; tolerance ±{}; REGRESSED and IMPROVED are Holm-controlled across "
      "the {} compared checks at {} one-sided each (docs/compare.md)\n\n",
      100 * c.opts.confidence, pct(c.opts.tolerance), c.rows.size(), pct(c.opts.one_sided_level()));
  out += fmt::format("**{} REGRESSED**, {} IMPROVED, {} SAME, {} INCONCLUSIVE; {} not compared",
                     c.regressed, c.improved, c.same, c.inconclusive, c.not_compared.size());
  if (c.undecided > 0)
    out += fmt::format(" ({} measured by the base only: undecided)", c.undecided);
  out += fmt::format(". Exit {}.\n\n", compare::exit_code(c));
  if (!c.rows.empty()) {
    out +=
        fmt::format("| Check | Verdict | Shift | {:g} % interval | Median base → new | n | p worse "
                    "(Holm) | p better (Holm) |\n",
                    100 * c.opts.confidence);
    out += "|---|---|---:|---|---|---|---:|---:|\n";
    for (const ShiftRow& r : c.rows)
      out += fmt::format("| {} | {} | {} | {} | {} | {}/{} | {} | {} |\n",
                         md_cell(compare::check_name(r.clause_id, r.target)), r.verdict,
                         signed_percent(r.percent()), interval_cell(r), md_cell(medians(r)),
                         r.n_base, r.n_new, p_cell(r.p_worse_holm), p_cell(r.p_better_holm));
    out += "\n";
  }
  if (!c.not_compared.empty()) {
    out += "## Not compared\n\n| Check | Reason |\n|---|---|\n";
    for (const compare::Unpaired& u : c.not_compared)
      out += fmt::format("| {} | {}{} |\n", md_cell(compare::check_name(u.clause_id, u.target)),
                         md_cell(u.reason), u.undecided ? " (undecided)" : "");
    out += "\n";
  }
  if (c.readings > 0)
    out += fmt::format("{} health and match checks are readings, not samples: not compared (each "
                       "run's own report judges them).\n",
                       c.readings);
  return out;
}

std::string render_compare_junit(const compare::RunComparison& c, const CompareLabels& l) {
  using report::xml_escape;
  const int tests = static_cast<int>(c.rows.size() + c.not_compared.size());
  const int skipped = c.inconclusive + static_cast<int>(c.not_compared.size());
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"gpucert.compare\" tests=\"{}\" failures=\"{}\" "
                     "errors=\"0\" skipped=\"{}\">\n",
                     tests, c.regressed, skipped);
  out += fmt::format("  <testsuite name=\"gpucert.compare\" tests=\"{}\" failures=\"{}\" "
                     "errors=\"0\" skipped=\"{}\">\n    <properties>\n",
                     tests, c.regressed, skipped);
  auto prop = [&](const std::string& k, const std::string& v) {
    out +=
        fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", xml_escape(k), xml_escape(v));
  };
  prop("base", l.base);
  prop("new", l.fresh);
  prop("base_profile", c.base_profile);
  prop("new_profile", c.new_profile);
  prop("tolerance", pct(c.opts.tolerance));
  prop("confidence", fmt::format("{:g}", c.opts.confidence));
  prop("error_control", "holm-one-sided");
  if (c.base_simulated || c.new_simulated)
    prop("simulated", report::kSimulatedStamp);
  out += "    </properties>\n";
  for (const ShiftRow& r : c.rows) {
    const std::string text = fmt::format(
        "{} shift {} ({:g} % interval {}), median {}, n {}/{}, {}; p worse (Holm) {}, p better "
        "(Holm) {}{}",
        r.verdict, signed_percent(r.percent()), 100 * c.opts.confidence, interval_cell(r),
        medians(r), r.n_base, r.n_new, direction(r), p_cell(r.p_worse_holm),
        p_cell(r.p_better_holm), r.note.empty() ? "" : "; " + r.note);
    out += fmt::format("    <testcase classname=\"compare.{}\" name=\"{}\">\n",
                       xml_escape(r.clause_id), xml_escape(r.target));
    if (r.verdict == compare::kRegressed)
      out += fmt::format("      <failure type=\"regressed\" message=\"{}\"/>\n", xml_escape(text));
    else if (r.verdict == compare::kInconclusive)
      out += fmt::format("      <skipped message=\"{}\"/>\n", xml_escape(text));
    else
      out += fmt::format("      <system-out>{}</system-out>\n", xml_escape(text));
    out += "    </testcase>\n";
  }
  for (const compare::Unpaired& u : c.not_compared)
    out += fmt::format("    <testcase classname=\"compare.{}\" name=\"{}\">\n      <skipped "
                       "message=\"not compared: {}{}\"/>\n    </testcase>\n",
                       xml_escape(u.clause_id), xml_escape(u.target), xml_escape(u.reason),
                       u.undecided ? " (undecided)" : "");
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

std::string render_spot_markdown(const compare::SpotCheck& s, const SpotLabels& l) {
  std::string out = "# gpucert spot-check\n\n";
  if (s.simulated)
    out += fmt::format("> **{}**: the seller's or the buyer's figures come from a simulated "
                       "node.\n\n",
                       report::kSimulatedStamp);
  out += fmt::format("- Seller: `{}` — profile {}\n- Seller's signature: {}\n- This node: {}\n",
                     l.seller_dir, l.profile_source,
                     l.signature.empty() ? "not checked" : l.signature, l.node);
  out +=
      fmt::format("- Identity: {}{}\n",
                  s.identity.match ? "matches the certificate" : "DOES NOT MATCH the certificate",
                  s.identity.match        ? ""
                  : s.identity_overridden ? " (--allow-other-node: compared anyway)"
                                          : "");
  for (const std::string& m : s.identity.mismatches)
    out += fmt::format("  - {}\n", m);
  std::string gpus = "all";
  if (!s.draw.all_gpus) {
    gpus.clear();
    for (int i : s.draw.gpus)
      gpus += (gpus.empty() ? "" : ",") + std::to_string(i);
  }
  out += fmt::format("- Draw: {} of {} measured checks (fraction {:g}), draw seed {}; GPUs {}\n",
                     s.draw.checks.size(), s.draw.candidates, s.draw.fraction, s.draw.seed, gpus);
  out += fmt::format(
      "- Method: the buyer's samples against the seller's, Hodges–Lehmann shift on log samples "
      "with its {:g} % Mann–Whitney interval; tolerance {}; BELOW CERTIFIED is Holm-controlled "
      "across the drawn checks at {} one-sided (docs/compare.md)\n\n",
      100 * s.opts.confidence, pct(s.opts.tolerance), pct(s.opts.one_sided_level()));
  out += fmt::format("**{} BELOW CERTIFIED**, {} CONSISTENT, {} INCONCLUSIVE; contract on the "
                     "buyer's samples: {} pass, {} fail, {} undecided. Exit {}.\n\n",
                     s.below, s.consistent, s.inconclusive, s.contract_pass, s.contract_fail,
                     s.contract_undecided, compare::exit_code(s));
  out += fmt::format("| Check | Verdict | Buyer vs seller | {:g} % interval | Median seller → "
                     "buyer | n | p below (Holm) | Contract |\n",
                     100 * s.opts.confidence);
  out += "|---|---|---:|---|---|---|---:|---|\n";
  for (const compare::SpotRow& r : s.rows) {
    const ShiftRow& x = r.shift;
    const std::string contract =
        r.contract + (r.contract_message.empty() ? "" : ": " + r.contract_message);
    if (!r.compared)
      out += fmt::format("| {} | {} | — | not compared: {} | — | — | — | {} |\n",
                         md_cell(compare::check_name(x.clause_id, x.target)), r.verdict,
                         md_cell(r.reason), md_cell(contract));
    else
      out += fmt::format("| {} | {} | {} | {} | {} | {}/{} | {} | {} |\n",
                         md_cell(compare::check_name(x.clause_id, x.target)), r.verdict,
                         signed_percent(x.percent()), interval_cell(x), md_cell(medians(x)),
                         x.n_base, x.n_new, p_cell(x.p_worse_holm), md_cell(contract));
  }
  return out + "\n";
}

} // namespace gpucert::cli
