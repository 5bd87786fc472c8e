// JSON read in place: simdjson's document, walked without copying it into nlohmann values. The
// readers of large files (a lot's certificates) take their bulk from here; the same guards as
// parse_json_text apply (it is the same parse), and what they refuse is reported by it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace simdjson::dom {
class document;
}

namespace gpucert {

class JsonDocument;

/// A value inside a JsonDocument (valid while the document lives). Cheap to copy. Integers are
/// typed as nlohmann types them: a non-negative one is unsigned.
class JsonRef {
public:
  bool is_null() const;
  bool is_boolean() const;
  bool is_number() const;
  bool is_number_integer() const;
  bool is_number_unsigned() const;
  bool is_string() const;
  bool is_array() const;
  bool is_object() const;
  /// "null", "boolean", "number", "string", "array" or "object", as nlohmann names them.
  const char* type_name() const;

  bool get_bool() const;               ///< of a boolean
  double get_double() const;           ///< of any number
  std::int64_t get_int64() const;      ///< of an integer (an unsigned one above 2^63 wraps)
  std::uint64_t get_uint64() const;    ///< of a non-negative integer
  std::string_view get_string() const; ///< of a string
  std::size_t size() const;            ///< elements of an array, members of an object, else 0
  bool empty() const { return size() == 0; }

  /// The elements of an array in order (cleared first; nothing for any other value).
  void elements(std::vector<JsonRef>& out) const;
  std::vector<JsonRef> elements() const;
  /// The members of an object in file order (keys are unique: the parse refused duplicates).
  std::vector<std::pair<std::string_view, JsonRef>> members() const;
  /// The member `key` of an object; false for a missing key or a value that is not an object.
  bool find(std::string_view key, JsonRef& out) const;

  /// This value as nlohmann's (for the small parts a reader keeps in that form).
  nlohmann::json to_json() const;

private:
  friend class JsonDocument;
  friend JsonDocument parse_json_document(std::string_view text, const std::string& file);
  alignas(8) unsigned char raw_[16]{}; // a simdjson::dom::element (json_dom.cpp checks the size)
};

/// A parsed file. Movable; the JsonRefs it hands out stay valid while it lives.
class JsonDocument {
public:
  JsonDocument();
  JsonDocument(JsonDocument&&) noexcept;
  JsonDocument& operator=(JsonDocument&&) noexcept;
  ~JsonDocument();
  JsonRef root() const { return root_; }

private:
  friend JsonDocument parse_json_document(std::string_view text, const std::string& file);
  std::unique_ptr<simdjson::dom::document> doc_;
  JsonRef root_;
};

/// Parses `text` (named `file` in errors) with every check of parse_json_text and the same
/// InputErrors for what they refuse.
JsonDocument parse_json_document(std::string_view text, const std::string& file);

} // namespace gpucert
