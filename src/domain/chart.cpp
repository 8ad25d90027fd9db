#include "domain/chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "domain/html.hpp"

namespace kefir::chart {
namespace {

constexpr double kLeft = 64, kRight = kWidth - 64, kTop = 56, kBottom = kHeight - 64;
constexpr const char* kTemperatureColour = "#c0392b";
constexpr const char* kPhColour = "#2471a3";
constexpr const char* kGravityColour = "#1e8449";
constexpr std::size_t kDottedPoints = 24;

std::string number(double value, int decimals = 1) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

struct Range {
  double low;
  double high;
};

// The values' range, widened to at least `min_span` around its middle, so a flat line sits mid-chart.
Range range_of(const std::vector<Point>& points, double min_span) {
  auto [low, high] = std::minmax_element(points.begin(), points.end(),
                                         [](const Point& a, const Point& b) { return a.value < b.value; });
  Range range{low->value, high->value};
  if (range.high - range.low < min_span) {
    const double middle = (range.high + range.low) / 2;
    range = {middle - min_span / 2, middle + min_span / 2};
  }
  return range;
}

class Plot {
 public:
  explicit Plot(const Chart& chart)
      : from_(chart.from),
        span_ms_(std::max<double>(1, static_cast<double>((chart.to - chart.from).count()))) {}

  double x(TimePoint t) const {
    return kLeft + (kRight - kLeft) * static_cast<double>((t - from_).count()) / span_ms_;
  }
  static double y(double value, const Range& range) {
    return kBottom - (kBottom - kTop) * (value - range.low) / (range.high - range.low);
  }

  std::string polyline(const std::vector<Point>& points, const Range& range, const char* colour) const {
    std::string out = "<polyline clip-path=\"url(#plot)\" fill=\"none\" stroke=\"" + std::string(colour) +
                      "\" stroke-width=\"2\" points=\"";
    for (const auto& p : points) out += number(x(p.time)) + "," + number(y(p.value, range)) + " ";
    out += "\"/>\n";
    // A measure taken now and then (a pH strip) is a few points: each gets a dot, or a lone one would not
    // show.
    if (points.size() <= kDottedPoints) {
      for (const auto& p : points)
        out += "<circle cx=\"" + number(x(p.time)) + "\" cy=\"" + number(y(p.value, range)) +
               "\" r=\"4\" fill=\"" + colour + "\"/>\n";
    }
    return out;
  }

