// Photos over real HTTP (SPEC §7): upload URL, the upload itself, attach, list, download, delete, and what
// must be refused: keys of another batch or user, keys never uploaded, other content types.
#include "integration/photos_support.hpp"
#include "util/ids.hpp"

namespace kefir::test::photos {
namespace {

namespace fs = std::filesystem;

class PhotosFlow : public ::testing::Test {
 protected:
  ServerProcess server;
  Brewer brewer = sign_up(server);
  std::string batch_id = create_batch(brewer);

  fs::path blob_path(const std::string& key) const { return fs::path(server.data_dir()) / "blobs" / key; }

  json::array photos(const Brewer& who, const std::string& batch) const {
    auto response = who.api.get("/batches/" + batch + "/photos");
    EXPECT_EQ(response.status, 200) << response.body;
    return response.json().at("photos").as_array();
  }

  json::object batch(const std::string& id) const {
    return brewer.api.get("/batches/" + id).json().at("batch").as_object();
  }

  std::vector<json::object> events_of_type(const std::string& id, std::string_view type) const {
    std::vector<json::object> found;
    auto events = brewer.api.get("/batches/" + id + "/events").json();
    for (const auto& event : events.at("events").as_array())
      if (event.at("type").as_string() == type) found.push_back(event.as_object());
    return found;
  }

  void expect_photo_key_rejected(const Brewer& who, const std::string& batch, const std::string& key) const {
    auto response = who.api.post("/batches/" + batch + "/photo", {{"photoKey", key}});
    EXPECT_EQ(response.status, 400) << key << " " << response.body;
    if (response.status != 400) return;
    EXPECT_EQ(error_code(response), "VALIDATION_ERROR");
    EXPECT_EQ(response.json().at("details").at(0).at("field").as_string(), "photoKey") << response.body;
  }
};

TEST_F(PhotosFlow, WholeUploadFlowWithByteIdenticalDownload) {
  auto upload = request_upload(brewer, batch_id, "image/png");
  EXPECT_EQ(upload.body.at("expiresIn").as_int64(), 300);
  EXPECT_EQ(upload.body.at("method").as_string(), "PUT");
  EXPECT_EQ(upload.body.at("headers").as_object(), (json::object{{"Content-Type", "image/png"}}));
  auto prefix = "users/" + brewer.user_id + "/batches/" + batch_id + "/";
  ASSERT_EQ(upload.photo_key.rfind(prefix, 0), 0u) << upload.photo_key;
  auto file_name = upload.photo_key.substr(prefix.size());
  EXPECT_TRUE(is_uuid(file_name.substr(0, 36)) && file_name.substr(36) == ".png") << upload.photo_key;
  EXPECT_EQ(file_name[14], '4') << "a UUIDv4 names the file";

  // Every byte value, NULs included, and more than one read chunk of the download.
  auto bytes = image_bytes("image/png", random_bytes(200 * 1024 + 7));
  ASSERT_EQ(put_blob(upload.url, "image/png", bytes).status, 200);
  auto version_before = batch(batch_id).at("version").as_int64();
  auto attached = brewer.api.post("/batches/" + batch_id + "/photo", {{"photoKey", upload.photo_key}});
  ASSERT_EQ(attached.status, 200) << attached.body;
  auto attached_batch = attached.json().at("batch").as_object();
  EXPECT_EQ(attached_batch.at("photoKeys").as_array(), (json::array{json::value(upload.photo_key)}));
  EXPECT_EQ(attached_batch.at("version").as_int64(), version_before + 1);
  EXPECT_EQ(attached.header("etag"), "\"" + std::to_string(version_before + 1) + "\"");
  auto added = events_of_type(batch_id, "photo_added");
  ASSERT_EQ(added.size(), 1u);
  EXPECT_EQ(added[0].at("photoKey").as_string(), upload.photo_key);

  auto listed = photos(brewer, batch_id);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("photoKey").as_string(), upload.photo_key);
  EXPECT_EQ(listed[0].at("expiresIn").as_int64(), 300);
  auto download = get_url(std::string(listed[0].at("url").as_string()));
  ASSERT_EQ(download.status, 200);
  EXPECT_EQ(download.header("content-type"), "image/png");
  EXPECT_EQ(download.header("transfer-encoding"), "chunked");
  EXPECT_TRUE(download.body == bytes) << "downloaded " << download.body.size() << " bytes";

  // Attaching again changes nothing: no second key, no second event.
  ASSERT_EQ(brewer.api.post("/batches/" + batch_id + "/photo", {{"photoKey", upload.photo_key}}).status, 200);
  EXPECT_EQ(batch(batch_id).at("photoKeys").as_array().size(), 1u);
  EXPECT_EQ(events_of_type(batch_id, "photo_added").size(), 1u);

