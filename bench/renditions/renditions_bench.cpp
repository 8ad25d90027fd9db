// Photo renditions (WebP + JPEG at 320 and 1280 px) of a 12-megapixel phone-sized JPEG, made by the same
// ImageProcessor the attach call uses: photos per second, renditions per second and the peak resident memory
// of the process while making them (getrusage's high-water mark against the one before the first photo).
//
//   kefir_bench_renditions [--photos 20] [--threads 1] [--image FILE.jpg]
//
// Without --image, a 4000 x 3000 JPEG (blurred noise, about what a phone photo weighs) is made with the
// `vips` command line (Debian: libvips-tools).
#include <stdlib.h>
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "adapters/vips/image_module.hpp"

namespace {

namespace fs = std::filesystem;

struct Options {
  int photos = 20;
  int threads = 1;
  std::string image;
};

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string name = argv[i];
    if (name == "--photos")
      options.photos = std::stoi(argv[i + 1]);
    else if (name == "--threads")
      options.threads = std::stoi(argv[i + 1]);
    else if (name == "--image")
      options.image = argv[i + 1];
    else
      throw std::invalid_argument("unknown option " + name);
  }
  return options;
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

fs::path make_directory(const std::string& name) {
  std::string pattern = (fs::temp_directory_path() / (name + "-XXXXXX")).string();
  if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

std::string phone_sized_jpeg(const fs::path& dir) {
  auto at = [&](const char* name) { return (dir / name).string(); };
  std::string command =
      "vips gaussnoise " + at("noise.v") + " 4000 3000 --sigma 40 --mean 128 && vips gaussblur " +
      at("noise.v") + " " + at("blurred.v") + " 1.5 && vips bandjoin '" + at("blurred.v") + " " +
      at("blurred.v") + " " + at("blurred.v") + "' " + at("rgb.v") + " && vips cast " + at("rgb.v") + " " +
      at("bytes.v") + " uchar && vips copy " + at("bytes.v") + " " + at("srgb.v") +
      " --interpretation srgb && vips jpegsave " + at("srgb.v") + " " + at("photo.jpg") + " --Q 90";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("making the test JPEG failed: " + command);
  return at("photo.jpg");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    auto options = parse_options(argc, argv);
    auto scratch = make_directory("kefir-bench-renditions");
    auto image = options.image.empty() ? phone_sized_jpeg(scratch) : options.image;
    std::cerr << "image: " << image << " (" << fs::file_size(image) / 1024 << " KiB)\n";

    auto processor = kefir::images::make_image_processor();
    auto out = scratch / "out";
    fs::create_directories(out);
    auto rss_before = peak_rss_kib();
    processor->render(image, "image/jpeg", out.string());  // libvips starts on first use: not timed

    std::atomic<int> next = 0;
    std::atomic<int> renditions = 0;
    auto started = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (int t = 0; t < options.threads; ++t) {
      workers.emplace_back([&, t] {
        auto dir = out / std::to_string(t);
        fs::create_directories(dir);
        while (next.fetch_add(1) < options.photos)
          renditions += static_cast<int>(processor->render(image, "image/jpeg", dir.string()).size());
      });
    }
    for (auto& worker : workers) worker.join();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    std::printf("photos: %d, threads: %d, %.2f s\n", options.photos, options.threads, seconds);
    std::printf("photos/s: %.2f, renditions/s: %.2f, ms per photo: %.1f\n", options.photos / seconds,
                renditions / seconds, 1000 * seconds / options.photos);
    std::printf("peak RSS: %.1f MiB (%.1f MiB before the first photo)\n", peak_rss_kib() / 1024.0,
                rss_before / 1024.0);
    fs::remove_all(scratch);
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "kefir_bench_renditions: " << error.what() << "\n";
    return 1;
  }
}
