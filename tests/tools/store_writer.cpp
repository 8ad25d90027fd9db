// Test-only: writes two-item transactions to a SQLite store from several threads and prints the id of each
// transaction on its own line once transact_write has returned, i.e. once the store acknowledged it. The
// crash test kills it with SIGKILL and checks that every printed id is in the database.
//
//   kefir_store_writer <db_path> <threads> [<max_seconds>]
//
// Item layout: PK "TXN#<id>", SK "A" and "B"; both in GSI1 partition "WRITES#<thread>" with GSI1SK
// "<id>#<SK>", so that a checker can list every transaction that reached the database, acknowledged or not.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "adapters/sqlite/sqlite_item_store.hpp"

namespace {

using namespace kefir;

store::Item transaction_item(const std::string& id, int thread, const char* sk) {
  return {{"PK", "TXN#" + id},
          {"SK", sk},
          {"GSI1PK", "WRITES#" + std::to_string(thread)},
          {"GSI1SK", id + "#" + sk},
          {"writer", thread}};
}

void acknowledge(const std::string& id) {
  // One write() per line: lines from different threads never interleave, and none sits in a buffer at
  // SIGKILL.
  std::string line = id + "\n";
  if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) std::_Exit(3);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s <db_path> <threads> [<max_seconds>]\n", argv[0]);
    return 2;
  }
  const std::string db_path = argv[1];
  const int threads = std::atoi(argv[2]);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(argc > 3 ? std::atoi(argv[3]) : 60);
  try {
    SystemClock clock;
    store::SqliteItemStore store(db_path, clock);
    std::atomic<bool> failed{false};
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        try {
          for (long n = 0; std::chrono::steady_clock::now() < deadline; ++n) {
            const std::string id = std::to_string(t) + "-" + std::to_string(n);
            store.transact_write({store::Put{transaction_item(id, t, "A"), store::Condition::item_absent()},
                                  store::Put{transaction_item(id, t, "B"), store::Condition::item_absent()}});
            acknowledge(id);
          }
        } catch (const std::exception& error) {
          std::fprintf(stderr, "store_writer: %s\n", error.what());
          failed = true;
        }
      });
    }
    for (auto& worker : workers) worker.join();
    return failed ? 1 : 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "store_writer: %s\n", error.what());
    return 1;
  }
}
