#pragma once
// Loads the libvips renditions module (libkefir_images.so, see vips_image_processor.hpp) on the first photo,
// from the kefir binary's own directory or, for test and benchmark binaries elsewhere in the build tree, the
// path it was built at.
#include <memory>

#include "ports/image_processor.hpp"

namespace kefir::images {

// Null in a build without renditions (KEFIR_IMAGES=OFF: the Lambda package): photos are attached as uploaded.
// When the module is missing or broken, each photo is attached as uploaded too, with an error logged, rather
// than refusing every upload.
std::unique_ptr<ImageProcessor> make_image_processor();

}  // namespace kefir::images
