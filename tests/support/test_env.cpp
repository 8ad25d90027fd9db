#include "support/test_env.hpp"

#include <cstdlib>

#include "util/crypto.hpp"

namespace kefir::test {

TempDir::TempDir() {
  auto base = std::filesystem::temp_directory_path() / ("kefir-test-" + unique_suffix());
  std::filesystem::create_directories(base);
  path_ = base;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string unique_suffix() {
  return crypto::hex_encode(crypto::random_bytes(6));
}

std::string env_or(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::string(value) : fallback;
}

}  // namespace kefir::test
