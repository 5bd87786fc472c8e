// Certificate vocabulary: verdict and outcome names, threshold text, counts, exit codes.
#include "harness/model/certificate.hpp"

#include "harness/core/error.hpp"

#include <fmt/core.h>

namespace gpucert::report {

std::string to_string(Verdict v) {
  switch (v) {
  case Verdict::pass:
    return "PASS";
  case Verdict::fail:
    return "FAIL";
  case Verdict::inconclusive:
    return "INCONCLUSIVE";
  case Verdict::error:
    return "ERROR";
  case Verdict::skipped:
    return "SKIPPED";
  }
  return "ERROR";
}

Verdict verdict_from_string(const std::string& s) {
  for (Verdict v :
       {Verdict::pass, Verdict::fail, Verdict::inconclusive, Verdict::error, Verdict::skipped})
    if (to_string(v) == s)
      return v;
  throw InputError(
      fmt::format("'{}' is not a verdict (PASS, FAIL, INCONCLUSIVE, ERROR, SKIPPED)", s));
}

std::string to_string(Outcome o) {
  switch (o) {
  case Outcome::certified:
    return "CERTIFIED";
  case Outcome::not_certified:
    return "NOT CERTIFIED";
  case Outcome::inconclusive:
    return "INCONCLUSIVE";
  }
  return "NOT CERTIFIED";
}

Outcome outcome_from_string(const std::string& s) {
  for (Outcome o : {Outcome::certified, Outcome::not_certified, Outcome::inconclusive})
    if (to_string(o) == s)
      return o;
  throw InputError(
      fmt::format("'{}' is not an outcome (CERTIFIED, NOT CERTIFIED, INCONCLUSIVE)", s));
}

std::string Threshold::str() const {
  const std::string u = unit.empty() ? "" : " " + unit;
  if (equals)
    return "= " + *equals;
  if (min && max)
    return fmt::format("{:g}–{:g}{}", *min, *max, u);
  if (min)
    return fmt::format("≥ {:g}{}", *min, u);
  if (max)
    return fmt::format("≤ {:g}{}", *max, u);
  return "(none)";
}

Counts count(const std::vector<Check>& checks) {
  Counts c;
  for (const auto& k : checks) {
    ++c.total;
    switch (k.verdict) {
    case Verdict::pass:
      ++c.pass;
      break;
    case Verdict::fail:
      ++c.fail;
      break;
    case Verdict::inconclusive:
      ++c.inconclusive;
      break;
    case Verdict::error:
      ++c.error;
      break;
    case Verdict::skipped:
      ++c.skipped;
      break;
    }
  }
  return c;
}

int exit_code(const Certificate& c) {
  switch (c.outcome) {
  case Outcome::certified:
    return static_cast<int>(ExitCode::certified);
  case Outcome::not_certified:
    return static_cast<int>(ExitCode::not_certified);
  case Outcome::inconclusive:
    return static_cast<int>(ExitCode::inconclusive);
  }
  return static_cast<int>(ExitCode::not_certified);
}

} // namespace gpucert::report
