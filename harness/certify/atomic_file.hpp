// Writing a file so that a reader (or a crash) never sees half of it: temp file, fsync, rename.
#pragma once

#include <string>

namespace gpucert::certify {

/// Replaces `path` with `content` atomically. EnvironmentError when the directory is not writable.
void write_file_atomic(const std::string& path, const std::string& content);

} // namespace gpucert::certify
