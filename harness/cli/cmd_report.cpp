// `gpucert report CERT.json|RUN_DIR --format F [--pubkey K]... [-o FILE]`: renders a certificate
// (formats: reports/render.cpp) with the signature status of the directory it is in, checked now.
#include "harness/certify/atomic_file.hpp"
#include "harness/cli/cli_files.hpp"
#include "harness/cli/commands.hpp"
#include "harness/cli/std_output.hpp"
#include "harness/compare/run_dir.hpp"
#include "harness/core/input_file.hpp"
#include "harness/trust/signature_status.hpp"
#include "reports/render.hpp"

#include <filesystem>
#include <fmt/core.h>
#include <memory>

namespace gpucert::cli {

namespace {

struct ReportArgs {
  std::string cert, format, output;
  std::vector<std::string> pubkeys;
};

ExitCode report_action(const ReportArgs& a) {
  // A run directory stands for its certificate.json.
  std::error_code ec;
  const std::string path = std::filesystem::is_directory(a.cert, ec)
                               ? (std::filesystem::path(a.cert) / "certificate.json").string()
                               : a.cert;
  const std::string text_in = read_input_file(path, kCertificateInput);
  report::Certificate cert;
  try {
    cert = report::certificate_from_text(text_in, path);
  } catch (const InputError& e) {
    const std::string what = e.what();
    throw InputError(what.rfind(path, 0) == 0 ? what : fmt::format("{}: {}", path, what));
  }
  // The reports are renderings of signed files: each shows what verifying the directory the
  // certificate is in finds now (the json format is the certificate itself and shows nothing).
  const std::filesystem::path dir = std::filesystem::absolute(path).parent_path();
  if (a.format == "json-full" && report::needs_samples(cert)) {
    // The full form spells out the samples: those of results.json when it is the certificate's.
    try {
      compare::attach_run_samples(cert, dir.string(), "the certificate's directory");
    } catch (const InputError& e) {
      fmt::print(stderr, "gpucert: note: benchmark checks are written without their samples: {}\n",
                 e.what());
    }
  }
  const report::SignatureStatus sig = trust::signature_status(dir, a.pubkeys);
  const std::string text = report::render(a.format, cert, sig);
  if (a.output.empty() || a.output == "-")
    write_stdout(text);
  else
    certify::write_file_atomic(a.output, text);
  return ExitCode::certified; // rendering succeeded; the verdict is in the report, not the exit
                              // code
}

} // namespace

void add_report(CLI::App& app, Commands& cmds) {
  auto args = std::make_shared<ReportArgs>();
  std::string formats_help;
  std::vector<std::string> names;
  for (const report::Format& f : report::formats()) {
    formats_help += fmt::format("\n  {:9} {}", f.name, f.description);
    names.push_back(f.name);
  }
  auto* sub = app.add_subcommand(
      "report", fmt::format("render a certificate in another format ({})", report::format_list()));
  sub->add_option("certificate", args->cert,
                  "certificate.json, or the run directory that holds it (`run --out`)")
      ->required()
      ->type_name("CERT.json|RUN_DIR");
  sub->add_option("--format", args->format, "one of:" + formats_help)
      ->required()
      ->check(CLI::IsMember(names));
  sub->add_option("--pubkey", args->pubkeys,
                  "a trusted public key or keyring file (repeatable): the reports show the "
                  "signature of CERT.json's directory as VALID only when it is by one of these "
                  "keys (UNTRUSTED when intact but by another or no key given)")
      ->type_name("K");
  sub->add_option(
         "-o,--output", args->output,
         "write to FILE instead of stdout (\"-\": stdout); only a regular file is replaced")
      ->type_name("FILE");
  cmds.push_back({sub, [args]() { return report_action(*args); }});
}

} // namespace gpucert::cli
