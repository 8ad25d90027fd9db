#include "util/packed_texts.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kefir {
namespace {

std::vector<std::string> all(const PackedTexts& texts) {
  std::vector<std::string> out;
  for (const auto text : texts) out.emplace_back(text);
  return out;
}

TEST(PackedTexts, TextsReadBackAsPushedEmptyOnesIncluded) {
  PackedTexts texts;
  EXPECT_TRUE(texts.empty());
  EXPECT_EQ(texts.begin(), texts.end());
  texts.push_back(R"({"a":1})");
  texts.push_back("");
  texts.push_back(std::string(20000, 'x'));  // past the first reservation: earlier views stay readable
  ASSERT_EQ(texts.size(), 3u);
  EXPECT_EQ(texts[0], R"({"a":1})");
  EXPECT_EQ(texts[1], "");
  EXPECT_EQ(texts[2], std::string(20000, 'x'));
  EXPECT_EQ(texts.back(), texts[2]);
  EXPECT_EQ(texts.bytes(), 7u + 20000u);
  EXPECT_EQ(all(texts), (std::vector<std::string>{R"({"a":1})", "", std::string(20000, 'x')}));
}

TEST(PackedTexts, PopBackDropsTheLastTextAndItsBytes) {
  PackedTexts texts;
  texts.reserve(64);
  texts.push_back("first");
  texts.push_back("second");
  texts.pop_back();
  EXPECT_EQ(all(texts), std::vector<std::string>{"first"});
  EXPECT_EQ(texts.bytes(), 5u);
  texts.push_back("third");
  EXPECT_EQ(all(texts), (std::vector<std::string>{"first", "third"}));
  texts.pop_back();
  texts.pop_back();
  EXPECT_TRUE(texts.empty());
  EXPECT_EQ(texts.bytes(), 0u);
}

}  // namespace
}  // namespace kefir
