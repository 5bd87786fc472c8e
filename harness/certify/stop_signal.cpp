// Signal flag for graceful interruption (see stop_signal.hpp).
#include "harness/certify/stop_signal.hpp"

#include <csignal>

namespace gpucert::certify {

namespace {
volatile std::sig_atomic_t g_signal = 0;
extern "C" void on_stop(int sig) {
  g_signal = sig;
}
} // namespace

void install_stop_handlers() {
  g_signal = 0;
  struct sigaction sa {};
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND; // the second Ctrl-C is not ignored
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

void remove_stop_handlers() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
}

int stop_signal() {
  return g_signal;
}

std::string stop_signal_name() {
  switch (g_signal) {
  case 0:
    return "";
  case SIGINT:
    return "SIGINT";
  case SIGTERM:
    return "SIGTERM";
  default:
    return "signal " + std::to_string(g_signal);
  }
}

void set_stop_signal(int sig) {
  g_signal = sig;
}

} // namespace gpucert::certify
