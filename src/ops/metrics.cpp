#include "ops/metrics.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <fstream>
#include <mutex>

namespace kefir::ops {
namespace {

constexpr char kKeySeparator = '\x1f';

const auto kProcessStart = std::chrono::system_clock::now();
const auto kProcessStartSteady = std::chrono::steady_clock::now();

// Shortest round-trip text; `fixed` for bucket bounds, so they read "0.0005" rather than "5e-04".
void append_number(std::string& out, double value, bool fixed = false) {
  if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
    return;
  }
  if (std::isnan(value)) {
    out += "NaN";
    return;
  }
  char buffer[32];
  auto result = fixed ? std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed)
                      : std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

void append_number(std::string& out, std::uint64_t value) {
  char buffer[24];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

void append_escaped(std::string& out, std::string_view text, bool quotes) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// Label values that come from outside (push error codes, reasons) are bounded: printable ASCII, 64 chars.
std::string_view bounded_label(std::string_view value, std::string& storage) {
  storage.clear();
  for (char c : value.substr(0, 64)) storage += (c >= 0x20 && c < 0x7f) ? c : '_';
  return storage.empty() ? std::string_view("unknown") : std::string_view(storage);
}

std::string_view known_method(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
    if (method == known) return known;
  return "other";
}

std::string_view status_text(int status, char (&buffer)[8]) {
  auto result = std::to_chars(buffer, buffer + sizeof buffer, status);
  return {buffer, static_cast<std::size_t>(result.ptr - buffer)};
}

double resident_memory_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

const std::vector<double> kRequestSecondsBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                   0.25,   0.5,   1,      2.5,   5,    10,    30,   60};
const std::vector<double> kStorageSecondsBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,     0.25,   0.5,   1,      2.5,   10};

}  // namespace

Histogram::Histogram(const std::vector<double>& bounds)
    : bounds_(bounds), buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {}

void Histogram::observe(double value) {
  auto bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  buckets_[static_cast<std::size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot snapshot;
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    snapshot.cumulative.push_back(running);
  }
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  return snapshot;
}

FamilyBase::FamilyBase(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {
  static std::atomic<std::uint64_t> next_id{0};
  id_ = next_id.fetch_add(1, std::memory_order_relaxed);
}

FamilyBase::Keys FamilyBase::key_of(std::initializer_list<std::string_view> values) const {
  if (values.size() != label_names_.size())
    throw std::invalid_argument("metric " + name_ + ": expected " + std::to_string(label_names_.size()) +
                                " label values");
  thread_local std::string buffer;
  buffer.assign(reinterpret_cast<const char*>(&id_), sizeof id_);
  bool first = true;
  for (auto value : values) {
    if (!first) buffer += kKeySeparator;
    buffer += value;
    first = false;
  }
  std::string_view whole = buffer;
  return {whole, whole.substr(sizeof id_)};
}

void*& FamilyBase::thread_cached(std::string_view cache_key) {
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  thread_local std::unordered_map<std::string, void*, Hash, std::equal_to<>> cache;
  auto found = cache.find(cache_key);
  if (found != cache.end()) return found->second;
  return cache.emplace(std::string(cache_key), nullptr).first->second;
}

void FamilyBase::append_labels(std::string& out, std::string_view key, std::string_view extra) const {
  if (label_names_.empty() && extra.empty()) return;
  out += '{';
  std::size_t start = 0;
  for (std::size_t i = 0; i < label_names_.size(); ++i) {
    auto end = key.find(kKeySeparator, start);
    if (end == std::string_view::npos) end = key.size();
    if (i) out += ',';
    out += label_names_[i];
    out += "=\"";
    append_escaped(out, key.substr(start, end - start), true);
    out += '"';
    start = end + 1;
  }
  if (!extra.empty()) {
    if (!label_names_.empty()) out += ',';
    out += extra;
  }
  out += '}';
}

void FamilyBase::append_header(std::string& out, std::string_view type) const {
  out += "# HELP ";
  out += name_;
  out += ' ';
  append_escaped(out, help_, false);
  out += "\n# TYPE ";
  out += name_;
  out += ' ';
  out += type;
  out += '\n';
}

template <class Metric>
Metric& Family<Metric>::with(std::initializer_list<std::string_view> values) {
  auto keys = key_of(values);
  void*& cached = thread_cached(keys.cache_key);
  if (cached) return *static_cast<Metric*>(cached);
  Metric* series = nullptr;
  {
    std::shared_lock lock(mutex_);
    auto found = series_.find(keys.key);
    if (found != series_.end()) series = found->second.get();
  }
  if (!series) {
    std::unique_lock lock(mutex_);
    auto [it, added] = series_.try_emplace(std::string(keys.key));
    if (added) it->second = make_series();
    series = it->second.get();
  }
  cached = series;
  return *series;
}

template <class Metric>
template <class Visit>
void Family<Metric>::for_each_sorted(Visit visit) const {
  std::shared_lock lock(mutex_);
  std::vector<const std::pair<const std::string, std::unique_ptr<Metric>>*> sorted;
  sorted.reserve(series_.size());
  for (const auto& entry : series_) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  for (const auto* entry : sorted) visit(entry->first, *entry->second);
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

void CounterFamily::expose(std::string& out) const {
  append_header(out, "counter");
  for_each_sorted([&](std::string_view key, const Counter& counter) {
    out += name_;
    append_labels(out, key);
    out += ' ';
    append_number(out, counter.value());
    out += '\n';
  });
}

void GaugeFamily::expose(std::string& out) const {
  append_header(out, "gauge");
  for_each_sorted([&](std::string_view key, const Gauge& gauge) {
    out += name_;
    append_labels(out, key);
    out += ' ';
    append_number(out, gauge.value());
    out += '\n';
  });
}

HistogramFamily::HistogramFamily(std::string name, std::string help, std::vector<std::string> label_names,
                                 std::vector<double> bounds)
    : Family(std::move(name), std::move(help), std::move(label_names)), bounds_(std::move(bounds)) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end()) || bounds_.empty())
    throw std::invalid_argument("histogram " + name_ + ": bounds must be ascending");
}

