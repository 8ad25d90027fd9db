#pragma once
// A batch's chart (issue 18, GET /batches/{id}/chart.svg and the public page): temperature over time, pH and
// gravity when measured, stage changes and reminders marked. Drawn as a standalone SVG without script; every
// user string goes through html::escape. Pure: no I/O.
#include <string>
#include <vector>

#include "util/time.hpp"

namespace kefir::chart {

struct Point {
  TimePoint time;
  double value = 0;
};

struct Marker {
  enum class Kind { stage, reminder };
  Kind kind = Kind::stage;
  TimePoint time;
  std::string label;
};

struct Chart {
  std::string title;                      // the batch's name
  std::vector<std::string> sensor_names;  // the sensors the readings came from
  std::vector<Point> temperature_c;
  std::vector<Point> ph;
  std::vector<Point> gravity;
  std::string gravity_unit;  // "sg" or "plato"
  std::vector<Marker> markers;
  TimePoint from;  // the batch's start, or its first reading
  TimePoint to;    // now, or later when a marker is
};

inline constexpr int kWidth = 800;
inline constexpr int kHeight = 400;

std::string render_svg(const Chart& chart);

}  // namespace kefir::chart
