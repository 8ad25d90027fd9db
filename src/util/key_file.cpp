#include "util/key_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "config/config.hpp"
#include "util/crypto.hpp"
#include "util/log.hpp"

namespace kefir::key_file {
namespace {

void write_all(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) throw ConfigError("cannot write '" + path.string() + "': " + std::strerror(errno));
    data.remove_prefix(static_cast<std::size_t>(written));
  }
}

}  // namespace

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError("cannot read '" + path.string() + "': " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError("cannot read '" + path.string() + "'");
  return text.str();
}

void create_private(const std::filesystem::path& path, std::string_view content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw ConfigError("cannot create '" + path.string() + "': " + std::strerror(errno));
  try {
    write_all(fd, content, path);
    if (::fsync(fd) != 0) throw ConfigError("cannot sync '" + path.string() + "': " + std::strerror(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(path.c_str());
    throw;
  }
  ::close(fd);
}

std::string load_or_create_dev_key(const std::string& data_dir, std::string_view file_name,
                                   const std::function<std::string()>& generate, std::string_view what) {
  std::filesystem::path path = std::filesystem::path(data_dir) / file_name;
  std::error_code error;
  if (std::filesystem::exists(path, error)) return read_text(path);
  std::filesystem::create_directories(data_dir, error);
  if (error) throw ConfigError("DATA_DIR: cannot create '" + data_dir + "': " + error.message());
  std::filesystem::path temporary = path;
  temporary += ".tmp-" + crypto::hex_encode(crypto::random_bytes(8));
  create_private(temporary, generate());
  bool created = ::link(temporary.c_str(), path.c_str()) == 0;
  int link_errno = errno;
  ::unlink(temporary.c_str());
  if (!created && link_errno != EEXIST)
    throw ConfigError("cannot create '" + path.string() + "': " + std::strerror(link_errno));
  if (created) log::info("generated a development " + std::string(what), {{"path", path.string()}});
  return read_text(path);
}

std::string normalise_pem_text(std::string text) {
  if (text.find('\n') != std::string::npos) return text;
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == 'n') {
      out.push_back('\n');
      ++i;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace kefir::key_file
