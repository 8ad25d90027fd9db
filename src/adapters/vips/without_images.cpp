// A build without libvips (KEFIR_IMAGES=OFF): no renditions.
#include "adapters/vips/vips_image_processor.hpp"

namespace kefir::images {

std::unique_ptr<ImageProcessor> make_image_processor() {
  return nullptr;
}

}  // namespace kefir::images
