#include "domain/keys.hpp"

#include <cstdio>

namespace kefir::keys {

std::string due_shard(std::string_view reminder_id) {
  // FNV-1a over the id: stable across processes and machines (std::hash is not).
  std::uint32_t hash = 2166136261u;
  for (unsigned char c : reminder_id) hash = (hash ^ c) * 16777619u;
  char buf[8];
  std::snprintf(buf, sizeof buf, "DUE#%02u", hash % kDueShards);
  return buf;
}

}  // namespace kefir::keys
