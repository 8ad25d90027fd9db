#pragma once
// The printable bottle label GET /batches/{id}/label.svg (SPEC §9): a 90 x 55 mm SVG with the batch's name,
// start day and kind beside a QR code of its public page.
#include <string>

#include "domain/batch.hpp"

namespace kefir::views {

std::string bottle_label_svg(const domain::Batch& batch, const std::string& public_url);

}  // namespace kefir::views
