#pragma once
// The public batch page GET /b/{batchId} (SPEC §9): one self-contained HTML document, no script, every user
// string escaped; and the page for a batch that is not shared.
#include <string>

#include "domain/public_batch.hpp"

namespace kefir::views {

std::string public_batch_page(const domain::PublicBatch& shown);
std::string not_shared_page();

}  // namespace kefir::views
