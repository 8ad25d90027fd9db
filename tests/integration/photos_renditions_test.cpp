// Photo renditions over real HTTP: attaching a photo makes WebP and JPEG renditions at 320 and 1280 px on the
// long side, upright and without metadata, next to the untouched original; listings and the public page use
// them; what is not an image (or is a decompression bomb) is refused and leaves nothing behind. Renditions
// are read back with libvips' own command-line tools (vipsheader, vips getpoint), not with kefir's code.
#include "domain/photo.hpp"
#include "integration/photos_support.hpp"

namespace kefir::test::photos {
namespace {

namespace fs = std::filesystem;

class PhotoRenditions : public ::testing::Test {
 protected:
  ServerProcess server;
  Brewer brewer = sign_up(server);
  std::string batch_id = create_batch(brewer, {{"isPublic", true}});
  TempDir scratch;

  fs::path blob_path(const std::string& key) const { return fs::path(server.data_dir()) / "blobs" / key; }

  std::string attach(const std::string& bytes, const std::string& content_type, int expected_status = 200) {
    auto upload = request_upload(brewer, batch_id, content_type);
    EXPECT_EQ(put_blob(upload.url, content_type, bytes).status, 200);
    last_attach = brewer.api.post("/batches/" + batch_id + "/photo", {{"photoKey", upload.photo_key}});
    EXPECT_EQ(last_attach.status, expected_status) << last_attach.body;
    return upload.photo_key;
  }

  std::string listed_url(const std::string& query) const {
    auto response = brewer.api.get("/batches/" + batch_id + "/photos" + query);
    EXPECT_EQ(response.status, 200) << response.body;
    return std::string(response.json().at("photos").at(0).at("url").as_string());
  }

  ImageFacts facts(const std::string& bytes, const std::string& name) const {
    return image_facts(bytes, fs::path(scratch.str()) / name);
  }

