// What every report format says, row by row: for a certificate with a check of every verdict, each
// check appears in html, md, junit, prom, console and json with its verdict, clause, target,
// value, threshold, interval and reason (as far as the format carries them), failures first where
// the format promises it, counts that agree with the rows, and the SIMULATED stamp exactly when
// the certificate is simulated. The rows are parsed (regex over <tr>, Markdown table rows, JUnit
// testcases, Prometheus series, console lines), so a renderer that drops or mislabels a row fails.
#include "harness/model/certificate.hpp"
#include "harness/model/certificate_compact.hpp"
#include "reports/render.hpp"
#include "tests/unit/json_schema_check.hpp"
#include "tests/unit/report_fixture.hpp"

#include <algorithm>
#include <cstdlib>
#include <gtest/gtest.h>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace gpucert::embedded {
const std::map<std::string, std::string>& schemas();
} // namespace gpucert::embedded

namespace gpucert::report {
namespace {

using test::real_certificate;
using test::sample_certificate;

const char* const kStamp = "SIMULATED — not a certification";
const std::vector<std::string> kVerdicts = {"PASS", "FAIL", "INCONCLUSIVE", "ERROR", "SKIPPED"};

/// One check of the fixture as a reader must see it, written out by hand (not computed with the
/// renderers' helpers, so a change in those helpers shows here).
struct Row {
  std::string verdict, clause, target, metric;
  std::string measured, threshold, interval; ///< display text; "" when there is none
  int n = 0;
  std::string reason; ///< cause (FAIL) or message, raw; "" for PASS
  std::optional<double> value, ci_lo, ci_hi, min, max;
};

const std::vector<Row>& fixture_rows() {
  static const std::vector<Row> rows = {
      {"PASS", "hbm-triad", "gpu0", "hbm.triad.gbps", "median 2.97 TB/s", "≥ 2.80 TB/s",
       "CI 2.96–2.98", 12, "", 2970.5, 2961, 2979, 2800, std::nullopt},
      {"FAIL", "hbm-triad", "gpu5", "hbm.triad.gbps", "median 2.04 TB/s", "≥ 2.80 TB/s",
       "CI 2.03–2.05", 10, "HW slowdown (thermal) 41% of window, 87 °C & <rising> | \"hot\"", 2040,
       2030, 2050, 2800, std::nullopt},
      {"ERROR", "hbm-triad", "gpu3", "hbm.triad.gbps", "—", "≥ 2.80 TB/s", "", 0,
       "setup: GPU 3 fell off the bus\x01 (cudaErrorDevicesUnavailable)", std::nullopt,
       std::nullopt, std::nullopt, 2800, std::nullopt},
      {"INCONCLUSIVE", "launch", "gpu0", "launch.issue.us", "median 2.98 us", "≤ 3 us",
       "CI 2.9–3.1", 200,
       "95% interval 2.9–3.1 straddles the threshold ≤ 3 us after 200 samples (max_samples)", 2.98,
       2.9, 3.1, std::nullopt, 3},
      {"SKIPPED", "p2p", "gpu0-gpu3", "p2p.uni.gbps", "—", "≥ 335 GB/s", "", 0,
       "no peer access between GPU 0 and GPU 3", std::nullopt, std::nullopt, std::nullopt, 335,
       std::nullopt},
  };
  return rows;
}

std::map<std::string, int> tally(const std::vector<Row>& rows) {
  std::map<std::string, int> n;
  for (const auto& v : kVerdicts)
    n[v] = 0;
  for (const auto& r : rows)
    ++n[r.verdict];
  return n;
}

std::map<std::string, int> counts_of(const Counts& c) {
  return {{"PASS", c.pass},
          {"FAIL", c.fail},
          {"INCONCLUSIVE", c.inconclusive},
          {"ERROR", c.error},
          {"SKIPPED", c.skipped}};
}

bool bad(const std::string& verdict) {
  return verdict == "FAIL" || verdict == "ERROR";
}

// --- escaping as each format must do it (independent of the product's code) ----------------

/// XML/HTML text: the five entities; control bytes other than tab, LF, CR become U+FFFD.
std::string xml(const std::string& s) {
  std::string out;
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '&')
      out += "&amp;";
    else if (ch == '<')
      out += "&lt;";
    else if (ch == '>')
      out += "&gt;";
    else if (ch == '"')
      out += "&quot;";
    else if (ch == '\'')
      out += "&apos;";
    else if (u < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
      out += "\xEF\xBF\xBD";
    else
      out += ch;
  }
  return out;
}

/// A Markdown table cell: pipes escaped, control bytes become spaces, specials backslashed.
std::string md(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '|')
      out += "\\|";
    else if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f)
      out += ' ';
    else if (std::string("*_`<>[]").find(ch) != std::string::npos)
      out += std::string("\\") + ch;
    else
      out += ch;
  }
  return out;
}

