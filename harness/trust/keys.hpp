// Ed25519 key files (plain text, as minisign writes them), key ids, keyrings and revocation
// lists. Every malformed file is an InputError naming the file and line.
#pragma once

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace gpucert::trust {

inline constexpr std::size_t kPublicKeyBytes = 32; ///< Ed25519 public key
inline constexpr std::size_t kSecretKeyBytes = 64; ///< libsodium's seed ‖ public key
inline constexpr std::size_t kSignatureBytes = 64;

struct PublicKey {
  std::array<std::uint8_t, kPublicKeyBytes> bytes{};
  std::string id;          ///< hex of the first 8 bytes of SHA-256(bytes): 16 characters
  std::string fingerprint; ///< "SHA256:" + hex of SHA-256(bytes), for people to compare
  std::string source;      ///< "FILE:LINE" it was read from ("" when made in memory)
  /// The key line of a .pub file: base64("Ed" ‖ bytes).
  std::string encoded() const;
};

struct SecretKey {
  std::array<std::uint8_t, kSecretKeyBytes> bytes{};
  PublicKey pub;
};

/// The key id and fingerprint of a public key (see PublicKey).
PublicKey make_public_key(const std::array<std::uint8_t, kPublicKeyBytes>& bytes);

/// Decodes a .pub key line (base64("Ed" ‖ 32 bytes)); InputError "WHERE: ..." otherwise.
PublicKey decode_public_key(std::string_view line, const std::string& where);

/// A fresh key pair (libsodium's generator).
SecretKey generate_key();

/// The text of the secret and public key files of `k`.
std::string secret_key_text(const SecretKey& k);
std::string public_key_text(const PublicKey& k);

/// Writes PATH (secret key, mode 0600) and PATH.pub. Neither may exist (O_EXCL: a key is never
/// overwritten); InputError naming the one that does, EnvironmentError when writing fails.
SecretKey write_key_pair(const std::string& path);

/// Reads a secret key file. InputError when it is missing, readable by group or others (like
/// ssh, which refuses such a key), or malformed (naming the line), or a public key.
SecretKey load_secret_key(const std::string& path);

/// Reads a keyring: one or more public keys, each a key line optionally preceded by its
/// "untrusted comment:" line; blank lines and lines starting with '#' are skipped. A .pub file
/// is a keyring of one. InputError for a missing file, a malformed line, a secret key or no key.
std::vector<PublicKey> load_keyring(const std::string& path);

/// Reads a revocation list: one key id (16 hex digits) per line; '#' starts a comment.
std::set<std::string> load_revoked(const std::string& path);

/// The keys a verifier trusts: every key of the keyring files, minus the revoked ids.
struct Keyring {
  std::vector<PublicKey> keys;
  std::set<std::string> revoked;
  /// The key with this id, or nullptr.
  const PublicKey* find(const std::string& id) const;
};
Keyring load_keyring(const std::vector<std::string>& keyring_files,
                     const std::vector<std::string>& revoked_files);

/// Ed25519 over `message`.
std::array<std::uint8_t, kSignatureBytes> sign_bytes(const SecretKey& k, std::string_view message);
bool verify_bytes(const PublicKey& k, std::string_view message, std::string_view signature);

/// Standard base64 with padding (RFC 4648 section 4).
std::string base64_encode(std::string_view bytes);
/// Strict: the standard alphabet with padding, no whitespace, unused bits zero (so one text
/// per byte string). InputError "WHAT: not valid base64" otherwise.
std::string base64_decode(std::string_view text, const std::string& what);

} // namespace gpucert::trust
