#include "adapters/fs/fs_blob_store.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "http/message.hpp"
#include "support/test_env.hpp"

namespace kefir::blob {
namespace {

namespace fs = std::filesystem;

class ManualClock final : public Clock {
 public:
  TimePoint now() const override { return now_; }
  void advance(seconds by) { now_ += by; }

 private:
  TimePoint now_ = from_epoch_millis(1'767'225'600'000);  // 2026-01-01T00:00:00Z
};

// The query parameter `name` of a URL, percent-decoded.
std::string query_param(const std::string& url, std::string_view name) {
  auto query = url.substr(url.find('?') + 1);
  std::string prefix = std::string(name) + "=";
  for (std::size_t start = 0; start < query.size();) {
    auto amp = std::min(query.find('&', start), query.size());
    auto pair = query.substr(start, amp - start);
    if (pair.rfind(prefix, 0) == 0) return http::percent_decode(pair.substr(prefix.size()), true);
    start = amp + 1;
  }
  return {};
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class FsBlobStoreTest : public ::testing::Test {
 protected:
  test::TempDir dir;
  ManualClock clock;
  FsBlobStore store{dir.path() / "blobs", "http://kefir.test:8080/", "url-key", clock};

  fs::path upload(const std::string& content) {
    auto path = dir.path() / ("upload-" + test::unique_suffix());
    write_file(path, content);
    return path;
  }
};

TEST(BlobKeys, AcceptOnlyConfinedKeys) {
  EXPECT_TRUE(valid_blob_key("users/u1/batches/b1/photo.jpg"));
  EXPECT_TRUE(valid_blob_key("exports/u1/kefir-data-20260101T000000Z.csv"));
  for (std::string bad : {"", "..", "../x", "a/../b", "a/..", "./a", "a/./b", "/etc/passwd", "a//b", "a/",
                          "a\\b", "..\\x", ".hidden", "a/.meta", "a b", "a?b", "a%2e"})
    EXPECT_FALSE(valid_blob_key(bad)) << bad;
  EXPECT_FALSE(valid_blob_key(std::string("a\0b", 3)));
  EXPECT_FALSE(valid_blob_key(std::string(1025, 'a')));
}

TEST_F(FsBlobStoreTest, UploadUrlIsSignedForMethodKeyExpiryAndContentType) {
  auto presigned = store.presign_upload("users/u1/a.jpg", "image/jpeg", seconds(300));
  EXPECT_EQ(presigned.method, "PUT");
  EXPECT_EQ(presigned.expires_in, 300);
  ASSERT_EQ(presigned.headers.size(), 1u);
  EXPECT_EQ(presigned.headers[0], (std::pair<std::string, std::string>{"Content-Type", "image/jpeg"}));
  EXPECT_EQ(presigned.url.rfind("http://kefir.test:8080/blobs/users/u1/a.jpg?", 0), 0u) << presigned.url;

  auto expires = query_param(presigned.url, kExpiresParam);
  auto type = query_param(presigned.url, kContentTypeParam);
  auto signature = query_param(presigned.url, kSignatureParam);
  EXPECT_EQ(type, "image/jpeg");
  EXPECT_EQ(expires, std::to_string(epoch_seconds(clock.now()) + 300));
  EXPECT_EQ(store.check_url("PUT", "users/u1/a.jpg", expires, type, signature), UrlStatus::valid);

  auto tampered = signature;
  tampered[0] = tampered[0] == 'A' ? 'B' : 'A';
  EXPECT_EQ(store.check_url("PUT", "users/u1/a.jpg", expires, type, tampered), UrlStatus::bad_signature);
  EXPECT_EQ(store.check_url("GET", "users/u1/a.jpg", expires, type, signature), UrlStatus::bad_signature);
  EXPECT_EQ(store.check_url("PUT", "users/u1/b.jpg", expires, type, signature), UrlStatus::bad_signature);
  EXPECT_EQ(store.check_url("PUT", "users/u1/a.jpg", expires, "image/png", signature),
            UrlStatus::bad_signature);
  auto later = std::to_string(std::stoll(expires) + 3600);
  EXPECT_EQ(store.check_url("PUT", "users/u1/a.jpg", later, type, signature), UrlStatus::bad_signature);
  EXPECT_EQ(store.check_url("PUT", "users/u1/a.jpg", expires + "x", type, signature),
            UrlStatus::bad_signature);
  EXPECT_EQ(store.check_url("PUT", "users/u1/a.jpg", "", type, signature), UrlStatus::bad_signature);
}

TEST_F(FsBlobStoreTest, UrlsExpire) {
  auto presigned = store.presign_download("users/u1/a.jpg", seconds(300));
  auto expires = query_param(presigned.url, kExpiresParam);
  auto signature = query_param(presigned.url, kSignatureParam);
  EXPECT_TRUE(query_param(presigned.url, kContentTypeParam).empty());
  clock.advance(seconds(299));
  EXPECT_EQ(store.check_url("GET", "users/u1/a.jpg", expires, "", signature), UrlStatus::valid);
  clock.advance(seconds(1));
  EXPECT_EQ(store.check_url("GET", "users/u1/a.jpg", expires, "", signature), UrlStatus::expired);
}

TEST_F(FsBlobStoreTest, AnotherStoreWithTheSameKeyAcceptsTheUrls) {
  FsBlobStore other(dir.path() / "other", "http://kefir.test:8080", "url-key", clock);
  FsBlobStore foreign(dir.path() / "foreign", "http://kefir.test:8080", "another-key", clock);
  auto presigned = store.presign_download("k.jpg", seconds(60));
  auto expires = query_param(presigned.url, kExpiresParam);
  auto signature = query_param(presigned.url, kSignatureParam);
  EXPECT_EQ(other.check_url("GET", "k.jpg", expires, "", signature), UrlStatus::valid);
  EXPECT_EQ(foreign.check_url("GET", "k.jpg", expires, "", signature), UrlStatus::bad_signature);
}

TEST_F(FsBlobStoreTest, RefusesToPresignKeysOutsideTheStore) {
  EXPECT_THROW(store.presign_upload("../x.jpg", "image/jpeg", seconds(300)), BlobError);
  EXPECT_THROW(store.presign_download("/etc/passwd", seconds(300)), BlobError);
  EXPECT_THROW(store.head("a/../../x"), BlobError);
}

TEST_F(FsBlobStoreTest, SymlinkOutOfTheStoreIsNotFollowed) {
  auto outside = dir.path() / "outside";
  fs::create_directories(outside);
  write_file(outside / "secret.jpg", "secret");
  fs::create_directory_symlink(outside, dir.path() / "blobs" / "users");
  EXPECT_THROW(store.head("users/secret.jpg"), BlobError);
  EXPECT_THROW(store.accept_upload("users/new.jpg", "image/jpeg", upload("x").string()), BlobError);
  EXPECT_FALSE(fs::exists(outside / "new.jpg"));
  EXPECT_THROW(store.list("users/"), BlobError);
  EXPECT_TRUE(store.list("").empty());  // the walk does not follow the link either
}

TEST_F(FsBlobStoreTest, UploadMovesTheFileIntoPlaceAsPending) {
  auto source = upload("jpeg bytes");
  store.accept_upload("users/u1/batches/b1/p.jpg", "image/jpeg", source.string());
  EXPECT_FALSE(fs::exists(source));
  auto path = store.object_path("users/u1/batches/b1/p.jpg");
  EXPECT_EQ(path, fs::canonical(dir.path()) / "blobs/users/u1/batches/b1/p.jpg");
  EXPECT_EQ(read_file(path), "jpeg bytes");

  auto info = store.head("users/u1/batches/b1/p.jpg");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->key, "users/u1/batches/b1/p.jpg");
  EXPECT_EQ(info->size, 10);
  EXPECT_EQ(info->content_type, "image/jpeg");
  EXPECT_TRUE(info->pending);
  EXPECT_EQ(info->last_modified, clock.now());

  store.mark_attached("users/u1/batches/b1/p.jpg");
  EXPECT_FALSE(store.head("users/u1/batches/b1/p.jpg")->pending);
  // A replacement of an attached photo stays attached (the sweeper must not take it as abandoned).
  store.accept_upload("users/u1/batches/b1/p.jpg", "image/jpeg", upload("new bytes").string());
  EXPECT_EQ(read_file(path), "new bytes");
  EXPECT_FALSE(store.head("users/u1/batches/b1/p.jpg")->pending);

  // Only the object and its sidecar are left in the directory: no temp files.
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(path.parent_path()))
    names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{".p.jpg.meta", "p.jpg"}));
}

