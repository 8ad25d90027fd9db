#pragma once
// Builds the service from its configuration: its adapters (app/adapters.hpp), registers routes and middleware
// on a router, and owns the background jobs. The Beast server and the Lambda loop both drive an App through
// its router.
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

}  // namespace kefir
