#pragma once
// Work that runs beside the server in standalone mode (reminder processor, sweepers). start() returns at
// once; stop() returns when the job has released what it holds (e.g. reminder leases).
namespace kefir::jobs {

class BackgroundJob {
 public:
  virtual ~BackgroundJob() = default;
  virtual void start() = 0;
  virtual void stop() = 0;
};

}  // namespace kefir::jobs
