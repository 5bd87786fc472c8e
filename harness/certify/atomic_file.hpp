// Writing a file so that a reader (or a crash) never sees half of it: temp file, fsync, rename.
// An output only ever replaces a regular file: a symlink, FIFO, device, socket or directory at
// the target is refused, so a planted link cannot redirect gpucert's writes and `-o /dev/sda`
// cannot destroy a disk.
#pragma once

#include <string>

namespace gpucert::certify {

/// What is at `path` when gpucert must not replace it: "a symbolic link", "a FIFO", "a character
/// device", "a block device", "a socket", "a directory". Empty when nothing is there or it is a
/// regular file. A symlink is reported as such, never followed.
std::string non_regular_kind(const std::string& path);

/// Throws InputError naming `path` and what it is when non_regular_kind(path) is not empty.
void require_regular_target(const std::string& path);

/// Replaces `path` with `content` atomically. InputError when the target is not a regular file
/// (see above) or its directory does not exist; EnvironmentError when it cannot be written
/// (permissions, disk full).
void write_file_atomic(const std::string& path, const std::string& content);

} // namespace gpucert::certify
