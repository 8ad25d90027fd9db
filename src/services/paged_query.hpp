#pragma once
// One page of a store query behind an opaque cursor (SPEC §1 pagination), for every list endpoint. Items can
// be filtered in the service; the cursor then resumes right after the last item returned, so nothing is
// skipped or repeated, and items added meanwhile never shift a page.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/cursor.hpp"
#include "ports/item_store.hpp"

namespace kefir::services {

struct PageRequest {
  std::size_t limit = cursor::kDefaultLimit;
  std::optional<std::string> cursor;
};

// From the raw `?limit=` and `?cursor=` values; an empty cursor asks for the first page.
PageRequest page_request(const std::optional<std::string>& limit, std::optional<std::string> cursor);

struct ItemPage {
  std::vector<store::Item> items;
  std::optional<std::string> next_cursor;  // absent on the last page
};

// `fingerprint` names the query (cursor::fingerprint of user, filters, order); `keep` drops items when set.
ItemPage read_page(store::ItemStore& store, const cursor::Codec& codec, store::Query query,
                   std::string_view fingerprint, const PageRequest& request,
                   const std::function<bool(const store::Item&)>& keep = {});

// A list page as the stored text of its items: list endpoints splice their JSON from it (see
// domain/api_json.hpp) instead of decoding each item and writing it again.
struct StoredPage {
  PackedTexts documents;
  std::optional<std::string> next_cursor;  // absent on the last page
};

// read_page as stored text; `keep` sees each item's text.
StoredPage read_stored_page(store::ItemStore& store, const cursor::Codec& codec, store::Query query,
                            std::string_view fingerprint, const PageRequest& request,
                            const std::function<bool(std::string_view)>& keep = {});

// Every entry of a sharded due index (the GSI1 partitions `shards`, sort keys up to `due_until`), read
// `page_size` at a time so that a sweep never holds a whole backlog: the silence watch, the rendition worker.
void for_each_due(store::ItemStore& store, const std::vector<std::string>& shards,
                  const std::string& due_until, std::size_t page_size,
                  const std::function<void(const store::Item&)>& visit);

}  // namespace kefir::services
