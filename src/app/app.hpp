#pragma once
// Builds the service from its configuration: chooses adapters, registers routes and middleware on a router,
// and owns the background jobs. The Beast server and the Lambda loop both drive an App through its router.
#include <memory>
#include <string>
#include <vector>

#include "app/context.hpp"
#include "http/router.hpp"
#include "jobs/background_job.hpp"

namespace kefir {

class App {
 public:
  // `clock` is the system clock but in tests that move time by hand (quiet hours across a night).
  App(Config config, http::Router& router, std::unique_ptr<Clock> clock = std::make_unique<SystemClock>());
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  AppContext& context() { return *context_; }
  const http::Router& router() const { return router_; }

  void start_jobs();
  void stop_jobs();

 private:
  std::unique_ptr<AppContext> context_;
  http::Router& router_;
  std::vector<std::unique_ptr<jobs::BackgroundJob>> jobs_;
};

// The ports chosen by configuration (STORE, BLOBS...), also used by CLI commands that need no server.
std::unique_ptr<store::ItemStore> make_item_store(const Config& config, const Clock& clock);
// The SQLite store's file: DATA_DIR/kefir.db (also for `kefir backup`, `restore` and `reset`).
std::string sqlite_store_path(const Config& config);

}  // namespace kefir