 private:
  TimePoint from_;
  double span_ms_;
};

std::string text(double x, double y, std::string_view content, std::string_view attributes = {}) {
  return "<text x=\"" + number(x) + "\" y=\"" + number(y) + "\" " + std::string(attributes) + ">" +
         html::escape(content) + "</text>\n";
}

std::string time_axis(const Chart& chart, const Plot& plot) {
  // A label every 6 h for a day or so, every 12 h up to 4 days, then whole days (about 8 labels).
  const auto span = std::chrono::duration_cast<hours>(chart.to - chart.from).count();
  const std::int64_t step = span <= 36 ? 6 : span <= 96 ? 12 : 24 * (span / 192 + 1);
  std::int64_t first = std::chrono::ceil<hours>(chart.from).time_since_epoch().count();
  first = (first + step - 1) / step * step;
  std::string out;
  for (TimePoint t{hours(first)}; t <= chart.to; t += hours(step)) {
    const double x = plot.x(t);
    out += "<line x1=\"" + number(x) + "\" x2=\"" + number(x) + "\" y1=\"" + number(kTop) + "\" y2=\"" +
           number(kBottom) + "\" stroke=\"#eee\"/>\n";
    // "12-06 18:00": month-day and UTC hour, from the RFC 3339 form.
    const auto stamp = format_rfc3339(t);
    out += text(x, kBottom + 18, stamp.substr(5, 5) + " " + stamp.substr(11, 5), "text-anchor=\"middle\"");
  }
  return out;
}

std::string value_axis(const Range& range, double x, const char* anchor, const char* colour, int decimals) {
  std::string out;
  for (int i = 0; i <= 4; ++i) {
    const double value = range.low + (range.high - range.low) * i / 4;
    out += text(x, Plot::y(value, range) + 4, number(value, decimals),
                "text-anchor=\"" + std::string(anchor) + "\" fill=\"" + colour + "\"");
  }
  return out;
}

std::string markers(const Chart& chart, const Plot& plot) {
  std::string out;
  for (const auto& marker : chart.markers) {
    if (marker.time < chart.from || marker.time > chart.to) continue;
    const double x = plot.x(marker.time);
    const bool stage = marker.kind == Marker::Kind::stage;
    out += "<g><title>" + html::escape(marker.label) + "</title>";
    if (stage) {
      out += "<line x1=\"" + number(x) + "\" x2=\"" + number(x) + "\" y1=\"" + number(kTop) + "\" y2=\"" +
             number(kBottom) + "\" stroke=\"#7d3c98\" stroke-dasharray=\"4 3\"/>";
      // Labels of the right half read leftwards, so they stay inside the drawing.
      const bool right_half = x > (kLeft + kRight) / 2;
      out += text(right_half ? x - 3 : x + 3, kTop + 12, marker.label,
                  right_half ? "font-size=\"11\" fill=\"#7d3c98\" text-anchor=\"end\""
                             : "font-size=\"11\" fill=\"#7d3c98\"");
    } else {
      out += "<path d=\"M" + number(x) + "," + number(kBottom) + " l-5,9 h10 z\" fill=\"#d68910\"/>";
    }
    out += "</g>\n";
  }
  return out;
}

}  // namespace

std::string render_svg(const Chart& chart) {
  const Plot plot(chart);
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(kWidth) +
                    "\" height=\"" + std::to_string(kHeight) + "\" viewBox=\"0 0 " + std::to_string(kWidth) +
                    " " + std::to_string(kHeight) +
                    "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n";
  svg += "<title>" + html::escape(chart.title) + ": temperature over time</title>\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n";
  svg += "<clipPath id=\"plot\"><rect x=\"" + number(kLeft) + "\" y=\"" + number(kTop) + "\" width=\"" +
         number(kRight - kLeft) + "\" height=\"" + number(kBottom - kTop) + "\"/></clipPath>\n";
  svg += text(kLeft, 24, chart.title, "font-size=\"18\" font-weight=\"bold\"");
  std::string sensors;
  for (const auto& name : chart.sensor_names) sensors += (sensors.empty() ? "" : ", ") + name;
  if (!sensors.empty()) svg += text(kLeft, 42, "Sensors: " + sensors, "fill=\"#555\"");
  svg += time_axis(chart, plot);
  svg += "<rect x=\"" + number(kLeft) + "\" y=\"" + number(kTop) + "\" width=\"" + number(kRight - kLeft) +
         "\" height=\"" + number(kBottom - kTop) + "\" fill=\"none\" stroke=\"#999\"/>\n";

  std::string legend = "Temperature (°C)";
  if (chart.temperature_c.empty()) {
    svg += text((kLeft + kRight) / 2, (kTop + kBottom) / 2, "No readings yet",
                "text-anchor=\"middle\" fill=\"#555\" font-size=\"16\"");
  } else {
    const auto range = range_of(chart.temperature_c, 4);
    svg += value_axis(range, kLeft - 6, "end", kTemperatureColour, 1);
    svg += plot.polyline(chart.temperature_c, range, kTemperatureColour);
  }
  if (!chart.ph.empty()) {
    const auto range = range_of(chart.ph, 1);
    svg += value_axis(range, kRight + 6, "start", kPhColour, 2);
    svg += plot.polyline(chart.ph, range, kPhColour);
    legend += ", pH (right axis)";
  }
  if (!chart.gravity.empty()) {
    const bool plato = chart.gravity_unit == "plato";
    const auto range = range_of(chart.gravity, plato ? 1 : 0.004);
    svg += plot.polyline(chart.gravity, range, kGravityColour);
    legend += ", gravity " + number(range.low, plato ? 1 : 3) + "-" + number(range.high, plato ? 1 : 3) +
              (plato ? " °P" : " SG");
  }
  svg += markers(chart, plot);
  svg += text(kLeft, kHeight - 16, legend + ". Dashed: stage changes; triangles: reminders. Times in UTC.",
              "fill=\"#555\"");
  return svg + "</svg>\n";
}

}  // namespace kefir::chart
