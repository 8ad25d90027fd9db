// The S3 blob store against s3rver: uploads and downloads go through presigned URLs with a plain HTTP client,
// exactly as a phone would, and the service-side calls (head, tags, list, delete, put_file) through the
// adapter.
#include <gtest/gtest.h>

#include <fstream>

#include "adapters/s3/s3_blob_store.hpp"
#include "support/http_client.hpp"
#include "support/s3rver.hpp"
#include "support/test_env.hpp"

namespace kefir::blob {
namespace {

using std::chrono::seconds;

// Every byte value, so nothing on the way may treat the photo as text.
std::string binary_payload(std::size_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>((i * 131 + i / 256) & 0xff);
  return out;
}

test::HttpResponse perform(const PresignedRequest& presigned, std::string body = {}) {
  test::HttpRequest request{presigned.method, presigned.url, presigned.headers, std::move(body)};
  return test::send(request);
}

struct S3BlobStoreTest : ::testing::Test {
  std::string bucket = test::create_s3rver_bucket();
  S3BlobStore store{test::s3rver_options(bucket)};

  void put_text(const std::string& key, const std::string& text) {
    test::TempDir dir;
    auto path = dir.path() / "file";
    std::ofstream(path) << text;
    store.put_file(key, "text/plain", path.string());
  }
};

TEST_F(S3BlobStoreTest, PresignedUploadIsPendingUntilAttachedAndDownloadsTheSameBytes) {
  const std::string key = "users/u1/batches/b1/0b8e6c1e.jpg";
  auto upload = store.presign_upload(key, "image/jpeg", seconds(300));
  EXPECT_EQ(upload.method, "PUT");
  EXPECT_EQ(upload.expires_in, 300);
  EXPECT_EQ(upload.headers,
            (http::Headers{{"Content-Type", "image/jpeg"}, {"x-amz-tagging", "kefir=pending"}}));
  EXPECT_TRUE(upload.url.starts_with(test::s3rver().endpoint + "/" + bucket + "/" + key + "?")) << upload.url;
  EXPECT_NE(upload.url.find("X-Amz-Expires=300"), std::string::npos);
  EXPECT_NE(upload.url.find("X-Amz-SignedHeaders=content-type%3Bhost%3Bx-amz-tagging"), std::string::npos);

  auto photo = binary_payload(300 * 1024);
  auto put = perform(upload, photo);
  ASSERT_EQ(put.status, 200) << put.body;

  auto before = std::chrono::system_clock::now();
  auto info = store.head(key);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->key, key);
  EXPECT_EQ(info->size, static_cast<std::int64_t>(photo.size()));
  EXPECT_EQ(info->content_type, "image/jpeg");
  EXPECT_TRUE(info->pending);
  EXPECT_LT(std::chrono::abs(info->last_modified - before), std::chrono::minutes(5));

  store.mark_attached(key);
  info = store.head(key);
  ASSERT_TRUE(info);
  EXPECT_FALSE(info->pending);
  EXPECT_EQ(info->size, static_cast<std::int64_t>(photo.size()));

  auto download = store.presign_download(key, seconds(300));
  EXPECT_EQ(download.method, "GET");
  EXPECT_TRUE(download.headers.empty());
  auto got = perform(download);
  ASSERT_EQ(got.status, 200);
  EXPECT_TRUE(got.body == photo) << "downloaded " << got.body.size() << " bytes";

  store.remove(key);
  EXPECT_FALSE(store.head(key));
  EXPECT_EQ(perform(download).status, 404);
  store.remove(key);  // already gone: no error
}

TEST_F(S3BlobStoreTest, ListFollowsContinuationTokensUnderThePrefixOnly) {
  // Page size 2 (s3rver_options): five objects take three pages.
  std::vector<std::string> keys;
  for (int i = 0; i < 5; ++i) {
    keys.push_back("users/u2/batches/b" + std::to_string(i) + "/photo.png");
    put_text(keys.back(), std::string(static_cast<std::size_t>(i + 1), 'x'));
  }
  put_text("users/u20/batches/b9/photo.png", "other user");

  auto listed = store.list("users/u2/");
  ASSERT_EQ(listed.size(), keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(listed[i].key, keys[i]);
    EXPECT_EQ(listed[i].size, static_cast<std::int64_t>(i + 1));
    EXPECT_NE(listed[i].last_modified, TimePoint{});
  }
  EXPECT_EQ(store.list("users/").size(), keys.size() + 1);
  EXPECT_TRUE(store.list("users/nobody/").empty());
}

TEST_F(S3BlobStoreTest, PutFileStoresAGeneratedFileWithItsContentType) {
  test::TempDir dir;
  auto path = dir.path() / "export.csv";
  std::string content;
  for (int row = 0; content.size() < 3 * 1024 * 1024; ++row)
    content += "batch," + std::to_string(row) + ",\"a, b\"\n";
  std::ofstream(path, std::ios::binary) << content;

  store.put_file("exports/u3/kefir-data.csv", "text/csv; charset=utf-8", path.string());

  auto info = store.head("exports/u3/kefir-data.csv");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->size, static_cast<std::int64_t>(content.size()));
  EXPECT_EQ(info->content_type, "text/csv; charset=utf-8");
  EXPECT_FALSE(info->pending);
  auto got = perform(store.presign_download("exports/u3/kefir-data.csv", seconds(60)));
  ASSERT_EQ(got.status, 200);
  EXPECT_TRUE(got.body == content);
}

TEST_F(S3BlobStoreTest, MissingObjectsAndBucketCreationAreHarmless) {
  EXPECT_FALSE(store.head("users/u4/batches/b1/none.jpg"));
  store.remove("users/u4/batches/b1/none.jpg");
  store.create_bucket_if_missing();  // again: the bucket exists
  EXPECT_TRUE(store.list("").empty());
}

}  // namespace
}  // namespace kefir::blob