void HistogramFamily::expose(std::string& out) const {
  append_header(out, "histogram");
  for_each_sorted([&](std::string_view key, const Histogram& histogram) {
    auto snapshot = histogram.snapshot();
    std::string le;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
      le = "le=\"";
      append_number(le, i < bounds_.size() ? bounds_[i] : INFINITY, true);
      le += '"';
      out += name_;
      out += "_bucket";
      append_labels(out, key, le);
      out += ' ';
      append_number(out, snapshot.cumulative[i]);
      out += '\n';
    }
    out += name_;
    out += "_sum";
    append_labels(out, key);
    out += ' ';
    append_number(out, snapshot.sum);
    out += '\n';
    out += name_;
    out += "_count";
    append_labels(out, key);
    out += ' ';
    append_number(out, snapshot.cumulative.back());
    out += '\n';
  });
}

template <class F, class... Args>
F& Registry::add(Args&&... args) {
  auto family = std::make_unique<F>(std::forward<Args>(args)...);
  auto& result = *family;
  std::lock_guard lock(mutex_);
  for (const auto& existing : families_)
    if (existing->name() == result.name())
      throw std::invalid_argument("metric registered twice: " + result.name());
  families_.push_back(std::move(family));
  return result;
}

CounterFamily& Registry::counter(std::string name, std::string help, std::vector<std::string> label_names) {
  return add<CounterFamily>(std::move(name), std::move(help), std::move(label_names));
}

GaugeFamily& Registry::gauge(std::string name, std::string help, std::vector<std::string> label_names) {
  return add<GaugeFamily>(std::move(name), std::move(help), std::move(label_names));
}

HistogramFamily& Registry::histogram(std::string name, std::string help, std::vector<std::string> label_names,
                                     std::vector<double> bounds) {
  return add<HistogramFamily>(std::move(name), std::move(help), std::move(label_names), std::move(bounds));
}

void Registry::on_collect(std::function<void()> collector) {
  std::lock_guard lock(mutex_);
  collectors_.push_back(std::move(collector));
}

std::string Registry::expose() const {
  std::lock_guard lock(mutex_);
  for (const auto& collect : collectors_) collect();
  std::string out;
  out.reserve(16 * 1024);
  for (const auto& family : families_) family->expose(out);
  return out;
}

