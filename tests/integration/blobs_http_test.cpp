// The standalone blob endpoints PUT/GET /blobs/{key} over real HTTP: the URL's signature and expiry, the
// signed content type, the 10 MiB cap, keys confined to the store.
#include "adapters/fs/fs_blob_store.hpp"
#include "app/context.hpp"
#include "auth/token_service.hpp"
#include "integration/photos_support.hpp"

namespace kefir::test::photos {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kMiB = 1024 * 1024;

// A clock standing where the test puts it.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(TimePoint now) : now_(now) {}
  TimePoint now() const override { return now_; }

 private:
  TimePoint now_;
};

std::string with_param(const std::string& url, std::string_view name, const std::string& value) {
  auto start = url.find(std::string(name) + "=");
  auto end = url.find('&', start);
  return url.substr(0, start) + std::string(name) + "=" + value +
         (end == std::string::npos ? "" : url.substr(end));
}

std::string param(const std::string& url, std::string_view name) {
  auto start = url.find(std::string(name) + "=") + name.size() + 1;
  return url.substr(start, url.find('&', start) - start);
}

class BlobsHttp : public ::testing::Test {
 protected:
  ServerProcess server;
  Brewer brewer = sign_up(server);
  std::string batch_id = create_batch(brewer);

  fs::path blobs_dir() const { return fs::path(server.data_dir()) / "blobs"; }
  bool stored(const std::string& key) const { return fs::exists(blobs_dir() / key); }

  // A blob store of "another instance" sharing this server's signing key, on its own clock.
  blob::FsBlobStore peer_store(const Clock& clock, const TempDir& dir) const {
    auto pem = read_file(fs::path(server.data_dir()) / auth::kDevKeyFileName);
    SystemClock system;
    auth::TokenService tokens(pem, server.base_url(), "kefir-app", system);
    AppContext ctx;
    ctx.master_secret = tokens.master_secret();
    return blob::FsBlobStore(dir.path(), server.base_url(), ctx.derive_key("blob-url"), clock);
  }
};

TimePoint now() {
  return std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
}

TEST_F(BlobsHttp, SignedUploadAndDownloadRoundTrip) {
  auto upload = request_upload(brewer, batch_id);
  EXPECT_EQ(upload.url.rfind(server.base_url() + "/blobs/" + upload.photo_key + "?", 0), 0u) << upload.url;
  auto bytes = random_bytes(300 * 1024);
  auto put = put_blob(upload.url, "image/jpeg", bytes);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(read_file(blobs_dir() / upload.photo_key), bytes);
  // Nothing but the object and its sidecar next to it: the upload was renamed into place.
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry :
       fs::directory_iterator((blobs_dir() / upload.photo_key).parent_path()))
    ++entries;
  EXPECT_EQ(entries, 2u);
}

TEST_F(BlobsHttp, TamperedSignatureIsForbidden) {
  auto upload = request_upload(brewer, batch_id);
  auto signature = param(upload.url, blob::kSignatureParam);
  signature[3] = signature[3] == 'A' ? 'B' : 'A';
  auto put = put_blob(with_param(upload.url, blob::kSignatureParam, signature), "image/jpeg", "bytes");
  EXPECT_EQ(put.status, 403);
  EXPECT_EQ(error_code(put), "FORBIDDEN");
  // A later expiry or another key under the same signature are forgeries too.
  auto later = std::to_string(std::stoll(param(upload.url, blob::kExpiresParam)) + 3600);
  EXPECT_EQ(put_blob(with_param(upload.url, blob::kExpiresParam, later), "image/jpeg", "bytes").status, 403);
  auto other_key = upload.url;
  other_key.replace(other_key.find(".jpg?"), 4, ".png");
  EXPECT_EQ(put_blob(other_key, "image/jpeg", "bytes").status, 403);
  EXPECT_EQ(put_blob(upload.url.substr(0, upload.url.find('?')), "image/jpeg", "bytes").status, 403);
  EXPECT_FALSE(stored(upload.photo_key));
}

