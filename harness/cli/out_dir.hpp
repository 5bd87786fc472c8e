// The --out directory of `run` and `evaluate`: one command at a time, one run's files at a time.
//
// Opening it takes a non-blocking flock on DIR/.gpucert.lock (which records pid, host, start
// time and command), so a second gpucert into the same DIR exits 2 naming the holder instead of
// interleaving its files. The lock lives as long as the OutDir object (and ends with the process,
// even on a crash or SIGKILL). Then the outputs of a previous command still in DIR are moved into
// DIR/previous-<UTC time they were written>/: the evidence is kept and DIR never holds files of
// two runs side by side. Only gpucert's own file names are moved; other files are left alone.
#pragma once

#include <string>
#include <vector>

namespace gpucert::cli {

/// The names of the files a run or an evaluation writes into DIR.
const std::vector<std::string>& out_dir_file_names();

class OutDir {
public:
  /// Creates DIR (and parents) if needed and locks it. InputError when DIR is a symbolic link or
  /// not a directory, when another gpucert holds the lock, or when one of gpucert's file names in
  /// DIR is not a regular file (a planted link, FIFO or device).
  explicit OutDir(const std::string& dir);
  ~OutDir();
  OutDir(const OutDir&) = delete;
  OutDir& operator=(const OutDir&) = delete;

  /// Moves the previous command's files into DIR/previous-<UTC>/ and says so on stderr; returns
  /// that folder, or an empty string when DIR held none.
  std::string move_previous_aside();

  const std::string& path() const { return dir_; }

private:
  void lock_and_check(const std::string& lock);

  std::string dir_;
  int lock_fd_ = -1;
};

} // namespace gpucert::cli
