// Numbers as text for log lines, summaries and report tables: fixed decimals, significant
// digits, rates, byte sizes, durations and counts with thousands separators.
#pragma once

#include <cstdint>
#include <string>

namespace ablate {

// A number with a fixed count of decimals: format_fixed(2.71828, 4) = "2.7183".
std::string format_fixed(double value, int digits);
// At most `digits` significant digits, as printf's %g: format_significant(0.1 + 0.2, 10) = "0.3".
std::string format_significant(double value, int digits);
// A rate per second: "950", "47.3k", "1.20M", "3.40G" (the unit chosen after rounding, so
// 999.7 is "1.0k"); "--" when not finite.
std::string format_rate(double per_second);
// "512 B", "1.5 KiB", "12.0 MiB", "3.20 GiB", "1.25 TiB" (binary units, chosen after rounding).
std::string format_bytes(int64_t bytes);
// A byte size with more digits, for tables: "1,023 B", "1.50 KiB", "12.3 MiB" (two decimals
// below 10 of a unit, one above; the unit is the largest not above the value); the number reads
// "nan" when not finite.
std::string format_bytes_detailed(double bytes);
// Seconds rounded to the nearest whole one: "0:07", "1:05", "1:02:03"; negatives count as 0,
// and a non-finite value is "--".
std::string format_duration(double seconds);
// Rounded to a whole number, with thousands separators: "1,234,567", "-12"; "nan" when not finite.
std::string format_with_commas(double value);

}  // namespace ablate
