#pragma once
// The blob store port, shaped like S3 (SPEC §7): clients upload and download through short-lived presigned
// URLs, never through the JSON API. Adapters: the filesystem (standalone; kefir serves /blobs/... itself) and
// S3 (any S3-API store).
#include <chrono>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/time.hpp"

namespace kefir::blob {

struct PresignedRequest {
  std::string url;
  std::string method;  // "PUT" or "GET"
  // Headers the client must send exactly (signed): Content-Type, x-amz-tagging... Names lower-case.
  std::vector<std::pair<std::string, std::string>> headers;
  std::int64_t expires_in{};  // seconds
};

struct BlobInfo {
  std::string key;
  std::int64_t size = 0;
  std::string content_type;
  TimePoint last_modified{};
  bool pending = false;  // uploaded but not yet attached (S3: tag kefir=pending)
};

class BlobError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// The store cannot take the request now: out of space, an I/O error, read-only. Answered with 503.
class BlobUnavailable : public BlobError {
 public:
  using BlobError::BlobError;
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // A URL that lets the holder PUT exactly this key with this content type until it expires. The object is
  // marked pending until mark_attached().
  virtual PresignedRequest presign_upload(const std::string& key, const std::string& content_type,
                                          std::chrono::seconds expires_in) = 0;
  virtual PresignedRequest presign_download(const std::string& key, std::chrono::seconds expires_in) = 0;
  virtual std::optional<BlobInfo> head(const std::string& key) = 0;
  virtual void mark_attached(const std::string& key) = 0;
  virtual void remove(const std::string& key) = 0;  // absent key: no error
  // Every object under the prefix (adapters page internally), for lifecycle sweeps and account deletion.
  virtual std::vector<BlobInfo> list(const std::string& prefix) = 0;
  // Server-side read into a local file (photos, at most 10 MiB, for their renditions). Throws BlobError when
  // the object is absent.
  virtual void get_file(const std::string& key, const std::string& path) = 0;
  // Server-side write of a generated file (exports); the file at `path` is streamed, not loaded whole.
  virtual void put_file(const std::string& key, const std::string& content_type, const std::string& path) = 0;
};

// A blob store whose presigned URLs point at kefir itself (the filesystem store of the standalone shape): the
// /blobs routes (api/blobs.cpp) check each URL through it and stream the bytes in and out, and the public
// page streams renditions from it. S3 serves its own URLs, so a deployment on S3 has none.
inline constexpr std::string_view kExpiresParam = "X-Kefir-Expires";
inline constexpr std::string_view kContentTypeParam = "X-Kefir-Content-Type";
inline constexpr std::string_view kSignatureParam = "X-Kefir-Signature";

enum class UrlStatus { valid, bad_signature, expired };

class SelfServedBlobStore : public BlobStore {
 public:
  // Key syntax alone (no I/O): whether `key` may name an object here.
  virtual bool valid_key(std::string_view key) const = 0;
  // The query parameters of a presigned URL checked against what it claims to allow. `content_type` is the
  // signed one from the URL (empty for GET); the caller compares it with the request's header.
  virtual UrlStatus check_url(std::string_view method, std::string_view key, std::string_view expires,
                              std::string_view content_type, std::string_view signature) const = 0;
  // Moves a finished upload (a temp file on this machine) into place. A new object is pending; replacing an
  // attached object keeps it attached.
  virtual void accept_upload(const std::string& key, const std::string& content_type,
                             const std::string& uploaded_path) = 0;
  // The object's bytes; null when it does not exist. Throws BlobError for a key outside the store.
  virtual std::unique_ptr<std::istream> open(const std::string& key) const = 0;
};

}  // namespace kefir::blob
