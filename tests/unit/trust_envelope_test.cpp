// The DSSE envelope and in-toto statement (harness/trust/envelope.hpp): PAE as the DSSE spec
// defines it, round trips, and every malformed envelope (truncated, wrong types, missing or
// extra fields, bad base64) an InputError naming the field, never a crash. Also the time and
// duration parsers of verify.
#include "harness/core/error.hpp"
#include "harness/trust/envelope.hpp"
#include "harness/trust/keys.hpp"
#include "harness/trust/verify.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace gpucert::trust {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

Envelope sample() {
  Statement st;
  st.subjects = {{"results.json", std::string(64, 'a')},
                 {"certificate.json", std::string(64, 'b')}};
  st.predicate = {{"outcome", "CERTIFIED"}};
  Envelope e;
  e.payload_type = kPayloadType;
  e.payload = statement_text(st);
  e.signatures.push_back({"0123456789abcdef", std::string(64, '\x01')});
  return e;
}

TEST(TrustEnvelope, PaeIsTheDsseV1Encoding) {
  // The example of the DSSE protocol document.
  EXPECT_EQ(pae("http://example.com/HelloWorld", "hello world"),
            "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
  EXPECT_EQ(pae("", ""), "DSSEv1 0  0 ");
  EXPECT_EQ(pae("t", std::string("a\0b", 3)), std::string("DSSEv1 1 t 3 a\0b", 16));
}

TEST(TrustEnvelope, RoundTripsThroughItsText) {
  const Envelope e = sample();
  const std::string text = envelope_text(e);
  const json j = json::parse(text);
  EXPECT_EQ(j.at("payloadType"), kPayloadType);
  EXPECT_EQ(j.at("signatures").at(0).at("keyid"), "0123456789abcdef");
  const Envelope back = parse_envelope(text, "env");
  EXPECT_EQ(back.payload, e.payload);
  EXPECT_EQ(back.signatures.at(0).sig, e.signatures.at(0).sig);
  const Statement st = parse_statement(back.payload, "payload");
  ASSERT_EQ(st.subjects.size(), 2u);
  EXPECT_EQ(st.subjects[1].name, "certificate.json");
  EXPECT_EQ(st.predicate.at("outcome"), "CERTIFIED");
  const json sj = json::parse(back.payload);
  EXPECT_EQ(sj.at("_type"), "https://in-toto.io/Statement/v1");
  EXPECT_EQ(sj.at("subject").at(0).at("digest").at("sha256"), std::string(64, 'a'));
}

TEST(TrustEnvelope, EveryTruncationIsAnInputError) {
  const std::string text = envelope_text(sample());
  for (std::size_t n = 0; n < text.size() - 2; n += 7)
    EXPECT_THROW(parse_envelope(text.substr(0, n), "env"), InputError) << n;
}

TEST(TrustEnvelope, MalformedEnvelopesNameTheField) {
  const json good = json::parse(envelope_text(sample()));
  auto with = [&](const std::function<void(json&)>& edit) {
    json j = good;
    edit(j);
    return message_of([&] { parse_envelope(j.dump(), "env"); });
  };
  EXPECT_THAT(with([](json& j) { j.erase("payload"); }), HasSubstr("field 'payload' missing"));
  EXPECT_THAT(with([](json& j) { j["payload"] = 3; }), HasSubstr("field 'payload' must be string"));
  EXPECT_THAT(with([](json& j) { j["payload"] = "not base64"; }), HasSubstr("payload"));
  EXPECT_THAT(with([](json& j) { j["payloadType"] = "application/json"; }),
              HasSubstr("field 'payloadType' must be"));
  EXPECT_THAT(with([](json& j) { j["signatures"] = json::array(); }),
              HasSubstr("exactly one signature"));
  EXPECT_THAT(with([](json& j) { j["signatures"].push_back(j["signatures"][0]); }),
              HasSubstr("exactly one signature"));
  EXPECT_THAT(with([](json& j) { j["signatures"] = "x"; }), HasSubstr("must be array"));
  EXPECT_THAT(with([](json& j) { j["signatures"][0] = 1; }), HasSubstr("signatures[0]"));
  EXPECT_THAT(with([](json& j) { j["signatures"][0].erase("keyid"); }),
              HasSubstr("'signatures[0].keyid' missing"));
  EXPECT_THAT(with([](json& j) { j["signatures"][0]["keyid"] = "KEY"; }),
              HasSubstr("signatures[0].keyid"));
  EXPECT_THAT(with([](json& j) { j["signatures"][0]["sig"] = base64_encode("short"); }),
              HasSubstr("must decode to 64 bytes"));
  EXPECT_THAT(with([](json& j) { j["signatures"][0]["sig"] = "@@@@"; }),
              HasSubstr("signatures[0].sig': not valid base64"));
  EXPECT_THAT(with([](json& j) { j["extra"] = 1; }), HasSubstr("unknown field 'extra'"));
  EXPECT_THAT(with([](json& j) { j = json::array(); }), HasSubstr("JSON object"));
  EXPECT_THAT(message_of([] { parse_envelope("", "env"); }), HasSubstr("env: empty"));
  EXPECT_THAT(message_of([] { parse_envelope("{\"payload\":1,\"payload\":2}", "env"); }),
              HasSubstr("env"));
  EXPECT_THROW(parse_envelope(std::string("{\0}", 3), "env"), InputError);
}

TEST(TrustEnvelope, MalformedStatementsNameTheField) {
  const json good = json::parse(sample().payload);
  auto with = [&](const std::function<void(json&)>& edit) {
    json j = good;
    edit(j);
    return message_of([&] { parse_statement(j.dump(), "payload"); });
  };
  EXPECT_THAT(with([](json& j) { j["_type"] = "https://in-toto.io/Statement/v0.1"; }),
              HasSubstr("'_type' must be"));
  EXPECT_THAT(with([](json& j) { j["predicateType"] = "x"; }), HasSubstr("'predicateType'"));
  EXPECT_THAT(with([](json& j) { j.erase("subject"); }), HasSubstr("'subject' missing"));
  EXPECT_THAT(with([](json& j) { j["subject"] = json::array(); }), HasSubstr("'subject' is empty"));
  EXPECT_THAT(with([](json& j) { j["subject"][0]["digest"]["sha256"] = "ABC"; }),
              HasSubstr("subject[0].digest.sha256"));
  EXPECT_THAT(with([](json& j) {
                j["subject"][0]["digest"] = {{"md5", "x"}};
              }),
              HasSubstr("unknown field 'subject[0].digest.md5'"));
  EXPECT_THAT(with([](json& j) { j["subject"][1]["name"] = "results.json"; }),
              HasSubstr("named twice"));
  EXPECT_THAT(with([](json& j) { j["subject"][0]["name"] = 7; }),
              HasSubstr("'subject[0].name' must be string"));
  EXPECT_THAT(with([](json& j) { j["predicate"] = "x"; }), HasSubstr("'predicate' must be object"));
  EXPECT_THAT(message_of([] { parse_statement("{", "payload"); }), HasSubstr("payload"));
}

TEST(TrustVerifyParsers, DurationsAndTimes) {
  EXPECT_DOUBLE_EQ(parse_duration("30d"), 30 * 86400.0);
  EXPECT_DOUBLE_EQ(parse_duration("12h"), 12 * 3600.0);
  EXPECT_DOUBLE_EQ(parse_duration("45m"), 45 * 60.0);
  EXPECT_DOUBLE_EQ(parse_duration("1.5h"), 5400.0);
  for (const std::string bad : {"", "30", "d", "-1d", "30x", "3 0d", "1e400d", "nand"})
    EXPECT_THROW(parse_duration(bad), InputError) << bad;
  EXPECT_EQ(parse_utc("1970-01-02T00:00:00Z"), std::optional<std::time_t>(86400));
  EXPECT_EQ(parse_utc("1970-01-01T00:01:00.250Z"), std::optional<std::time_t>(60));
  for (const std::string bad : {"", "1970-01-01", "1970-01-01T00:00:00", "1970-01-01T00:00:00+01",
                                "1970-01-01T00:00:00.Z", "1970-01-01T00:00:00Zjunk"})
    EXPECT_FALSE(parse_utc(bad).has_value()) << bad;
}

} // namespace
} // namespace gpucert::trust
