// `gpucert key generate --out K`: a new Ed25519 key pair, K (secret, mode 0600) and K.pub;
// `gpucert key show FILE...`: the id and fingerprint of each key in public key or keyring files.
// Exit 0, or 2 for bad input (an existing K, a malformed key file). Format: docs/trust.md.
#include "harness/cli/commands.hpp"
#include "harness/cli/std_output.hpp"
#include "harness/trust/keys.hpp"

#include <fmt/core.h>
#include <memory>

namespace gpucert::cli {

namespace {

struct KeyArgs {
  std::string out;
  std::vector<std::string> show;
};

} // namespace

void add_key(CLI::App& app, Commands& cmds) {
  auto args = std::make_shared<KeyArgs>();
  auto* sub = app.add_subcommand("key", "signing keys (Ed25519): generate a key pair, show a key's "
                                        "id and fingerprint");
  sub->require_subcommand(1);
  auto* gen = sub->add_subcommand(
      "generate", "write a new key pair: K (secret key, mode 0600, never overwritten) and K.pub "
                  "(public key, to hand to whoever verifies)");
  gen->add_option("--out", args->out, "secret key file to create; the public key goes to K.pub")
      ->type_name("K")
      ->required();
  auto* show = sub->add_subcommand(
      "show", "print the key id and fingerprint of each public key in FILE (a .pub file or a "
              "keyring)");
  show->add_option("file", args->show, "public key or keyring files")
      ->type_name("FILE")
      ->required();

  cmds.push_back({gen, [args]() {
                    const trust::SecretKey k = trust::write_key_pair(args->out);
                    write_stdout(fmt::format("key id      {}\nfingerprint {}\nsecret key  {} "
                                             "(mode 0600: keep it private)\npublic key  {}.pub\n",
                                             k.pub.id, k.pub.fingerprint, args->out, args->out));
                    return ExitCode::certified;
                  }});
  cmds.push_back({show, [args]() {
                    std::string out;
                    for (const auto& f : args->show)
                      for (const auto& k : trust::load_keyring(f))
                        out += fmt::format("{}  {}  {}\n", k.id, k.fingerprint, k.source);
                    write_stdout(out);
                    return ExitCode::certified;
                  }});
}

} // namespace gpucert::cli
