#pragma once
// Photo renditions with libvips: shrink-on-load thumbnails (the long side at 320 and 1280 px, never
// enlarged), EXIF orientation applied, every rendition saved without metadata as WebP and JPEG. The header is
// read first, so a decompression bomb or a file of another type is refused before any pixel is decoded.
// Loaders libvips marks untrusted (ImageMagick, Matlab, FITS...) are blocked; only the four photo types are
// accepted anyway.
#include <memory>

#include "ports/image_processor.hpp"

namespace kefir::images {

class VipsImageProcessor final : public ImageProcessor {
 public:
  std::vector<RenditionFile> render(const std::string& source_path, const std::string& content_type,
                                    const std::string& out_dir) override;
};

// The libvips processor, or null in a build without libvips (KEFIR_IMAGES=OFF: the Lambda package), where
// photos are attached as uploaded.
std::unique_ptr<ImageProcessor> make_image_processor();

}  // namespace kefir::images