std::string regex_escape(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (std::string("\\^$.|?*+()[]{}").find(ch) != std::string::npos)
      out += '\\';
    out += ch;
  }
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    out.push_back(l);
  return out;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(' ');
  if (b == std::string::npos)
    return "";
  return s.substr(b, s.find_last_not_of(' ') - b + 1);
}

int occurrences(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto p = text.find(needle); p != std::string::npos; p = text.find(needle, p + 1))
    ++n;
  return n;
}

// --- HTML ------------------------------------------------------------------------------------

struct HtmlRow {
  std::string td_class;
  std::vector<std::string> cells;
};

/// The check table of the page (the other tables list the node's GPUs).
std::string checks_table(const std::string& page) {
  const auto begin = page.find("<table class=\"checks\">");
  if (begin == std::string::npos)
    return "";
  return page.substr(begin, page.find("</table>", begin) - begin);
}

/// The data rows of the check table (<tr> with <td> cells), in document order.
std::vector<HtmlRow> html_rows(const std::string& page) {
  const std::string html = checks_table(page);
  std::vector<HtmlRow> rows;
  const std::regex tr("<tr>([\\s\\S]*?)</tr>");
  const std::regex td("<td(?: class=\"([^\"]*)\")?>([\\s\\S]*?)</td>");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), tr); it != std::sregex_iterator();
       ++it) {
    const std::string body = (*it)[1];
    HtmlRow row;
    for (auto c = std::sregex_iterator(body.begin(), body.end(), td); c != std::sregex_iterator();
         ++c) {
      if (row.cells.empty())
        row.td_class = (*c)[1];
      row.cells.push_back((*c)[2]);
    }
    if (!row.cells.empty())
      rows.push_back(std::move(row));
  }
  return rows;
}

TEST(HtmlContent, EveryCheckIsARowWithAllItsFields) {
  const std::string html = render("html", sample_certificate());
  EXPECT_EQ(occurrences(html, "<tr>"), occurrences(html, "</tr>"));
  const auto rows = html_rows(html);
  const auto& expected = fixture_rows();
  ASSERT_EQ(rows.size(), expected.size()) << html;
  EXPECT_EQ(occurrences(checks_table(html), "<th>"), 8) << "one header row: verdict..why";
  for (const Row& want : expected) {
    SCOPED_TRACE(want.verdict + " " + want.clause + " " + want.target);
    int found = 0;
    for (const HtmlRow& got : rows) {
      ASSERT_EQ(got.cells.size(), 8u);
      if (got.cells[1] != xml(want.clause) || got.cells[2] != xml(want.target))
        continue;
      ++found;
      EXPECT_EQ(got.cells[0], want.verdict);
      EXPECT_EQ(got.td_class, want.verdict) << "the verdict cell is styled by its verdict";
      EXPECT_EQ(got.cells[3], xml(want.measured));
      EXPECT_EQ(got.cells[4], xml(want.threshold));
      EXPECT_EQ(got.cells[5], xml(want.interval));
      EXPECT_EQ(got.cells[6], std::to_string(want.n));
      EXPECT_EQ(got.cells[7], xml(want.reason));
    }
    EXPECT_EQ(found, 1);
  }
  // Rows per verdict agree with the certificate's counts.
  std::map<std::string, int> by_verdict;
  for (const auto& v : kVerdicts)
    by_verdict[v] = 0;
  for (const HtmlRow& r : rows)
    ++by_verdict[r.cells[0]];
  EXPECT_EQ(by_verdict, counts_of(sample_certificate().counts));
  EXPECT_EQ(by_verdict, tally(expected));
  // The raw markup of the cause never reaches the page; the control byte is replaced.
  EXPECT_EQ(html.find("<rising>"), std::string::npos);
  EXPECT_EQ(html.find('\x01'), std::string::npos);
}

TEST(HtmlContent, FailuresAndErrorsComeFirst) {
  const auto rows = html_rows(render("html", sample_certificate()));
  ASSERT_FALSE(rows.empty());
  bool seen_other = false;
  for (const HtmlRow& r : rows) {
    if (!bad(r.cells[0]))
      seen_other = true;
    else
      EXPECT_FALSE(seen_other) << r.cells[0] << " " << r.cells[1] << " " << r.cells[2]
                               << " comes after a check that did not fail";
  }
}

TEST(HtmlContent, RowsFollowTheMarkdownOrder) {
  // Markdown: FAIL, ERROR, INCONCLUSIVE, PASS, SKIPPED. Put the checks in the worst order.
  Certificate c = sample_certificate();
  std::reverse(c.checks.begin(), c.checks.end()); // SKIPPED, INCONCLUSIVE, ERROR, FAIL, PASS
  std::vector<std::string> order;
  for (const HtmlRow& r : html_rows(render("html", c)))
    order.push_back(r.cells[0]);
  EXPECT_EQ(order, (std::vector<std::string>{"FAIL", "ERROR", "INCONCLUSIVE", "PASS", "SKIPPED"}));
}

