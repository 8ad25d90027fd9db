#include "adapters/fs/zoneinfo.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <string>

namespace kefir::tz {
namespace {

constexpr std::size_t kMaxNameLength = 64;
// The largest zone file is under 4 KiB; a bigger file is not one.
constexpr std::uintmax_t kMaxFileSize = 64 * 1024;

bool plausible_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || name.front() == '/' || name.back() == '/') return false;
  if (name.find("..") != std::string_view::npos || name.find("//") != std::string_view::npos) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' ||
                    c == '_' || c == '-' || c == '+';
    if (!ok) return false;
  }
  // posix/ and right/ repeat every zone under other leap-second rules; they are not zone names.
  return !name.starts_with("posix/") && !name.starts_with("right/");
}

// TZDIR when set; else the system's database, or the copy the Lambda package carries next to the binary
// (the provided.al2023 image has no tzdata).
std::filesystem::path zoneinfo_root() {
  if (const char* root = std::getenv("TZDIR"); root && *root) return root;
  std::error_code error;
  const std::filesystem::path system = "/usr/share/zoneinfo";
  if (std::filesystem::is_directory(system, error)) return system;
  return std::filesystem::read_symlink("/proc/self/exe", error).parent_path() / "zoneinfo";
}

std::shared_ptr<const TimeZone> read_zone(std::string_view name) {
  static const std::filesystem::path root = zoneinfo_root();
  const auto path = root / name;
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error) ||
      std::filesystem::file_size(path, error) > kMaxFileSize)
    return nullptr;
  std::ifstream file(path, std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  auto zone = TimeZone::parse(std::string(name), bytes);
  return zone ? std::make_shared<const TimeZone>(std::move(*zone)) : nullptr;
}

}  // namespace

std::shared_ptr<const TimeZone> find_zone(std::string_view name) {
  if (!plausible_name(name)) return nullptr;
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>> zones;
  std::lock_guard lock(mutex);
  if (auto found = zones.find(name); found != zones.end()) return found->second;
  // Only zones that exist are kept: made-up names cannot grow the map.
  auto zone = read_zone(name);
  if (zone) zones.emplace(std::string(name), zone);
  return zone;
}

}  // namespace kefir::tz
