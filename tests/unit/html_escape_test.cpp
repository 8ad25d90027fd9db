#include <gtest/gtest.h>

#include "domain/html.hpp"

namespace kefir::html {
namespace {

TEST(HtmlEscape, EscapesMarkupCharacters) {
  EXPECT_EQ(escape("<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  EXPECT_EQ(escape("a & b"), "a &amp; b");
  EXPECT_EQ(escape("\" onload=\"x"), "&quot; onload=&quot;x");
}

TEST(HtmlEscape, EscapesAnAlreadyEscapedTextAgain) {
  EXPECT_EQ(escape("&amp;"), "&amp;amp;");
}

TEST(HtmlEscape, KeepsUtf8AndWhitespace) {
  EXPECT_EQ(escape("K\xC3\xA9"
                   "fir \xF0\x9F\x8D\x8B\tline\nnext\r"),
            "K\xC3\xA9"
            "fir \xF0\x9F\x8D\x8B\tline\nnext\r");
}

TEST(HtmlEscape, ReplacesControlCharactersXmlForbids) {
  EXPECT_EQ(escape(std::string("a\x01"
                               "b\x1F"
                               "c\0d",
                               7)),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD"
            "c\xEF\xBF\xBD"
            "d");
}

}  // namespace
}  // namespace kefir::html
