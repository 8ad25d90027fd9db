#include "ops/commands.hpp"

#include <pthread.h>

#include <csignal>
#include <filesystem>

#include "adapters/dynamodb/dynamodb_item_store.hpp"
#include "adapters/sqlite/sqlite_item_store.hpp"
#include "adapters/sqlite/store_lock.hpp"
#include "app/adapters.hpp"
#include "app/app.hpp"
#include "auth/token_service.hpp"
#include "jobs/rendition_worker.hpp"
#include "ops/seed.hpp"

namespace kefir::ops {
namespace fs = std::filesystem;

namespace {

void require_sqlite(const Config& config, std::string_view command) {
  if (config.store != "sqlite")
    throw CommandError(std::string(command) +
                       ": only for STORE=sqlite (DynamoDB has its own point-in-time recovery and backups)");
}

}  // namespace

void seed_command(const Config& config, std::ostream& out) {
  http::Router unused_routes;  // seeding goes through the services, not HTTP
  App app(config, unused_routes);
  auto& ctx = app.context();
  auto result = seed(ctx);
  out << "seeded user " << kSeedEmail << " (" << result.user_id << "): " << result.batches_created
      << " batches created, " << result.batches_present << " already present\n";
  if (config.prod()) return;
  out << "# an access token for " << result.user_id << ", valid "
      << std::chrono::duration_cast<std::chrono::minutes>(auth::kTokenLifetime).count() << " minutes, for "
      << ctx.tokens->issuer() << ":\n"
      << "export KEFIR_TOKEN=" << ctx.tokens->issue_access_token(result.user_id) << "\n";
}

void renditions_command(const Config& config, bool once, std::ostream& out) {
  // Blocked before any thread starts, so that every thread inherits the mask and the signal waits for
  // sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  if (!once) pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  http::Router unused_routes;
  App app(config, unused_routes);
  if (!app.context().images)
    throw CommandError(
        "renditions: this build has no libvips (KEFIR_IMAGES=OFF); run the worker from one with it");
  jobs::RenditionWorker worker(app.context(), std::chrono::seconds(config.rendition_interval));
  if (!once) {
    worker.start();
    int signal = 0;
    sigwait(&stop_signals, &signal);
    worker.stop();
    return;
  }
  std::size_t removed = 0;
  auto outcomes = worker.run_once();
  for (const auto& outcome : outcomes) {
    if (outcome.removed_because) {
      out << "removed " << outcome.photo_key << ": it " << *outcome.removed_because << "\n";
      ++removed;
    } else {
      out << "rendered " << outcome.photo_key << "\n";
    }
  }
  out << outcomes.size() - removed << " photos rendered, " << removed << " removed\n";
}

void backup_command(const Config& config, const std::string& file, std::ostream& out) {
  require_sqlite(config, "backup");
  auto db = sqlite_store_path(config);
  if (!fs::exists(db)) throw CommandError("backup: no store at " + db + " (check DATA_DIR)");
  SystemClock clock;
  store::SqliteItemStore store(db, clock);
  store.backup_to(file);
  out << "backed up " << db << " to " << file << " (" << fs::file_size(file) << " bytes)\n";
}

void restore_command(const Config& config, const std::string& file, std::ostream& out) {
  require_sqlite(config, "restore");
  auto db = sqlite_store_path(config);
  try {
    store::restore_sqlite_store(file, db);
  } catch (const store::StoreUnavailable& error) {
    throw CommandError(std::string("restore: ") + error.what());
  }
  out << "restored " << db << " from " << file << "\n";
}

void reset_command(const Config& config, std::ostream& out) {
  if (config.prod())
    throw CommandError("reset: refused in stage prod (it deletes all data); nothing was changed");
  fs::path data_dir = config.data_dir;
  if (!fs::exists(data_dir)) {
    out << "nothing to reset: " << data_dir.string() << " does not exist\n";
    return;
  }
  std::size_t removed = 0;
  {
    // Held while deleting, so a server that starts meanwhile cannot open the store under our feet.
    std::optional<store::sqlite::StoreLock> lock;
    try {
      lock.emplace(sqlite_store_path(config), store::sqlite::StoreLock::Mode::exclusive);
    } catch (const store::StoreUnavailable&) {
      throw CommandError("reset: the store in " + data_dir.string() +
                         " is in use (stop `kefir serve` first); nothing was changed");
    }
    auto lock_file = fs::path(sqlite_store_path(config) + ".lock");
    for (const auto& entry : fs::directory_iterator(data_dir)) {
      if (entry.path() == lock_file) continue;
      removed += fs::remove_all(entry.path());
    }
    fs::remove(lock_file);
  }
  if (config.store != "sqlite")
    out << "note: STORE=" << config.store << " data is not in DATA_DIR and was kept\n";
  out << "reset " << data_dir.string() << ": " << removed << " files removed\n";
}

void create_table_command(const Config& config, std::ostream& out) {
  if (config.store != "dynamodb")
    throw CommandError("create-table: needs STORE=dynamodb (the SQLite store makes its own)");
  SystemClock clock;
  store::DynamoDbItemStore(store::DynamoDbOptions::from_config(config), clock).create_table();
  out << "table " << config.table_name << " is ready\n";
}

}  // namespace kefir::ops
