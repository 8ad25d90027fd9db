#include "adapters/fs/fs_blob_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "http/message.hpp"
#include "util/crypto.hpp"
#include "util/json.hpp"

namespace kefir::blob {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxKeyLength = 1024;
constexpr std::string_view kDefaultContentType = "application/octet-stream";

bool valid_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.';
}

fs::path sidecar_path(const fs::path& object) {
  return object.parent_path() / ("." + object.filename().string() + ".meta");
}

fs::path temp_path_near(const fs::path& target) {
  return target.parent_path() /
         ("." + target.filename().string() + "." + crypto::hex_encode(crypto::random_bytes(8)) + ".tmp");
}

// Failures that say the disk, not the request, is the problem.
bool is_exhaustion(int error) {
  return error == ENOSPC || error == EDQUOT || error == EIO || error == EROFS;
}

[[noreturn]] void throw_errno(const std::string& what, const fs::path& path, int error) {
  std::string message = what + " " + path.string() + ": " + std::strerror(error);
  if (is_exhaustion(error)) throw BlobUnavailable(message);
  throw BlobError(message);
}

// Data first, then the rename, then the directory entry: an object that is visible survives a power loss.
void sync_path(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw_errno("cannot open", path, errno);
  int rc = ::fsync(fd);
  int error = errno;
  ::close(fd);
  if (rc != 0) throw_errno("cannot fsync", path, error);
}

void write_text_durably(const fs::path& target, std::string_view text) {
  auto temp = temp_path_near(target);
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.close();
    if (!out) throw_errno("cannot write", temp, errno);
  }
  try {
    sync_path(temp);
    fs::rename(temp, target);
  } catch (...) {
    std::error_code ec;
    fs::remove(temp, ec);
    throw;
  }
}

struct Sidecar {
  std::string content_type;
  bool pending = true;
  std::int64_t uploaded_at = 0;  // epoch milliseconds
};

