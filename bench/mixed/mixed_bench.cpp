// The many-user mixed benchmark (issue 19): real traffic is thousands of users each reading their own lists
// now and then while others write, so kept list pages are mostly cold and writes retire them.
//
// Starts the real `kefir serve` (SQLite, or STORE=dynamodb on DynamoDB Local), signs in --users users over
// HTTP (console mail, from many loopback addresses so the per-IP sign-in limits do not apply to the set-up),
// writes each user's --batches batches and --events timeline events straight into the store (as existing data
// would sit there), then drives --connections keep-alive connections for --seconds. Each request picks a
// random user:
//   70 % GET /batches · 15 % GET /batches/{id}/events · 10 % POST /batches/{id}/events (durable) ·
//    5 % PATCH /batches/{id}
// and reports req/s, p50/p99 per kind, the kept-page hit rate (from /metrics) and the server's CPU time per
// request and the load generator's own (it shares the cores). Any answer other than 200/201 fails the run.
//
//   kefir_bench_mixed [--users 1000] [--batches 20] [--events 50] [--connections 64] [--seconds 10]
//                     [--threads 2] [--store sqlite|dynamodb]
#include <boost/asio.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <iomanip>
#include <iostream>
#include <iterator>
#include <memory>
#include <mutex>
#include <random>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "adapters/dynamodb/dynamodb_item_store.hpp"
#include "adapters/sqlite/sqlite_item_store.hpp"
#include "domain/batch.hpp"
#include "domain/event.hpp"
#include "process_cpu.hpp"
#include "support/auth_helpers.hpp"
#include "support/dynamodb_local.hpp"
#include "support/http_client.hpp"
#include "support/server_process.hpp"
#include "support/store_seeding.hpp"
#include "support/test_env.hpp"
#include "util/ids.hpp"

namespace {

using namespace kefir;
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

struct Options {
  std::size_t users = 1000;
  std::size_t batches = 20;
  std::size_t events = 50;
  std::size_t connections = 64;
  double seconds = 10;
  std::size_t threads = 2;
  std::string store = "sqlite";
};

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--users") {
      options.users = std::stoul(value);
    } else if (flag == "--batches") {
      options.batches = std::stoul(value);
    } else if (flag == "--events") {
      options.events = std::stoul(value);
    } else if (flag == "--connections") {
      options.connections = std::stoul(value);
    } else if (flag == "--seconds") {
      options.seconds = std::stod(value);
    } else if (flag == "--threads") {
      options.threads = std::stoul(value);
    } else if (flag == "--store" && (value == "sqlite" || value == "dynamodb")) {
      options.store = value;
    } else {
      throw std::invalid_argument("unknown option or value: " + flag + " " + value);
    }
  }
  if (options.users == 0 || options.batches == 0 || options.connections == 0 || options.threads == 0)
    throw std::invalid_argument("--users, --batches, --connections and --threads must be at least 1");
  return options;
}

