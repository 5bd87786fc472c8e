// Key files (harness/trust/keys.hpp): generate → write → load round trips, the secret key's mode
// and O_EXCL, every malformed key, keyring and revocation file named by file and line, strict
// base64 and Ed25519 sign/verify.
#include "harness/core/error.hpp"
#include "harness/trust/keys.hpp"
#include "tests/support/cli.hpp"

#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace gpucert::trust {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string write(const std::string& dir, const std::string& name, const std::string& text,
                  mode_t mode = 0600) {
  const std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  ::chmod(path.c_str(), mode);
  return path;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no InputError)";
}

class TrustKeys : public ::testing::Test {
protected:
  void SetUp() override { dir_ = test::make_temp_dir("gpucert-keys"); }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
};

TEST_F(TrustKeys, GenerateWritesAPrivateSecretKeyAndAPublicKeyThatLoadBack) {
  const std::string k = dir_ + "/k";
  const SecretKey made = write_key_pair(k);
  struct stat st {};
  ASSERT_EQ(::stat(k.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const SecretKey sk = load_secret_key(k);
  const std::vector<PublicKey> ring = load_keyring(k + ".pub");
  ASSERT_EQ(ring.size(), 1u);
  EXPECT_EQ(sk.pub.id, made.pub.id);
  EXPECT_EQ(ring[0].id, made.pub.id);
  EXPECT_EQ(ring[0].bytes, made.pub.bytes);
  EXPECT_EQ(ring[0].id.size(), 16u);
  EXPECT_EQ(ring[0].fingerprint.rfind("SHA256:", 0), 0u);
  EXPECT_EQ(ring[0].fingerprint.size(), 7u + 64u);
  EXPECT_EQ(ring[0].fingerprint.substr(7, 16), ring[0].id);
  EXPECT_EQ(ring[0].source, k + ".pub:2");
  EXPECT_THAT(test::read_file(k),
              HasSubstr("untrusted comment: gpucert secret key " + made.pub.id));
  EXPECT_THAT(test::read_file(k + ".pub"),
              HasSubstr("untrusted comment: gpucert public key " + made.pub.id));
}

TEST_F(TrustKeys, GenerateNeverOverwritesAKey) {
  const std::string k = dir_ + "/k";
  write_key_pair(k);
  const std::string before = test::read_file(k);
  EXPECT_THAT(message_of([&] { write_key_pair(k); }), HasSubstr("already exists"));
  EXPECT_EQ(test::read_file(k), before);
  // K.pub alone in the way: K is not created either.
  const std::string k2 = dir_ + "/k2";
  write(dir_, "k2.pub", "x\n", 0644);
  EXPECT_THAT(message_of([&] { write_key_pair(k2); }), HasSubstr("k2.pub: already exists"));
  EXPECT_FALSE(fs::exists(k2));
}

TEST_F(TrustKeys, ASecretKeyOthersCanReadIsRefusedLikeSsh) {
  const std::string k = dir_ + "/k";
  write_key_pair(k);
  ::chmod(k.c_str(), 0644);
  const std::string m = message_of([&] { load_secret_key(k); });
  EXPECT_THAT(m, HasSubstr("readable or writable by group or others"));
  EXPECT_THAT(m, HasSubstr("chmod 600"));
  ::chmod(k.c_str(), 0600);
  EXPECT_NO_THROW(load_secret_key(k));
}

TEST_F(TrustKeys, MalformedKeyFilesAreNamedByFileAndLine) {
  const SecretKey sk = generate_key();
  const std::string pub_line = sk.pub.encoded();
  struct Case {
    std::string text, want;
  };
  const std::vector<Case> cases = {
      {"", "no public key"},
      {"untrusted comment: nothing\n", "no public key"},
      {"untrusted comment: x\nnot base64!\n", "bad:2: not valid base64"},
      {"untrusted comment: x\n" + pub_line.substr(0, pub_line.size() - 4) + "\n", "bad:2:"},
      {"# a keyring\n\n" + base64_encode("XX" + std::string(32, 'a')) + "\n",
       "bad:3: not an Ed25519"},
      {base64_encode("Ed" + std::string(31, 'a')) + "\n", "bad:1: a public key is 32 bytes"},
      {pub_line + "\n" + base64_encode("Ed" + std::string(64, 'a')) + "\n",
       "bad:2: this is a secret key"},
      {pub_line + " \n", "bad:1: not valid base64"},
  };
  for (const auto& c : cases) {
    const std::string f = write(dir_, "bad", c.text, 0644);
    EXPECT_THAT(message_of([&] { load_keyring(f); }), HasSubstr(c.want)) << c.text;
  }
  EXPECT_THAT(message_of([&] { load_keyring(dir_ + "/missing.pub"); }), HasSubstr("missing.pub"));
  // A public key where the secret key belongs, and a secret key damaged in its public half.
  const std::string p = write(dir_, "p", public_key_text(sk.pub));
  EXPECT_THAT(message_of([&] { load_secret_key(p); }), HasSubstr("p:2: this is a public key"));
  SecretKey broken = sk;
  broken.bytes[40] ^= 1;
  const std::string b = write(dir_, "b", secret_key_text(broken));
  EXPECT_THAT(message_of([&] { load_secret_key(b); }), HasSubstr("b:2: damaged secret key"));
  const std::string two = write(dir_, "two", secret_key_text(sk) + secret_key_text(sk));
  EXPECT_THAT(message_of([&] { load_secret_key(two); }), HasSubstr("two:4: a secret key file"));
}

TEST_F(TrustKeys, AKeyringHoldsSeveralKeysAndRevocationListsIds) {
  const SecretKey a = generate_key(), b = generate_key();
  const std::string ring = write(
      dir_, "ring",
      "# rotation: old key first\n" + public_key_text(a.pub) + "\n" + public_key_text(b.pub), 0644);
  const std::vector<PublicKey> keys = load_keyring(ring);
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].id, a.pub.id);
  EXPECT_EQ(keys[1].id, b.pub.id);
  const std::string rev =
      write(dir_, "rev", "# lost laptop\n" + a.pub.id + "  # 2026-01\n\n", 0644);
  const Keyring kr = load_keyring({ring}, {rev});
  EXPECT_EQ(kr.revoked, std::set<std::string>{a.pub.id});
  ASSERT_NE(kr.find(b.pub.id), nullptr);
  EXPECT_EQ(kr.find("0000000000000000"), nullptr);
  for (const std::string bad :
       std::vector<std::string>{"ABCDEF0123456789", "abc", a.pub.id + "0", "key " + a.pub.id}) {
    const std::string f = write(dir_, "badrev", "# ok\n" + bad + "\n", 0644);
    EXPECT_THAT(message_of([&] { load_revoked(f); }), HasSubstr("badrev:2: expected a key id"))
        << bad;
  }
}

