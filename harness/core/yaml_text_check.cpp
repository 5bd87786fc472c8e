// See yaml_text_check.hpp.
#include "harness/core/yaml_text_check.hpp"

#include "harness/core/error.hpp"

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fmt/core.h>
#include <memory>
#include <mutex>
#include <string_view>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <unordered_set>
#include <yaml-cpp/yaml.h>

namespace gpucert {

void reject_yaml_cpp_hazards(std::string_view text, const std::string& file) {
  bool document_start = true; // before the first token of a document
  int line = 0;
  std::size_t begin = 0;
  while (begin <= text.size()) {
    const std::size_t end = std::min(text.find('\n', begin), text.size());
    std::string_view s = std::string_view(text).substr(begin, end - begin);
    const std::size_t indent = std::min(s.find_first_not_of(" \t\r"), s.size());
    ++line;
    begin = end + 1;
    s.remove_prefix(indent);
    std::size_t col = indent + 1;
    if (s.substr(0, 3) == "---" || s.substr(0, 3) == "...") {
      document_start = true;
      const std::size_t rest = std::min(s.find_first_not_of(" \t\r", 3), s.size());
      s.remove_prefix(rest);
      col += rest;
    }
    if (!document_start || s.empty() || s.front() == '#' || s.front() == '%')
      continue;
    // Node properties (a tag "!x", an anchor "&a") before the first token do not make it safe:
    // "!," hangs the same way. Skip them; a line of properties alone leaves the start open.
    while (!s.empty() && (s.front() == '!' || s.front() == '&')) {
      const std::size_t token = std::min(s.find_first_of(" \t\r,"), s.size());
      const std::size_t next = std::min(s.find_first_not_of(" \t\r", token), s.size());
      s.remove_prefix(next);
      col += next;
    }
    if (s.empty())
      continue;
    if (s.front() == ',')
      throw InputError(
          fmt::format("{}:{}:{}: YAML syntax: a document cannot start with ','", file, line, col));
    document_start = false;
  }
}

namespace {

constexpr unsigned kDeadlineSeconds = 2; // a 1 MiB valid file parses in well under a second

// Texts the parser already finished on in this process. A run reads the same node file once per
// simulated node (gpucert-simlot makes thousands); each would cost a fork, and a fork from a
// threaded process is what made a valid file look like a hang (the child waited on a malloc
// lock another thread held at the fork). Bounded so hostile input cannot grow it without end.
std::mutex g_finished_mu;
std::unordered_set<std::string> g_finished;
std::size_t g_finished_bytes = 0;
constexpr std::size_t kMaxRememberedBytes = std::size_t(8) << 20;

bool known_to_finish(std::string_view text) {
  std::lock_guard<std::mutex> lock(g_finished_mu);
  return g_finished.count(std::string(text)) > 0;
}

void remember_finished(std::string_view text) {
  std::lock_guard<std::mutex> lock(g_finished_mu);
  if (g_finished_bytes + text.size() > kMaxRememberedBytes)
    return;
  if (g_finished.emplace(text).second)
    g_finished_bytes += text.size();
}

// More than one thread in this process (Linux: one entry per thread under /proc/self/task).
bool process_is_threaded() {
  std::error_code ec;
  int n = 0;
  for (std::filesystem::directory_iterator it("/proc/self/task", ec), end; !ec && it != end;
       it.increment(ec))
    if (++n > 1)
      return true;
  return false;
}

[[noreturn]] void refuse_hang(const std::string& file) {
  throw InputError(fmt::format("{}: the YAML parser did not finish on this text within {} s "
                               "(malformed YAML that yaml-cpp 0.7 cannot handle): fix the file",
                               file, kDeadlineSeconds));
}

// Single-threaded: parse in a child process that an alarm ends, so a hang costs nothing here.
void probe_in_child(std::string_view text, const std::string& file) {
  std::fflush(nullptr); // nothing buffered may be written twice
  const pid_t pid = ::fork();
  if (pid < 0)
    return; // no probe possible: parse as before
  if (pid == 0) {
    std::signal(SIGALRM, SIG_DFL);
    ::alarm(kDeadlineSeconds);
    try {
      (void)YAML::LoadAll(std::string(text));
    } catch (...) {
      // a syntax error is an answer too: the parent reports it with its position
    }
    ::_exit(0);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return;
  if (WIFSIGNALED(status) && WTERMSIG(status) != SIGALRM)
    throw InputError(fmt::format("{}: the YAML parser died on this text (signal {}): fix the file",
                                 file, WTERMSIG(status)));
  refuse_hang(file);
}

// Threaded: a fork is unsafe, so parse on a thread of our own and wait for it with the deadline.
// A parser that never returns is left behind on its detached thread; the caller gets the error
// and the process ends on it (every reader treats InputError as fatal for that input).
void probe_on_thread(std::string_view text, const std::string& file) {
  struct Probe {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    std::string text;
  };
  auto probe = std::make_shared<Probe>();
  probe->text = std::string(text);
  std::thread worker([probe] {
    try {
      (void)YAML::LoadAll(probe->text);
    } catch (...) {
      // a syntax error is an answer too: the caller reports it with its position
    }
    std::lock_guard<std::mutex> lock(probe->mu);
    probe->done = true;
    probe->cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(probe->mu);
  if (probe->cv.wait_for(lock, std::chrono::seconds(kDeadlineSeconds),
                         [&] { return probe->done; })) {
    lock.unlock();
    worker.join();
    return;
  }
  lock.unlock();
  worker.detach();
  refuse_hang(file);
}

} // namespace

void require_yaml_parser_finishes(std::string_view text, const std::string& file) {
  if (known_to_finish(text))
    return;
  if (process_is_threaded())
    probe_on_thread(text, file);
  else
    probe_in_child(text, file);
  remember_finished(text);
}

} // namespace gpucert
