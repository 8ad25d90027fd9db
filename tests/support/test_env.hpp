#pragma once
// Helpers every suite shares: temp directories, environment, random names.
#include <filesystem>
#include <string>

namespace kefir::test {

// A fresh directory under the system temp dir, removed when the object dies.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

std::string unique_suffix();  // short random hex, for table names, emails...
std::string env_or(const char* name, std::string fallback);

}  // namespace kefir::test
