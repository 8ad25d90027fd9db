#include "domain/time_zone.hpp"

#include <algorithm>
#include <chrono>

namespace kefir::tz {
namespace {

constexpr Seconds kDay = 86400;
// No zone is more than a day off UTC, so every instant showing a local time lies within this of it.
constexpr Seconds kSearchWindow = 2 * kDay;

Seconds floor_div(Seconds a, Seconds b) {
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

Seconds days_since_epoch(std::chrono::year_month_day date) {
  return std::chrono::sys_days(date).time_since_epoch().count();
}

int year_of(Seconds seconds) {
  const std::chrono::sys_days day{std::chrono::days(floor_div(seconds, kDay))};
  return static_cast<int>(std::chrono::year_month_day(day).year());
}

// Big-endian reads over the TZif bytes, failing (nullopt) rather than reading past the end.
class Bytes {
 public:
  explicit Bytes(std::string_view data) : data_(data) {}
  bool has(std::size_t n) const { return data_.size() - position_ >= n; }
  std::optional<std::int64_t> read_signed(std::size_t width) {
    if (!has(width)) return std::nullopt;
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i)
      value = (value << 8) | static_cast<unsigned char>(data_[position_ + i]);
    position_ += width;
    if (width < 8 && (value >> (width * 8 - 1)) != 0) value |= ~std::uint64_t{0} << (width * 8);
    return static_cast<std::int64_t>(value);
  }
  std::optional<std::string_view> take(std::size_t n) {
    if (!has(n)) return std::nullopt;
    auto out = data_.substr(position_, n);
    position_ += n;
    return out;
  }
  bool skip(std::size_t n) { return take(n).has_value(); }
  std::string_view rest() const { return data_.substr(position_); }

 private:
  std::string_view data_;
  std::size_t position_ = 0;
};

struct Header {
  char version = 0;
  std::size_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
  // Bytes of the data block that follows, with transition times of `time_size` bytes.
  std::size_t block_size(std::size_t time_size) const {
    return timecnt * time_size + timecnt + typecnt * 6 + charcnt + leapcnt * (time_size + 4) + isstdcnt +
           isutcnt;
  }
};

std::optional<Header> read_header(Bytes& in) {
  auto magic = in.take(4);
  auto version = in.take(1);
  if (!magic || *magic != "TZif" || !version || !in.skip(15)) return std::nullopt;
  Header header;
  header.version = (*version)[0];
  std::size_t* counts[] = {&header.isutcnt, &header.isstdcnt, &header.leapcnt,
                           &header.timecnt, &header.typecnt,  &header.charcnt};
  for (auto* count : counts) {
    auto value = in.read_signed(4);
    if (!value || *value < 0) return std::nullopt;
    *count = static_cast<std::size_t>(*value);
  }
  if (header.typecnt == 0) return std::nullopt;  // RFC 8536: at least one local time type
  return header;
}

// A POSIX TZ string, read left to right.
class PosixReader {
 public:
  explicit PosixReader(std::string_view text) : text_(text) {}
  bool done() const { return position_ == text_.size(); }
  bool accept(char c) {
    if (done() || text_[position_] != c) return false;
    ++position_;
    return true;
  }
  bool at(char c) const { return !done() && text_[position_] == c; }
  bool at_name_start() const { return !done() && (text_[position_] == '<' || is_alpha(text_[position_])); }
  // "CET" or "<+0330>": at least three characters.
  bool name() {
    std::size_t length = 0;
    if (accept('<')) {
      while (!done() && text_[position_] != '>') ++position_, ++length;
      return accept('>') && length >= 3;
    }
    while (!done() && is_alpha(text_[position_])) ++position_, ++length;
    return length >= 3;
  }
  // [+-]hh[:mm[:ss]] with hh up to `max_hours`.
  std::optional<Seconds> signed_time(int max_hours) {
    int sign = 1;
    if (accept('-')) {
      sign = -1;
    } else {
      accept('+');
    }
    auto hours = number(0, max_hours);
    if (!hours) return std::nullopt;
    Seconds total = *hours * 3600;
    for (Seconds unit : {60, 1}) {
      if (!accept(':')) break;
      auto part = number(0, 59);
      if (!part) return std::nullopt;
      total += *part * unit;
    }
    return sign * total;
  }
  std::optional<int> number(int min, int max) {
    std::size_t start = position_;
    int value = 0;
    while (!done() && text_[position_] >= '0' && text_[position_] <= '9' && position_ - start < 4)
      value = value * 10 + (text_[position_++] - '0');
    if (position_ == start || value < min || value > max) return std::nullopt;
    return value;
  }
  std::optional<PosixDate> date() {
    PosixDate date;
    if (accept('M')) {
      date.kind = PosixDate::Kind::month_week_day;
      auto month = number(1, 12);
      if (!month || !accept('.')) return std::nullopt;
      auto week = number(1, 5);
      if (!week || !accept('.')) return std::nullopt;
      auto weekday = number(0, 6);
      if (!weekday) return std::nullopt;
      date.month = *month;
      date.week = *week;
      date.day = *weekday;
    } else if (accept('J')) {
      date.kind = PosixDate::Kind::julian_no_leap;
      auto day = number(1, 365);
      if (!day) return std::nullopt;
      date.day = *day;
    } else {
      date.kind = PosixDate::Kind::zero_based;
      auto day = number(0, 365);
      if (!day) return std::nullopt;
      date.day = *day;
    }
    if (accept('/')) {
      auto time = signed_time(167);
      if (!time) return std::nullopt;
      date.time = *time;
    }
    return date;
  }

