// Plain-decimal JSON text (log lines, CSV cells): numbers people read, and the same JSON boost::json reads
// back.
#include <gtest/gtest.h>

#include <limits>

#include "util/json_text.hpp"

namespace kefir {
namespace {

TEST(JsonText, NumbersArePlainDecimals) {
  EXPECT_EQ(json_text::serialize(2.726), "2.726");
  EXPECT_EQ(json_text::serialize(35.5), "35.5");
  EXPECT_EQ(json_text::serialize(161.339929), "161.339929");
  EXPECT_EQ(json_text::serialize(10.0), "10");
  EXPECT_EQ(json_text::serialize(-0.25), "-0.25");
  EXPECT_EQ(json_text::serialize(std::int64_t{-42}), "-42");
  EXPECT_EQ(json_text::serialize(std::numeric_limits<std::uint64_t>::max()), "18446744073709551615");
}

TEST(JsonText, NonFiniteNumbersAreNull) {
  EXPECT_EQ(json_text::serialize(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(json_text::serialize(std::numeric_limits<double>::infinity()), "null");
}

TEST(JsonText, StringsAreEscapedAsBoostJsonDoes) {
  for (std::string text :
       {std::string("plain"), std::string("quote \" and \\ backslash"), std::string("new\nline\ttab\r\b\f"),
        std::string("\x01\x1f", 2), std::string("caf\xc3\xa9 \xe2\x9c\x93"), std::string("a\0b", 3)}) {
    EXPECT_EQ(json_text::serialize(json::string(text)), json::serialize(json::string(text)));
  }
}

TEST(JsonText, NestedValuesReadBackUnchanged) {
  auto value = json::parse(R"({"a":[1,2.5,{"b":null,"c":true,"d":"x\"y"}],"e":{},"f":[],"g":false})");
  auto text = json_text::serialize(value);
  EXPECT_EQ(text, R"({"a":[1,2.5,{"b":null,"c":true,"d":"x\"y"}],"e":{},"f":[],"g":false})");
  EXPECT_EQ(json::parse(text), value);
}

}  // namespace
}  // namespace kefir
