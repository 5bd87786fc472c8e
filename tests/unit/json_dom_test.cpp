// The in-place JSON reader (json_dom.hpp): values typed as nlohmann types them, the same guards
// and messages as parse_json_text, documents that stay valid while others are parsed, and the
// word-at-a-time text check and string-skipping prescan finding what the byte loop found.
#include "harness/core/error.hpp"
#include "harness/core/input_file.hpp"
#include "harness/core/json_dom.hpp"
#include "harness/core/json_input.hpp"

#include <fmt/core.h>
#include <gtest/gtest.h>
#include <string>

namespace gpucert {
namespace {

std::string message_of(std::string_view text, const std::string& file = "f.json") {
  try {
    (void)parse_json_document(text, file);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

JsonRef at(JsonRef obj, std::string_view key) {
  JsonRef v;
  EXPECT_TRUE(obj.find(key, v)) << key;
  return v;
}

TEST(JsonDom, ValuesAreTypedAsNlohmannTypesThem) {
  const JsonDocument d = parse_json_document(
      R"({"u": 7, "neg": -3, "big": 18446744073709551615, "d": 2.5, "s": "x", "t": true,
          "n": null, "a": [1, "two", null], "o": {"k": 1}})",
      "t.json");
  const JsonRef r = d.root();
  ASSERT_TRUE(r.is_object());
  EXPECT_EQ(r.size(), 9u);
  EXPECT_TRUE(at(r, "u").is_number_unsigned());
  EXPECT_EQ(at(r, "u").get_uint64(), 7u);
  EXPECT_TRUE(at(r, "neg").is_number_integer());
  EXPECT_FALSE(at(r, "neg").is_number_unsigned());
  EXPECT_EQ(at(r, "neg").get_int64(), -3);
  EXPECT_EQ(at(r, "big").get_uint64(), 18446744073709551615ull);
  EXPECT_TRUE(at(r, "big").is_number_unsigned());
  EXPECT_FALSE(at(r, "d").is_number_integer());
  EXPECT_DOUBLE_EQ(at(r, "d").get_double(), 2.5);
  EXPECT_DOUBLE_EQ(at(r, "neg").get_double(), -3.0);
  EXPECT_EQ(at(r, "s").get_string(), "x");
  EXPECT_TRUE(at(r, "t").get_bool());
  EXPECT_TRUE(at(r, "n").is_null());
  const std::vector<JsonRef> a = at(r, "a").elements();
  ASSERT_EQ(a.size(), 3u);
  EXPECT_TRUE(a[0].is_number());
  EXPECT_TRUE(a[1].is_string());
  EXPECT_TRUE(a[2].is_null());
  EXPECT_EQ(at(r, "a").size(), 3u);
  // Members in file order; find on a missing key or a non-object is false.
  const auto m = r.members();
  ASSERT_EQ(m.size(), 9u);
  EXPECT_EQ(m.front().first, "u");
  EXPECT_EQ(m.back().first, "o");
  JsonRef v;
  EXPECT_FALSE(r.find("missing", v));
  EXPECT_FALSE(at(r, "a").find("k", v));
  EXPECT_TRUE(at(r, "s").elements().empty());
  EXPECT_EQ(at(r, "s").size(), 0u);
  // The conversion is what parse_json_text gives.
  EXPECT_EQ(r.to_json(), parse_json_text(nlohmann::json(r.to_json()).dump(), "t.json"));
  EXPECT_TRUE(r.to_json().at("u").is_number_unsigned());
}

TEST(JsonDom, RefusesWhatParseJsonTextRefusesWithTheSameMessage) {
  const std::string many_keys = [] { // more keys than the pairwise check handles: sorted
    std::string s = "{";
    for (int i = 0; i < 40; ++i)
      s += fmt::format("\"k{}\": {}, ", i, i);
    return s + "\"k17\": 0}";
  }();
  for (const std::string& bad :
       {std::string(R"({"m": [{"k": 1}, {"k": 1, "k": 2}]})"), many_keys,
        std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']'),
        std::string("[1, 2"), std::string(R"({"a": 1e999})"), std::string("{} {}"),
        std::string("[\"\x01\"]")}) {
    std::string want;
    try {
      (void)parse_json_text(bad, "f.json");
    } catch (const InputError& e) {
      want = e.what();
    }
    ASSERT_FALSE(want.empty()) << bad;
    EXPECT_EQ(message_of(bad), want) << bad;
  }
  EXPECT_EQ(message_of(many_keys), "f.json: field 'k17': duplicate key (each key may appear once "
                                   "in an object)");
}

TEST(JsonDom, DocumentsStayValidWhileOthersAreParsed) {
  JsonDocument a = parse_json_document(R"({"name": "first document", "n": [1, 2, 3]})", "a");
  const JsonRef a_name = at(a.root(), "name");
  JsonDocument b = parse_json_document(R"({"name": "second document"})", "b");
  JsonDocument moved = std::move(a); // the buffers move with it, the refs stay valid
  {
    // c takes the buffers b's predecessor left; a (now `moved`) and b are untouched.
    JsonDocument tmp = parse_json_document(R"({"name": "temporary"})", "t");
    EXPECT_EQ(at(tmp.root(), "name").get_string(), "temporary");
  }
  const JsonDocument c = parse_json_document(R"({"name": "third, in reused buffers"})", "c");
  EXPECT_EQ(a_name.get_string(), "first document");
  EXPECT_EQ(at(moved.root(), "n").elements().at(2).get_uint64(), 3u);
  EXPECT_EQ(at(b.root(), "name").get_string(), "second document");
  EXPECT_EQ(at(c.root(), "name").get_string(), "third, in reused buffers");
}

TEST(JsonDom, TextCheckFindsEveryBadByteInLongAsciiRuns) {
  // The check reads 8 printable bytes at a time: a bad byte at every offset of a long run is
  // found at its own line and column.
  const std::string run(40, 'a');
  for (std::size_t i = 0; i < run.size(); ++i)
    for (const char bad : {'\x00', '\x01', '\x1f', '\x7f'}) {
      std::string text = run;
      text[i] = bad;
      try {
        check_text(text, "r");
        ADD_FAILURE() << "byte " << int(bad) << " at " << i << " not found";
      } catch (const InputError& e) {
        EXPECT_EQ(std::string(e.what()),
                  fmt::format("r:1:{}: binary content (byte 0x{:02x}): not a text file", i + 1,
                              static_cast<unsigned char>(bad)));
      }
    }
  EXPECT_NO_THROW(check_text(run + "é" + run + "\t\n\r ~" + run, "r"));
  std::string bad_utf8 = run + "\xff" + run;
  EXPECT_THROW(check_text(bad_utf8, "r"), InputError);
}

TEST(JsonDom, EscapedQuotesDoNotEndAStringForTheNestingCheck) {
  // A quote after a backslash is inside the string: the brackets after it are text.
  const std::string deep_in_string = "[\"a\\\"" + std::string(100, '[') + "\"]";
  EXPECT_NO_THROW((void)parse_json_document(deep_in_string, "s.json"));
  // An escaped backslash before the quote does end it: the brackets after are structure.
  const std::string deep_after =
      "[\"a\\\\\"," + std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']') + "]";
  EXPECT_EQ(message_of(deep_after, "d.json"), "d.json:1:71: nesting deeper than 64 levels");
}

} // namespace
} // namespace gpucert
