// Where a check's fields are read from: the one reader of a check (check_from) for both forms.
// In the full form a check is one object and every field is required. In the file form a field
// is a cell of the check's row in its clause's table, else the table's shared fields, else the
// run's, else absent and at its default. Values are read in place from the parsed document
// (json_dom.hpp). Internal to harness/model.
#pragma once

#include "harness/core/json_dom.hpp"
#include "harness/model/certificate.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace gpucert::report::detail {

using Field = std::optional<JsonRef>;

/// A clause table of the file form, indexed once for all its rows.
struct ClauseTable {
  std::size_t index = 0;                                   ///< in clauses[]
  JsonRef shared;                                          ///< an object
  std::map<std::string, std::size_t, std::less<>> columns; ///< name → cell index
  std::vector<std::string_view> names;                     ///< cell index → name
  /// The runs' columns (the same for every run): a field neither in the row nor shared.
  const std::map<std::string, std::size_t, std::less<>>* run_columns = nullptr;
  int target_column = -1;
  std::vector<JsonRef> targets; ///< per row, its target cell (when there is a target column)
  /// Where each field the reader asked for is, found once for all rows. Keyed by the addresses
  /// of the reader's literals: the same call asks with the same pointers, in the same order.
  struct Where {
    const char *key = nullptr, *sub = nullptr;
    int column = -1; ///< its cell, "interval/lo" or "value"
    int whole = -1;  ///< the cell of the object holding it ("diagnosis")
    Field shared;    ///< else the clause's shared value
    int run = -1;    ///< else the run's cell
  };
  mutable std::vector<Where> where;
  /// has_object(key), found once: true by a column of its fields or a non-null shared value;
  /// else it depends on the row's cell `whole` (-1: none).
  struct HasObject {
    const char* key = nullptr;
    bool always = false;
    int whole = -1;
  };
  mutable std::vector<HasObject> objects;
};

/// A run of the file form: its cells by column, its telemetry decoded once.
struct RunFields {
  const std::map<std::string, std::size_t, std::less<>>* columns = nullptr;
  std::vector<JsonRef> cells;
  std::map<int, TelemetrySummary> telemetry;
  Field get(const char* key) const;
};

class CheckFields {
public:
  /// Full form: `check` at checks[index].
  CheckFields(JsonRef check, std::size_t index);
  /// File form: row `row_index` of `table` (its cells), judging `run` (null when it has none).
  CheckFields(const ClauseTable& table, const std::vector<JsonRef>& row, std::size_t row_index,
              const RunFields* run);

  /// The field `key` (and `sub` of it: interval.lo), or none when absent; absent is an error
  /// ("missing", naming the path) in the full form.
  Field get(const char* key, const char* sub = nullptr) const;
  /// A siblings cell "*": every other row's target, into `out`; false for any other cell.
  bool other_targets(std::vector<JsonRef>& out) const;
  /// Whether the check has the object `key` (diagnosis, relative) at all.
  bool has_object(const char* key) const;
  /// The path of a field in errors: "checks[3].interval.lo", "clauses[2].rows[5].interval/lo".
  std::string path(const char* key, const char* sub = nullptr) const;
  bool defaults() const { return table_ != nullptr; }
  const RunFields* run() const { return run_; }

private:
  Field own_;
  std::size_t index_ = 0;
  const ClauseTable* table_ = nullptr;
  const std::vector<JsonRef>* row_ = nullptr;
  const RunFields* run_ = nullptr;
  mutable std::size_t next_ = 0; ///< where the next locate() looks first
  Field cell(std::string_view column) const;
  const ClauseTable::Where& locate(const char* key, const char* sub) const;
};

/// Reads one check from `f`; InputError naming the field's path.
Check check_from(const CheckFields& f);

[[noreturn]] void bad_field(const std::string& path, const std::string& what);

/// The file form's checks, from its clause tables and runs (certificate_compact.cpp).
std::vector<Check> file_form_checks(JsonRef doc);
/// The inventories of a file-form document (`doc` without its tables): its tables expanded, the
/// patch applied.
void read_file_form_inventories(const nlohmann::json& doc, Certificate& c);

} // namespace gpucert::report::detail
