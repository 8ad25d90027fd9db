#pragma once
// The imaging port: renditions of an uploaded photo (SPEC §7 thumbnails). The adapter (libvips) decodes the
// original with its orientation applied and writes each rendition without metadata (EXIF, GPS, XMP...).
#include <stdexcept>
#include <string>
#include <vector>

#include "domain/photo.hpp"

namespace kefir::images {

// The file is not an image of the declared type, is corrupt, or is too large to decode safely.
class ImageRejected : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RenditionFile {
  photo::Rendition rendition;
  std::string path;
};

class ImageProcessor {
 public:
  virtual ~ImageProcessor() = default;
  // Writes every rendition of the image at `source_path` (declared as `content_type`) into `out_dir`.
  // Thread-safe. Throws ImageRejected for what no retry can fix.
  virtual std::vector<RenditionFile> render(const std::string& source_path, const std::string& content_type,
                                            const std::string& out_dir) = 0;
};

}  // namespace kefir::images
