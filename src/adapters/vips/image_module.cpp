#include "adapters/vips/image_module.hpp"

#include <dlfcn.h>

#include <filesystem>
#include <mutex>

#include "util/log.hpp"

namespace kefir::images {
namespace {

constexpr const char* kModuleName = "libkefir_images.so";

class ModuleImageProcessor final : public ImageProcessor {
 public:
  std::vector<RenditionFile> render(const std::string& source_path, const std::string& content_type,
                                    const std::string& out_dir) override {
    std::call_once(loaded_, [this] { load(); });
    if (!processor_) return {};
    return processor_->render(source_path, content_type, out_dir);
  }

 private:
  void load() {
    std::error_code ec;
    auto beside_binary = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path() / kModuleName;
    std::string error;
    for (const auto& path : {beside_binary.string(), std::string(KEFIR_IMAGES_MODULE)}) {
      // Kept loaded for the life of the process: libvips cannot be shut down and started again.
      void* module = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
      if (!module) {
        error += std::string(dlerror()) + "; ";
        continue;
      }
      auto create = reinterpret_cast<ImageProcessor* (*)()>(dlsym(module, "kefir_images_create"));
      if (!create) {
        error += path + ": no kefir_images_create; ";
        continue;
      }
      processor_.reset(create());
      return;
    }
    log::error("photo renditions are off: the libvips module could not be loaded", {{"error", error}});
  }

  std::once_flag loaded_;
  std::unique_ptr<ImageProcessor> processor_;
};

}  // namespace

std::unique_ptr<ImageProcessor> make_image_processor() {
  if (std::string_view(KEFIR_IMAGES_MODULE).empty()) return nullptr;
  return std::make_unique<ModuleImageProcessor>();
}

}  // namespace kefir::images
