// Photos with BLOBS=s3 against a local S3-API server (s3rver): a presigned PUT cannot cap the size or pin the
// content type there, so attaching checks the object and deletes what breaks the rules (SPEC §7).
#include "integration/photos_support.hpp"
#include "support/s3rver.hpp"

namespace kefir::test::photos {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;

class PhotosOnS3 : public ::testing::Test {
 protected:
  std::string bucket = create_s3rver_bucket();
  ServerProcess server{{.env = s3rver_env(bucket)}};
  blob::S3BlobStore bucket_store{s3rver_options(bucket)};
  Brewer brewer = sign_up(server);
  std::string batch_id = create_batch(brewer);

  // PUTs with exactly the headers the upload URL was signed with, the content type optionally replaced.
  HttpResponse upload_bytes(const Upload& upload, const std::string& bytes,
                            const std::string& content_type = "") {
    HttpRequest request;
    request.method = "PUT";
    request.url = upload.url;
    for (const auto& [name, value] : upload.body.at("headers").as_object()) {
      bool is_type = name == "Content-Type" || name == "content-type";
      request.headers.emplace_back(std::string(name), is_type && !content_type.empty()
                                                          ? content_type
                                                          : std::string(value.as_string()));
    }
    request.body = bytes;
    return send(request);
  }

  void expect_rejected_and_deleted(const Upload& upload) {
    auto attach = brewer.api.post("/batches/" + batch_id + "/photo", {{"photoKey", upload.photo_key}});
    EXPECT_EQ(attach.status, 400) << attach.body;
    EXPECT_EQ(error_code(attach), "VALIDATION_ERROR");
    EXPECT_EQ(attach.json().at("details").at(0).at("field").as_string(), "photoKey");
    EXPECT_FALSE(bucket_store.head(upload.photo_key).has_value()) << "the bad upload must be deleted";
    auto batch = brewer.api.get("/batches/" + batch_id).json().at("batch");
    EXPECT_TRUE(batch.at("photoKeys").as_array().empty());
  }
};

TEST_F(PhotosOnS3, UploadAttachAndDownloadThroughTheBucket) {
  auto upload = request_upload(brewer, batch_id);
  EXPECT_EQ(upload.url.rfind(s3rver().endpoint + "/", 0), 0u) << upload.url;
  auto bytes = image_bytes("image/jpeg", random_bytes(150 * 1024));
  auto put = upload_bytes(upload, bytes);
  ASSERT_EQ(put.status, 200) << put.body;
  auto attach = brewer.api.post("/batches/" + batch_id + "/photo", {{"photoKey", upload.photo_key}});
  ASSERT_EQ(attach.status, 200) << attach.body;
  auto listed = brewer.api.get("/batches/" + batch_id + "/photos").json().at("photos").as_array();
  ASSERT_EQ(listed.size(), 1u);
  auto download = get_url(std::string(listed[0].at("url").as_string()));
  ASSERT_EQ(download.status, 200);
  EXPECT_TRUE(download.body == bytes);
  EXPECT_FALSE(bucket_store.head(upload.photo_key)->pending);
}

TEST_F(PhotosOnS3, OversizedUploadIsRejectedAndDeletedOnAttach) {
  auto upload = request_upload(brewer, batch_id);
  ASSERT_EQ(upload_bytes(upload, std::string(10 * kMiB + 1, 'x')).status, 200);
  ASSERT_TRUE(bucket_store.head(upload.photo_key).has_value());
  expect_rejected_and_deleted(upload);
}

TEST_F(PhotosOnS3, UploadOfAnotherContentTypeIsRejectedAndDeletedOnAttach) {
  auto upload = request_upload(brewer, batch_id, "image/jpeg");
  ASSERT_EQ(upload_bytes(upload, "not really a png", "image/png").status, 200);
  ASSERT_EQ(bucket_store.head(upload.photo_key)->content_type, "image/png");
  expect_rejected_and_deleted(upload);
}

TEST_F(PhotosOnS3, ExportLinkPointsAtTheBucket) {
  create_batch(brewer, {{"name", "In the bucket"}});
  auto link = brewer.api.post("/export/batches/csv", json::object{});
  ASSERT_EQ(link.status, 200) << link.body;
  auto url = std::string(link.json().at("url").as_string());
  EXPECT_EQ(url.rfind(s3rver().endpoint + "/", 0), 0u) << url;
  auto file = get_url(url);
  ASSERT_EQ(file.status, 200);
  EXPECT_EQ(file.body, brewer.api.get("/export.csv").body);
}

TEST_F(PhotosOnS3, PermanentBatchDeleteEmptiesItsPrefix) {
  auto upload = request_upload(brewer, batch_id);
  ASSERT_EQ(upload_bytes(upload, image_bytes()).status, 200);
  ASSERT_EQ(brewer.api.post("/batches/" + batch_id + "/photo", {{"photoKey", upload.photo_key}}).status, 200);
  // The original and its four renditions.
  EXPECT_EQ(bucket_store.list("users/" + brewer.user_id + "/").size(), 5u);
  auto small = brewer.api.get("/batches/" + batch_id + "/photos?size=320").json().at("photos").at(0);
  auto rendition = get_url(std::string(small.at("url").as_string()));
  ASSERT_EQ(rendition.status, 200);
  EXPECT_EQ(rendition.header("content-type"), "image/webp");
  EXPECT_EQ(rendition.body.substr(8, 4), "WEBP");
  ASSERT_EQ(brewer.api.del("/batches/" + batch_id + "?permanent=true").status, 204);
  EXPECT_TRUE(bucket_store.list("users/" + brewer.user_id + "/").empty());
}

}  // namespace
}  // namespace kefir::test::photos
