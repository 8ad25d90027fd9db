#include "domain/csv.hpp"

#include <gtest/gtest.h>

namespace kefir::csv {
namespace {

TEST(CsvCell, PlainTextIsUnchanged) {
  EXPECT_EQ(cell("Ginger lemon"), "Ginger lemon");
  EXPECT_EQ(cell(""), "");
  EXPECT_EQ(cell("42"), "42");
}

TEST(CsvCell, QuotesCellsWithSeparatorsQuotesAndLineBreaks) {
  EXPECT_EQ(cell("a,b"), "\"a,b\"");
  EXPECT_EQ(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(cell("line1\nline2"), "\"line1\nline2\"");
  EXPECT_EQ(cell("line1\r\nline2"), "\"line1\r\nline2\"");
}

TEST(CsvCell, KeepsUtf8BytesAsTheyAre) {
  EXPECT_EQ(cell("K\xC3\xA9"
                 "fir \xF0\x9F\x8D\x8B"),
            "K\xC3\xA9"
            "fir \xF0\x9F\x8D\x8B");
}

TEST(CsvCell, GuardsEveryFormulaTrigger) {
  EXPECT_EQ(cell("=1+1"), "'=1+1");
  EXPECT_EQ(cell("+33 6 12"), "'+33 6 12");
  EXPECT_EQ(cell("-2"), "'-2");
  EXPECT_EQ(cell("@SUM(A1:A2)"), "'@SUM(A1:A2)");
  EXPECT_EQ(cell("\tx"), "'\tx");
  // CR both triggers the guard and forces quoting.
  EXPECT_EQ(cell("\rx"), "\"'\rx\"");
  // Only the first character counts.
  EXPECT_EQ(cell("a=b"), "a=b");
}

TEST(CsvCell, GuardAndQuotingCombine) {
  EXPECT_EQ(cell("=HYPERLINK(\"http://x\",\"y\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
}

TEST(CsvRow, JoinsWithCommasAndEndsWithCrLf) {
  std::string out;
  append_row(out, {"record_type", "name"});
  append_row(out, {"batch", "a,b"});
  append_row(out, {"", ""});
  EXPECT_EQ(out, "record_type,name\r\nbatch,\"a,b\"\r\n,\r\n");
}

}  // namespace
}  // namespace kefir::csv
