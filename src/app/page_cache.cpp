#include "app/page_cache.hpp"

namespace kefir {
namespace {

std::size_t cost(const std::string& key, const PageCache::Body& body) {
  return key.size() + body->size() + 96;  // 96: the list node, the index entry, the shared string's block
}

}  // namespace

PageCache::Body PageCache::find(const std::string& key, std::uint64_t version) {
  std::lock_guard lock(mutex_);
  auto found = by_key_.find(key);
  if (found == by_key_.end()) return nullptr;
  auto entry = found->second;
  if (entry->version != version) {
    erase(entry);
    return nullptr;
  }
  entries_.splice(entries_.begin(), entries_, entry);
  return entry->body;
}

void PageCache::keep(const std::string& key, std::uint64_t version, Body body) {
  if (!body) return;
  auto size = cost(key, body);
  if (size > capacity_bytes_ / 4) return;
  std::lock_guard lock(mutex_);
  if (auto found = by_key_.find(key); found != by_key_.end()) erase(found->second);
  while (!entries_.empty() && bytes_ + size > capacity_bytes_) erase(std::prev(entries_.end()));
  entries_.push_front(Entry{key, version, std::move(body)});
  by_key_.emplace(entries_.front().key, entries_.begin());
  bytes_ += size;
}

std::size_t PageCache::size_bytes() const {
  std::lock_guard lock(mutex_);
  return bytes_;
}

void PageCache::erase(std::list<Entry>::iterator entry) {
  bytes_ -= cost(entry->key, entry->body);
  by_key_.erase(entry->key);
  entries_.erase(entry);
}

}  // namespace kefir