ServiceMetrics::ServiceMetrics()
    : requests_(registry_.counter("kefir_http_requests_total",
                                  "HTTP requests by route template, method and status",
                                  {"method", "route", "status"})),
      request_duration_(registry_.histogram("kefir_http_request_duration_seconds",
                                            "HTTP request duration by route template and method",
                                            {"method", "route"}, kRequestSecondsBounds)),
      handler_errors_(registry_.counter("kefir_http_handler_errors_total",
                                        "requests that ended in an unexpected handler failure (500 INTERNAL)",
                                        {"route"})),
      throttled_(registry_.counter("kefir_http_throttled_requests_total",
                                   "requests refused by the request throttle (429 THROTTLED)")),
      reminders_sent_(
          registry_.counter("kefir_reminders_sent_total", "reminders delivered to the push service")),
      reminders_failed_(registry_.counter("kefir_reminders_failed_total",
                                          "reminders that became failed, by reason", {"reason"})),
      reminders_retried_(
          registry_.counter("kefir_reminders_retried_total", "reminder send attempts scheduled for a retry")),
      push_errors_(registry_.counter(
          "kefir_push_errors_total",
          "Expo Push API errors by code (HTTP status, network, ticket or receipt error)", {"code"})),
      web_push_sent_(
          registry_.counter("kefir_web_push_sent_total", "Web Push messages a push service accepted")),
      web_push_errors_(registry_.counter("kefir_web_push_errors_total",
                                         "Web Push messages not accepted, by code (HTTP status, network)",
                                         {"code"})),
      storage_duration_(registry_.histogram("kefir_storage_operation_duration_seconds",
                                            "storage port operation duration by store and operation",
                                            {"store", "operation"}, kStorageSecondsBounds)),
      storage_throttles_(registry_.counter("kefir_storage_throttles_total",
                                           "storage calls the service throttled (retried with backoff)",
                                           {"store", "operation"})),
      list_pages_(registry_.counter("kefir_list_pages_total",
                                    "list requests that could use the kept pages, by result (kept, built)",
                                    {"result"})),
      otp_emails_sent_(registry_.counter("kefir_otp_emails_sent_total",
                                         "sign-in code emails sent, by transport", {"transport"})),
      otp_emails_failed_(registry_.counter("kefir_otp_emails_failed_total",
                                           "sign-in code emails that could not be sent, by transport",
                                           {"transport"})) {
  auto& resident = registry_.gauge("process_resident_memory_bytes", "resident memory size in bytes").with({});
  registry_.gauge("process_start_time_seconds", "start time of the process since the Unix epoch in seconds")
      .with({})
      .set(std::chrono::duration<double>(kProcessStart.time_since_epoch()).count());
  auto& uptime = registry_.gauge("kefir_uptime_seconds", "seconds since the process started").with({});
  registry_.gauge("kefir_build_info", "always 1; the version is a label", {"version"})
      .with({KEFIR_VERSION})
      .set(1);
  registry_.on_collect([&resident, &uptime] {
    resident.set(resident_memory_bytes());
    uptime.set(std::chrono::duration<double>(std::chrono::steady_clock::now() - kProcessStartSteady).count());
  });
}

void ServiceMetrics::request(std::string_view method, std::string_view route, int status, double seconds) {
  char status_buffer[8];
  auto known = known_method(method);
  requests_.with({known, route, status_text(status, status_buffer)}).inc();
  request_duration_.with({known, route}).observe(seconds);
  if (status == 500) handler_errors_.with({route}).inc();
}

void ServiceMetrics::request_throttled() {
  throttled_.with({}).inc();
}

void ServiceMetrics::reminder_sent(std::uint64_t count) {
  reminders_sent_.with({}).inc(count);
}

void ServiceMetrics::reminder_failed(std::string_view reason) {
  std::string storage;
  reminders_failed_.with({bounded_label(reason, storage)}).inc();
}

void ServiceMetrics::reminder_retried() {
  reminders_retried_.with({}).inc();
}

void ServiceMetrics::push_error(std::string_view code) {
  std::string storage;
  push_errors_.with({bounded_label(code, storage)}).inc();
}

void ServiceMetrics::web_push_sent() {
  web_push_sent_.with({}).inc();
}

void ServiceMetrics::web_push_error(std::string_view code) {
  std::string storage;
  web_push_errors_.with({bounded_label(code, storage)}).inc();
}

void ServiceMetrics::storage_operation(std::string_view store, std::string_view operation, double seconds) {
  storage_duration_.with({store, operation}).observe(seconds);
}

void ServiceMetrics::storage_throttle(std::string_view store, std::string_view operation) {
  storage_throttles_.with({store, operation}).inc();
}

void ServiceMetrics::list_page(bool kept) {
  list_pages_.with({kept ? "kept" : "built"}).inc();
}

void ServiceMetrics::otp_email_sent(std::string_view transport) {
  otp_emails_sent_.with({transport}).inc();
}

void ServiceMetrics::otp_email_failed(std::string_view transport) {
  otp_emails_failed_.with({transport}).inc();
}

ServiceMetrics& metrics() {
  static ServiceMetrics instance;
  return instance;
}

}  // namespace kefir::ops
