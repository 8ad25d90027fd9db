// Arbitrary bytes as a stored document, copied or spliced into a list item (domain/api_json.hpp): the stamp
// reader trusts a length from the text and the member scanner reads words past a key's start, so neither may
// read outside the text; and whenever the text is JSON, what the splice writes must be JSON too, whatever it
// refused or copied.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <boost/json/parse.hpp>

#include "domain/api_json.hpp"

using namespace kefir::domain;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using api_json::Shape;
  static const api_json::SplicedObject spliced({{"s", Shape::string},
                                                {"t", Shape::time, true},
                                                {"i", Shape::integer, true},
                                                {"n", Shape::number, true},
                                                {"b", Shape::boolean, true},
                                                {"l", Shape::strings, true},
                                                {"o", Shape::object, true},
                                                {{"api", "stored"}, Shape::string, true},
                                                {"d", Shape::decoded, true}});
  const std::string_view stored(reinterpret_cast<const char*>(data), size);
  std::string held = "[";
  if (!spliced.append_held(held, stored) && held != "[") std::abort();
  std::string out = "[";
  if (!spliced.append(out, stored)) {
    if (out != "[") std::abort();  // a refusal leaves the buffer as it was
    return 0;
  }
  boost::system::error_code stored_error;
  boost::json::parse(stored, stored_error);
  boost::system::error_code out_error;
  boost::json::parse(std::string_view(out).substr(1), out_error);
  if (!stored_error && out_error) std::abort();
  return 0;
}
