#include "latent/files.hpp"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

#include "latent/arguments.hpp"

namespace latent {

namespace fs = std::filesystem;

namespace {

std::string reason(int error) { return std::generic_category().message(error); }

[[noreturn]] void cannot_write(const std::string& path, int error) {
  throw UsageError("cannot write " + path + ": " + reason(error));
}

// A file descriptor that is closed however the function holding it ends.
class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now, so that an error of close (NFS reports some write errors only there) is seen.
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

// 0 once every byte is written, else the errno of the write that failed.
int write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return written < 0 ? errno : EIO;
    text.remove_prefix(static_cast<std::size_t>(written));
  }
  return 0;
}

}  // namespace

void write_file_atomically(const std::string& path, std::string_view text) {
  std::error_code error;  // a path that does not exist yet is no error here
  // A link is followed, so that the file it names is replaced rather than the link itself.
  fs::path target = path;
  for (int links = 0; fs::is_symlink(target, error); ++links) {
    if (links == 40) cannot_write(path, ELOOP);  // the kernel's own limit
    const fs::path next = fs::read_symlink(target, error);
    if (error) cannot_write(path, error.value());
    target = next.is_absolute() ? next : target.parent_path() / next;
  }
  if (fs::is_directory(target, error)) cannot_write(path, EISDIR);
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");

  // A name of our own in the target's folder (a rename does not cross file systems); O_EXCL never
  // opens another process's file.
  std::string temporary;
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    temporary = (folder / ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) +
                           "-" + std::to_string(attempt)))
                    .string();
    fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && (errno != EEXIST || attempt == 100)) cannot_write(path, errno);
  }
  Descriptor file(fd);
  int failure = 0;
  struct stat old {};
  if (::stat(target.c_str(), &old) == 0 && ::fchmod(file.get(), old.st_mode & 07777) != 0)
    failure = errno;  // the new file keeps the old one's permissions
  if (failure == 0) failure = write_all(file.get(), text);
  if (failure == 0 && ::fsync(file.get()) != 0) failure = errno;
  if (file.close() != 0 && failure == 0) failure = errno;
  if (failure == 0 && std::rename(temporary.c_str(), target.c_str()) != 0) failure = errno;
  if (failure != 0) {
    ::unlink(temporary.c_str());
    cannot_write(path, failure);
  }
  // The rename itself reaches the disk with the folder; a folder that cannot be synced (some file
  // systems refuse) still holds the whole new file.
  if (const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

std::string read_regular_file(const std::string& path, std::size_t max_bytes) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (!fs::exists(status))
    throw UsageError("cannot read " + path + ": " +
                     (status.type() == fs::file_type::not_found || !error ? "there is no such file"
                                                                          : error.message()));
  if (!fs::is_regular_file(status))
    throw UsageError("cannot read " + path + ": it is not a regular file");
  const std::uintmax_t size = fs::file_size(path, error);
  const auto too_large = [&](const std::string& bytes) {
    return UsageError("cannot read " + path + ": it has " + bytes +
                      " bytes; a model file has at most " + std::to_string(max_bytes));
  };
  if (!error && size > max_bytes) throw too_large(std::to_string(size));
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("cannot read " + path + ": " + reason(errno != 0 ? errno : EIO));
  // Read in pieces and stop one byte past the limit, in case the file grew since it was measured.
  std::string text;
  char piece[4096];
  while (text.size() <= max_bytes && in.read(piece, sizeof piece).gcount() > 0)
    text.append(piece, static_cast<std::size_t>(in.gcount()));
  if (in.bad()) throw UsageError("cannot read " + path + ": " + reason(errno != 0 ? errno : EIO));
  if (text.size() > max_bytes) throw too_large("more than " + std::to_string(max_bytes));
  return text;
}

}  // namespace latent
