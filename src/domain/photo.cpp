#include "domain/photo.hpp"

#include <array>
#include <utility>

#include "util/ids.hpp"

namespace kefir::photo {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 4> kTypes{{
    {"image/jpeg", "jpg"},
    {"image/png", "png"},
    {"image/webp", "webp"},
    {"image/heic", "heic"},
}};

// A user id is one key segment: what the blob keys allow, never '/' or a leading '.'.
bool valid_segment(std::string_view segment) {
  if (segment.empty() || segment.size() > 128 || segment.front() == '.') return false;
  for (char c : segment) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
              c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string_view> extension_for(std::string_view content_type) {
  for (const auto& [type, extension] : kTypes)
    if (type == content_type) return extension;
  return std::nullopt;
}

std::optional<std::string_view> content_type_for(std::string_view extension) {
  for (const auto& [type, known] : kTypes)
    if (known == extension) return type;
  return std::nullopt;
}

std::string user_prefix(std::string_view user_id) {
  return "users/" + std::string(user_id) + "/";
}

std::string batch_prefix(std::string_view user_id, std::string_view batch_id) {
  return user_prefix(user_id) + "batches/" + std::string(batch_id) + "/";
}

std::string export_prefix(std::string_view user_id) {
  return "exports/" + std::string(user_id) + "/";
}

std::string make_key(std::string_view user_id, std::string_view batch_id, std::string_view file_name) {
  return batch_prefix(user_id, batch_id) + std::string(file_name);
}

bool valid_file_name(std::string_view file_name) {
  auto dot = file_name.find('.');
  return dot != std::string_view::npos && is_uuid(file_name.substr(0, dot)) &&
         content_type_for(file_name.substr(dot + 1)).has_value();
}

std::string_view content_type_of(RenditionFormat format) {
  return format == RenditionFormat::webp ? "image/webp" : "image/jpeg";
}

namespace {
std::string_view stem_of(std::string_view photo_key) {
  auto dot = photo_key.rfind('.');
  return dot == std::string_view::npos ? photo_key : photo_key.substr(0, dot);
}
std::string_view extension_of(RenditionFormat format) {
  return format == RenditionFormat::webp ? "webp" : "jpg";
}
}  // namespace

std::string rendition_key(std::string_view photo_key, Rendition rendition) {
  return std::string(stem_of(photo_key)) + ".w" + std::to_string(rendition.long_side) + "." +
         std::string(extension_of(rendition.format));
}

std::optional<Rendition> rendition_named(std::string_view photo_key, std::string_view file_name) {
  if (file_name.find('/') != std::string_view::npos) return std::nullopt;
  for (auto rendition : kRenditions) {
    auto key = rendition_key(photo_key, rendition);
    if (key.size() > file_name.size() && key.ends_with(file_name) &&
        key[key.size() - file_name.size() - 1] == '/')
      return rendition;
  }
  return std::nullopt;
}

std::optional<KeyParts> parse_key(std::string_view key) {
  constexpr std::string_view kUsers = "users/";
  if (key.substr(0, kUsers.size()) != kUsers) return std::nullopt;
  key.remove_prefix(kUsers.size());
  auto slash = key.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto user_id = key.substr(0, slash);
  key.remove_prefix(slash + 1);
  constexpr std::string_view kBatches = "batches/";
  if (key.substr(0, kBatches.size()) != kBatches) return std::nullopt;
  key.remove_prefix(kBatches.size());
  slash = key.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto batch_id = key.substr(0, slash);
  auto file_name = key.substr(slash + 1);
  if (!valid_segment(user_id) || !is_uuid(batch_id) || !valid_file_name(file_name)) return std::nullopt;
  return KeyParts{std::string(user_id), std::string(batch_id), std::string(file_name)};
}

std::optional<RenditionOf> parse_rendition_key(std::string_view key) {
  for (auto rendition : kRenditions) {
    // The suffix rendition_key() gives any photo of the same stem.
    const auto suffix = rendition_key("", rendition);
    if (!key.ends_with(suffix)) continue;
    auto stem = key.substr(0, key.size() - suffix.size());
    auto parts = parse_key(std::string(stem) + ".jpg");
    if (!parts) return std::nullopt;
    return RenditionOf{std::move(parts->user_id), std::string(stem)};
  }
  return std::nullopt;
}

}  // namespace kefir::photo