TEST(HtmlContent, OutcomeSummaryAndStamp) {
  const std::string sim = render("html", sample_certificate());
  EXPECT_NE(sim.find("<h1>NOT CERTIFIED</h1>"), std::string::npos);
  EXPECT_NE(sim.find("<p>" + xml(sample_certificate().summary) + "</p>"), std::string::npos);
  EXPECT_NE(sim.find(std::string("<p class=\"sim\">") + kStamp +
                     " (simulator node h100-sxm5-80gb-8x, faults: gpu5:thermal)</p>"),
            std::string::npos);
  const std::string real = render("html", real_certificate());
  EXPECT_EQ(real.find("SIMULATED"), std::string::npos);
  EXPECT_EQ(real.find("simulator"), std::string::npos);
  EXPECT_EQ(real.find("class=\"sim\""), std::string::npos);
  EXPECT_EQ(html_rows(real).size(), fixture_rows().size());
}

// --- Markdown --------------------------------------------------------------------------------

struct MdRow {
  std::string section;
  std::vector<std::string> cells; ///< trimmed, still escaped
};

/// Cells of a table row: split at pipes that are not escaped.
std::vector<std::string> md_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cur;
  for (std::size_t i = 1; i < line.size(); ++i) { // line[0] is the opening pipe
    if (line[i] == '|' && line[i - 1] != '\\') {
      cells.push_back(trim(cur));
      cur.clear();
    } else {
      cur += line[i];
    }
  }
  return cells;
}

std::vector<MdRow> md_rows(const std::string& text, std::vector<std::string>* sections = nullptr) {
  std::vector<MdRow> rows;
  std::string section;
  for (const std::string& l : lines_of(text)) {
    if (l.rfind("## ", 0) == 0) {
      section = l.substr(3);
      if (sections)
        sections->push_back(section);
      continue;
    }
    if (l.rfind("| ", 0) != 0)
      continue;
    auto cells = md_cells(l);
    if (!cells.empty() &&
        std::find(kVerdicts.begin(), kVerdicts.end(), cells[0]) != kVerdicts.end())
      rows.push_back({section, std::move(cells)});
  }
  return rows;
}

TEST(MarkdownContent, EveryCheckIsARowInItsSectionWithAllItsFields) {
  const std::string text = render("md", sample_certificate());
  std::vector<std::string> sections;
  const auto rows = md_rows(text, &sections);
  EXPECT_EQ(sections, (std::vector<std::string>{"Clauses", "Failures and errors", "Inconclusive",
                                                "Passed", "Skipped", "GPUs"}));
  const std::map<std::string, std::string> section_of = {{"FAIL", "Failures and errors"},
                                                         {"ERROR", "Failures and errors"},
                                                         {"INCONCLUSIVE", "Inconclusive"},
                                                         {"PASS", "Passed"},
                                                         {"SKIPPED", "Skipped"}};
  ASSERT_EQ(rows.size(), fixture_rows().size()) << text;
  for (const Row& want : fixture_rows()) {
    SCOPED_TRACE(want.verdict + " " + want.clause + " " + want.target);
    int found = 0;
    for (const MdRow& got : rows) {
      if (got.cells.size() < 7 || got.cells[1] != md(want.clause) ||
          got.cells[2] != md(want.target))
        continue;
      ++found;
      EXPECT_EQ(got.section, section_of.at(want.verdict));
      EXPECT_EQ(got.cells[0], want.verdict);
      EXPECT_EQ(got.cells[3], md(want.measured));
      EXPECT_EQ(got.cells[4], md(want.threshold));
      EXPECT_EQ(got.cells[5], md(want.interval));
      EXPECT_EQ(got.cells[6], std::to_string(want.n));
      if (want.verdict == "PASS") {
        EXPECT_EQ(got.cells.size(), 7u) << "the Passed table has no why column";
      } else {
        ASSERT_EQ(got.cells.size(), 8u);
        EXPECT_EQ(got.cells[7], trim(md(want.reason)));
      }
    }
    EXPECT_EQ(found, 1);
  }
  // Failures first: every FAIL row before every ERROR row, both before anything else.
  std::vector<std::string> order;
  for (const MdRow& r : rows)
    order.push_back(r.cells[0]);
  EXPECT_EQ(order, (std::vector<std::string>{"FAIL", "ERROR", "INCONCLUSIVE", "PASS", "SKIPPED"}));
  // The counts line agrees with the rows.
  EXPECT_NE(text.find("| checks | 1 PASS, 1 FAIL, 1 ERROR, 1 INCONCLUSIVE, 1 SKIPPED of 5 |"),
            std::string::npos);
}

TEST(MarkdownContent, FailBeforeErrorWhateverTheCheckOrder) {
  Certificate c = sample_certificate();
  std::reverse(c.checks.begin(), c.checks.end());
  std::vector<std::string> order;
  for (const MdRow& r : md_rows(render("md", c)))
    order.push_back(r.cells[0]);
  EXPECT_EQ(order, (std::vector<std::string>{"FAIL", "ERROR", "INCONCLUSIVE", "PASS", "SKIPPED"}));
}

