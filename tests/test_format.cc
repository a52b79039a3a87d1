// The number formatters (harness/common/format.h) at their boundaries: durations, rates, byte
// sizes of log lines and of report tables, fixed decimals, significant digits, thousands.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "harness/common/format.h"

namespace ablate {
namespace {

TEST(Format, Duration) {
  EXPECT_EQ(format_duration(0), "0:00");
  EXPECT_EQ(format_duration(7), "0:07");
  EXPECT_EQ(format_duration(59.4), "0:59");
  EXPECT_EQ(format_duration(59.6), "1:00");
  EXPECT_EQ(format_duration(65), "1:05");
  EXPECT_EQ(format_duration(3599), "59:59");
  EXPECT_EQ(format_duration(3599.6), "1:00:00");
  EXPECT_EQ(format_duration(3723), "1:02:03");
  EXPECT_EQ(format_duration(100 * 3600), "100:00:00");
  EXPECT_EQ(format_duration(-3), "0:00");
  EXPECT_EQ(format_duration(1.0 / 0.0), "--");
}

TEST(Format, Rate) {
  EXPECT_EQ(format_rate(0), "0");
  EXPECT_EQ(format_rate(950), "950");
  EXPECT_EQ(format_rate(999.4), "999");
  EXPECT_EQ(format_rate(999.6), "1.0k");
  EXPECT_EQ(format_rate(47300), "47.3k");
  EXPECT_EQ(format_rate(999940), "999.9k");
  EXPECT_EQ(format_rate(999960), "1.00M");
  EXPECT_EQ(format_rate(1.2e6), "1.20M");
  EXPECT_EQ(format_rate(3.4e9), "3.40G");
  EXPECT_EQ(format_rate(-47300), "-47.3k");
}

TEST(Format, Bytes) {
  EXPECT_EQ(format_bytes(0), "0 B");
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(1023), "1023 B");
  EXPECT_EQ(format_bytes(1024), "1.0 KiB");
  EXPECT_EQ(format_bytes(1536), "1.5 KiB");
  EXPECT_EQ(format_bytes(1024 * 1024 - 1), "1.0 MiB");
  EXPECT_EQ(format_bytes(12 * 1024 * 1024), "12.0 MiB");
  EXPECT_EQ(format_bytes(int64_t{1} << 30), "1.00 GiB");
  EXPECT_EQ(format_bytes(int64_t(3.2 * double(int64_t{1} << 30))), "3.20 GiB");
  EXPECT_EQ(format_bytes(int64_t{5} << 40), "5.00 TiB");
  EXPECT_EQ(format_bytes(-1536), "-1.5 KiB");
}

TEST(Format, BytesDetailed) {
  EXPECT_EQ(format_bytes_detailed(0), "0 B");
  EXPECT_EQ(format_bytes_detailed(1023), "1,023 B");
  EXPECT_EQ(format_bytes_detailed(512.6), "513 B");
  EXPECT_EQ(format_bytes_detailed(1536), "1.50 KiB");
  EXPECT_EQ(format_bytes_detailed(420000), "410.2 KiB");
  EXPECT_EQ(format_bytes_detailed(50000000), "47.7 MiB");
  EXPECT_EQ(format_bytes_detailed(3.2 * double(int64_t{1} << 30)), "3.20 GiB");
  EXPECT_EQ(format_bytes_detailed(double(int64_t{5000} << 40)), "5000.0 TiB");
  EXPECT_EQ(format_bytes_detailed(-2048), "-2.00 KiB");
  EXPECT_EQ(format_bytes_detailed(NAN), "nan B");
  EXPECT_EQ(format_bytes_detailed(INFINITY), "nan TiB");
}

TEST(Format, Fixed) {
  EXPECT_EQ(format_fixed(2.71828, 4), "2.7183");
  EXPECT_EQ(format_fixed(-2.71828, 2), "-2.72");
  EXPECT_EQ(format_fixed(1234.5, 1), "1234.5");
  EXPECT_EQ(format_fixed(3, 3), "3.000");
}

TEST(Format, Significant) {
  EXPECT_EQ(format_significant(0.1 + 0.2, 10), "0.3");
  EXPECT_EQ(format_significant(4, 10), "4");
  EXPECT_EQ(format_significant(1.0 / 3, 12), "0.333333333333");
  EXPECT_EQ(format_significant(1e300 * 1e10, 10), "inf");
  EXPECT_EQ(format_significant(8000, 15), "8000");
  EXPECT_EQ(format_significant(1.5e20, 15), "1.5e+20");
}

TEST(Format, WithCommas) {
  EXPECT_EQ(format_with_commas(0), "0");
  EXPECT_EQ(format_with_commas(999), "999");
  EXPECT_EQ(format_with_commas(1000), "1,000");
  EXPECT_EQ(format_with_commas(1234567.4), "1,234,567");
  EXPECT_EQ(format_with_commas(-1234.5), "-1,235");
  EXPECT_EQ(format_with_commas(NAN), "nan");
}

}  // namespace
}  // namespace ablate
