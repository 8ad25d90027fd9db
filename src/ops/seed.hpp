#pragma once
// `kefir seed` (SPEC §11): the development data of the original seed script, written through the same
// services the API uses. Idempotent: a seed batch already present (by name) is left alone with its events and
// reminders.
#include <string>

#include "app/context.hpp"

namespace kefir::ops {

inline constexpr std::string_view kSeedUserId = "test123";
inline constexpr std::string_view kSeedEmail = "test@example.com";

struct SeedResult {
  std::string user_id;
  int batches_created = 0;
  int batches_present = 0;
};

// Throws std::runtime_error when the seed email already belongs to another account.
SeedResult seed(AppContext& ctx);

}  // namespace kefir::ops
