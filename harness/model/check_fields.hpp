// Where a check's fields are read from: the one reader of a check (check_from) for both forms.
// In the full form a check is one object and every field is required. In the file form a field
// is a cell of the check's row in its clause's table, else the table's shared fields, else the
// run's, else absent and at its default. Internal to harness/model.
#pragma once

#include "harness/model/certificate.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gpucert::report::detail {

/// A clause table of the file form, indexed once for all its rows.
struct ClauseTable {
  std::size_t index = 0; ///< in clauses[]
  const nlohmann::json* shared = nullptr;
  std::map<std::string, std::size_t, std::less<>> columns; ///< name → cell index
  std::vector<nlohmann::json> others;                      ///< per row: every other row's target
  /// Where each field the reader asked for is, found once for all rows. Keyed by the addresses
  /// of the reader's literals: the same call asks with the same pointers.
  struct Where {
    const char *key = nullptr, *sub = nullptr;
    int column = -1;                        ///< its cell, "interval/lo" or "value"
    int whole = -1;                         ///< the cell of the object holding it ("diagnosis")
    const nlohmann::json* shared = nullptr; ///< else the clause's shared value
  };
  mutable std::vector<Where> where;
};

/// A run of the file form, its telemetry decoded once.
struct RunFields {
  const nlohmann::json* object = nullptr; ///< the run's fields by name (telemetry as rows)
  std::map<int, TelemetrySummary> telemetry;
};

class CheckFields {
public:
  /// Full form: `check` at checks[index].
  CheckFields(const nlohmann::json& check, std::size_t index);
  /// File form: row `row_index` of `table`, judging `run` (null when the check has none).
  CheckFields(const ClauseTable& table, const nlohmann::json& row, std::size_t row_index,
              const RunFields* run);

  /// The field `key` (and `sub` of it: interval.lo), or null when absent; absent is an error
  /// ("missing", naming the path) in the full form.
  const nlohmann::json* get(const char* key, const char* sub = nullptr) const;
  /// Whether the check has the object `key` (diagnosis, relative) at all.
  bool has_object(const char* key) const;
  /// The path of a field in errors: "checks[3].interval.lo", "clauses[2].rows[5].interval/lo".
  std::string path(const char* key, const char* sub = nullptr) const;
  bool defaults() const { return table_ != nullptr; }
  const RunFields* run() const { return run_; }

private:
  const nlohmann::json* own_ = nullptr;
  std::size_t index_ = 0;
  const ClauseTable* table_ = nullptr;
  const nlohmann::json* row_ = nullptr;
  const RunFields* run_ = nullptr;
  const nlohmann::json* cell(std::string_view column) const;
  const ClauseTable::Where& locate(const char* key, const char* sub) const;
};

/// Reads one check from `f`; InputError naming the field's path.
Check check_from(const CheckFields& f);

[[noreturn]] void bad_field(const std::string& path, const std::string& what);

/// The file form's checks, from its clause tables and runs (certificate_compact.cpp).
std::vector<Check> file_form_checks(const nlohmann::json& doc);
/// The inventories of a file-form document: its tables expanded, the patch applied.
void read_file_form_inventories(const nlohmann::json& doc, Certificate& c);

} // namespace gpucert::report::detail
