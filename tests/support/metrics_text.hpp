#pragma once
// Reading the Prometheus text of GET /metrics in assertions.
#include <string>

namespace kefir::test {

// The value of one series line (`name{labels} value`), or -1 when absent.
inline double series_value(const std::string& exposition, const std::string& series) {
  auto at = exposition.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(exposition.substr(at + series.size() + 2));
}

}  // namespace kefir::test
