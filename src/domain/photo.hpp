#pragma once
// Photo rules (SPEC §7), pure: accepted content types, the storage key layout
// users/<userId>/batches/<batchId>/<uuid>.<ext>, and the lifecycle limits.
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

struct KeyParts {
  std::string user_id;
  std::string batch_id;
  std::string file_name;
};
// The parts of a well-formed photo key; nullopt for anything else.
std::optional<KeyParts> parse_key(std::string_view key);

}  // namespace kefir::photo
