#pragma once
// The system's time zone database: compiled TZif files under TZDIR, else /usr/share/zoneinfo (Debian's tzdata
// package), else zoneinfo/ beside the executable (the Lambda package's copy).
#include <memory>
#include <string_view>

#include "ports/zone_database.hpp"

namespace kefir::tz {

// The zone an IANA name ("Europe/Paris", "UTC") names, read once and kept; null for a name that is not a
// zone of the database (a path outside it, a directory, posix/ or right/ copies, an unreadable file).
std::shared_ptr<const TimeZone> find_zone(std::string_view name);

class SystemZoneDatabase final : public ZoneDatabase {
 public:
  std::shared_ptr<const TimeZone> find(std::string_view name) const override { return find_zone(name); }
};

}  // namespace kefir::tz
