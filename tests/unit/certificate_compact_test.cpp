// The certificate's file form (harness/model/certificate_compact.*): what it leaves out (benchmark
// samples, repeated clause fields, defaults, an unchanged inventory_after) comes back on reading;
// samples come back from the results they were judged from and from no other; a malformed file
// form is an InputError naming the field. The full fixture's round trip is in
// certificate_schema_test.cpp.
#include "harness/core/error.hpp"
#include "harness/model/certificate.hpp"
#include "harness/model/certificate_compact.hpp"

#include <algorithm>
#include <cmath>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdexcept>
#include <tuple>
#include <vector>

namespace gpucert::report {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

Check gemm_check(int gpu, double value) {
  Check k;
  k.clause_id = "gemm-bf16";
  k.metric = "gemm.tflops";
  k.description = "dense BF16 GEMM";
  k.kind = "benchmark";
  k.target = "gpu" + std::to_string(gpu);
  k.gpus = {gpu};
  k.verdict = Verdict::pass;
  k.stat = "median";
  k.value = value;
  k.ci_lo = value - 2;
  k.ci_hi = value + 2;
  k.ci_method = "sequential-order-statistic";
  k.confidence = 0.95;
  k.threshold.min = 780;
  k.threshold.unit = "TFLOP/s";
  k.samples = {value - 1, value, value + 1};
  k.n = 3;
  k.measurement = gpu;
  TelemetrySummary t;
  t.available = true;
  t.samples = 12;
  t.sm_clock_mhz_mean = 1980;
  k.telemetry = {{gpu, t}};
  k.started_at = "2026-12-04T10:00:0" + std::to_string(gpu) + ".000Z";
  k.finished_at = "2026-12-04T10:00:0" + std::to_string(gpu) + ".500Z";
  k.stop_reason = "decided";
  k.params = "dtype=bf16 m=8192";
  return k;
}

/// Two clauses on the same four measurements (a floor and its sibling check), a health check,
/// and an inventory that changed during the run.
Certificate lot_like() {
  Certificate c;
  c.results.complete = true;
  c.inventory.node.hostname = "node07";
  GpuInfo g;
  g.index = 0;
  g.uuid = "GPU-0";
  c.inventory.gpus = {g};
  c.inventory_after = c.inventory;
  c.inventory_after->gpus[0].uuid = "GPU-0-after";
  for (int gpu = 0; gpu < 4; ++gpu)
    c.checks.push_back(gemm_check(gpu, 800.5 + gpu));
  for (int gpu = 0; gpu < 4; ++gpu) {
    Check k = gemm_check(gpu, 1.0 + gpu / 64.0);
    k.clause_id = "gemm-bf16-siblings";
    k.relative = Relative{0.95, 801.5 + gpu, 800.0, 803.0, {}};
    for (int other = 0; other < 4; ++other)
      if (other != gpu && !(gpu == 3 && other == 0)) // gpu3's siblings lack gpu0
        k.relative->siblings.push_back("gpu" + std::to_string(other));
    c.checks.push_back(k);
  }
  Check h;
  h.clause_id = "ecc-uncorrected";
  h.metric = "ecc.uncorrected";
  h.kind = "health";
  h.target = "gpu0";
  h.gpus = {0};
  h.verdict = Verdict::pass;
  h.value = 0;
  h.samples = {0};
  h.n = 1;
  c.checks.push_back(h);
  c.counts = count(c.checks);
  return c;
}

Check without_samples(Check k) {
  if (k.kind == "benchmark")
    k.samples.clear();
  return k;
}

/// The clause table of `id` in a file-form document, and a column's index in it.
const json& table(const json& file, const std::string& id) {
  for (const json& t : file.at("clauses"))
    if (t.at("clause_id") == id)
      return t;
  throw std::runtime_error("no table " + id);
}
std::size_t column(const json& t, const std::string& name) {
  const json& cols = t.at("columns");
  const auto it = std::find(cols.begin(), cols.end(), name);
  if (it == cols.end())
    throw std::runtime_error("no column " + name);
  return static_cast<std::size_t>(it - cols.begin());
}
bool has_column(const json& t, const std::string& name) {
  const json& cols = t.at("columns");
  return std::find(cols.begin(), cols.end(), name) != cols.end();
}

TEST(CertificateFileForm, LeavesOutWhatIsRepeatedAndReadsItBack) {
  const Certificate c = lot_like();
  const json file = json::parse(certificate_text(c));
  // One table per clause in the order of the checks; what the clause's checks share once; one
  // run per measurement; no default, no samples of a benchmark check; the health check's
  // reading kept.
  ASSERT_EQ(file.at("clauses").size(), 3u);
  EXPECT_EQ(file.at("clauses").at(0).at("clause_id"), "gemm-bf16");
  const json& gemm = table(file, "gemm-bf16");
  EXPECT_EQ(gemm.at("shared").at("description"), "dense BF16 GEMM");
  EXPECT_EQ(gemm.at("shared").at("threshold").at("min"), 780);
  EXPECT_EQ(gemm.at("rows").size(), 4u);
  for (const char* gone : {"description", "telemetry", "samples", "cause", "measurement"})
    EXPECT_FALSE(has_column(gemm, gone)) << gone;
  EXPECT_EQ(gemm.at("columns"),
            json({"gpus", "interval/hi", "interval/lo", "run", "target", "value"}));
  EXPECT_EQ(file.at("runs").at("rows").size(), 4u);
  const json& siblings = table(file, "gemm-bf16-siblings");
  EXPECT_EQ(siblings.at("shared").at("relative").at("min_ratio"), 0.95);
  EXPECT_TRUE(has_column(siblings, "relative/reference"));
  // Siblings that are every other row's target are "*"; others are listed.
  const std::size_t sib = column(siblings, "relative/siblings");
  EXPECT_EQ(siblings.at("rows").at(0).at(sib), "*");
  EXPECT_EQ(siblings.at("rows").at(3).at(sib), json({"gpu1", "gpu2"}));
  EXPECT_EQ(gemm.at("rows").at(1).at(column(gemm, "run")),
            siblings.at("rows").at(1).at(column(siblings, "run")))
      << "one measurement, one run";
  const json& ecc = table(file, "ecc-uncorrected");
  EXPECT_EQ(ecc.at("rows").at(0).at(column(ecc, "samples")), json::array({0}));
  EXPECT_EQ(file.at("inventory_after_patch").size(), 1u);
  EXPECT_TRUE(file.at("inventory").at("gpus").is_array()) << "one GPU: no table";

  Certificate back = certificate_from_json(file);
  ASSERT_EQ(back.checks.size(), c.checks.size());
  EXPECT_TRUE(needs_samples(back));
  for (std::size_t i = 0; i < c.checks.size(); ++i)
    EXPECT_EQ(to_json(Certificate{.checks = {back.checks[i]}}).at("checks"),
              to_json(Certificate{.checks = {without_samples(c.checks[i])}}).at("checks"))
        << i;
  ASSERT_TRUE(back.inventory_after);
  EXPECT_EQ(back.inventory_after->gpus.at(0).uuid, "GPU-0-after");

  // The samples come back from the measurements they were judged from.
  Results r;
  for (int gpu = 0; gpu < 4; ++gpu) {
    Measurement m;
    m.target.scope = Scope::gpu;
    m.target.gpus = {gpu};
    m.metrics["gemm.tflops"] = c.checks[static_cast<std::size_t>(gpu)].samples;
    r.measurements.push_back(m);
  }
  attach_samples(back, r);
  EXPECT_FALSE(needs_samples(back));
  EXPECT_EQ(back.checks[2].samples, c.checks[2].samples);
  EXPECT_EQ(back.checks[6].samples, c.checks[2].samples)
      << "a sibling check judges the same samples";
}

TEST(CertificateFileForm, SamplesComeOnlyFromTheMeasurementJudged) {
  const Certificate c = lot_like();
  Results r;
  Measurement m;
  m.target.scope = Scope::gpu;
  m.target.gpus = {0};
  m.metrics["gemm.tflops"] = {1, 2, 3};
  r.measurements.push_back(m); // only measurement 0
  Certificate back = certificate_from_json(json::parse(certificate_text(c)));
  try {
    attach_samples(back, r);
    FAIL() << "measurement 1 is not in these results";
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("measurement 1 is not in the results"));
  }
  r.measurements.push_back(m); // measurement 1 measured gpu0, the check judged gpu1
  r.measurements.push_back(m);
  r.measurements.push_back(m);
  back = certificate_from_json(json::parse(certificate_text(c)));
  EXPECT_THROW(attach_samples(back, r), InputError);
}

