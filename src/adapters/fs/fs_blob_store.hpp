#pragma once
// The standalone blob store: objects are files under a directory (DATA_DIR/blobs/<key>), and kefir itself
// serves the presigned URLs at PUBLIC_BASE_URL/blobs/<key> (src/api/blobs.cpp). A URL carries its expiry and
// an HMAC-SHA256 signature over method, key, expiry and content type, made with a key derived from the token
// signing key, so every instance sharing that key accepts the URLs of the others.
//
// Each object has a hidden sidecar next to it (".<name>.meta": content type, pending state, upload time).
// Keys are confined to the directory: a small character set, no empty, "." or ".." segments, no segment
// starting with '.' (reserved for sidecars and temp files), and the resolved path must stay under the root
// even through symlinks. Every write is a temp file in the target directory, fsynced, then renamed into
// place.
#include <filesystem>
#include <string>
#include <string_view>

#include "ports/blob_store.hpp"
#include "ports/clock.hpp"

namespace kefir::blob {

class FsBlobStore final : public SelfServedBlobStore {
 public:
  // `public_base_url` is where kefir serves /blobs/...; `url_key` signs the URLs (derive_key("blob-url")).
  FsBlobStore(std::filesystem::path root, std::string public_base_url, std::string url_key,
              const Clock& clock);

  PresignedRequest presign_upload(const std::string& key, const std::string& content_type,
                                  std::chrono::seconds expires_in) override;
  PresignedRequest presign_download(const std::string& key, std::chrono::seconds expires_in) override;
  std::optional<BlobInfo> head(const std::string& key) override;
  void mark_attached(const std::string& key) override;
  void remove(const std::string& key) override;
  std::vector<BlobInfo> list(const std::string& prefix) override;
  void get_file(const std::string& key, const std::string& path) override;
  void put_file(const std::string& key, const std::string& content_type, const std::string& path) override;

  bool valid_key(std::string_view key) const override;
  UrlStatus check_url(std::string_view method, std::string_view key, std::string_view expires,
                      std::string_view content_type, std::string_view signature) const override;
  void accept_upload(const std::string& key, const std::string& content_type,
                     const std::string& uploaded_path) override;
  std::unique_ptr<std::istream> open(const std::string& key) const override;
  // The object's file, after the key's syntax and confinement checks (throws BlobError).
  std::filesystem::path object_path(std::string_view key) const;

 private:
  std::string sign(std::string_view method, std::string_view key, std::int64_t expires,
                   std::string_view content_type) const;
  std::string url_for(std::string_view key) const;
  void install(const std::string& key, const std::string& content_type, bool pending,
               const std::string& source, bool move_source);

  std::filesystem::path root_;
  std::string canonical_root_;  // with a trailing '/'
  std::string public_base_url_;
  std::string url_key_;
  const Clock& clock_;
};

// Key syntax alone (no filesystem access): true when `key` may name an object of a FsBlobStore.
bool valid_blob_key(std::string_view key);

}  // namespace kefir::blob