TEST_F(FsBlobStoreTest, MarkAttachedNeedsTheObject) {
  EXPECT_THROW(store.mark_attached("users/u1/none.jpg"), BlobError);
  EXPECT_FALSE(store.head("users/u1/none.jpg"));
}

TEST_F(FsBlobStoreTest, PutFileCopiesAndIsNotPending) {
  auto source = upload("a,b\r\n1,2\r\n");
  store.put_file("exports/u1/data.csv", "text/csv; charset=utf-8", source.string());
  EXPECT_TRUE(fs::exists(source));
  auto info = store.head("exports/u1/data.csv");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->content_type, "text/csv; charset=utf-8");
  EXPECT_FALSE(info->pending);
  EXPECT_EQ(read_file(store.object_path("exports/u1/data.csv")), "a,b\r\n1,2\r\n");
}

TEST_F(FsBlobStoreTest, ListsByPrefixAndRemovesWithEmptyDirectories) {
  store.accept_upload("users/u1/batches/b1/a.jpg", "image/jpeg", upload("1").string());
  store.accept_upload("users/u1/batches/b1/b.png", "image/png", upload("22").string());
  store.accept_upload("users/u1/batches/b2/c.jpg", "image/jpeg", upload("333").string());
  store.accept_upload("users/u10/batches/b1/d.jpg", "image/jpeg", upload("4444").string());

  auto keys = [](const std::vector<BlobInfo>& infos) {
    std::vector<std::string> out;
    for (const auto& info : infos) out.push_back(info.key);
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(keys(store.list("users/u1/batches/b1/")),
            (std::vector<std::string>{"users/u1/batches/b1/a.jpg", "users/u1/batches/b1/b.png"}));
  EXPECT_EQ(keys(store.list("users/u1/")).size(), 3u);
  // A prefix is a string prefix, as in S3.
  EXPECT_EQ(keys(store.list("users/u1")).size(), 4u);
  EXPECT_EQ(keys(store.list("")).size(), 4u);
  EXPECT_TRUE(store.list("users/nobody/").empty());

  store.remove("users/u1/batches/b1/a.jpg");
  store.remove("users/u1/batches/b1/b.png");
  store.remove("users/u1/batches/b1/b.png");  // absent: no error
  EXPECT_FALSE(store.head("users/u1/batches/b1/a.jpg"));
  EXPECT_FALSE(fs::exists(dir.path() / "blobs/users/u1/batches/b1"));
  EXPECT_TRUE(fs::exists(dir.path() / "blobs/users/u1/batches/b2/c.jpg"));
  EXPECT_EQ(keys(store.list("users/u1/")), (std::vector<std::string>{"users/u1/batches/b2/c.jpg"}));
}

}  // namespace
}  // namespace kefir::blob