  HttpResponse last_attach;
};

TEST_F(PhotoRenditions, RotatedPhoneJpegComesOutUprightWithoutGpsInEverySizeAndFormat) {
  auto original = read_file(photo_fixture("rotated-gps.jpg"));
  ASSERT_NE(facts(original, "source.jpg").metadata.find("GPSLatitude"), std::string::npos)
      << "the fixture carries GPS coordinates";
  auto key = attach(original, "image/jpeg");

  for (const char* query : {"?size=320", "?size=320&format=jpeg", "?size=1280", "?size=1280&format=jpeg"}) {
    SCOPED_TRACE(query);
    auto download = get_url(listed_url(query));
    ASSERT_EQ(download.status, 200);
    bool webp = std::string_view(query).find("jpeg") == std::string_view::npos;
    EXPECT_EQ(download.header("content-type"), webp ? "image/webp" : "image/jpeg");
    expect_upright_without_gps(download.body, webp, scratch);
  }

  auto kept = get_url(listed_url("?size=original"));
  EXPECT_TRUE(kept.body == original) << "the original stays as uploaded";
  EXPECT_TRUE(get_url(listed_url("")).body == original) << "listings default to the original";
  for (const char* rendition : {".w320.webp", ".w320.jpg", ".w1280.webp", ".w1280.jpg"})
    EXPECT_TRUE(fs::exists(blob_path(key.substr(0, key.rfind('.')) + rendition))) << rendition;
}

TEST_F(PhotoRenditions, LargePhotosAreShrunkToTheLongSide) {
  auto big = fs::path(scratch.str()) / "big.png";
  ASSERT_EQ(run("vips black " + shell_quoted(big.string()) + " 3000 2000 --bands 3 2>&1").exit_code, 0);
  attach(read_file(big), "image/png");
  auto small = facts(get_url(listed_url("?size=320")).body, "s.webp");
  EXPECT_EQ(small.width, 320);
  EXPECT_EQ(small.height, 213);
  auto large = facts(get_url(listed_url("?size=1280&format=jpeg")).body, "l.jpg");
  EXPECT_EQ(large.width, 1280);
  EXPECT_EQ(large.height, 853);
}

TEST_F(PhotoRenditions, DecompressionBombIsRefusedAndLeavesNothingBehind) {
  auto key = attach(read_file(photo_fixture("bomb.png")), "image/png", 400);
  EXPECT_EQ(error_code(last_attach), "VALIDATION_ERROR");
  EXPECT_EQ(last_attach.json().at("details").at(0).at("field").as_string(), "photoKey");
  EXPECT_NE(last_attach.body.find("30000 x 30000"), std::string::npos) << last_attach.body;
  EXPECT_FALSE(fs::exists(blob_path(key)));
  EXPECT_FALSE(fs::exists(blob_path(key).parent_path())) << "no rendition or scratch file either";
  auto batch = brewer.api.get("/batches/" + batch_id).json().at("batch");
  EXPECT_TRUE(batch.at("photoKeys").as_array().empty());
  // The upload record went too: the same key cannot be attached later.
  auto again = brewer.api.post("/batches/" + batch_id + "/photo", {{"photoKey", key}});
  EXPECT_EQ(again.status, 400);
}

TEST_F(PhotoRenditions, CorruptOrMistypedImagesAreRefused) {
  auto jpeg = image_bytes("image/jpeg");
  attach(jpeg.substr(0, jpeg.size() / 2), "image/jpeg", 400);
  EXPECT_NE(last_attach.body.find("not a readable image"), std::string::npos) << last_attach.body;
  attach(image_bytes("image/png"), "image/jpeg", 400);
  EXPECT_NE(last_attach.body.find("is not a image/jpeg image"), std::string::npos) << last_attach.body;
  attach("plain text, not a picture", "image/webp", 400);
  EXPECT_TRUE(brewer.api.get("/batches/" + batch_id).json().at("batch").at("photoKeys").as_array().empty());
  EXPECT_EQ(brewer.api.get("/batches/" + batch_id + "/photos?size=640").status, 400);
  EXPECT_EQ(brewer.api.get("/batches/" + batch_id + "/photos?format=gif").status, 400);
}

TEST_F(PhotoRenditions, DeletingThePhotoDeletesItsRenditions) {
  auto key = attach(image_bytes("image/webp"), "image/webp");
  auto directory = blob_path(key).parent_path();
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(directory))
    if (entry.path().filename().string().front() != '.') ++files;
  EXPECT_EQ(files, 5u);
  auto file_name = key.substr(key.rfind('/') + 1);
  ASSERT_EQ(brewer.api.del("/batches/" + batch_id + "/photos/" + file_name).status, 204);
  EXPECT_FALSE(fs::exists(directory)) << "original, renditions and their directory are gone";
}

TEST_F(PhotoRenditions, PublicPageOffersRenditionsThroughSrcset) {
  auto key = attach(image_bytes("image/jpeg"), "image/jpeg");
  auto stem = key.substr(key.rfind('/') + 1, 36);
  auto page = ApiClient(server.base_url()).get("/b/" + batch_id);
  ASSERT_EQ(page.status, 200);
  auto base = server.base_url() + "/public/b/" + batch_id + "/photos/" + stem;
  EXPECT_NE(page.body.find("<source type=\"image/webp\" srcset=\"" + base + ".w320.webp 320w, " + base +
                           ".w1280.webp 1280w\""),
            std::string::npos)
      << page.body;
  EXPECT_NE(page.body.find("src=\"" + base + ".w320.jpg\""), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("users/"), std::string::npos) << "no storage key on a public page";
  auto small = get_url(base + ".w320.webp");
  ASSERT_EQ(small.status, 200);
  EXPECT_EQ(small.header("content-type"), "image/webp");
  EXPECT_EQ(get_url(base + ".w640.webp").status, 404);
  EXPECT_EQ(get_url(base + key.substr(key.rfind('.'))).status, 404)
      << "never the original (GPS may be in it)";
}

TEST_F(PhotoRenditions, PublicPageLeavesOutAPhotoWithoutRenditions) {
  auto with = attach(image_bytes("image/jpeg"), "image/jpeg");
  auto without = attach(image_bytes("image/png"), "image/png");
  // As a photo attached before renditions existed: its original alone.
  for (auto rendition : photo::kRenditions) fs::remove(blob_path(photo::rendition_key(without, rendition)));
  ApiClient anonymous(server.base_url());
  auto photos = anonymous.get("/public/b/" + batch_id).json().at("batch").at("photos").as_array();
  ASSERT_EQ(photos.size(), 1u);
  auto stem = with.substr(with.rfind('/') + 1, 36);
  EXPECT_EQ(std::string(photos[0].at("url").as_string()),
            server.base_url() + "/public/b/" + batch_id + "/photos/" + stem + ".w1280.jpg");
  auto page = anonymous.get("/b/" + batch_id);
  EXPECT_NE(page.body.find(stem), std::string::npos);
  EXPECT_EQ(page.body.find(without.substr(without.rfind('/') + 1, 36)), std::string::npos) << page.body;
}

}  // namespace
}  // namespace kefir::test::photos
