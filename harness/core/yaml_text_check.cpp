// See yaml_text_check.hpp.
#include "harness/core/yaml_text_check.hpp"

#include "harness/core/error.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fmt/core.h>
#include <string_view>
#include <sys/wait.h>
#include <unistd.h>
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

void require_yaml_parser_finishes(std::string_view text, const std::string& file) {
  constexpr unsigned kDeadlineSeconds = 2; // a 1 MiB valid file parses in well under a second
  std::fflush(nullptr);                    // nothing buffered may be written twice
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
  throw InputError(fmt::format("{}: the YAML parser did not finish on this text within {} s "
                               "(malformed YAML that yaml-cpp 0.7 cannot handle): fix the file",
                               file, kDeadlineSeconds));
}

} // namespace gpucert
