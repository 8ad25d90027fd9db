#include "adapters/vips/vips_image_processor.hpp"

#include <vips/vips.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace kefir::images {
namespace {

constexpr int kWebpQuality = 80;
constexpr int kJpegQuality = 82;

struct ImageUnref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using ImagePtr = std::unique_ptr<VipsImage, ImageUnref>;

std::string take_vips_error() {
  std::string message = vips_error_buffer();
  vips_error_clear();
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message.empty() ? "unreadable image" : message;
}

// The libvips loader each accepted content type must be read by: a PNG uploaded as image/jpeg is refused.
std::string_view loader_for(std::string_view content_type) {
  if (content_type == "image/jpeg") return "jpegload";
  if (content_type == "image/png") return "pngload";
  if (content_type == "image/webp") return "webpload";
  if (content_type == "image/heic") return "heifload";
  return {};
}

void check_header(const std::string& path, const std::string& content_type) {
  if (!vips_foreign_find_load(path.c_str())) {
    vips_error_clear();
    throw ImageRejected("is not an image");
  }
  ImagePtr header(vips_image_new_from_file(path.c_str(), "access", VIPS_ACCESS_SEQUENTIAL, nullptr));
  if (!header) throw ImageRejected("is not a readable image (" + take_vips_error() + ")");
  const char* loader = nullptr;
  if (vips_image_get_string(header.get(), "vips-loader", &loader) != 0 ||
      std::string_view(loader) != loader_for(content_type)) {
    vips_error_clear();
    throw ImageRejected("is not a " + content_type + " image");
  }
  auto pixels =
      static_cast<std::int64_t>(vips_image_get_width(header.get())) * vips_image_get_height(header.get());
  if (pixels > photo::kMaxPixels)
    throw ImageRejected("has " + std::to_string(vips_image_get_width(header.get())) + " x " +
                        std::to_string(vips_image_get_height(header.get())) +
                        " pixels; at most 100 megapixels are accepted");
}

// What a photo says about where and with what it was taken. libvips 8.14's WebP saver writes EXIF even with
// "strip", so the fields are removed from the pixels' copy itself.
void remove_metadata(VipsImage* image) {
  gchar** fields = vips_image_get_fields(image);
  for (gchar** field = fields; *field; ++field) {
    std::string_view name(*field);
    if (name.starts_with("exif-") || name.starts_with("xmp-") || name.starts_with("iptc-") ||
        name == "orientation")
      vips_image_remove(image, *field);
  }
  g_strfreev(fields);
}

// Decoded into memory once, so both formats are saved (and the next, smaller size made) from the same pixels
// instead of re-reading the file for each.
ImagePtr in_memory(VipsImage* lazy, const char* failure) {
  ImagePtr owned(lazy);
  ImagePtr decoded(vips_image_copy_memory(owned.get()));
  if (!decoded) throw ImageRejected(std::string(failure) + " (" + take_vips_error() + ")");
  remove_metadata(decoded.get());
  return decoded;
}

// Width and height both bound the long side; VIPS_SIZE_DOWN never enlarges a small photo. From the file:
// shrink-on-load, orientation applied, and a truncated or corrupt file fails instead of yielding grey pixels.
ImagePtr thumbnail_of_file(const std::string& path, int long_side) {
  VipsImage* out = nullptr;
  if (vips_thumbnail(path.c_str(), &out, long_side, "height", long_side, "size", VIPS_SIZE_DOWN, "fail_on",
                     VIPS_FAIL_ON_ERROR, nullptr) != 0)
    throw ImageRejected("is not a readable image (" + take_vips_error() + ")");
  return in_memory(out, "is not a readable image");
}

ImagePtr thumbnail_of_image(VipsImage* image, int long_side) {
  VipsImage* out = nullptr;
  if (vips_thumbnail_image(image, &out, long_side, "height", long_side, "size", VIPS_SIZE_DOWN, "no_rotate",
                           TRUE, nullptr) != 0)
    throw std::runtime_error("resizing a rendition failed: " + take_vips_error());
  return in_memory(out, "resizing a rendition failed");
}

void save(VipsImage* image, photo::RenditionFormat format, const std::string& path) {
  int status = format == photo::RenditionFormat::webp
                   ? vips_webpsave(image, path.c_str(), "Q", kWebpQuality, "strip", TRUE, nullptr)
                   : vips_jpegsave(image, path.c_str(), "Q", kJpegQuality, "strip", TRUE, "optimize_coding",
                                   TRUE, "interlace", TRUE, nullptr);
  // A failed save is ours (disk, encoder), not the upload's: not an ImageRejected.
  if (status != 0) throw std::runtime_error("saving a rendition failed: " + take_vips_error());
}

// On first use, not at start-up: libvips' start costs start-up time and idle memory that a server which
// never sees a photo should not pay.
void start_vips_once() {
  static std::once_flag started;
  std::call_once(started, [] {
    if (VIPS_INIT("kefir") != 0) throw std::runtime_error("libvips did not start: " + take_vips_error());
    vips_block_untrusted_set(TRUE);
    // Each photo is read once: libvips' operation cache would only hold decoded images in memory.
    vips_cache_set_max(0);
    // A photo is rendered inside its attach request (on the server's pool for blocking handlers, not an I/O
    // thread) with one thread, so concurrent uploads cannot take every core from the requests around them.
    vips_concurrency_set(1);
  });
}

}  // namespace

std::vector<RenditionFile> VipsImageProcessor::render(const std::string& source_path,
                                                      const std::string& content_type,
                                                      const std::string& out_dir) {
  start_vips_once();
  check_header(source_path, content_type);
  std::vector<RenditionFile> files;
  ImagePtr larger;
  // Largest first: each smaller size is made from the one before, in memory.
  for (auto size = photo::kRenditionSizes.rbegin(); size != photo::kRenditionSizes.rend(); ++size) {
    larger = larger ? thumbnail_of_image(larger.get(), *size) : thumbnail_of_file(source_path, *size);
    for (auto rendition : photo::kRenditions) {
      if (rendition.long_side != *size) continue;
      auto path =
          (std::filesystem::path(out_dir) /
           (std::to_string(*size) + (rendition.format == photo::RenditionFormat::webp ? ".webp" : ".jpg")))
              .string();
      save(larger.get(), rendition.format, path);
      files.push_back({rendition, std::move(path)});
    }
  }
  return files;
}

}  // namespace kefir::images

extern "C" kefir::images::ImageProcessor* kefir_images_create() {
  return new kefir::images::VipsImageProcessor();
}