TEST(MarkdownContent, StampOnlyOnSimulatedCertificates) {
  const std::string sim = render("md", sample_certificate());
  EXPECT_EQ(sim.rfind("# gpucert: NOT CERTIFIED (SIMULATED)\n", 0), 0u);
  EXPECT_NE(sim.find(std::string("> **") + kStamp + ".**"), std::string::npos);
  const std::string real = render("md", real_certificate());
  EXPECT_EQ(real.rfind("# gpucert: NOT CERTIFIED\n", 0), 0u);
  EXPECT_EQ(real.find("SIMULATED"), std::string::npos);
  EXPECT_EQ(real.find("simulator"), std::string::npos);
  EXPECT_EQ(md_rows(real).size(), fixture_rows().size());
}

TEST(MarkdownContent, IncompleteRunIsSaidTwice) {
  Certificate c = sample_certificate();
  c.results.complete = false;
  c.results.incomplete_reason = "SIGTERM";
  const std::string text = render("md", c);
  EXPECT_NE(text.find("> **Run incomplete (SIGTERM).** Clauses not reached are ERROR."),
            std::string::npos);
  EXPECT_NE(text.find(", incomplete |"), std::string::npos);
  EXPECT_EQ(render("md", sample_certificate()).find("incomplete"), std::string::npos);
}

// --- JUnit -----------------------------------------------------------------------------------

struct Testcase {
  std::string classname, name, time, body; ///< body: what is between <testcase ...> and its end
  bool self_closing = false;
};

std::vector<Testcase> testcases(const std::string& xml_text) {
  std::vector<Testcase> out;
  const std::regex tc("<testcase classname=\"([^\"]*)\" name=\"([^\"]*)\" time=\"([^\"]*)\""
                      "(?:/>|>([\\s\\S]*?)</testcase>)");
  for (auto it = std::sregex_iterator(xml_text.begin(), xml_text.end(), tc);
       it != std::sregex_iterator(); ++it)
    out.push_back({(*it)[1], (*it)[2], (*it)[3], (*it)[4], !(*it)[4].matched});
  return out;
}

TEST(JunitContent, EveryCheckIsATestcaseWithItsVerdictAndEvidence) {
  const Certificate c = sample_certificate();
  const std::string x = render("junit", c);
  const auto cases = testcases(x);
  ASSERT_EQ(cases.size(), fixture_rows().size()) << x;
  EXPECT_EQ(occurrences(x, "<testcase "), static_cast<int>(cases.size()));
  for (const Row& want : fixture_rows()) {
    SCOPED_TRACE(want.verdict + " " + want.clause + " " + want.target);
    const std::string name = want.clause + " " + want.target;
    auto it = std::find_if(cases.begin(), cases.end(),
                           [&](const Testcase& t) { return t.name == xml(name); });
    ASSERT_NE(it, cases.end());
    EXPECT_EQ(it->classname, "gpucert.h100-sxm5-80gb-8x-standard." + want.clause);
    // Seconds between the check's start and end: 1.5 s measured, 0.25 s until the GPU was lost,
    // nothing for a skipped check.
    EXPECT_EQ(it->time, want.verdict == "ERROR"     ? "0.250"
                        : want.verdict == "SKIPPED" ? "0.000"
                                                    : "1.500");
    if (want.verdict == "PASS") {
      EXPECT_TRUE(it->self_closing) << "a passing testcase has no child element";
      continue;
    }
    ASSERT_FALSE(it->self_closing);
    const std::string& b = it->body;
    if (want.verdict == "SKIPPED") {
      EXPECT_EQ(b, "\n      <skipped message=\"" + xml(want.reason) + "\"/>\n    ");
      continue;
    }
    std::string element, type, message;
    if (want.verdict == "FAIL") {
      element = "failure";
      type = "sla_violation";
      message = want.measured + " vs " + want.threshold + "; cause: " + want.reason;
    } else if (want.verdict == "INCONCLUSIVE") {
      element = "failure";
      type = "inconclusive";
      message = want.measured + " vs " + want.threshold + "; " + want.reason;
    } else {
      element = "error";
      type = "not_measured";
      message = want.reason;
    }
    const std::string open =
        "<" + element + " type=\"" + type + "\" message=\"" + xml(message) + "\">";
    EXPECT_NE(b.find(open), std::string::npos) << b;
    EXPECT_EQ(occurrences(b, "</" + element + ">"), 1) << b;
    // The element's text is the evidence: metric, target, value, threshold, interval, n,
    // parameters, reason and the stamp.
    const std::string head = want.clause + " " + want.metric + " on " + want.target + ": " +
                             want.measured + " (threshold " + want.threshold + ")";
    EXPECT_NE(b.find(xml(head)), std::string::npos) << b;
    if (!want.interval.empty())
      EXPECT_NE(b.find(xml(", 95% " + want.interval)), std::string::npos) << b;
    if (want.n)
      EXPECT_NE(b.find(", n=" + std::to_string(want.n)), std::string::npos) << b;
    EXPECT_NE(b.find("\nparams: "), std::string::npos) << b;
    EXPECT_NE(b.find(xml(want.reason)), std::string::npos) << b;
    EXPECT_NE(b.find(kStamp), std::string::npos) << b;
  }
}