TEST(CertificateFileForm, NonIntegralNumbersKeepSevenSignificantDigits) {
  EXPECT_EQ(round_for_file(800.5), 800.5);
  EXPECT_EQ(round_for_file(12345678901.0), 12345678901.0); // integral: unchanged
  EXPECT_EQ(round_for_file(0), 0);
  const double third = 1.0 / 3.0;
  EXPECT_EQ(round_for_file(third), 0.3333333);
  EXPECT_EQ(round_for_file(third, 4), 0.3333);
  EXPECT_LT(std::fabs(round_for_file(2.0 / 3.0) - 2.0 / 3.0) / (2.0 / 3.0), 1e-7);
  EXPECT_EQ(round_for_file(4.4e-16, 4), 0); // float noise in telemetry fractions
  EXPECT_EQ(round_for_file(4.4e-16), 4.4e-16);
  EXPECT_TRUE(std::isnan(round_for_file(NAN)));
}

TEST(CertificateFileForm, MalformedTablesNameTheField) {
  const json good = json::parse(certificate_text(lot_like()));
  auto error_of = [](const json& j) -> std::string {
    try {
      certificate_from_json(j);
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  };
  const std::size_t run = column(good.at("clauses").at(0), "run");
  json j = good;
  j["clauses"][0]["rows"][0][run] = 99;
  EXPECT_THAT(error_of(j), HasSubstr("'clauses[0].rows[0].run': must be an index from 0 to 3"));
  j = good;
  j["clauses"][0]["rows"][1][run] = -1;
  EXPECT_THAT(error_of(j), HasSubstr("'clauses[0].rows[1].run'"));
  j = good;
  j["clauses"][1]["rows"][0].erase(0);
  EXPECT_THAT(error_of(j), HasSubstr("'clauses[1].rows[0]': expected an array of"));
  j = good;
  j["clauses"][0]["columns"][0] = "diagnosis/x/y";
  EXPECT_THAT(error_of(j), HasSubstr("'clauses[0].columns[0]': 'diagnosis/x/y' is not a column"));
  j = good;
  j["runs"] = json::array();
  EXPECT_THAT(error_of(j), HasSubstr("'runs': expected a table"));
  j = good;
  j["runs"]["columns"][0] = "surprise";
  EXPECT_THAT(error_of(j), HasSubstr("'runs.columns': expected an array of run fields"));
  j = good;
  j["telemetry_columns"] = json::array();
  EXPECT_THAT(error_of(j), HasSubstr("'telemetry_columns'"));
  j = good;
  j["clauses"][0]["shared"] = 3;
  EXPECT_THAT(error_of(j), HasSubstr("'clauses[0].shared': expected an object"));
  j = good;
  j["clauses"][0]["clause_id"] = 7;
  EXPECT_THAT(error_of(j), HasSubstr("'clauses[0].clause_id': expected a string"));
  j = good;
  j.erase("clauses");
  EXPECT_THAT(error_of(j), HasSubstr("'clauses': missing"));
  j = good;
  j["inventory_after_patch"] = json::array({{{"op", "remove"}, {"path", "/no/such"}}});
  EXPECT_THAT(error_of(j), HasSubstr("'inventory_after_patch': does not apply to inventory"));
  j = good;
  j["inventory_after_patch"] = "same";
  EXPECT_THAT(error_of(j), HasSubstr("'inventory_after_patch': expected a JSON Patch"));
  j = good;
  j.erase("inventory_after_patch");
  EXPECT_THAT(error_of(j), HasSubstr("'inventory_after_patch': missing"));
  // A field the clause shares, given wrongly in the clause, is reported where it is.
  j = good;
  j["clauses"][0]["shared"]["threshold"]["min"] = "780";
  EXPECT_THAT(error_of(j), HasSubstr("'clauses[0].shared.threshold.min': expected a number"));
  j = good;
  j["clauses"][0]["rows"][0][column(good.at("clauses").at(0), "value")] = "fast";
  EXPECT_THAT(error_of(j), HasSubstr("'clauses[0].rows[0].value': expected a number"));
  j = good;
  j["runs"]["rows"][0][1]["0"] = json::array({1, 2});
  EXPECT_THAT(error_of(j), HasSubstr("'runs.rows[0].telemetry.0': expected an array of"));
  // A telemetry cell of the wrong type is refused as in the full form's telemetry object.
  auto tcol = [&](const char* name) {
    const json& cols = good.at("telemetry_columns");
    return static_cast<std::size_t>(std::find(cols.begin(), cols.end(), name) - cols.begin());
  };
  const std::size_t tel = column(good.at("runs"), "telemetry");
  const std::string gpu = good.at("runs").at("rows").at(0).at(tel).begin().key();
  const std::string at = "certificate: runs.rows[0].telemetry." + gpu + ".";
  for (const auto& [name, cell, message] : std::vector<std::tuple<const char*, json, std::string>>{
           {"power_w_max", "hot", "power_w_max: expected a number, got string"},
           {"samples", -1, "samples: must be an integer from 0 to 2147483647"},
           {"samples", 2.5, "samples: expected an integer, got number"},
           {"available", 1, "available: expected true or false, got number"},
           {"unavailable_reason", nullptr, "unavailable_reason: expected a string, got null"},
           {"throttle_fraction", json{{"hw_slowdown", "x"}},
            "throttle_fraction.hw_slowdown: expected a number, got string"},
           {"throttle_fraction", 0.5, "throttle_fraction: expected an object, got number"}}) {
    j = good;
    j["runs"]["rows"][0][tel][gpu][tcol(name)] = cell;
    EXPECT_EQ(error_of(j), at + message) << name;
  }
  // A null number is a missing reading (NaN), as in the full form.
  j = good;
  j["runs"]["rows"][0][tel][gpu][tcol("power_w_max")] = nullptr;
  auto power_missing = [](const Certificate& c) {
    return std::any_of(c.checks.begin(), c.checks.end(), [](const Check& k) {
      return std::any_of(k.telemetry.begin(), k.telemetry.end(),
                         [](const auto& t) { return std::isnan(t.second.power_w_max); });
    });
  };
  EXPECT_FALSE(power_missing(certificate_from_json(good)));
  EXPECT_TRUE(power_missing(certificate_from_json(j)));
  j = good;
  j["schema"] = "gpucert/certificate/v3";
  EXPECT_THAT(error_of(j), HasSubstr("expected 'gpucert/certificate/v2'"));
}

TEST(CertificateFileForm, ChecksOutOfClauseOrderKeepTheirOrder) {
  Certificate c = lot_like();
  std::swap(c.checks[1], c.checks[5]); // gemm-bf16, siblings, gemm-bf16, ...
  const json file = json::parse(certificate_text(c));
  EXPECT_EQ(file.at("clauses").at(0).at("columns").at(0), "#");
  const Certificate back = certificate_from_json(file);
  ASSERT_EQ(back.checks.size(), c.checks.size());
  for (std::size_t i = 0; i < c.checks.size(); ++i) {
    EXPECT_EQ(back.checks[i].clause_id, c.checks[i].clause_id) << i;
    EXPECT_EQ(back.checks[i].target, c.checks[i].target) << i;
  }
  json twice = file;
  twice["clauses"][0]["rows"][1][0] = 0;
  EXPECT_THROW(certificate_from_json(twice), InputError);
}

TEST(CertificateFileForm, InventoryArraysOfLikeObjectsAreTables) {
  Certificate c = lot_like();
  GpuInfo g1 = c.inventory.gpus[0];
  g1.index = 1;
  g1.uuid = "GPU-1";
  c.inventory.gpus.push_back(g1);
  c.inventory_after = c.inventory;
  const json file = json::parse(certificate_text(c));
  EXPECT_TRUE(file.at("inventory").at("gpus").contains("$rows"));
  EXPECT_EQ(file.at("inventory_after_patch"), json::array());
  const Certificate back = certificate_from_json(file);
  ASSERT_EQ(back.inventory.gpus.size(), 2u);
  EXPECT_EQ(back.inventory.gpus[1].uuid, "GPU-1");
  EXPECT_EQ(gpucert::to_json(back.inventory), gpucert::to_json(c.inventory));
  json broken = file;
  broken["inventory"]["gpus"]["$rows"][1] = json::array({1});
  try {
    certificate_from_json(broken);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_THAT(e.what(), HasSubstr("inventory.gpus.$rows[1]"));
  }
}

TEST(CertificateFileForm, AnUnchangedInventoryIsAnEmptyPatchAndNoneStaysNone) {
  Certificate c = lot_like();
  c.inventory_after = c.inventory;
  json file = json::parse(certificate_text(c));
  EXPECT_EQ(file.at("inventory_after_patch"), json::array());
  EXPECT_EQ(certificate_from_json(file).inventory_after->gpus.at(0).uuid, "GPU-0");
  c.inventory_after.reset();
  file = json::parse(certificate_text(c));
  EXPECT_TRUE(file.at("inventory_after_patch").is_null());
  EXPECT_FALSE(certificate_from_json(file).inventory_after);
}

} // namespace
} // namespace gpucert::report
