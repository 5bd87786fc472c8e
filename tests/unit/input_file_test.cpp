// The one guarded reader: files that are not regular (FIFO, device, directory), oversize files,
// bad text (UTF-8, NUL) with its position, and the JSON guards (depth, number length, duplicate
// keys, trailing documents, non-finite numbers). Every failure is an InputError naming the file.
#include "harness/core/error.hpp"
#include "harness/core/input_file.hpp"
#include "harness/core/json_input.hpp"
#include "harness/core/yaml_input.hpp"

#include <filesystem>
#include <fstream>
#include <functional>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace gpucert {
namespace {

namespace fs = std::filesystem;

std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

/// A scratch folder removed at the end of the test.
struct TempDir {
  fs::path path =
      fs::temp_directory_path() / ("gpucert-input-" + std::to_string(::getpid()) + "-" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
  std::string write(const std::string& name, const std::string& bytes) const {
    std::ofstream(path / name, std::ios::binary) << bytes;
    return (path / name).string();
  }
};

constexpr InputKind kSmall{"test", 64};

TEST(InputFile, ReadsARegularTextFile) {
  TempDir d;
  EXPECT_EQ(read_input_file(d.write("a.txt", "héllo\n"), kSmall), "héllo\n");
  EXPECT_EQ(read_input_file(d.write("empty.txt", ""), kSmall), "");
}

TEST(InputFile, FifoIsRefusedWithoutBlocking) {
  TempDir d;
  const std::string fifo = (d.path / "pipe").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const std::string msg = message_of([&] { read_input_file(fifo, kSmall); });
  EXPECT_EQ(msg.rfind(fifo + ": not a regular file", 0), 0u) << msg;
  EXPECT_NE(msg.find("FIFO"), std::string::npos) << msg;
}

TEST(InputFile, DeviceAndDirectoryAreRefused) {
  EXPECT_NE(message_of([] {
              read_input_file("/dev/zero", kSmall);
            }).find("/dev/zero: not a regular file"),
            std::string::npos);
  TempDir d;
  const std::string msg = message_of([&] { read_input_file(d.path.string(), kSmall); });
  EXPECT_NE(msg.find("not a regular file"), std::string::npos) << msg;
  EXPECT_NE(msg.find("directory"), std::string::npos) << msg;
}

TEST(InputFile, MissingFileNamesTheFile) {
  EXPECT_EQ(message_of([] { read_input_file("/nonexistent/x.json", kResultsInput); }),
            "/nonexistent/x.json: cannot open the results file: no such file");
}

TEST(InputFile, OversizeIsRefusedBeforeReading) {
  TempDir d;
  const std::string p = d.write("big.txt", std::string(65, 'x'));
  EXPECT_EQ(message_of([&] { read_input_file(p, kSmall); }),
            p + ": file is 65 bytes; a test file may be at most 64 bytes");
  EXPECT_NO_THROW(read_input_file(d.write("ok.txt", std::string(64, 'x')), kSmall));
}

TEST(InputFile, BadUtf8IsReportedAtLineAndColumn) {
  TempDir d;
  // Line 2, after two characters (one of them two bytes): column 3.
  const std::string p = d.write("bad.txt", "ok\naé\xff rest\n");
  EXPECT_EQ(message_of([&] { read_input_file(p, kSmall); }), p + ":2:3: invalid UTF-8 (byte 0xff)");
  for (const std::string bad : {"\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80"})
    EXPECT_NE(message_of([&] { check_text("x" + bad, "f"); }).find("f:1:2: invalid UTF-8"),
              std::string::npos)
        << "overlong, surrogate, truncated or above U+10FFFF must be refused";
}

TEST(InputFile, NulAndControlBytesAreBinary) {
  TempDir d;
  const std::string p = d.write("nul.txt", std::string("ab\ncd\0", 6));
  EXPECT_EQ(message_of([&] { read_input_file(p, kSmall); }),
            p + ":2:3: binary content (byte 0x00): not a text file");
  EXPECT_NE(
      message_of([] { check_text("\x1b[31m", "t"); }).find("t:1:1: binary content (byte 0x1b)"),
      std::string::npos);
  EXPECT_NO_THROW(check_text("tab\there\r\n", "t"));
}

// --- JSON ---------------------------------------------------------------------------------

TEST(JsonInput, ParsesOneDocument) {
  const auto j = parse_json_text(R"({"a": [1, 2.5, "x"], "b": {"c": null}})", "f.json");
  EXPECT_EQ(j.at("a").at(1), 2.5);
}

TEST(JsonInput, DeepNestingIsRefusedWithItsPosition) {
  const std::string deep =
      std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  EXPECT_EQ(message_of([&] { parse_json_text(deep, "d.json"); }),
            "d.json:1:65: nesting deeper than 64 levels");
  const std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_NO_THROW(parse_json_text(ok, "d.json"));
  // Brackets inside strings do not count.
  EXPECT_NO_THROW(parse_json_text("\"" + std::string(1000, '[') + "\"", "s.json"));
}

TEST(JsonInput, LongNumberIsRefused) {
  const std::string msg =
      message_of([] { parse_json_text("{\n  \"n\": " + std::string(40, '9') + "}", "n.json"); });
  EXPECT_EQ(msg, "n.json:2:8: a number longer than 32 characters");
  EXPECT_NO_THROW(parse_json_text("[-1.7976931348623157e+308, 18446744073709551615]", "n.json"));
}

TEST(JsonInput, NumberOutOfDoubleRangeIsRefused) {
  EXPECT_EQ(message_of([] { parse_json_text(R"({"a": [0, 1e999]})", "r.json"); }),
            "r.json: not JSON: a number out of the range of a double");
}

TEST(JsonInput, DuplicateKeyNamesTheField) {
  EXPECT_EQ(message_of([] { parse_json_text(R"({"m": [{"k": 1}, {"k": 1, "k": 2}]})", "k.json"); }),
            "k.json: field 'm[1].k': duplicate key (each key may appear once in an object)");
  // The same key in sibling objects is fine.
  EXPECT_NO_THROW(parse_json_text(R"([{"k": 1}, {"k": 2}])", "k.json"));
}

TEST(JsonInput, TrailingDocumentIsRefused) {
  const std::string msg = message_of([] { parse_json_text("{\"a\": 1}\n{\"b\": 2}", "t.json"); });
  EXPECT_EQ(msg.rfind("t.json:2:", 0), 0u) << msg;
  EXPECT_NE(msg.find("not JSON"), std::string::npos) << msg;
}

TEST(JsonInput, SyntaxErrorNeverQuotesTheText) {
  const std::string msg =
      message_of([] { parse_json_text("{\"a\": secret-password-here}", "q.json"); });
  EXPECT_EQ(msg.rfind("q.json:1:", 0), 0u) << msg;
  EXPECT_EQ(msg.find("secret"), std::string::npos) << msg;
  EXPECT_EQ(message_of([] { parse_json_text("", "e.json"); }).rfind("e.json:1:1: not JSON", 0), 0u);
}

TEST(JsonInput, ReadsThroughTheGuardedFileReader) {
  TempDir d;
  EXPECT_EQ(read_json_input(d.write("r.json", R"({"x": 1})"), kResultsInput).at("x"), 1);
  EXPECT_NE(
      message_of([] { read_json_input("/dev/zero", kResultsInput); }).find("not a regular file"),
      std::string::npos);
}

// --- YAML ---------------------------------------------------------------------------------

TEST(YamlInput, SingleBoundedDocument) {
  EXPECT_EQ(parse_yaml_text("a: 1\n", "y.yaml", kNodeInput)["a"].as<int>(), 1);
  EXPECT_EQ(message_of([] {
              parse_yaml_text("a: 1\n---\nb: 2\n", "y.yaml", kNodeInput);
            }).rfind("y.yaml:3:", 0),
            0u);
  EXPECT_EQ(message_of([] { parse_yaml_text("", "y.yaml", kNodeInput); }),
            "y.yaml:1:1: simulator node is empty");
  const std::string deep = std::string(40, '[') + std::string(40, ']');
  EXPECT_NE(message_of([&] { parse_yaml_text(deep, "y.yaml", kNodeInput); }).find("nesting deeper"),
            std::string::npos);
}

} // namespace
} // namespace gpucert
