// Arbitrary bytes as a request body: parsing and validation must either accept or throw ApiError — never
// crash, leak or throw anything else.
#include <cstddef>
#include <cstdint>

#include "http/json_body.hpp"

using namespace kefir;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  http::Request request;
  request.method = "POST";
  request.headers.emplace_back("content-type", "application/json");
  request.body.assign(reinterpret_cast<const char*>(data), size);
  try {
    auto body = http::parse_json_object(request);
    domain::BodyReader reader(body);
    reader.string("name", 1, 100, {.required = true});
    reader.one_of("stage", {"stage1_open", "stage2_bottled"}, {.required = true});
    reader.integer("targetDuration", 1, 720, {.nullable = true});
    reader.number("temperature", 10, 40, {.nullable = true});
    reader.boolean("isPublic");
    reader.timestamp("startDate");
    reader.string_array("fruits", 20, 1, 50, {.nullable = true});
    reader.object("metadata");
    reader.array("reminders");
    reader.finish();
  } catch (const domain::Error&) {
  }
  return 0;
}
