#pragma once
// The operator's subcommands (SPEC §11) besides `serve`: seed, backup, restore, reset and renditions. Each
// prints what it did on `out`; a refusal or failure is a CommandError whose message is the one line `kefir`
// prints (exit 1).
#include <ostream>
#include <stdexcept>
#include <string>

#include "config/config.hpp"

namespace kefir::ops {

class CommandError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `kefir seed`: the development data; in stage dev also a ready access token for the seed user.
void seed_command(const Config& config, std::ostream& out);
// `kefir backup FILE`: a consistent snapshot of the SQLite store, also while `kefir serve` writes to it.
void backup_command(const Config& config, const std::string& file, std::ostream& out);
// `kefir restore FILE`: replaces the SQLite store with a checked backup; refused while a process uses it.
void restore_command(const Config& config, const std::string& file, std::ostream& out);
// `kefir reset`: deletes everything in DATA_DIR. Stage dev only; refused while a process uses the store.
void reset_command(const Config& config, std::ostream& out);
// `kefir simulate-sensor URL --profile windowsill`: posts the last `hours` of a simulated sensor, one reading
// every 15 minutes with its own time, to an ingest URL as fast as its rate limit allows.
void simulate_sensor_command(const std::string& url, const std::string& profile, int hours,
                             std::ostream& out);
// `kefir renditions [--once]`: the rendition worker of deferred photos (RENDITIONS=deferred, the Lambda
// shape), for a process with libvips beside a shape without it. One pass with `once`, printing each photo;
// else a pass every RENDITION_INTERVAL seconds until SIGINT or SIGTERM.
void renditions_command(const Config& config, bool once, std::ostream& out);
// Creates the DynamoDB table of the configuration (keys, GSI1, TTL) as infra/ does; an existing table is
// fine.
void create_table_command(const Config& config, std::ostream& out);

}  // namespace kefir::ops