// Runs `work` on `count` threads and waits for them. An exception escaping a thread would end the process
// with SIGABRT and no word of why (a failed sign-in once did, in `make bench`): the first one thrown is
// thrown here instead, once every thread has ended.
template <typename Work>
void on_threads(std::size_t count, Work work) {
  std::mutex mutex;
  std::exception_ptr first;
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < count; ++t) {
    threads.emplace_back([&] {
      try {
        work();
      } catch (...) {
        std::lock_guard lock(mutex);
        if (!first) first = std::current_exception();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  if (first) std::rethrow_exception(first);
}

struct User {
  std::string user_id;
  std::string token;
  std::vector<std::string> batch_ids;
};

// Sign-ins come from 127.0.<n>.<m>, 10 per address: the server allows one client 30 logins a minute, and the
// helper logs in again when a code has not arrived within 3 s. With 25 per address, a slow mail queue at
// times made those retries cross the limit (a 429 ended `make bench` once).
constexpr std::size_t kSignInsPerAddress = 10;

std::vector<User> sign_in_users(const test::ServerProcess& server, std::size_t count) {
  std::vector<User> users(count);
  std::atomic<std::size_t> next = 0;
  on_threads(8, [&] {
    for (auto i = next++; i < count; i = next++) {
      const auto client = i / kSignInsPerAddress;
      const auto address =
          "127.0." + std::to_string(1 + client / 250) + "." + std::to_string(1 + client % 250);
      auto signed_in = test::sign_in(server, test::unique_email("mixed"), address);
      users[i].user_id = signed_in.user_id;
      users[i].token = signed_in.access_token;
    }
  });
  return users;
}

// Each user's batches and events, written in transactions of 25 from several threads so the store can commit
// them together.
void seed_batches(store::ItemStore& store, std::vector<User>& users, const Options& options) {
  UuidV7Generator batch_ids;
  const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  std::vector<std::vector<store::Item>> per_user(users.size());
  std::atomic<std::size_t> next = 0;
  auto build = [&] {
    for (auto u = next++; u < users.size(); u = next++) {
      const auto& user_id = users[u].user_id;
      auto& items = per_user[u];
      for (std::size_t b = 0; b < options.batches; ++b) {
        auto fields = domain::read_batch_fields({{"name", "Batch " + std::to_string(b + 1)},
                                                 {"stage", "stage1_open"},
                                                 {"temperature", 22},
                                                 {"waterVolumeMl", 1500},
                                                 {"sugarType", "cane sugar"},
                                                 {"sugarAmount", 80},
                                                 {"fruits", boost::json::array{"lemon", "fig"}},
                                                 {"notes", "Mixed-load batch"}},
                                                domain::BatchBody::create);
        auto batch = domain::new_batch(
            fields, batch_ids.next(epoch_millis(now) + static_cast<std::int64_t>(b)), user_id, now);
        users[u].batch_ids.push_back(batch.batch_id);
        items.push_back(domain::to_item(batch));
      }
      for (std::size_t e = 0; e < options.events; ++e) {
        auto fields = domain::read_event_fields({{"type", "measurement"},
                                                 {"description", "Reading " + std::to_string(e + 1)},
                                                 {"metadata", {{"temperatureC", 21.5}, {"ph", 3.9}}}});
        fields.timestamp = now - std::chrono::minutes(static_cast<long>(options.events - e));
        const auto& batch_id = users[u].batch_ids[e % options.batches];
        items.push_back(domain::to_item(domain::new_event(fields, batch_id, user_id, uuid_v4(), now)));
      }
    }
  };
  on_threads(8, build);

  std::vector<store::Item> items;
  for (auto& user_items : per_user)
    std::move(user_items.begin(), user_items.end(), std::back_inserter(items));
  test::put_in_transactions(store, items, 16);
}

enum Kind { kListBatches, kListEvents, kPostEvent, kPatchBatch, kKinds };
constexpr std::array<const char*, kKinds> kKindNames = {"GET /batches", "GET /batches/{id}/events",
                                                        "POST /batches/{id}/events (durable)",
                                                        "PATCH /batches/{id} (durable)"};

Kind pick_kind(std::uint32_t roll) {  // roll in [0, 100)
  if (roll < 70) return kListBatches;
  if (roll < 85) return kListEvents;
  if (roll < 95) return kPostEvent;
  return kPatchBatch;
}

struct Tally {
  std::array<std::vector<double>, kKinds> latencies_ms;
  std::size_t failures = 0;
  std::string first_failure;
};

// One keep-alive connection issuing requests one after another until the deadline. The generator shares the
// two cores with the server, so it is kept as light as wrk: each request is written as one prepared text and
// each answer is read as bytes, only its status line and Content-Length looked at (Beast's serializer and
// parser took as much CPU per request as the server did).
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, const asio::ip::tcp::endpoint& server, const std::vector<User>& users,
             Clock::time_point deadline, unsigned seed)
      : socket_(io), server_(server), users_(users), deadline_(deadline), random_(seed) {
    request_.reserve(2048);
    response_.resize(64 * 1024);
  }

  void start() {
    socket_.async_connect(server_, [self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return self->fail("connect: " + ec.message());
      self->socket_.set_option(asio::ip::tcp::no_delay(true));
      self->next();
    });
  }

  Tally& tally() { return tally_; }

 private:
  void next() {
    if (Clock::now() >= deadline_) return;
    kind_ = pick_kind(random_() % 100);
    const auto& user = users_[random_() % users_.size()];
    const auto& batch_id = user.batch_ids[random_() % user.batch_ids.size()];
    std::string body;
    switch (kind_) {
      case kListBatches:
        request_ = "GET /batches";
        break;
      case kListEvents:
        request_ = "GET /batches/" + batch_id + "/events";
        break;
      case kPostEvent:
        request_ = "POST /batches/" + batch_id + "/events";
        body = R"({"type":"observation","description":"Fine bubbles, smells of lemon"})";
        break;
      default:
        request_ = "PATCH /batches/" + batch_id;
        body = R"({"notes":"Tasted at )" + std::to_string(++writes_) + R"(: sweet, a little fizz"})";
        break;
    }
    request_ += " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ";
    request_ += user.token;
    request_ += "\r\n";
    if (!body.empty()) {
      request_ += "Content-Type: application/json\r\nContent-Length: ";
      request_ += std::to_string(body.size());
      request_ += "\r\n";
    }
    request_ += "\r\n";
    request_ += body;
    received_ = 0;
    sent_at_ = Clock::now();
    asio::async_write(socket_, asio::buffer(request_),
                      [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                        if (ec) return self->fail("write: " + ec.message());
                        self->read_more();
                      });
  }

  void read_more() {
    if (received_ == response_.size()) response_.resize(2 * response_.size());
    socket_.async_read_some(asio::buffer(response_.data() + received_, response_.size() - received_),
                            [self = shared_from_this()](boost::system::error_code ec, std::size_t bytes) {
                              if (ec) return self->fail("read: " + ec.message());
                              self->received_ += bytes;
                              self->on_bytes();
                            });
  }

  // A whole answer is its head and Content-Length bytes after it; kefir answers these requests with no other
  // framing, and one that comes chunked or without a length fails the run rather than being misread.
  void on_bytes() {
    const std::string_view bytes(response_.data(), received_);
    const auto head_end = bytes.find("\r\n\r\n");
    if (head_end == std::string_view::npos) return read_more();
    const auto head = bytes.substr(0, head_end + 2);
    constexpr std::string_view kLength = "\r\nContent-Length: ";
    const auto length_at = head.find(kLength);
    if (head.size() < 12 || !head.starts_with("HTTP/1.1 ") || length_at == std::string_view::npos)
      return fail("an answer without a status line or a Content-Length: " + std::string(head.substr(0, 300)));
    const auto length = std::strtoul(head.data() + length_at + kLength.size(), nullptr, 10);
    const auto whole = head_end + 4 + length;
    if (received_ < whole) return read_more();
    if (received_ > whole) return fail("bytes after the answer, none asked for");
    const auto status = std::strtoul(head.data() + 9, nullptr, 10);
    if (status != 200 && status != 201) {
      if (tally_.failures++ == 0)
        tally_.first_failure = std::string(kKindNames[kind_]) + ": " + std::to_string(status) + " " +
                               std::string(bytes.substr(head_end + 4, 300));
    } else {
      tally_.latencies_ms[kind_].push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - sent_at_).count());
    }
    next();
  }

  void fail(const std::string& what) {
    if (tally_.failures++ == 0) tally_.first_failure = what;
  }

  asio::ip::tcp::socket socket_;
  asio::ip::tcp::endpoint server_;
  const std::vector<User>& users_;
  Clock::time_point deadline_;
  std::mt19937 random_;
  std::string request_;
  std::vector<char> response_;
  std::size_t received_ = 0;
  Kind kind_ = kListBatches;
  Clock::time_point sent_at_;
  std::size_t writes_ = 0;
  Tally tally_;
};

double percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  auto rank = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank), values.end());
  return values[rank];
}

// The kept/built list pages the server counted so far (kefir_list_pages_total).
std::pair<double, double> list_pages(const test::ServerProcess& server) {
  auto text = test::ApiClient(server.base_url()).get("/metrics").body;
  auto count = [&text](const char* result) {
    std::smatch match;
    std::regex line(std::string(R"(kefir_list_pages_total\{result=")") + result + R"("\} (\d+))");
    return std::regex_search(text, match, line) ? std::stod(match[1]) : 0.0;
  };
  return {count("kept"), count("built")};
}

unsigned short free_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

// With LOG_LEVEL=warn (no line per request, as `make bench` runs kefir) there is no "listening" line to wait
// for: the server is up when it answers.
void wait_until_healthy(const test::ServerProcess& server) {
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  for (;;) {
    try {
      if (test::ApiClient(server.base_url()).get("/healthz").status == 200) return;
    } catch (const std::runtime_error&) {  // not accepting connections yet
    }
    if (Clock::now() > deadline || !server.running())
      throw std::runtime_error("kefir did not start: " + server.stderr_text());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

int run(const Options& options) {
  test::TempDir data;
  test::ServerConfig config;
  config.env = {{"DATA_DIR", data.str()},
                {"PORT", std::to_string(free_port())},
                {"THROTTLE_RATE", "0"},
                {"LOG_LEVEL", "warn"}};
  config.wait_until_listening = false;
  std::string table;
  if (options.store == "dynamodb") {
    table = test::create_dynamodb_local_table();
    for (auto& [name, value] : test::dynamodb_local_env(table)) config.env[name] = value;
  }
  test::ServerProcess server(config);
  wait_until_healthy(server);
  SystemClock clock;
  std::unique_ptr<store::ItemStore> store;
  if (options.store == "dynamodb") {
    store = std::make_unique<store::DynamoDbItemStore>(test::dynamodb_local_options(table), clock);
  } else {
    store = std::make_unique<store::SqliteItemStore>(data.str() + "/kefir.db", clock);
  }

  auto started = Clock::now();
  auto users = sign_in_users(server, options.users);
  std::cout << "signed in " << users.size() << " users in " << Seconds(Clock::now() - started).count()
            << " s\n";
  started = Clock::now();
  seed_batches(*store, users, options);
  std::cout << "wrote " << options.batches << " batches and " << options.events << " events for each in "
            << Seconds(Clock::now() - started).count() << " s (" << options.store << ")\n";

  const auto pages_before = list_pages(server);
  const double cpu_before = bench::cpu_seconds(server.pid());
  const double own_cpu_before = bench::cpu_seconds(getpid());
  asio::io_context io;
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"),
                                         static_cast<unsigned short>(server.port()));
  const auto load_started = Clock::now();
  const auto deadline = load_started + std::chrono::duration_cast<Clock::duration>(Seconds(options.seconds));
  std::vector<std::shared_ptr<Connection>> connections;
  for (std::size_t c = 0; c < options.connections; ++c) {
    connections.push_back(
        std::make_shared<Connection>(io, endpoint, users, deadline, static_cast<unsigned>(c * 7919 + 17)));
    connections.back()->start();
  }
  on_threads(options.threads, [&io] { io.run(); });
  const double elapsed = Seconds(Clock::now() - load_started).count();
  const double cpu = bench::cpu_seconds(server.pid()) - cpu_before;
  const double own_cpu = bench::cpu_seconds(getpid()) - own_cpu_before;
  const auto pages_after = list_pages(server);

  Tally all;
  for (auto& connection : connections) {
    auto& tally = connection->tally();
    for (int k = 0; k < kKinds; ++k)
      all.latencies_ms[k].insert(all.latencies_ms[k].end(), tally.latencies_ms[k].begin(),
                                 tally.latencies_ms[k].end());
    if (tally.failures > 0 && all.failures == 0) all.first_failure = tally.first_failure;
    all.failures += tally.failures;
  }
  std::size_t total = 0;
  for (const auto& latencies : all.latencies_ms) total += latencies.size();

  std::cout << "\n"
            << options.users << " users, " << options.connections << " connections, " << options.store << ", "
            << std::fixed << std::setprecision(1) << elapsed << " s\n\n";
  std::cout << "| request | count | req/s | p50 | p99 |\n| --- | ---: | ---: | ---: | ---: |\n";
  for (int k = 0; k < kKinds; ++k) {
    auto& latencies = all.latencies_ms[k];
    std::cout << "| " << kKindNames[k] << " | " << latencies.size() << " | " << std::setprecision(0)
              << static_cast<double>(latencies.size()) / elapsed << " | " << std::setprecision(2)
              << percentile(latencies, 0.50) << " ms | " << percentile(latencies, 0.99) << " ms |\n";
  }
  const double kept = pages_after.first - pages_before.first;
  const double built = pages_after.second - pages_before.second;
  std::cout << "| all | " << total << " | " << std::setprecision(0) << static_cast<double>(total) / elapsed
            << " | | |\n\n";
  std::cout << "kept-page hit rate: " << std::setprecision(1)
            << (kept + built > 0 ? 100 * kept / (kept + built) : 0) << " % of " << std::setprecision(0)
            << kept + built << " list requests that could use it\n";
  std::cout << "server CPU per request: " << std::setprecision(1)
            << (total > 0 ? cpu * 1e6 / static_cast<double>(total) : 0) << " us (" << std::setprecision(2)
            << cpu << " s of CPU over " << elapsed << " s)\n";
  // The generator shares the two cores with the server: what it takes is what the server cannot have.
  std::cout << "load generator CPU per request: " << std::setprecision(1)
            << (total > 0 ? own_cpu * 1e6 / static_cast<double>(total) : 0) << " us\n";
  if (all.failures > 0) {
    std::cerr << all.failures << " requests failed; first: " << all.first_failure << "\n";
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse_options(argc, argv));
  } catch (const std::exception& error) {
    std::cerr << "kefir_bench_mixed: " << error.what() << "\n";
    return 2;
  }
}
