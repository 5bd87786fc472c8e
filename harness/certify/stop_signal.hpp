// SIGINT/SIGTERM during a run: the handler only records the signal; the run loop ends the
// current measurement, writes what it has (complete=false) and the certificate, and exits 1.
#pragma once

#include <string>

namespace gpucert::certify {

/// Installs handlers for SIGINT and SIGTERM (one-shot: a second signal kills as usual).
void install_stop_handlers();
/// Restores the default actions.
void remove_stop_handlers();
/// The signal received since install (0 when none).
int stop_signal();
/// "SIGTERM", "SIGINT" or "" when none.
std::string stop_signal_name();
/// For tests: pretend a signal arrived (or clear with 0).
void set_stop_signal(int sig);

} // namespace gpucert::certify