std::optional<Sidecar> read_sidecar(const fs::path& object) {
  std::ifstream in(sidecar_path(object), std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  auto value = json::parse(text.str(), ec);
  if (ec || !value.is_object()) return std::nullopt;
  const auto& object_fields = value.get_object();
  return Sidecar{json_string(object_fields, "contentType", std::string(kDefaultContentType)),
                 json_bool(object_fields, "pending", true),
                 json_int(object_fields, "uploadedAt").value_or(0)};
}

void write_sidecar(const fs::path& object, const Sidecar& sidecar) {
  json::object fields{{"contentType", sidecar.content_type},
                      {"pending", sidecar.pending},
                      {"uploadedAt", sidecar.uploaded_at}};
  write_text_durably(sidecar_path(object), json::serialize(fields));
}

TimePoint modification_time(const fs::path& path) {
  auto system = std::chrono::file_clock::to_sys(fs::last_write_time(path));
  return std::chrono::time_point_cast<milliseconds>(system);
}

bool regular_file(const fs::path& path) {
  std::error_code ec;
  return fs::symlink_status(path, ec).type() == fs::file_type::regular;
}

std::optional<BlobInfo> info_for(const std::string& key, const fs::path& object) {
  if (!regular_file(object)) return std::nullopt;
  std::error_code ec;
  auto size = fs::file_size(object, ec);
  if (ec) return std::nullopt;
  BlobInfo info{key, static_cast<std::int64_t>(size), std::string(kDefaultContentType), {}, true};
  if (auto sidecar = read_sidecar(object)) {
    info.content_type = sidecar->content_type;
    info.pending = sidecar->pending;
    info.last_modified = from_epoch_millis(sidecar->uploaded_at);
  } else {
    info.last_modified = modification_time(object);
  }
  return info;
}

std::string encode_key_for_url(std::string_view key) {
  std::string out;
  std::size_t start = 0;
  while (start <= key.size()) {
    auto slash = std::min(key.find('/', start), key.size());
    if (start > 0) out.push_back('/');
    out += http::percent_encode(key.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

}  // namespace

bool valid_blob_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyLength) return false;
  std::size_t start = 0;
  while (start <= key.size()) {
    auto slash = std::min(key.find('/', start), key.size());
    auto segment = key.substr(start, slash - start);
    // Rejects "", "." and ".." (and hidden names, reserved for sidecars and temp files) in one rule.
    if (segment.empty() || segment.front() == '.') return false;
    for (char c : segment)
      if (!valid_key_char(c)) return false;
    start = slash + 1;
  }
  return true;
}

FsBlobStore::FsBlobStore(fs::path root, std::string public_base_url, std::string url_key, const Clock& clock)
    : root_(std::move(root)),
      public_base_url_(std::move(public_base_url)),
      url_key_(std::move(url_key)),
      clock_(clock) {
  fs::create_directories(root_);
  root_ = fs::canonical(root_);
  canonical_root_ = root_.string() + "/";
  while (!public_base_url_.empty() && public_base_url_.back() == '/') public_base_url_.pop_back();
}

fs::path FsBlobStore::object_path(std::string_view key) const {
  if (!valid_blob_key(key)) throw BlobError("invalid blob key");
  auto path = root_ / fs::path(std::string(key));
  // Syntax keeps the key inside the root; resolving catches a symlink planted on the way out of it.
  auto resolved = fs::weakly_canonical(path).string();
  if (resolved.compare(0, canonical_root_.size(), canonical_root_) != 0)
    throw BlobError("blob key escapes the store");
  return path;
}

std::string FsBlobStore::sign(std::string_view method, std::string_view key, std::int64_t expires,
                              std::string_view content_type) const {
  std::string text = "KEFIR-BLOB-1\n";
  text.append(method).append("\n").append(key).append("\n").append(std::to_string(expires)).append("\n");
  text.append(content_type);
  return crypto::base64url_encode(crypto::hmac_sha256(url_key_, text));
}

std::string FsBlobStore::url_for(std::string_view key) const {
  return public_base_url_ + "/blobs/" + encode_key_for_url(key);
}

PresignedRequest FsBlobStore::presign_upload(const std::string& key, const std::string& content_type,
                                             std::chrono::seconds expires_in) {
  object_path(key);
  auto expires = epoch_seconds(clock_.now()) + expires_in.count();
  auto url = url_for(key) + "?" + std::string(kExpiresParam) + "=" + std::to_string(expires) + "&" +
             std::string(kContentTypeParam) + "=" + http::percent_encode(content_type) + "&" +
             std::string(kSignatureParam) + "=" + sign("PUT", key, expires, content_type);
  return {std::move(url), "PUT", {{"Content-Type", content_type}}, expires_in.count()};
}

PresignedRequest FsBlobStore::presign_download(const std::string& key, std::chrono::seconds expires_in) {
  object_path(key);
  auto expires = epoch_seconds(clock_.now()) + expires_in.count();
  auto url = url_for(key) + "?" + std::string(kExpiresParam) + "=" + std::to_string(expires) + "&" +
             std::string(kSignatureParam) + "=" + sign("GET", key, expires, "");
  return {std::move(url), "GET", {}, expires_in.count()};
}

UrlStatus FsBlobStore::check_url(std::string_view method, std::string_view key, std::string_view expires,
                                 std::string_view content_type, std::string_view signature) const {
  std::int64_t expiry = 0;
  auto [end, error] = std::from_chars(expires.data(), expires.data() + expires.size(), expiry);
  if (error != std::errc() || end != expires.data() + expires.size() || expires.empty())
    return UrlStatus::bad_signature;
  if (!crypto::constant_time_equal(sign(method, key, expiry, content_type), signature))
    return UrlStatus::bad_signature;
  if (epoch_seconds(clock_.now()) >= expiry) return UrlStatus::expired;
  return UrlStatus::valid;
}

bool FsBlobStore::valid_key(std::string_view key) const {
  return valid_blob_key(key);
}

std::unique_ptr<std::istream> FsBlobStore::open(const std::string& key) const {
  auto file = std::make_unique<std::ifstream>(object_path(key), std::ios::binary);
  if (!*file) return nullptr;
  return file;
}

std::optional<BlobInfo> FsBlobStore::head(const std::string& key) {
  return info_for(key, object_path(key));
}

void FsBlobStore::mark_attached(const std::string& key) {
  auto path = object_path(key);
  auto info = info_for(key, path);
  if (!info) throw BlobError("no such blob: " + key);
  write_sidecar(path, {info->content_type, false, epoch_millis(info->last_modified)});
}

void FsBlobStore::remove(const std::string& key) {
  auto path = object_path(key);
  std::error_code ec;
  fs::remove(path, ec);
  fs::remove(sidecar_path(path), ec);
  // Empty directories of deleted batches and accounts go too; a non-empty one stops the walk.
  for (auto dir = path.parent_path(); dir != root_; dir = dir.parent_path()) {
    if (!fs::remove(dir, ec)) break;
  }
}

std::vector<BlobInfo> FsBlobStore::list(const std::string& prefix) {
  auto slash = prefix.rfind('/');
  fs::path base = slash == std::string::npos ? root_ : object_path(prefix.substr(0, slash));
  std::vector<BlobInfo> found;
  std::error_code ec;
  if (!fs::is_directory(base, ec)) return found;
  for (auto it = fs::recursive_directory_iterator(base, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const auto& entry = *it;
    if (entry.path().filename().string().front() == '.') {
      if (entry.is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    auto key = fs::relative(entry.path(), root_).generic_string();
    if (key.compare(0, prefix.size(), prefix) != 0) continue;
    if (auto info = info_for(key, entry.path())) found.push_back(std::move(*info));
  }
  if (ec) throw BlobError("cannot list " + base.string() + ": " + ec.message());
  return found;
}

void FsBlobStore::install(const std::string& key, const std::string& content_type, bool pending,
                          const std::string& source, bool move_source) {
  auto target = object_path(key);
  Sidecar sidecar{content_type, pending, epoch_millis(clock_.now())};
  // remove() prunes empty directories, so a concurrent delete may take the directory away once: redo then.
  for (int attempt = 0;; ++attempt) {
    try {
      fs::create_directories(target.parent_path());
      write_sidecar(target, sidecar);
      std::error_code ec;
      if (move_source) {
        sync_path(source);
        fs::rename(source, target, ec);
      }
      if (!move_source || ec == std::errc::cross_device_link) {
        auto temp = temp_path_near(target);
        fs::copy_file(source, temp, fs::copy_options::overwrite_existing);
        sync_path(temp);
        fs::rename(temp, target);
        if (move_source) fs::remove(source);
      } else if (ec) {
        throw fs::filesystem_error("cannot move upload", source, target, ec);
      }
      sync_path(target.parent_path());
      return;
    } catch (const fs::filesystem_error& error) {
      if (attempt == 0 && error.code() == std::errc::no_such_file_or_directory && fs::exists(source))
        continue;
      if (is_exhaustion(error.code().value()))
        throw BlobUnavailable(std::string("cannot store blob: ") + error.what());
      throw BlobError(std::string("cannot store blob: ") + error.what());
    }
  }
}

void FsBlobStore::accept_upload(const std::string& key, const std::string& content_type,
                                const std::string& uploaded_path) {
  auto existing = info_for(key, object_path(key));
  install(key, content_type, existing ? existing->pending : true, uploaded_path, true);
}

void FsBlobStore::get_file(const std::string& key, const std::string& path) {
  auto object = object_path(key);
  if (!regular_file(object)) throw BlobError("no such blob: " + key);
  fs::copy_file(object, path, fs::copy_options::overwrite_existing);
}

void FsBlobStore::put_file(const std::string& key, const std::string& content_type, const std::string& path) {
  install(key, content_type, false, path, false);
}

}  // namespace kefir::blob