  EXPECT_EQ(brewer.api.del("/batches/" + batch_id + "/photos/" + file_name).status, 204);
  EXPECT_TRUE(photos(brewer, batch_id).empty());
  EXPECT_TRUE(batch(batch_id).at("photoKeys").as_array().empty());
  EXPECT_FALSE(fs::exists(blob_path(upload.photo_key)));
  EXPECT_EQ(get_url(std::string(listed[0].at("url").as_string())).status, 404);
  EXPECT_EQ(brewer.api.del("/batches/" + batch_id + "/photos/" + file_name).status, 404);
}

TEST_F(PhotosFlow, UploadUrlValidation) {
  auto gif = brewer.api.post("/batches/" + batch_id + "/photo/upload-url",
                             {{"filename", "a.gif"}, {"contentType", "image/gif"}});
  EXPECT_EQ(gif.status, 400);
  EXPECT_EQ(gif.json().at("details").at(0).at("field").as_string(), "contentType");
  auto unknown_field = brewer.api.post("/batches/" + batch_id + "/photo/upload-url",
                                       {{"contentType", "image/jpeg"}, {"size", 10}});
  EXPECT_EQ(unknown_field.status, 400);
  EXPECT_EQ(brewer.api
                .post("/batches/01941f29-7c00-7000-8000-000000000001/photo/upload-url",
                      {{"contentType", "image/jpeg"}})
                .status,
            404);
  EXPECT_EQ(ApiClient(server.base_url())
                .post("/batches/" + batch_id + "/photo/upload-url", {{"contentType", "image/jpeg"}})
                .status,
            401);
}

TEST_F(PhotosFlow, KeysOfAnotherBatchOrUserAreRejected) {
  auto other_batch = create_batch(brewer, {{"name", "Other"}});
  auto upload = request_upload(brewer, other_batch);
  ASSERT_EQ(put_blob(upload.url, "image/jpeg", "jpeg").status, 200);
  expect_photo_key_rejected(brewer, batch_id, upload.photo_key);

  auto stranger = sign_up(server, "stranger");
  auto stranger_batch = create_batch(stranger);
  auto foreign = request_upload(stranger, stranger_batch);
  ASSERT_EQ(put_blob(foreign.url, "image/jpeg", "jpeg").status, 200);
  expect_photo_key_rejected(brewer, batch_id, foreign.photo_key);
  // Nor can anyone reach another user's batch at all.
  EXPECT_EQ(
      brewer.api.post("/batches/" + stranger_batch + "/photo", {{"photoKey", foreign.photo_key}}).status,
      404);
  EXPECT_EQ(brewer.api.get("/batches/" + stranger_batch + "/photos").status, 404);
  EXPECT_EQ(
      brewer.api.post("/batches/" + stranger_batch + "/photo/upload-url", {{"contentType", "image/jpeg"}})
          .status,
      404);
  auto file_name = foreign.photo_key.substr(foreign.photo_key.rfind('/') + 1);
  EXPECT_EQ(brewer.api.del("/batches/" + stranger_batch + "/photos/" + file_name).status, 404);
  EXPECT_TRUE(fs::exists(blob_path(foreign.photo_key)));

  // Keys made up to look like this batch's: traversal, never requested, never uploaded.
  auto prefix = "users/" + brewer.user_id + "/batches/" + batch_id + "/";
  expect_photo_key_rejected(brewer, batch_id, prefix + "../" + other_batch + "/x.jpg");
  expect_photo_key_rejected(brewer, batch_id, prefix + "../../../users/" + stranger.user_id + "/x.jpg");
  expect_photo_key_rejected(brewer, batch_id, prefix + "0c3e7a52-55a4-4b5e-9d0f-2f7c1d1e0a11.jpg");
  auto never_uploaded = request_upload(brewer, batch_id);
  expect_photo_key_rejected(brewer, batch_id, never_uploaded.photo_key);
  EXPECT_TRUE(batch(batch_id).at("photoKeys").as_array().empty());
  EXPECT_TRUE(events_of_type(batch_id, "photo_added").empty());
}

TEST_F(PhotosFlow, MissingObjectsAreDroppedFromListings) {
  auto kept = add_photo(brewer, batch_id, "kept");
  auto lost = add_photo(brewer, batch_id, "lost");
  fs::remove(blob_path(lost));  // as the lifecycle rule would
  auto listed = photos(brewer, batch_id);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].at("photoKey").as_string(), kept);
}

TEST_F(PhotosFlow, PermanentBatchDeleteRemovesItsPhotos) {
  auto other_batch = create_batch(brewer, {{"name", "Keeper"}});
  auto doomed = add_photo(brewer, batch_id, "doomed");
  auto pending = request_upload(brewer, batch_id);
  ASSERT_EQ(put_blob(pending.url, "image/jpeg", "pending").status, 200);
  auto kept = add_photo(brewer, other_batch, "kept");
  ASSERT_EQ(brewer.api.del("/batches/" + batch_id + "?permanent=true").status, 204);
  EXPECT_FALSE(fs::exists(blob_path(doomed)));
  EXPECT_FALSE(fs::exists(blob_path(pending.photo_key)));
  EXPECT_TRUE(fs::exists(blob_path(kept)));
  EXPECT_EQ(photos(brewer, other_batch).size(), 1u);
}

TEST_F(PhotosFlow, AccountDeletionRemovesEveryPhoto) {
  auto second_batch = create_batch(brewer, {{"name", "Second"}});
  auto first = add_photo(brewer, batch_id, "first");
  auto second = add_photo(brewer, second_batch, "second");
  auto export_link = brewer.api.post("/export/batches/csv", json::object{});
  ASSERT_EQ(export_link.status, 200) << export_link.body;
  auto neighbour = sign_up(server, "neighbour");
  auto neighbours = add_photo(neighbour, create_batch(neighbour), "neighbour");

  ASSERT_EQ(brewer.api.del("/me").status, 204);
  EXPECT_FALSE(fs::exists(blob_path(first)));
  EXPECT_FALSE(fs::exists(blob_path(second)));
  EXPECT_FALSE(fs::exists(fs::path(server.data_dir()) / "blobs/users" / brewer.user_id));
  EXPECT_FALSE(fs::exists(fs::path(server.data_dir()) / "blobs/exports" / brewer.user_id));
  EXPECT_EQ(get_url(std::string(export_link.json().at("url").as_string())).status, 404);
  EXPECT_TRUE(fs::exists(blob_path(neighbours)));
}

}  // namespace
}  // namespace kefir::test::photos
