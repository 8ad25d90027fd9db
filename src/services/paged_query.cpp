#include "services/paged_query.hpp"

#include <algorithm>

namespace kefir::services {
namespace {

// Once a filter has dropped entries, read ahead in larger steps rather than one small query per missing one.
constexpr std::size_t kFilteredReadAhead = 200;

// The loop every page reader shares: fetch from the store until the page (plus one entry telling whether more
// follow) is full, dropping what `keep` rejects, then the cursor after the page's last entry. `fetch(query,
// take)` passes each entry to `take`, which answers whether the page wants more.
template <typename Entries, typename Fetch, typename Keep, typename ResumeKey>
std::optional<std::string> fill_page(Entries& entries, const cursor::Codec& codec, store::Query query,
                                     std::string_view fingerprint, const PageRequest& request, Fetch fetch,
                                     Keep keep, ResumeKey resume_key) {
  if (request.cursor) query.start_after = codec.decode(*request.cursor, fingerprint);
  // One entry beyond the page tells whether another page exists, so the last page says nextCursor: null.
  const std::size_t wanted = request.limit + 1;
  bool dropped_any = false;
  while (entries.size() < wanted) {
    const std::size_t missing = wanted - entries.size();
    query.limit = dropped_any ? std::max(missing, kFilteredReadAhead) : missing;
    auto last_key = fetch(query, [&](auto&& entry) {
      if (!keep(entry))
        dropped_any = true;
      else
        entries.push_back(std::forward<decltype(entry)>(entry));
      return entries.size() < wanted;
    });
    if (!last_key) break;
    query.start_after = std::move(last_key);
  }
  if (entries.size() < wanted) return std::nullopt;
  entries.pop_back();
  return codec.encode(resume_key(entries.back(), query.on_gsi1), fingerprint);
}

}  // namespace

PageRequest page_request(const std::optional<std::string>& limit, std::optional<std::string> cursor) {
  if (cursor && cursor->empty()) cursor.reset();
  return {cursor::parse_limit(limit), std::move(cursor)};
}

ItemPage read_page(store::ItemStore& store, const cursor::Codec& codec, store::Query query,
                   std::string_view fingerprint, const PageRequest& request,
                   const std::function<bool(const store::Item&)>& keep) {
  auto fetch = [&store](const store::Query& query, const auto& take) {
    auto page = store.query(query);
    for (auto& item : page.items)
      if (!take(std::move(item))) break;
    return std::move(page.last_key);
  };
  ItemPage page;
  page.next_cursor = fill_page(
      page.items, codec, std::move(query), fingerprint, request, fetch,
      [&keep](const store::Item& item) { return !keep || keep(item); }, store::resume_key_after);
  return page;
}

StoredPage read_stored_page(store::ItemStore& store, const cursor::Codec& codec, store::Query query,
                            std::string_view fingerprint, const PageRequest& request,
                            const std::function<bool(std::string_view)>& keep) {
  StoredPage page;
  auto fetch = [&store, &keep, &page](const store::Query& query, const auto& take) {
    auto fetched = store.query_documents(query);
    if (page.documents.empty() && fetched.documents.size() <= query.limit &&
        (!keep || std::all_of(fetched.documents.begin(), fetched.documents.end(), keep))) {
      // Nothing dropped, and no more than the page asked for: the store's texts are the page as they are.
      page.documents = std::move(fetched.documents);
    } else {
      page.documents.reserve(page.documents.bytes() + fetched.documents.bytes());
      for (const auto text : fetched.documents)
        if (!take(text)) break;
    }
    return std::move(fetched.last_key);
  };
  // Only the page's last item is parsed, for the key its cursor resumes after.
  auto resume_key = [](std::string_view last, bool on_gsi1) {
    boost::system::error_code error;
    auto item = json::parse(last, error);
    if (error || !item.is_object()) throw store::StoreUnavailable("a stored item is not a JSON object");
    return store::resume_key_after(item.get_object(), on_gsi1);
  };
  page.next_cursor = fill_page(
      page.documents, codec, std::move(query), fingerprint, request, fetch,
      [&keep](std::string_view text) { return !keep || keep(text); }, resume_key);
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
