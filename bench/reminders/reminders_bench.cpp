// The reminder processor benchmark (SPEC §14: 100,000 due reminders delivered to a local fake Expo endpoint,
// EXPO_RATE=0, in under 10 s on 2 cores).
//
// Seeds a standalone store with users, their devices and reminders that are already due (through the item
// store port, as a backlog would sit there), starts the fake Expo endpoint of the test suite and the real
// `kefir serve` on the store, and measures from the server's spawn until the fake has accepted the last
// notification. Then checks that every reminder arrived exactly once per device and is `sent` in the store.
//
//   kefir_bench_reminders [--reminders 100000] [--users 10000] [--devices 1] [--servers 1]
#include <unistd.h>

#include <boost/json.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/sqlite/sqlite_item_store.hpp"
#include "process_cpu.hpp"
#include "reminder_seeding.hpp"
#include "support/fake_expo.hpp"
#include "support/server_process.hpp"
#include "support/test_env.hpp"

namespace {

using namespace kefir;
using Seconds = std::chrono::duration<double>;

struct Options {
  std::size_t reminders = 100'000;
  std::size_t users = 10'000;
  std::size_t devices = 1;
  std::size_t servers = 1;
};

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const auto value = static_cast<std::size_t>(std::stoull(argv[i + 1]));
    if (flag == "--reminders") {
      options.reminders = value;
    } else if (flag == "--users") {
      options.users = value;
    } else if (flag == "--devices") {
      options.devices = value;
    } else if (flag == "--servers") {
      options.servers = value;
    } else {
      throw std::invalid_argument("unknown option " + flag);
    }
  }
  if (options.users == 0 || options.reminders % options.users != 0)
    throw std::invalid_argument("--reminders must be a multiple of --users");
  return options;
}

std::string load_average() {
  std::ifstream loadavg("/proc/loadavg");
  std::string one, five;
  loadavg >> one >> five;
  return one + " (1 min), " + five + " (5 min)";
}

// What the processors said about their passes: reminders claimed and the pass durations.
void report_passes(const test::ServerProcess& server, std::size_t index) {
  for (const auto& line : server.stdout_lines()) {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(line, ec);
    if (ec || !parsed.is_object() || parsed.at("msg") != "reminders processed") continue;
    std::cout << "  server " << index << " pass: claimed " << parsed.at("claimed") << ", sent "
              << parsed.at("sent") << " in " << parsed.at("durationMs") << " ms\n";
  }
}

int run(const Options& options) {
  test::TempDir data;
  const std::string db_path = data.str() + "/kefir.db";
  SystemClock clock;

  const auto seeding = std::chrono::steady_clock::now();
  test::SeededBacklog seeded;
  {
    store::SqliteItemStore store(db_path, clock);
    seeded = test::seed_reminder_backlog(store, {.users = options.users,
                                                 .reminders_per_user = options.reminders / options.users,
                                                 .devices_per_user = options.devices,
                                                 .due = clock.now() - minutes(1)});
  }
  std::cout << "seeded " << seeded.reminder_ids.size() << " due reminders of " << options.users << " users ("
            << options.devices << " device(s) each) in "
            << Seconds(std::chrono::steady_clock::now() - seeding).count() << " s\n";

  test::FakeExpo fake;
  const std::size_t expected = seeded.reminder_ids.size() * options.devices;
  test::ServerConfig config;
  config.env = {{"DATA_DIR", data.str()}, {"EXPO_PUSH_URL", fake.push_url()}, {"EXPO_RATE", "0"}};
  const auto started = std::chrono::system_clock::now();
  std::vector<std::unique_ptr<test::ServerProcess>> servers;
  for (std::size_t i = 0; i < options.servers; ++i)
    servers.push_back(std::make_unique<test::ServerProcess>(config));
  if (!fake.wait_for_accepted(expected, std::chrono::minutes(10))) {
    std::cerr << "timed out: " << fake.accepted().size() << " of " << expected
              << " notifications delivered\n";
    return 1;
  }
  const auto accepted = fake.accepted();
  auto last = started;
  for (const auto& message : accepted) last = std::max(last, message.received_at);
  const double elapsed = Seconds(last - started).count();

  double server_cpu = 0;
  for (std::size_t i = 0; i < servers.size(); ++i) {
    report_passes(*servers[i], i + 1);
    server_cpu += bench::cpu_seconds(servers[i]->pid());
    servers[i]->terminate();
  }
  servers.clear();

  std::size_t wrong_counts = 0;
  const auto by_reminder = fake.accepted_by_reminder();
  for (const auto& id : seeded.reminder_ids) {
    auto found = by_reminder.find(id);
    if (found == by_reminder.end() || found->second != static_cast<int>(options.devices)) ++wrong_counts;
  }
  std::size_t sent = 0;
  {
    store::SqliteItemStore store(db_path, clock);
    for (const auto& user : seeded.user_ids)
      for (const auto& status : test::reminder_statuses(store, user)) sent += status == "sent" ? 1 : 0;
  }

  std::cout << "delivered " << accepted.size() << " notifications (" << seeded.reminder_ids.size()
            << " reminders) in " << fake.send_requests() << " Expo requests with " << options.servers
            << " server(s): " << elapsed << " s from spawn to the last ticket, "
            << static_cast<std::size_t>(static_cast<double>(accepted.size()) / elapsed)
            << " notifications/s\n";
  std::cout << "server CPU time (user + system): " << server_cpu
            << " s; load average at the end: " << load_average() << "\n";
  std::cout << "reminders not delivered exactly once per device: " << wrong_counts
            << "; sent in the store: " << sent << " of " << seeded.reminder_ids.size() << "\n";
  return wrong_counts == 0 && accepted.size() == expected && sent == seeded.reminder_ids.size() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse_options(argc, argv));
  } catch (const std::exception& error) {
    std::cerr << "kefir_bench_reminders: " << error.what() << "\n";
    return 2;
  }
}