TEST(JunitContent, CountsAgreeWithTheElements) {
  const std::string x = render("junit", sample_certificate());
  const auto n = tally(fixture_rows());
  const int failures = n.at("FAIL") + n.at("INCONCLUSIVE");
  const std::string attrs = "tests=\"5\" failures=\"" + std::to_string(failures) + "\" errors=\"" +
                            std::to_string(n.at("ERROR")) + "\" skipped=\"" +
                            std::to_string(n.at("SKIPPED")) + "\"";
  EXPECT_EQ(occurrences(x, attrs), 2) << "on <testsuites> and <testsuite>\n" << x;
  EXPECT_EQ(occurrences(x, "<failure "), failures);
  EXPECT_EQ(occurrences(x, "<error "), n.at("ERROR"));
  EXPECT_EQ(occurrences(x, "<skipped "), n.at("SKIPPED"));
  EXPECT_NE(x.find("<property name=\"outcome\" value=\"NOT CERTIFIED\"/>"), std::string::npos);
  EXPECT_NE(
      x.find("<property name=\"summary\" value=\"" + xml(sample_certificate().summary) + "\"/>"),
      std::string::npos);
  EXPECT_NE(x.find("<property name=\"results_complete\" value=\"true\"/>"), std::string::npos);
}

TEST(JunitContent, StampOnlyOnSimulatedCertificates) {
  const std::string sim = render("junit", sample_certificate());
  EXPECT_NE(sim.find("<property name=\"simulated\" value=\"true\"/>"), std::string::npos);
  EXPECT_NE(sim.find(std::string("<property name=\"notice\" value=\"") + kStamp +
                     " (simulator node h100-sxm5-80gb-8x, faults: gpu5:thermal)\"/>"),
            std::string::npos);
  // The notice, and the text of every <failure> and <error> (CI logs show only that text;
  // <skipped> has none): FAIL, INCONCLUSIVE, ERROR.
  EXPECT_EQ(occurrences(sim, kStamp), 1 + 3) << sim;
  const std::string real = render("junit", real_certificate());
  EXPECT_NE(real.find("<property name=\"simulated\" value=\"false\"/>"), std::string::npos);
  EXPECT_EQ(real.find("SIMULATED"), std::string::npos);
  EXPECT_EQ(real.find("notice"), std::string::npos);
  EXPECT_EQ(testcases(real).size(), fixture_rows().size());
}

// --- Prometheus ------------------------------------------------------------------------------

struct Series {
  std::string name;
  std::map<std::string, std::string> labels;
  std::string value;
};

std::vector<Series> prom_series(const std::string& text) {
  std::vector<Series> out;
  const std::regex line("([a-z_]+)\\{(.*)\\} (\\S+)");
  const std::regex label("([a-z_]+)=\"((?:[^\"\\\\]|\\\\.)*)\"(,|$)");
  for (const std::string& l : lines_of(text)) {
    if (l.empty() || l[0] == '#')
      continue;
    std::smatch m;
    if (!std::regex_match(l, m, line)) {
      ADD_FAILURE() << "not a sample line: " << l;
      continue;
    }
    Series s{m[1], {}, m[3]};
    const std::string labels = m[2];
    std::size_t consumed = 0;
    for (auto it = std::sregex_iterator(labels.begin(), labels.end(), label);
         it != std::sregex_iterator(); ++it) {
      EXPECT_EQ(static_cast<std::size_t>(it->position()), consumed) << "junk in labels: " << l;
      consumed = it->position() + it->length();
      EXPECT_TRUE(s.labels.emplace((*it)[1], (*it)[2]).second) << "repeated label: " << l;
    }
    EXPECT_EQ(consumed, labels.size()) << "unparsed labels: " << l;
    out.push_back(std::move(s));
  }
  return out;
}

const Series* find_series(const std::vector<Series>& all, const std::string& name, const Row& row) {
  const Series* found = nullptr;
  for (const Series& s : all) {
    if (s.name != name || s.labels.count("clause") == 0 || s.labels.at("clause") != row.clause ||
        s.labels.at("target") != row.target)
      continue;
    EXPECT_EQ(found, nullptr) << "two " << name << " series for " << row.clause << " "
                              << row.target;
    found = &s;
  }
  return found;
}

