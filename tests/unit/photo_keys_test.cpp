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

}  // namespace
}  // namespace kefir::photo
