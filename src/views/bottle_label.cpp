#include "views/bottle_label.hpp"

#include <qrencode.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "domain/html.hpp"
#include "views/wording.hpp"

namespace kefir::views {
namespace {

// Up to `max_lines` lines of at most `width` characters, broken at spaces where possible; an ellipsis ends a
// text that did not fit.
std::vector<std::string> wrap(std::string_view text, std::size_t width, std::size_t max_lines) {
  std::vector<std::string> chars;  // UTF-8 code points
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = 1;
    auto lead = static_cast<unsigned char>(text[i]);
    if (lead >= 0xF0)
      length = 4;
    else if (lead >= 0xE0)
      length = 3;
    else if (lead >= 0xC0)
      length = 2;
    chars.emplace_back(text.substr(i, length));
    i += length;
  }
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < chars.size() && lines.size() < max_lines) {
    while (start < chars.size() && chars[start] == " ") ++start;
    auto end = std::min(chars.size(), start + width);
    if (end < chars.size()) {
      auto space = end;
      while (space > start && chars[space] != " ") --space;
      if (space > start) end = space;
    }
    std::string line;
    for (auto i = start; i < end; ++i) line += chars[i];
    lines.push_back(std::move(line));
    start = end;
  }
  while (start < chars.size() && chars[start] == " ") ++start;
  if (start < chars.size() && !lines.empty()) lines.back() += "\xE2\x80\xA6";
  return lines;
}

// The QR code as one SVG path in module units, dark runs of a row merged into one rectangle.
std::string qr_path(const std::string& text, int quiet_zone, int& size) {
  std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
  if (!code) throw std::runtime_error("QR encoding failed");
  int width = code->width;
  size = width + 2 * quiet_zone;
  std::string path;
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width;) {
      if (!(code->data[y * width + x] & 1)) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < width && (code->data[y * width + x + run] & 1)) ++run;
      path += "M" + std::to_string(x + quiet_zone) + " " + std::to_string(y + quiet_zone) + "h" +
              std::to_string(run) + "v1h-" + std::to_string(run) + "z";
      x += run;
    }
  }
  return path;
}

}  // namespace

std::string bottle_label_svg(const domain::Batch& batch, const std::string& public_url) {
  int modules = 0;
  auto path = qr_path(public_url, 4, modules);
  // Units are tenths of a millimetre: a 90 x 55 mm label.
  std::string svg =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"90mm\" height=\"55mm\" viewBox=\"0 0 900 550\">\n"
      "<rect width=\"900\" height=\"550\" rx=\"24\" fill=\"#fff\" stroke=\"#000\" stroke-width=\"3\"/>\n"
      "<svg x=\"20\" y=\"20\" width=\"460\" height=\"460\" viewBox=\"0 0 " +
      std::to_string(modules) + " " + std::to_string(modules) +
      "\" shape-rendering=\"crispEdges\"><path fill=\"#000\" d=\"" + path + "\"/></svg>\n";
  svg += "<g font-family=\"Helvetica, Arial, sans-serif\" fill=\"#000\">\n";
  int y = 90;
  for (const auto& line : wrap(batch.name, 15, 4)) {
    svg += "<text x=\"500\" y=\"" + std::to_string(y) + "\" font-size=\"44\" font-weight=\"bold\">" +
           html::escape(line) + "</text>\n";
    y += 54;
  }
  y += 16;
  svg += "<text x=\"500\" y=\"" + std::to_string(y) + "\" font-size=\"30\">Started " +
         day_text(batch.start_date) + "</text>\n";
  svg += "<text x=\"500\" y=\"" + std::to_string(y + 42) + "\" font-size=\"30\">" + kind_text(batch.kind) +
         "</text>\n";
  svg += "<text x=\"500\" y=\"440\" font-size=\"24\" fill=\"#555\">Scan for the batch page</text>\n";
  svg += "<text x=\"450\" y=\"525\" font-size=\"20\" fill=\"#555\" text-anchor=\"middle\">" +
         html::escape(public_url) + "</text>\n</g>\n</svg>\n";
  return svg;
}

}  // namespace kefir::views