TEST(TrustCrypto, SignaturesHoldOnlyForTheSignedBytesAndTheSigningKey) {
  const SecretKey a = generate_key(), b = generate_key();
  const auto sig = sign_bytes(a, "message");
  const std::string s(reinterpret_cast<const char*>(sig.data()), sig.size());
  EXPECT_TRUE(verify_bytes(a.pub, "message", s));
  EXPECT_FALSE(verify_bytes(a.pub, "messagf", s));
  EXPECT_FALSE(verify_bytes(b.pub, "message", s));
  EXPECT_FALSE(verify_bytes(a.pub, "message", s.substr(1)));
  std::string flipped = s;
  flipped[10] ^= 0x40;
  EXPECT_FALSE(verify_bytes(a.pub, "message", flipped));
}

TEST(TrustCrypto, Base64IsStrictSoEachByteStringHasOneText) {
  EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
  EXPECT_EQ(base64_decode("aGVsbG8=", "x"), "hello");
  EXPECT_EQ(base64_decode(base64_encode(std::string("\0\xff\x10", 3)), "x"),
            std::string("\0\xff\x10", 3));
  for (const std::string bad : {"", "aGVsbG8", "aGVsbG9=", "aGVs bG8=", "aGVsbG8=\n",
                                "aGV-bG8=", "aGVsbG8==", "====", "a==="})
    EXPECT_THROW(base64_decode(bad, "x"), InputError) << bad;
}

} // namespace
} // namespace gpucert::trust
