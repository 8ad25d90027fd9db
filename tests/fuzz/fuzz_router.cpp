// Arbitrary method, path and query through the router's template matching and query parsing.
#include <cstddef>
#include <cstdint>
#include <string>

#include "http/router.hpp"

using namespace kefir;

namespace {

http::Router make_router() {
  http::Router router;
  auto ok = [](http::Request& request) {
    std::string seen;
    for (const auto& [name, value] : request.path_params) seen += name + "=" + value + ";";
    return http::Response::text(200, "text/plain", seen);
  };
  for (const char* pattern : {"/healthz", "/batches", "/batches/{id}", "/batches/{id}/events/{eventId}",
                              "/batches/{id}/photos/{file}", "/me/reminders/{id}/complete", "/blobs/{key+}",
                              "/b/{batchId}", "/public/b/{batchId}"}) {
    router.add("GET", pattern, ok);
    router.add("POST", pattern, ok);
  }
  return router;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const http::Router router = make_router();
  std::string input(reinterpret_cast<const char*>(data), size);
  auto first_space = input.find(' ');
  http::Request request;
  request.method = input.substr(0, first_space == std::string::npos ? 0 : first_space);
  std::string target = first_space == std::string::npos ? input : input.substr(first_space + 1);
  auto question = target.find('?');
  request.path = http::percent_decode(target.substr(0, question), false);
  if (question != std::string::npos) request.query_string = target.substr(question + 1);
  auto response = router.handle(request);
  if (response.status != 200 && response.status != 404 && response.status != 405) __builtin_trap();
  (void)request.query("cursor");
  (void)request.query_all("status");
  return 0;
}
