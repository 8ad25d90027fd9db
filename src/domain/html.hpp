#pragma once
// Escaping user text for HTML pages and SVG labels (SPEC §9: all user text is escaped).
#include <string>
#include <string_view>

namespace kefir::html {

// Safe in HTML text, in quoted attribute values and in XML (SVG): & < > " ' become character references, and
// control characters XML 1.0 forbids even as references (all below U+0020 except tab, LF, CR) become U+FFFD,
// so a label with such a name still parses.
std::string escape(std::string_view text);

}  // namespace kefir::html