TEST_F(BlobsHttp, ExpiredUrlIsForbidden) {
  TempDir dir;
  FixedClock current(now()), six_minutes_ago(now() - minutes(6));
  auto key = "users/" + brewer.user_id + "/batches/" + batch_id + "/0c3e7a52-55a4-4b5e-9d0f-2f7c1d1e0a11.jpg";
  auto stale = peer_store(six_minutes_ago, dir).presign_upload(key, "image/jpeg", seconds(300));
  auto expired = put_blob(stale.url, "image/jpeg", "bytes");
  EXPECT_EQ(expired.status, 403);
  EXPECT_EQ(error_code(expired), "FORBIDDEN");
  EXPECT_NE(expired.body.find("expired"), std::string::npos) << expired.body;
  EXPECT_FALSE(stored(key));
  // The same URL made now works, so the 403 above is the expiry, not a foreign key.
  auto fresh = peer_store(current, dir).presign_upload(key, "image/jpeg", seconds(300));
  EXPECT_EQ(put_blob(fresh.url, "image/jpeg", "bytes").status, 200);
  EXPECT_TRUE(stored(key));
  EXPECT_EQ(get_url(peer_store(six_minutes_ago, dir).presign_download(key, seconds(300)).url).status, 403);
  EXPECT_EQ(get_url(peer_store(current, dir).presign_download(key, seconds(300)).url).body, "bytes");
}

TEST_F(BlobsHttp, ContentTypeMustBeTheSignedOne) {
  auto upload = request_upload(brewer, batch_id, "image/jpeg");
  auto other = put_blob(upload.url, "image/png", "bytes");
  EXPECT_EQ(other.status, 415);
  EXPECT_EQ(error_code(other), "UNSUPPORTED_MEDIA_TYPE");
  // Changing the type the URL names breaks its signature.
  auto retyped = with_param(upload.url, blob::kContentTypeParam, "image%2Fpng");
  EXPECT_EQ(put_blob(retyped, "image/png", "bytes").status, 403);
  EXPECT_FALSE(stored(upload.photo_key));
}

TEST_F(BlobsHttp, UploadsOver10MiBAreRefused) {
  auto upload = request_upload(brewer, batch_id);
  auto too_big = put_blob(upload.url, "image/jpeg", std::string(10 * kMiB + 1, 'x'));
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(error_code(too_big), "PAYLOAD_TOO_LARGE");
  EXPECT_FALSE(stored(upload.photo_key));
  auto at_limit = put_blob(upload.url, "image/jpeg", std::string(10 * kMiB, 'x'));
  EXPECT_EQ(at_limit.status, 200) << at_limit.body;
  EXPECT_EQ(fs::file_size(blobs_dir() / upload.photo_key), 10 * kMiB);
}

TEST_F(BlobsHttp, EmptyUploadIsRefused) {
  auto upload = request_upload(brewer, batch_id);
  EXPECT_EQ(put_blob(upload.url, "image/jpeg", "").status, 400);
  EXPECT_FALSE(stored(upload.photo_key));
}

TEST_F(BlobsHttp, KeysCannotLeaveTheStore) {
  auto upload = request_upload(brewer, batch_id);
  auto query = upload.url.substr(upload.url.find('?'));
  // Encoded dots reach the server as "..": curl leaves them alone, the router decodes them.
  for (std::string path : {"/blobs/users/%2E%2E/%2E%2E/escaped.jpg", "/blobs/%2E%2E%2Fescaped.jpg",
                           "/blobs/users/x/..%5C..%5Cescaped.jpg", "/blobs/users/%00/escaped.jpg",
                           "/blobs/%2Fetc%2Fpasswd", "/blobs/users//x.jpg", "/blobs/.x.jpg.meta"}) {
    auto put = put_blob(server.base_url() + path + query, "image/jpeg", "bytes");
    EXPECT_EQ(put.status, 400) << path << " " << put.body;
    EXPECT_EQ(get_url(server.base_url() + path + query).status, 400) << path;
  }
  EXPECT_FALSE(fs::exists(fs::path(server.data_dir()) / "escaped.jpg"));
  EXPECT_FALSE(fs::exists(blobs_dir().parent_path().parent_path() / "escaped.jpg"));
}

TEST_F(BlobsHttp, DownloadOfAMissingObjectIs404) {
  auto upload = request_upload(brewer, batch_id);
  TempDir dir;
  FixedClock current(now());
  EXPECT_EQ(get_url(peer_store(current, dir).presign_download(upload.photo_key, seconds(300)).url).status,
            404);
}

}  // namespace
}  // namespace kefir::test::photos