void expect_number(const std::vector<Series>& all, const std::string& name, const Row& row,
                   const std::optional<double>& want) {
  const Series* s = find_series(all, name, row);
  if (!want) {
    EXPECT_EQ(s, nullptr) << name << " for a check without one";
    return;
  }
  ASSERT_NE(s, nullptr) << name;
  EXPECT_EQ(s->labels.at("metric"), row.metric);
  EXPECT_EQ(std::strtod(s->value.c_str(), nullptr), *want) << name << " " << s->value;
}

TEST(PrometheusContent, EveryCheckHasItsVerdictValueIntervalThresholdAndSamples) {
  const auto all = prom_series(render("prom-full", sample_certificate()));
  for (const Row& want : fixture_rows()) {
    SCOPED_TRACE(want.verdict + " " + want.clause + " " + want.target);
    const Series* v = find_series(all, "gpucert_check_verdict", want);
    ASSERT_NE(v, nullptr);
    EXPECT_EQ(v->labels.at("verdict"), want.verdict);
    EXPECT_EQ(v->labels.at("metric"), want.metric);
    EXPECT_EQ(v->value, "1");
    expect_number(all, "gpucert_check_value", want, want.value);
    expect_number(all, "gpucert_check_ci_low", want, want.ci_lo);
    expect_number(all, "gpucert_check_ci_high", want, want.ci_hi);
    expect_number(all, "gpucert_check_threshold_min", want, want.min);
    expect_number(all, "gpucert_check_threshold_max", want, want.max);
    expect_number(all, "gpucert_check_samples", want, double(want.n));
  }
  // One verdict series per check, and the per-verdict totals agree with them.
  int verdict_series = 0;
  std::map<std::string, int> totals;
  for (const Series& s : all) {
    verdict_series += s.name == "gpucert_check_verdict";
    if (s.name == "gpucert_checks")
      totals[s.labels.at("verdict")] = std::stoi(s.value);
  }
  EXPECT_EQ(verdict_series, static_cast<int>(fixture_rows().size()));
  EXPECT_EQ(totals, tally(fixture_rows()));
}

TEST(PrometheusContent, EverySeriesIsLabelledSimulatedOrNot) {
  for (const bool simulated : {true, false}) {
    SCOPED_TRACE(simulated ? "simulated" : "real");
    Certificate c = simulated ? sample_certificate() : real_certificate();
    const auto all = prom_series(render("prom", c));
    ASSERT_FALSE(all.empty());
    for (const Series& s : all) {
      EXPECT_EQ(s.labels.at("simulated"), simulated ? "true" : "false") << s.name;
      EXPECT_EQ(s.labels.at("profile"), "h100-sxm5-80gb-8x-standard") << s.name;
      EXPECT_EQ(s.labels.at("node"), "node<017>") << s.name;
    }
    for (const Series& s : all)
      if (s.name == "gpucert_certified") {
        EXPECT_EQ(s.labels.at("outcome"), "NOT CERTIFIED");
        EXPECT_EQ(s.value, "0");
      }
  }
}

// --- console ---------------------------------------------------------------------------------

/// The console line of a check: verdict, clause, target, measured, threshold, then the interval
/// and reason (non-PASS) or the interval's width and n (PASS).
std::string console_pattern(const Row& r, const std::string& reason) {
  std::string extra;
  if (r.verdict == "PASS") {
    extra = "\\(95% CI −[0-9.]+%/\\+[0-9.]+%, n=" + std::to_string(r.n) + "\\)";
  } else {
    if (!r.interval.empty())
      extra = regex_escape("(" + r.interval + ")") + "  ";
    extra += regex_escape((r.verdict == "FAIL" ? "cause: " : "") + reason);
  }
  return "  " + regex_escape(r.verdict) + " +" + regex_escape(r.clause) + " +" +
         regex_escape(r.target) + " +" + regex_escape(r.measured) + " +" +
         regex_escape(r.threshold) + " +" + extra;
}

TEST(ConsoleContent, EveryCheckIsALineWithAllItsFields) {
  const Certificate c = sample_certificate();
  const std::string text = render_console(c);
  const auto lines = lines_of(text);
  for (const Row& want : fixture_rows()) {
    SCOPED_TRACE(want.verdict + " " + want.clause + " " + want.target);
    // The console shows the reason with its control bytes as '?' (ConsoleContent.NoControlBytes).
    std::string shown = want.reason;
    for (char& ch : shown)
      if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f)
        ch = '?';
    const std::regex re(console_pattern(want, shown));
    const auto n = std::count_if(lines.begin(), lines.end(),
                                 [&](const std::string& l) { return std::regex_match(l, re); });
    EXPECT_EQ(n, 1) << console_pattern(want, shown) << "\n" << text;
  }
  // One line per check here (no two adjacent checks of a clause share a PASS/SKIPPED verdict),
  // between the three header lines (node, scope, profile) and the signature and outcome lines.
  const int banner = 1, header = 3, signature = 1, outcome = 1;
  EXPECT_EQ(lines.size(), banner + header + fixture_rows().size() + signature + outcome) << text;
  EXPECT_EQ(lines.at(2), "scope all 3 GPUs");
  EXPECT_EQ(lines.at(lines.size() - 2), std::string("signature NOT CHECKED — rendered from a "
                                                    "certificate alone (gpucert report CERT.json "
                                                    "checks the directory it is in)"));
  EXPECT_NE(text.find("· 3 clauses × scopes = 5 checks\n"), std::string::npos) << text;
  EXPECT_EQ(lines.back(), std::string("NOT CERTIFIED (") + kStamp + "): " + c.summary + ".");
}

