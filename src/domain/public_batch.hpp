#pragma once
// What a shared batch shows to anyone with its link (SPEC §9): the batch, its photos' renditions, its recent
// timeline and, when sensors sent readings, its chart. Built by services/public_batch_service, shown as JSON
// (api/public.cpp) or as a page (views/public_page).
#include <optional>
#include <string>
#include <vector>

#include "domain/batch.hpp"
#include "domain/event.hpp"

namespace kefir::domain {

// Only renditions are public: an original may carry metadata such as where it was taken (GPS).
struct PublicPhoto {
  std::string rendition_base;  // /public/b/{batchId}/photos/<uuid>, to which ".w320.webp"... is added

  std::string url() const { return rendition_base + ".w1280.jpg"; }
};

struct PublicBatch {
  domain::Batch batch;
  std::vector<PublicPhoto> photos;
  std::vector<domain::Event> timeline;   // oldest first
  std::optional<std::string> chart_url;  // when sensors sent readings
};

}  // namespace kefir::domain
