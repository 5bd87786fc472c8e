// simdjson behind the project's JSON readers (see json_dom.hpp). One parse for every JSON input:
// parse_json_text is this document converted to nlohmann values.
#include "harness/core/json_dom.hpp"

#include "harness/core/error.hpp"
#include "harness/core/json_input.hpp"

#include <algorithm>
#include <cstring>
#include <simdjson.h>
#include <type_traits>

namespace gpucert {
namespace {

namespace dom = simdjson::dom;
using nlohmann::json;

static_assert(sizeof(dom::element) == 16 && alignof(dom::element) <= 8 &&
                  std::is_trivially_copyable_v<dom::element>,
              "JsonRef stores a simdjson::dom::element in 16 bytes");

dom::element element_of(const unsigned char* raw) {
  dom::element e;
  std::memcpy(static_cast<void*>(&e), raw, sizeof e);
  return e;
}

/// Whether every object in `e` names each key once (the last of two would silently win).
bool unique_keys(dom::element e, std::vector<std::string_view>& scratch) {
  switch (e.type()) {
  case dom::element_type::ARRAY: {
    const dom::array items = e.get_array().value_unsafe(); // a copy: the result is a temporary
    for (dom::element v : items)
      if (!unique_keys(v, scratch))
        return false;
    return true;
  }
  case dom::element_type::OBJECT: {
    const dom::object fields = e.get_object().value_unsafe();
    const std::size_t first = scratch.size();
    for (dom::key_value_pair f : fields)
      scratch.push_back(f.key);
    const auto begin = scratch.begin() + std::ptrdiff_t(first);
    bool unique = true;
    if (scratch.end() - begin <= 16) { // most objects: fewer comparisons than sorting
      for (auto a = begin; a != scratch.end() && unique; ++a)
        for (auto b = a + 1; b != scratch.end(); ++b)
          if (*a == *b) {
            unique = false;
            break;
          }
    } else {
      std::sort(begin, scratch.end());
      unique = std::adjacent_find(begin, scratch.end()) == scratch.end();
    }
    scratch.resize(first);
    if (!unique)
      return false;
    for (dom::key_value_pair f : fields)
      if (!unique_keys(f.value, scratch))
        return false;
    return true;
  }
  default:
    return true;
  }
}

json convert(dom::element e) {
  switch (e.type()) {
  case dom::element_type::ARRAY: {
    json out = json::array();
    const dom::array items = e.get_array().value_unsafe();
    out.get_ref<json::array_t&>().reserve(items.size());
    for (dom::element v : items)
      out.push_back(convert(v));
    return out;
  }
  case dom::element_type::OBJECT: {
    json out = json::object();
    const dom::object fields = e.get_object().value_unsafe();
    for (dom::key_value_pair f : fields)
      out.emplace(std::string(f.key), convert(f.value));
    return out;
  }
  case dom::element_type::INT64: {
    const std::int64_t i = e.get_int64().value_unsafe();
    return i >= 0 ? json(static_cast<std::uint64_t>(i)) : json(i);
  }
  case dom::element_type::UINT64:
    return e.get_uint64().value_unsafe();
  case dom::element_type::DOUBLE:
    return e.get_double().value_unsafe();
  case dom::element_type::STRING:
    return std::string(e.get_string().value_unsafe());
  case dom::element_type::BOOL:
    return e.get_bool().value_unsafe();
  case dom::element_type::NULL_VALUE:
    break;
  }
  return nullptr;
}

} // namespace

#define GPUCERT_E element_of(raw_)

bool JsonRef::is_null() const {
  return GPUCERT_E.type() == dom::element_type::NULL_VALUE;
}
bool JsonRef::is_boolean() const {
  return GPUCERT_E.type() == dom::element_type::BOOL;
}
bool JsonRef::is_number() const {
  const auto t = GPUCERT_E.type();
  return t == dom::element_type::INT64 || t == dom::element_type::UINT64 ||
         t == dom::element_type::DOUBLE;
}
bool JsonRef::is_number_integer() const {
  const auto t = GPUCERT_E.type();
  return t == dom::element_type::INT64 || t == dom::element_type::UINT64;
}
bool JsonRef::is_number_unsigned() const {
  const dom::element e = GPUCERT_E;
  return e.type() == dom::element_type::UINT64 ||
         (e.type() == dom::element_type::INT64 && e.get_int64().value_unsafe() >= 0);
}
bool JsonRef::is_string() const {
  return GPUCERT_E.type() == dom::element_type::STRING;
}
bool JsonRef::is_array() const {
  return GPUCERT_E.type() == dom::element_type::ARRAY;
}
bool JsonRef::is_object() const {
  return GPUCERT_E.type() == dom::element_type::OBJECT;
}

const char* JsonRef::type_name() const {
  switch (GPUCERT_E.type()) {
  case dom::element_type::NULL_VALUE:
    return "null";
  case dom::element_type::BOOL:
    return "boolean";
  case dom::element_type::STRING:
    return "string";
  case dom::element_type::ARRAY:
    return "array";
  case dom::element_type::OBJECT:
    return "object";
  default:
    return "number";
  }
}

bool JsonRef::get_bool() const {
  return GPUCERT_E.get_bool().value_unsafe();
}
double JsonRef::get_double() const {
  const dom::element e = GPUCERT_E;
  switch (e.type()) {
  case dom::element_type::INT64:
    return double(e.get_int64().value_unsafe());
  case dom::element_type::UINT64:
    return double(e.get_uint64().value_unsafe());
  default:
    return e.get_double().value_unsafe();
  }
}
std::int64_t JsonRef::get_int64() const {
  const dom::element e = GPUCERT_E;
  return e.type() == dom::element_type::UINT64
             ? static_cast<std::int64_t>(e.get_uint64().value_unsafe())
             : e.get_int64().value_unsafe();
}
std::uint64_t JsonRef::get_uint64() const {
  const dom::element e = GPUCERT_E;
  return e.type() == dom::element_type::INT64
             ? static_cast<std::uint64_t>(e.get_int64().value_unsafe())
             : e.get_uint64().value_unsafe();
}
std::string_view JsonRef::get_string() const {
  return GPUCERT_E.get_string().value_unsafe();
}

std::size_t JsonRef::size() const {
  const dom::element e = GPUCERT_E;
  std::size_t n = 0;
  if (e.type() == dom::element_type::ARRAY) {
    // size() saturates at 0xFFFFFF elements; count those past it.
    const dom::array a = e.get_array().value_unsafe();
    n = a.size();
    if (n == 0xFFFFFF)
      n = std::size_t(std::distance(a.begin(), a.end()));
  } else if (e.type() == dom::element_type::OBJECT) {
    const dom::object o = e.get_object().value_unsafe();
    n = o.size();
    if (n == 0xFFFFFF)
      n = std::size_t(std::distance(o.begin(), o.end()));
  }
  return n;
}

void JsonRef::elements(std::vector<JsonRef>& out) const {
  out.clear();
  const dom::element e = GPUCERT_E;
  if (e.type() != dom::element_type::ARRAY)
    return;
  const dom::array items = e.get_array().value_unsafe();
  for (dom::element v : items) {
    JsonRef r;
    std::memcpy(r.raw_, static_cast<const void*>(&v), sizeof v);
    out.push_back(r);
  }
}

std::vector<JsonRef> JsonRef::elements() const {
  std::vector<JsonRef> out;
  elements(out);
  return out;
}

std::vector<std::pair<std::string_view, JsonRef>> JsonRef::members() const {
  std::vector<std::pair<std::string_view, JsonRef>> out;
  const dom::element e = GPUCERT_E;
  if (e.type() != dom::element_type::OBJECT)
    return out;
  const dom::object fields = e.get_object().value_unsafe();
  for (dom::key_value_pair f : fields) {
    JsonRef r;
    std::memcpy(r.raw_, static_cast<const void*>(&f.value), sizeof f.value);
    out.emplace_back(f.key, r);
  }
  return out;
}

bool JsonRef::find(std::string_view key, JsonRef& out) const {
  const dom::element e = GPUCERT_E;
  if (e.type() != dom::element_type::OBJECT)
    return false;
  dom::element v;
  if (e.get_object().value_unsafe().at_key(key).get(v) != simdjson::SUCCESS)
    return false;
  std::memcpy(out.raw_, static_cast<const void*>(&v), sizeof v);
  return true;
}

json JsonRef::to_json() const {
  return convert(GPUCERT_E);
}

#undef GPUCERT_E

namespace {
/// A document's buffers, kept for the next parse on this thread: a lot reads thousands of
/// files of about one size, and fresh buffers of 100s of KB cost a page fault per page.
thread_local std::unique_ptr<dom::document> spare_document;
} // namespace

JsonDocument::JsonDocument() = default;
JsonDocument::JsonDocument(JsonDocument&&) noexcept = default;
JsonDocument& JsonDocument::operator=(JsonDocument&& o) noexcept {
  doc_.swap(o.doc_);
  std::swap(root_, o.root_);
  return *this;
}
JsonDocument::~JsonDocument() {
  // A document of a large results file is not kept: its buffers would outlive their use.
  if (doc_ && !spare_document && doc_->capacity() <= (std::size_t(16) << 20))
    spare_document = std::move(doc_);
}

JsonDocument parse_json_document(std::string_view text, const std::string& file) {
  detail::check_json_text(text, file);
  // simdjson reads a 100 KB certificate several times faster than nlohmann's parser (a lot of
  // 10,000 is read in one go). What it refuses, and a duplicate key, go through nlohmann's
  // guarded parse, which names the line, column or field.
  thread_local dom::parser parser;
  thread_local std::vector<std::string_view> keys;
  JsonDocument d;
  d.doc_ = spare_document ? std::move(spare_document) : std::make_unique<dom::document>();
  dom::element root;
  keys.clear();
  // simdjson reads up to 64 bytes past the end: a file's text is copied into a padded buffer,
  // this thread's for every file up to 16 MB (one allocation per file cost page faults).
  thread_local std::vector<char> padded;
  const std::size_t kReused = std::size_t(16) << 20;
  simdjson::error_code parsed;
  if (text.size() <= kReused) {
    if (padded.size() < text.size() + simdjson::SIMDJSON_PADDING)
      padded.resize(text.size() + simdjson::SIMDJSON_PADDING);
    std::memcpy(padded.data(), text.data(), text.size());
    parsed = parser.parse_into_document(*d.doc_, padded.data(), text.size(), false).get(root);
  } else {
    parsed = parser.parse_into_document(*d.doc_, text.data(), text.size(), true).get(root);
  }
  if (parsed != simdjson::SUCCESS || !unique_keys(root, keys))
    detail::refuse_json(text, file);
  std::memcpy(d.root_.raw_, static_cast<const void*>(&root), sizeof root);
  return d;
}

} // namespace gpucert
