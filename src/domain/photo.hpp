#pragma once
// Photo rules (SPEC §7), pure: accepted content types, the storage key layout
// users/<userId>/batches/<batchId>/<uuid>.<ext> (renditions beside it: <uuid>.w320.webp,
// <uuid>.w1280.jpg...), and the lifecycle limits.
#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kefir::photo {

inline constexpr std::int64_t kMaxBytes = 10 * 1024 * 1024;
inline constexpr std::chrono::seconds kUrlLifetime{300};
// Uploads never attached to a batch are deleted after this (the bucket's kefir=pending lifecycle rule).
inline constexpr std::chrono::hours kUnattachedLifetime{7 * 24};
inline constexpr std::size_t kMaxPerBatch = 100;
// Images larger than this are refused before they are decoded (a 30,000 x 30,000 PNG is a decompression
// bomb).
inline constexpr std::int64_t kMaxPixels = 100'000'000;
// Generated export files (POST /export/batches/csv) are kept this long under exports/<userId>/.
inline constexpr std::chrono::hours kExportLifetime{24};

// "jpg" for image/jpeg...; nullopt for a content type photos may not have.
std::optional<std::string_view> extension_for(std::string_view content_type);
std::optional<std::string_view> content_type_for(std::string_view extension);

std::string user_prefix(std::string_view user_id);                              // users/<u>/
std::string batch_prefix(std::string_view user_id, std::string_view batch_id);  // users/<u>/batches/<b>/
std::string export_prefix(std::string_view user_id);                            // exports/<u>/
std::string make_key(std::string_view user_id, std::string_view batch_id, std::string_view file_name);
// "<uuid>.<ext>" with a lowercase UUID and an accepted extension.
bool valid_file_name(std::string_view file_name);

// Renditions made when a photo is attached: the long side in pixels and the format, each kept next to the
// original (which stays as uploaded).
enum class RenditionFormat { webp, jpeg };
struct Rendition {
  int long_side;
  RenditionFormat format;
};
inline constexpr std::array<int, 2> kRenditionSizes{320, 1280};
inline constexpr std::array<Rendition, 4> kRenditions{{{320, RenditionFormat::webp},
                                                       {320, RenditionFormat::jpeg},
                                                       {1280, RenditionFormat::webp},
                                                       {1280, RenditionFormat::jpeg}}};
std::string_view content_type_of(RenditionFormat format);
// "users/u/batches/b/<uuid>.jpg" -> "users/u/batches/b/<uuid>.w320.webp".
std::string rendition_key(std::string_view photo_key, Rendition rendition);
// The "<uuid>.w<size>.<webp|jpg>" last segment of a rendition of `photo_key`: the rendition it names, if any.
std::optional<Rendition> rendition_named(std::string_view photo_key, std::string_view file_name);

struct KeyParts {
  std::string user_id;
  std::string batch_id;
  std::string file_name;
};
// The parts of a well-formed photo key; nullopt for anything else.
std::optional<KeyParts> parse_key(std::string_view key);

// What a rendition's key says of its photo: the owner and the photo's key without its extension
// ("users/u/batches/b/<uuid>", the original's extension is not in a rendition's key); nullopt for the key of
// anything but a rendition.
struct RenditionOf {
  std::string user_id;
  std::string photo_stem;
};
std::optional<RenditionOf> parse_rendition_key(std::string_view key);

}  // namespace kefir::photo