TEST(ConsoleContent, APassIntervalIsShownAsItsTwoEndsNeverHalved) {
  // An order-statistic interval is asymmetric: −7.7 % / +2.2 % must not read as ±5 %.
  Certificate c = sample_certificate();
  Check* pass = nullptr;
  for (auto& k : c.checks)
    if (k.verdict == Verdict::pass)
      pass = &k;
  ASSERT_NE(pass, nullptr);
  pass->value = 1000;
  pass->ci_lo = 923;
  pass->ci_hi = 1022;
  pass->ci_method = "order-statistic";
  const std::string text = render_console(c);
  EXPECT_NE(text.find("(95% CI −7.7%/+2.2%, n="), std::string::npos) << text;
  EXPECT_EQ(text.find("±"), std::string::npos) << text;
}

TEST(ConsoleContent, NoControlBytesReachTheTerminal) {
  const std::string text = render_console(sample_certificate());
  for (unsigned char ch : text)
    EXPECT_TRUE(ch >= 0x20 || ch == '\n') << "control byte " << int(ch) << " in\n" << text;
  Certificate c = sample_certificate();
  c.checks[1].cause = "\x1b[2J\x1b[1;1Hall clear \xc2\x9b"
                      "31m";
  const std::string hostile = render_console(c);
  EXPECT_EQ(hostile.find('\x1b'), std::string::npos);
  EXPECT_EQ(hostile.find("\xc2\x9b"), std::string::npos) << "C1 CSI";
  EXPECT_NE(hostile.find("?[2J?[1;1Hall clear ?31m"), std::string::npos) << hostile;
}

TEST(ConsoleContent, StampOnlyOnSimulatedCertificates) {
  const std::string sim = render_console(sample_certificate());
  EXPECT_EQ(sim.rfind(std::string("*** ") + kStamp, 0), 0u);
  EXPECT_EQ(occurrences(sim, kStamp), 2) << "the banner and the outcome line";
  const std::string real = render_console(real_certificate());
  EXPECT_EQ(real.find("SIMULATED"), std::string::npos);
  EXPECT_EQ(real.find("simulator"), std::string::npos);
  EXPECT_EQ(real.rfind("node node<017>", 0), 0u) << real;
  EXPECT_NE(real.find("\nNOT CERTIFIED: " + real_certificate().summary + "."), std::string::npos);
}

// --- JSON ------------------------------------------------------------------------------------

TEST(JsonContent, EveryCheckWithAllItsFieldsAndConsistentCounts) {
  for (const bool simulated : {true, false}) {
    SCOPED_TRACE(simulated ? "simulated" : "real");
    const Certificate c = simulated ? sample_certificate() : real_certificate();
    // The file form, read as gpucert reads it.
    const nlohmann::json j = expand_certificate_json(nlohmann::json::parse(render("json", c)));
    EXPECT_EQ(j.at("simulated"), simulated);
    EXPECT_EQ(j.at("inventory").at("simulated"), simulated);
    EXPECT_EQ(j.at("outcome"), "NOT CERTIFIED");
    EXPECT_EQ(j.at("summary"), c.summary);
    ASSERT_EQ(j.at("checks").size(), fixture_rows().size());
    std::map<std::string, int> seen;
    for (const auto& v : kVerdicts)
      seen[v] = 0;
    for (const auto& k : j.at("checks"))
      ++seen[k.at("verdict").get<std::string>()];
    EXPECT_EQ(seen, tally(fixture_rows()));
    const auto& n = j.at("counts");
    EXPECT_EQ(n.at("total"), fixture_rows().size());
    EXPECT_EQ(n.at("pass"), seen["PASS"]);
    EXPECT_EQ(n.at("fail"), seen["FAIL"]);
    EXPECT_EQ(n.at("inconclusive"), seen["INCONCLUSIVE"]);
    EXPECT_EQ(n.at("error"), seen["ERROR"]);
    EXPECT_EQ(n.at("skipped"), seen["SKIPPED"]);
    auto num = [](const nlohmann::json& v) {
      return v.is_null() ? std::optional<double>() : std::optional<double>(v.get<double>());
    };
    for (const Row& want : fixture_rows()) {
      SCOPED_TRACE(want.verdict + " " + want.clause + " " + want.target);
      const auto& checks = j.at("checks");
      const auto k = std::find_if(checks.begin(), checks.end(), [&](const nlohmann::json& x) {
        return x.at("clause_id") == want.clause && x.at("target") == want.target;
      });
      ASSERT_NE(k, checks.end());
      EXPECT_EQ(k->at("verdict"), want.verdict);
      EXPECT_EQ(k->at("metric"), want.metric);
      EXPECT_EQ(num(k->at("value")), want.value);
      EXPECT_EQ(num(k->at("interval").at("lo")), want.ci_lo);
      EXPECT_EQ(num(k->at("interval").at("hi")), want.ci_hi);
      EXPECT_EQ(num(k->at("threshold").at("min")), want.min);
      EXPECT_EQ(num(k->at("threshold").at("max")), want.max);
      EXPECT_EQ(k->at("n"), want.n);
      EXPECT_EQ(k->at(want.verdict == "FAIL" ? "cause" : "message"), want.reason);
      EXPECT_EQ(k->at("simulated"), simulated);
    }
    const test::SchemaCheck schema(
        nlohmann::json::parse(embedded::schemas().at("certificate.schema.json")));
    const auto errors = schema.errors(j);
    EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : errors.front());
  }
}

