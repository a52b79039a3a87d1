// Numbers as text (see format.h).
#include "harness/common/format.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <locale>
#include <sstream>

namespace ablate {
namespace {

std::string printf_string(const char* format, double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, value);
  return buf;
}

}  // namespace

std::string format_fixed(double value, int digits) {
  std::ostringstream o;
  o.imbue(std::locale::classic());
  o.setf(std::ios::fixed);
  o.precision(digits);
  o << value;
  return o.str();
}

std::string format_significant(double value, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, value);
  return buf;
}

std::string format_rate(double per_second) {
  if (!std::isfinite(per_second)) return "--";
  if (per_second < 0) return "-" + format_rate(-per_second);
  // Each unit is used while the value, rounded to the unit's digits, stays below 1000.
  if (per_second < 999.5) return printf_string("%.0f", per_second);
  if (per_second < 999.95e3) return printf_string("%.1fk", per_second / 1e3);
  if (per_second < 999.995e6) return printf_string("%.2fM", per_second / 1e6);
  return printf_string("%.2fG", per_second / 1e9);
}

std::string format_bytes(int64_t bytes) {
  if (bytes < 0) return "-" + format_bytes(bytes == INT64_MIN ? INT64_MAX : -bytes);
  if (bytes < 1024) return std::to_string(bytes) + " B";
  // Each unit is used while the value, rounded to the unit's digits, stays below 1024.
  const double b = double(bytes), kib = 1024.0, mib = kib * 1024, gib = mib * 1024;
  if (b < 1023.95 * kib) return printf_string("%.1f KiB", b / kib);
  if (b < 1023.95 * mib) return printf_string("%.1f MiB", b / mib);
  if (b < 1023.995 * gib) return printf_string("%.2f GiB", b / gib);
  return printf_string("%.2f TiB", b / (gib * 1024));
}

std::string format_bytes_detailed(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int unit = 0;
  while (std::abs(bytes) >= 1024 && unit < 4) {
    bytes /= 1024;
    ++unit;
  }
  if (unit == 0) return format_with_commas(bytes) + " B";
  return (std::isfinite(bytes) ? format_fixed(bytes, bytes < 10 ? 2 : 1) : "nan") + " " + units[unit];
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds)) return "--";
  const long long s = std::llround(std::max(seconds, 0.0));
  const long long h = s / 3600, m = s % 3600 / 60, sec = s % 60;
  char buf[48];
  if (h > 0) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", h, m, sec);
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", m, sec);
  }
  return buf;
}

std::string format_with_commas(double value) {
  if (!std::isfinite(value)) return "nan";
  std::string digits = std::to_string(static_cast<long long>(std::llround(std::abs(value))));
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(static_cast<size_t>(i), ",");
  return (value < 0 ? "-" : "") + digits;
}

}  // namespace ablate
