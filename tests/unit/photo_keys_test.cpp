#include <gtest/gtest.h>

#include "domain/photo.hpp"

namespace kefir::photo {
namespace {

constexpr std::string_view kBatch = "01941f29-7c00-7000-8000-000000000001";
constexpr std::string_view kUuid = "6f1c2a4e-8b9d-4c3e-a1f2-0123456789ab";

TEST(PhotoTypes, AcceptsTheFourImageTypesOnly) {
  EXPECT_EQ(extension_for("image/jpeg"), "jpg");
  EXPECT_EQ(extension_for("image/png"), "png");
  EXPECT_EQ(extension_for("image/webp"), "webp");
  EXPECT_EQ(extension_for("image/heic"), "heic");
  EXPECT_FALSE(extension_for("image/gif"));
  EXPECT_FALSE(extension_for("IMAGE/JPEG"));
  EXPECT_FALSE(extension_for("image/svg+xml"));
  EXPECT_EQ(content_type_for("webp"), "image/webp");
  EXPECT_FALSE(content_type_for("exe"));
}

TEST(PhotoKeys, MakeAndParseRoundTrip) {
  auto key = make_key("user-1", kBatch, std::string(kUuid) + ".jpg");
  EXPECT_EQ(key, "users/user-1/batches/" + std::string(kBatch) + "/" + std::string(kUuid) + ".jpg");
  auto parts = parse_key(key);
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->user_id, "user-1");
  EXPECT_EQ(parts->batch_id, kBatch);
  EXPECT_EQ(parts->file_name, std::string(kUuid) + ".jpg");
}

TEST(PhotoKeys, RejectsMalformedKeys) {
  std::string batch(kBatch), file = std::string(kUuid) + ".png";
  EXPECT_FALSE(parse_key("users/u/batches/" + batch));
  EXPECT_FALSE(parse_key("users/u/batches/" + batch + "/" + std::string(kUuid) + ".gif"));
  EXPECT_FALSE(parse_key("users/u/batches/" + batch + "/" + file + "/extra"));
  EXPECT_FALSE(parse_key("users/u/batches/not-a-uuid/" + file));
  EXPECT_FALSE(parse_key("users/../batches/" + batch + "/" + file));
  EXPECT_FALSE(parse_key("users//batches/" + batch + "/" + file));
  EXPECT_FALSE(parse_key("/users/u/batches/" + batch + "/" + file));
  EXPECT_FALSE(parse_key("people/u/batches/" + batch + "/" + file));
  EXPECT_FALSE(parse_key("users/u/batches/" + batch + "/../" + file));
}

TEST(PhotoKeys, FileNamesAreUuidAndExtension) {
  EXPECT_TRUE(valid_file_name(std::string(kUuid) + ".heic"));
  EXPECT_FALSE(valid_file_name(std::string(kUuid)));
  EXPECT_FALSE(valid_file_name("photo.jpg"));
  EXPECT_FALSE(valid_file_name(std::string(kUuid) + ".jpg.exe"));
}

TEST(PhotoKeys, RenditionsLiveNextToTheOriginalUnderTheirOwnNames) {
  auto original = make_key("u", "b", std::string(kUuid) + ".heic");
  EXPECT_EQ(rendition_key(original, {320, RenditionFormat::webp}),
            "users/u/batches/b/" + std::string(kUuid) + ".w320.webp");
  EXPECT_EQ(rendition_key(original, {1280, RenditionFormat::jpeg}),
            "users/u/batches/b/" + std::string(kUuid) + ".w1280.jpg");
  auto named = rendition_named(original, std::string(kUuid) + ".w1280.webp");
  ASSERT_TRUE(named);
  EXPECT_EQ(named->long_side, 1280);
  EXPECT_EQ(named->format, RenditionFormat::webp);
  EXPECT_FALSE(rendition_named(original, std::string(kUuid) + ".heic"));
  EXPECT_FALSE(rendition_named(original, std::string(kUuid) + ".w640.webp"));
  EXPECT_FALSE(rendition_named(original, "0c3e7a52-55a4-4b5e-9d0f-2f7c1d1e0a11.w320.webp"))
      << "another photo's";
  EXPECT_FALSE(rendition_named(original, "b/" + std::string(kUuid) + ".w320.webp")) << "one segment only";
  // A rendition is never a photo of its own (nor deletable as one).
  EXPECT_FALSE(valid_file_name(std::string(kUuid) + ".w320.webp"));
  EXPECT_FALSE(parse_key(rendition_key(original, {320, RenditionFormat::jpeg})));
}

TEST(PhotoKeys, ARenditionKeyNamesItsPhotoWithoutTheOriginalsExtension) {
  auto original = make_key("user-1", kBatch, std::string(kUuid) + ".png");
  auto stem = original.substr(0, original.rfind('.'));
  for (auto rendition : kRenditions) {
    auto of = parse_rendition_key(rendition_key(original, rendition));
    ASSERT_TRUE(of) << rendition_key(original, rendition);
    EXPECT_EQ(of->user_id, "user-1");
    EXPECT_EQ(of->photo_stem, stem);
  }
  EXPECT_FALSE(parse_rendition_key(original)) << "an original is no rendition";
  EXPECT_FALSE(parse_rendition_key(stem + ".w640.webp"));
  EXPECT_FALSE(parse_rendition_key("exports/user-1/" + std::string(kUuid) + ".w320.webp"));
  EXPECT_FALSE(parse_rendition_key("users/user-1/batches/not-a-batch/" + std::string(kUuid) + ".w320.jpg"));
  EXPECT_FALSE(parse_rendition_key("users/user-1/batches/" + std::string(kBatch) + "/x.w320.jpg"));
}

}  // namespace
}  // namespace kefir::photo
