#pragma once
// The IANA time zone database: a zone's rules by name. Adapter: adapters/fs/zoneinfo (the system's compiled
// files, or the copy the Lambda package carries).
#include <memory>
#include <string_view>

#include "domain/time_zone.hpp"

namespace kefir::tz {

class ZoneDatabase {
 public:
  virtual ~ZoneDatabase() = default;
  // Null for a name that is not a zone of the database.
  virtual std::shared_ptr<const TimeZone> find(std::string_view name) const = 0;
};

}  // namespace kefir::tz
