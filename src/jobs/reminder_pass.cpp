#include "jobs/reminder_pass.hpp"

#include <future>

#include "domain/keys.hpp"
#include "services/change_log.hpp"

namespace kefir::jobs::reminder_pass {

namespace attr = reminders::attr;

const std::vector<std::string>& due_shards() {
  static const std::vector<std::string> shards = [] {
    std::set<std::string> names;
    for (int i = 0; names.size() < static_cast<std::size_t>(keys::kDueShards); ++i)
      names.insert(keys::due_shard(std::to_string(i)));
    return std::vector<std::string>(names.begin(), names.end());
  }();
  return shards;
}

std::string due_bound(TimePoint now) {
  return format_rfc3339(now + milliseconds(1));
}

std::string text(std::string_view name) {
  return std::string(name);
}

json::array device_id_array(const std::vector<std::string>& device_ids) {
  json::array out;
  for (const auto& id : device_ids) out.push_back(json::value(id));
  return out;
}

void leave_due_index(store::Update& update) {
  update.remove.emplace_back(attr::gsi1pk);
  update.remove.emplace_back(attr::gsi1sk);
}

void update_reminder(ServiceContext& ctx, store::Key key, store::Update update, store::Condition condition) {
  services::commit_changes(ctx, "",
                           {store::UpdateItem{std::move(key), std::move(update), std::move(condition)}});
}

void drop_lease(store::Update& update) {
  update.remove.emplace_back(attr::lease_until);
  update.remove.emplace_back(attr::lease_owner);
}

void write_in_transactions(std::size_t count, const std::function<void(std::size_t, std::size_t)>& write) {
  std::vector<std::future<void>> others;
  for (std::size_t at = store::kMaxTransactionItems; at < count; at += store::kMaxTransactionItems) {
    others.push_back(
        std::async(std::launch::async, write, at, std::min(count, at + store::kMaxTransactionItems)));
  }
  std::exception_ptr failure;
  try {
    write(0, std::min(count, store::kMaxTransactionItems));
  } catch (...) {
    failure = std::current_exception();
  }
  for (auto& other : others) {
    try {
      other.get();
    } catch (...) {
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
}

}  // namespace kefir::jobs::reminder_pass
