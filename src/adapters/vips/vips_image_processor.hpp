#pragma once
// Photo renditions with libvips, built as a module of its own (libkefir_images.so) that kefir loads on the
// first photo (adapters/vips/image_module.hpp): libvips and its hundred libraries would otherwise be mapped
// into every process at start-up (+12 MiB resident, SPEC §14 allows 20 MiB idle). What it does:
// shrink-on-load thumbnails (the long side at 320 and 1280 px, never enlarged), EXIF orientation applied,
// every rendition saved without metadata as WebP and JPEG. The header is read first, so a decompression bomb
// or a file of another type is refused before any pixel is decoded. Loaders libvips marks untrusted
// (ImageMagick, Matlab, FITS...) are blocked; only the four photo types are accepted anyway.
#include "ports/image_processor.hpp"

namespace kefir::images {

class VipsImageProcessor final : public ImageProcessor {
 public:
  std::vector<RenditionFile> render(const std::string& source_path, const std::string& content_type,
                                    const std::string& out_dir) override;
};

}  // namespace kefir::images

// The module's one entry point, found with dlsym. The caller owns the processor.
extern "C" kefir::images::ImageProcessor* kefir_images_create();
