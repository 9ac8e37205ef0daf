// Files as `latent` reads and writes them: a model file is written whole or not at all, and read
// only if it is a regular file of a model file's size.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace latent {

// Writes `text` to a new file in the target's folder, flushes it to the disk and renames it over
// `path`: a reader sees the old file or the new one, never a part of either, and on any failure
// (a missing folder, a full disk, a killed process) the old file is as it was. A symbolic link is
// followed, so the file it names is replaced. Throws UsageError("cannot write PATH: REASON").
void write_file_atomically(const std::string& path, std::string_view text);

// The whole file. Throws UsageError("cannot read PATH: REASON") unless it is a regular file of at
// most `max_bytes` bytes: a folder, a FIFO or /dev/zero is refused before anything is read.
std::string read_regular_file(const std::string& path, std::size_t max_bytes);

}  // namespace latent