 private:
  static bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
  std::string_view text_;
  std::size_t position_ = 0;
};

// Midnight (local) of the day a rule names in `year`, in seconds since the epoch.
Seconds local_day_start(const PosixDate& date, int year) {
  using namespace std::chrono;
  const auto y = std::chrono::year(year);
  const Seconds january_first = days_since_epoch(y / January / 1);
  switch (date.kind) {
    case PosixDate::Kind::julian_no_leap: {
      // Jn counts 1-365 and never Feb 29: from March on, a leap year's day is one later.
      const Seconds leap_shift = (y.is_leap() && date.day >= 60) ? 1 : 0;
      return (january_first + date.day - 1 + leap_shift) * kDay;
    }
    case PosixDate::Kind::zero_based:
      return (january_first + date.day) * kDay;
    case PosixDate::Kind::month_week_day:
      break;
  }
  const auto month = std::chrono::month(static_cast<unsigned>(date.month));
  const auto first = sys_days(y / month / 1);
  const auto first_weekday = weekday(first).c_encoding();
  Seconds day = days_since_epoch(y / month / 1) + (date.day - static_cast<int>(first_weekday) + 7) % 7 +
                (date.week - 1) * 7;
  const Seconds last_of_month = days_since_epoch(y / month / last);
  while (day > last_of_month) day -= 7;  // week 5: the last such weekday of the month
  return day * kDay;
}

}  // namespace

std::optional<PosixRule> parse_posix_rule(std::string_view text) {
  PosixReader in(text);
  PosixRule rule;
  if (!in.name()) return std::nullopt;
  auto standard_west = in.signed_time(24);
  if (!standard_west) return std::nullopt;
  rule.standard_offset = static_cast<std::int32_t>(-*standard_west);
  if (in.done()) return rule;
  if (!in.at_name_start() || !in.name()) return std::nullopt;
  rule.daylight_offset = rule.standard_offset + 3600;
  if (!in.done() && !in.at(',')) {
    auto daylight_west = in.signed_time(24);
    if (!daylight_west) return std::nullopt;
    rule.daylight_offset = static_cast<std::int32_t>(-*daylight_west);
  }
  // TZif footers always give the switch dates; POSIX's implementation-defined default is not guessed.
  if (!in.accept(',')) return std::nullopt;
  auto start = in.date();
  if (!start || !in.accept(',')) return std::nullopt;
  auto end = in.date();
  if (!end || !in.done()) return std::nullopt;
  rule.daylight_start = *start;
  rule.daylight_end = *end;
  return rule;
}

std::optional<TimeZone> TimeZone::parse(std::string name, std::string_view tzif) {
  Bytes in(tzif);
  auto header = read_header(in);
  if (!header) return std::nullopt;
  std::size_t time_size = 4;
  if (header->version >= '2') {
    // The 32-bit block only serves old readers: skip it for the 64-bit one that follows.
    if (!in.skip(header->block_size(4))) return std::nullopt;
    header = read_header(in);
    if (!header) return std::nullopt;
    time_size = 8;
  }
  if (!in.has(header->block_size(time_size))) return std::nullopt;

  std::vector<Seconds> times(header->timecnt);
  for (auto& t : times) t = *in.read_signed(time_size);
  std::vector<std::size_t> type_of(header->timecnt);
  for (auto& index : type_of) {
    index = static_cast<std::size_t>(*in.read_signed(1) & 0xff);
    if (index >= header->typecnt) return std::nullopt;
  }
  std::vector<std::int32_t> offsets(header->typecnt);
  for (auto& offset : offsets) {
    offset = static_cast<std::int32_t>(*in.read_signed(4));
    in.skip(2);  // isdst, designation index: the offset is all the rules need
    if (offset == -0x80000000LL) return std::nullopt;  // RFC 8536 forbids it
  }
  in.skip(header->charcnt + header->leapcnt * (time_size + 4) + header->isstdcnt + header->isutcnt);

  TimeZone zone;
  zone.name_ = std::move(name);
  zone.initial_offset_ = offsets.front();
  for (std::size_t i = 0; i < times.size(); ++i) {
    if (i > 0 && times[i] <= times[i - 1]) return std::nullopt;  // must ascend
    zone.transitions_.push_back({times[i], offsets[type_of[i]]});
  }
  if (header->version >= '2') {
    auto footer = in.rest();
    if (footer.size() < 2 || footer.front() != '\n') return std::nullopt;
    footer.remove_prefix(1);
    footer = footer.substr(0, footer.find('\n'));
    // An empty footer means "unspecified after the last transition"; one this reader cannot follow is
    // treated alike rather than refusing the zone.
    if (!footer.empty()) zone.footer_ = parse_posix_rule(footer);
  }
  return zone;
}

TimeZone TimeZone::utc() {
  TimeZone zone;
  zone.name_ = "UTC";
  return zone;
}

std::int32_t TimeZone::rule_offset_at(Seconds utc) const {
  // A daylight-saving rule switches twice a year, so the last switch before `utc` lies within a year of it.
  auto changes = transitions_between(utc - 366 * kDay, utc);
  return changes.empty() ? footer_->standard_offset : changes.back().offset_after;
}

std::int32_t TimeZone::offset_at(Seconds utc) const {
  const bool after_last = transitions_.empty() || utc >= transitions_.back().at;
  if (after_last && footer_) return rule_offset_at(utc);
  if (transitions_.empty() || utc < transitions_.front().at) return initial_offset_;
  auto next = std::upper_bound(transitions_.begin(), transitions_.end(), utc,
                               [](Seconds t, const Transition& transition) { return t < transition.at; });
  return std::prev(next)->offset_after;
}

std::vector<TimeZone::Transition> TimeZone::transitions_between(Seconds from, Seconds to) const {
  std::vector<Transition> out;
  for (const auto& transition : transitions_)
    if (transition.at >= from && transition.at <= to) out.push_back(transition);
  if (!footer_ || !footer_->daylight_offset) return out;
  const auto& rule = *footer_;
  const Seconds rule_from = transitions_.empty() ? from : std::max(from, transitions_.back().at + 1);
  std::vector<Transition> generated;
  for (int year = year_of(rule_from) - 1; year <= year_of(to) + 1; ++year) {
    generated.push_back(
        {local_day_start(rule.daylight_start, year) + rule.daylight_start.time - rule.standard_offset,
         *rule.daylight_offset});
    generated.push_back(
        {local_day_start(rule.daylight_end, year) + rule.daylight_end.time - *rule.daylight_offset,
         rule.standard_offset});
  }
  // Ties (a zone in daylight time all year: "…,0/0,J365/25") resolve to daylight time.
  std::stable_sort(generated.begin(), generated.end(), [&](const Transition& a, const Transition& b) {
    if (a.at != b.at) return a.at < b.at;
    return a.offset_after == rule.standard_offset && b.offset_after != rule.standard_offset;
  });
  for (const auto& transition : generated)
    if (transition.at >= rule_from && transition.at <= to) out.push_back(transition);
  return out;
}

std::vector<Seconds> TimeZone::instants_of(Seconds local) const {
  std::vector<std::int32_t> offsets{offset_at(local - kSearchWindow)};
  for (const auto& transition : transitions_between(local - kSearchWindow, local + kSearchWindow))
    offsets.push_back(transition.offset_after);
  std::vector<Seconds> out;
  for (auto offset : offsets)
    if (offset_at(local - offset) == offset) out.push_back(local - offset);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Seconds TimeZone::resolve(Seconds local) const {
  auto instants = instants_of(local);
  if (!instants.empty()) return instants.front();
  for (const auto& transition : transitions_between(local - kSearchWindow, local + kSearchWindow)) {
    const auto before = offset_at(transition.at - 1);
    if (local - transition.offset_after < transition.at && transition.at <= local - before)
      return transition.at;
  }
  return local - offset_at(local);
}

}  // namespace kefir::tz
