#include "services/paged_query.hpp"

#include <algorithm>

namespace kefir::services {
namespace {

// Once a filter has dropped items, read ahead in larger steps rather than one small query per missing item.
constexpr std::size_t kFilteredReadAhead = 200;

}  // namespace

PageRequest page_request(const std::optional<std::string>& limit, std::optional<std::string> cursor) {
  if (cursor && cursor->empty()) cursor.reset();
  return {cursor::parse_limit(limit), std::move(cursor)};
}

ItemPage read_page(store::ItemStore& store, const cursor::Codec& codec, store::Query query,
                   std::string_view fingerprint, const PageRequest& request,
                   const std::function<bool(const store::Item&)>& keep) {
  if (request.cursor) query.start_after = codec.decode(*request.cursor, fingerprint);
  // One item beyond the page tells whether another page exists, so the last page says nextCursor: null.
  const std::size_t wanted = request.limit + 1;
  ItemPage page;
  bool dropped_any = false;
  while (page.items.size() < wanted) {
    auto missing = wanted - page.items.size();
    query.limit = dropped_any ? std::max(missing, kFilteredReadAhead) : missing;
    auto result = store.query(query);
    for (auto& item : result.items) {
      if (keep && !keep(item)) {
        dropped_any = true;
        continue;
      }
      page.items.push_back(std::move(item));
      if (page.items.size() == wanted) break;
    }
    if (!result.last_key) break;
    query.start_after = std::move(result.last_key);
  }
  if (page.items.size() == wanted) {
    page.items.pop_back();
    page.next_cursor = codec.encode(cursor::resume_key_after(page.items.back(), query.on_gsi1), fingerprint);
  }
  return page;
}

void for_each_due(store::ItemStore& store, const std::vector<std::string>& shards,
                  const std::string& due_until, std::size_t page_size,
                  const std::function<void(const store::Item&)>& visit) {
  for (const auto& shard : shards) {
    store::Query due;
    due.on_gsi1 = true;
    due.partition = shard;
    due.sort = {store::SortOp::less_equal, due_until, {}};
    due.limit = page_size;
    for (;;) {
      auto page = store.query(due);
      for (const auto& item : page.items) visit(item);
      if (!page.last_key) break;
      due.start_after = std::move(page.last_key);
    }
  }
}

}  // namespace kefir::services