// --- every format at once, on a bigger certificate ---------------------------------------------

/// Three checks of every verdict, each its own clause (so the console groups none of them).
Certificate many_checks() {
  Certificate c = sample_certificate();
  std::vector<Check> checks;
  for (int copy = 1; copy <= 3; ++copy)
    for (Check k : c.checks) {
      k.clause_id += "-" + std::to_string(copy);
      checks.push_back(k);
    }
  c.checks = checks;
  c.counts = count(c.checks);
  c.summary = derive_summary(c); // stated as its checks give it: no INCONSISTENT banner
  return c;
}

TEST(AllFormats, EveryCheckOfEveryVerdictIsRenderedOnce) {
  const Certificate c = many_checks();
  ASSERT_EQ(c.checks.size(), 15u);
  const auto html = html_rows(render("html", c));
  const auto mdr = md_rows(render("md", c));
  const auto cases = testcases(render("junit", c));
  const auto prom = prom_series(render("prom-full", c));
  const auto lines = lines_of(render_console(c));
  for (const Check& k : c.checks) {
    SCOPED_TRACE(to_string(k.verdict) + " " + k.clause_id + " " + k.target);
    const std::string v = to_string(k.verdict);
    EXPECT_EQ(std::count_if(html.begin(), html.end(),
                            [&](const HtmlRow& r) {
                              return r.cells[0] == v && r.cells[1] == k.clause_id &&
                                     r.cells[2] == k.target;
                            }),
              1);
    EXPECT_EQ(std::count_if(mdr.begin(), mdr.end(),
                            [&](const MdRow& r) {
                              return r.cells[0] == v && r.cells[1] == k.clause_id &&
                                     r.cells[2] == k.target;
                            }),
              1);
    EXPECT_EQ(
        std::count_if(cases.begin(), cases.end(),
                      [&](const Testcase& t) { return t.name == k.clause_id + " " + k.target; }),
        1);
    EXPECT_EQ(std::count_if(prom.begin(), prom.end(),
                            [&](const Series& s) {
                              return s.name == "gpucert_check_verdict" &&
                                     s.labels.at("clause") == k.clause_id &&
                                     s.labels.at("target") == k.target &&
                                     s.labels.at("verdict") == v;
                            }),
              1);
    const std::regex line("  " + regex_escape(v) + " +" + regex_escape(k.clause_id) + " +" +
                          regex_escape(k.target) + " .*");
    EXPECT_EQ(std::count_if(lines.begin(), lines.end(),
                            [&](const std::string& l) { return std::regex_match(l, line); }),
              1);
  }
  EXPECT_EQ(html.size(), 15u);
  EXPECT_EQ(mdr.size(), 15u);
  EXPECT_EQ(cases.size(), 15u);
  EXPECT_EQ(lines.size(), 1 + 3 + 15 + 1 + 1u);
  EXPECT_NE(render("md", c).find("| checks | 3 PASS, 3 FAIL, 3 ERROR, 3 INCONCLUSIVE, 3 SKIPPED "
                                 "of 15 |"),
            std::string::npos);
  EXPECT_NE(render("junit", c).find("tests=\"15\" failures=\"6\" errors=\"3\" skipped=\"3\""),
            std::string::npos);
  EXPECT_EQ(expand_certificate_json(nlohmann::json::parse(render("json", c))).at("checks").size(),
            15u);
  // Markdown and HTML: no passing or undecided row before a failing one.
  for (const bool is_html : {true, false}) {
    std::vector<std::string> order;
    if (is_html)
      for (const auto& r : html)
        order.push_back(r.cells[0]);
    else
      for (const auto& r : mdr)
        order.push_back(r.cells[0]);
    const auto first_ok =
        std::find_if(order.begin(), order.end(), [](const std::string& v) { return !bad(v); });
    EXPECT_TRUE(std::none_of(first_ok, order.end(), bad)) << (is_html ? "html" : "md");
  }
}

} // namespace
} // namespace gpucert::report
