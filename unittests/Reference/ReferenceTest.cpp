//===- ReferenceTest.cpp - float64 reference scan and number checks -------===//

#include "swr/Reference/Reference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <type_traits>
#include <vector>

namespace swr {
namespace reference {
namespace {

using Vec = std::vector<double>;

constexpr double kInf = std::numeric_limits<double>::infinity();

Window full() { return {WindowKind::Full, 0, 16}; }
Window bands(int64_t k, int64_t tile = 16) {
  return {WindowKind::Bands, k, tile};
}
Window exact(int64_t width) { return {WindowKind::Exact, width, 16}; }

Vec randomDecays(Random &rng, int64_t n, DecayRegime regime) {
  Vec a(n);
  for (double &v : a)
    v = rng.decay(regime);
  return a;
}

Vec randomInputs(Random &rng, int64_t n) {
  Vec x(n);
  for (double &v : x)
    v = rng.normal();
  return x;
}

/// scanSequence on contiguous arrays.
Vec scan(const Vec &a, const Vec &x, const Window &window, bool reverse = false,
         const double *h0 = nullptr, double *finalState = nullptr) {
  Vec y(x.size(), std::numeric_limits<double>::quiet_NaN());
  scanSequence(a.data(), 1, x.data(), 1, static_cast<int64_t>(x.size()), window,
               reverse, h0, y.data(), 1, finalState);
  return y;
}

/// Which entries of T a window keeps; s == -1 stands for the h0 term.
using KeepFn = std::function<bool(int64_t t, int64_t s)>;

KeepFn keepOf(const Window &window) {
  switch (window.kind) {
  case WindowKind::Full:
    return [](int64_t, int64_t) { return true; };
  case WindowKind::Bands:
    return [window](int64_t t, int64_t s) {
      // Floor division, so that s = -1 lies in the virtual tile -1.
      int64_t tileOfS = s < 0 ? -1 : s / window.tile;
      return tileOfS >= t / window.tile - window.size + 1;
    };
  case WindowKind::Exact:
    return [window](int64_t t, int64_t s) { return s >= t - window.size + 1; };
  }
  return nullptr;
}

/// O(L^3) sum of T[t][s] x[s] over the kept (t, s), with every T[t][s] built
/// from its explicit product; independent of the recurrence in the library.
Vec naiveScan(const Vec &a, const Vec &x, const KeepFn &keep, double h0) {
  int64_t n = static_cast<int64_t>(x.size());
  Vec y(n, 0.0);
  for (int64_t t = 0; t < n; ++t) {
    for (int64_t s = -1; s <= t; ++s) {
      if (!keep(t, s))
        continue;
      double product = 1.0;
      for (int64_t m = s + 1; m <= t; ++m)
        product *= a[m];
      y[t] += product * (s < 0 ? h0 : x[s]);
    }
  }
  return y;
}

void expectClose(const Vec &got, const Vec &want, double tolerance = 1e-13) {
  ASSERT_EQ(got.size(), want.size());
  EXPECT_LE(
      relativeError(got.data(), want.data(), static_cast<int64_t>(got.size())),
      tolerance);
}

/// dependsOn[t][s] for s in [0, L) and s == L meaning h0: whether y[t] moves
/// when that input moves. Linear, so one perturbation per input suffices.
std::vector<std::vector<bool>> dependencies(const Vec &a, const Vec &x,
                                            const Window &window) {
  int64_t n = static_cast<int64_t>(x.size());
  double h0 = 0.5;
  Vec base = scan(a, x, window, false, &h0);
  std::vector<std::vector<bool>> dependsOn(n, std::vector<bool>(n + 1));
  for (int64_t s = 0; s <= n; ++s) {
    Vec xs = x;
    double h0s = h0;
    (s < n ? xs[s] : h0s) += 1.0;
    Vec y = scan(a, xs, window, false, &h0s);
    for (int64_t t = 0; t < n; ++t)
      dependsOn[t][s] = y[t] != base[t];
  }
  return dependsOn;
}

/// Checks that y[t] depends on exactly the contiguous inputs
/// [max(first(t), 0), t], and on h0 iff first(t) <= -1.
void expectWindow(const Vec &a, const Vec &x, const Window &window,
                  const std::function<int64_t(int64_t)> &first) {
  int64_t n = static_cast<int64_t>(x.size());
  auto dependsOn = dependencies(a, x, window);
  for (int64_t t = 0; t < n; ++t) {
    int64_t start = first(t);
    for (int64_t s = 0; s < n; ++s)
      EXPECT_EQ(dependsOn[t][s], s >= start && s <= t)
          << "t=" << t << " s=" << s;
    EXPECT_EQ(dependsOn[t][n], start <= -1) << "h0, t=" << t;
  }
}

//===----------------------------------------------------------------------===//
// ReferenceScan
//===----------------------------------------------------------------------===//

TEST(ReferenceScan, FullMatchesNaiveSum) {
  Random rng(1);
  for (DecayRegime regime :
       {DecayRegime::NearOne, DecayRegime::Spread, DecayRegime::NearZero}) {
    for (int64_t length : {1, 15, 16, 17, 33}) {
      Vec a = randomDecays(rng, length, regime);
      Vec x = randomInputs(rng, length);
      expectClose(scan(a, x, full()), naiveScan(a, x, keepOf(full()), 0.0));
      double h0 = rng.normal();
      expectClose(scan(a, x, full(), false, &h0),
                  naiveScan(a, x, keepOf(full()), h0));
    }
  }
}

TEST(ReferenceScan, WindowsMatchNaiveSum) {
  Random rng(2);
  for (Window window : {bands(1), bands(2), bands(3), bands(2, 4), exact(1),
                        exact(5), exact(16), exact(20), exact(40)}) {
    for (int64_t length : {1, 15, 16, 17, 33, 50}) {
      Vec a = randomDecays(rng, length, DecayRegime::Spread);
      Vec x = randomInputs(rng, length);
      double h0 = rng.normal();
      SCOPED_TRACE(testing::Message() << "size=" << window.size << " tile="
                                      << window.tile << " L=" << length);
      expectClose(scan(a, x, window), naiveScan(a, x, keepOf(window), 0.0));
      expectClose(scan(a, x, window, false, &h0),
                  naiveScan(a, x, keepOf(window), h0));
    }
  }
}

TEST(ReferenceScan, BandsOneMakesTilesIndependent) {
  Random rng(3);
  const int64_t length = 40; // Last tile is partial.
  Vec a = randomDecays(rng, length, DecayRegime::NearOne);
  Vec x = randomInputs(rng, length);
  double h0 = 3.0;
  Vec y = scan(a, x, bands(1), false, &h0);
  for (int64_t start = 0; start < length; start += 16) {
    int64_t end = std::min<int64_t>(start + 16, length);
    Vec tileA(a.begin() + start, a.begin() + end);
    Vec tileX(x.begin() + start, x.begin() + end);
    // Each tile is a full scan of its own from zero state (h0 ignored).
    Vec want = scan(tileA, tileX, full());
    expectClose(Vec(y.begin() + start, y.begin() + end), want, 0.0);
  }
}

TEST(ReferenceScan, BandsCoveringAllTilesEqualsFull) {
  Random rng(4);
  for (int64_t length : {1, 15, 16, 17, 33, 64}) {
    // Near-one decays keep the h0 term visible at the last step.
    Vec a = randomDecays(rng, length, DecayRegime::NearOne);
    Vec x = randomInputs(rng, length);
    int64_t tiles = (length + 15) / 16;
    expectClose(scan(a, x, bands(tiles)), scan(a, x, full()));
    expectClose(scan(a, x, bands(tiles + 5)), scan(a, x, full()));
    // The last tile reaches the virtual tile -1 of h0 only when k exceeds
    // the number of tiles.
    double h0 = -2.0;
    expectClose(scan(a, x, bands(tiles + 1), false, &h0),
                scan(a, x, full(), false, &h0));
    Vec notQuite = scan(a, x, bands(tiles), false, &h0);
    EXPECT_NE(notQuite.back(), scan(a, x, full(), false, &h0).back());
  }
}

TEST(ReferenceScan, BandsTwoWindowIsJagged) {
  Random rng(5);
  // Near-one decays keep every kept T[t][s] far from zero.
  for (int64_t length : {17, 64, 70}) {
    Vec a = randomDecays(rng, length, DecayRegime::NearOne);
    Vec x = randomInputs(rng, length);
    // Output i of tile tau sees tiles tau-1 and tau: 16 + i + 1 tokens.
    expectWindow(a, x, bands(2), [](int64_t t) { return 16 * (t / 16 - 1); });
    expectWindow(a, x, bands(3), [](int64_t t) { return 16 * (t / 16 - 2); });
    expectWindow(a, x, bands(1), [](int64_t t) { return 16 * (t / 16); });
    expectWindow(a, x, bands(2, 5), [](int64_t t) { return 5 * (t / 5 - 1); });
  }
}

TEST(ReferenceScan, BandsTwoSeesSixteenPlusIPlusOneTokens) {
  Random rng(6);
  const int64_t length = 64;
  Vec a = randomDecays(rng, length, DecayRegime::NearOne);
  Vec x = randomInputs(rng, length);
  auto dependsOn = dependencies(a, x, bands(2));
  for (int64_t t = 16; t < length; ++t) {
    int64_t seen = 0;
    for (int64_t s = 0; s < length; ++s)
      seen += dependsOn[t][s];
    EXPECT_EQ(seen, 16 + t % 16 + 1) << "t=" << t;
  }
}

TEST(ReferenceScan, ExactWindowSeesWTokens) {
  Random rng(7);
  for (int64_t width : {1, 5, 16, 20}) {
    for (int64_t length : {15, 33}) {
      Vec a = randomDecays(rng, length, DecayRegime::NearOne);
      Vec x = randomInputs(rng, length);
      expectWindow(a, x, exact(width),
                   [width](int64_t t) { return t - width + 1; });
    }
  }
}

TEST(ReferenceScan, InitialStateHandling) {
  Random rng(8);
  const int64_t length = 33;
  Vec a = randomDecays(rng, length, DecayRegime::NearOne);
  Vec zeros(length, 0.0);
  double h0 = 1.0;
  // With x = 0 and h0 = 1 the output is exactly the h0 term.
  auto h0Term = [&](int64_t t) {
    double product = 1.0;
    for (int64_t m = 0; m <= t; ++m)
      product *= a[m];
    return product;
  };
  auto check = [&](const Window &window,
                   const std::function<bool(int64_t)> &hasH0) {
    Vec y = scan(a, zeros, window, false, &h0);
    for (int64_t t = 0; t < length; ++t)
      EXPECT_NEAR(y[t], hasH0(t) ? h0Term(t) : 0.0, 1e-14)
          << "size=" << window.size << " t=" << t;
  };
  check(full(), [](int64_t) { return true; });
  check(bands(1), [](int64_t) { return false; });
  check(bands(2), [](int64_t t) { return t < 16; });
  check(bands(3), [](int64_t t) { return t < 32; });
  check(exact(1), [](int64_t) { return false; });
  check(exact(5), [](int64_t t) { return t < 4; });
  // A null h0 is the same as 0.
  Vec x = randomInputs(rng, length);
  double zero = 0.0;
  for (Window window : {full(), bands(2), exact(7)})
    expectClose(scan(a, x, window), scan(a, x, window, false, &zero), 0.0);
}

TEST(ReferenceScan, ReverseEqualsForwardOnFlipped) {
  Random rng(9);
  for (Window window : {full(), bands(1), bands(2), bands(3), exact(5)}) {
    for (int64_t length : {1, 15, 17, 33}) {
      Vec a = randomDecays(rng, length, DecayRegime::Spread);
      Vec x = randomInputs(rng, length);
      double h0 = rng.normal();
      Vec flippedA(a.rbegin(), a.rend()), flippedX(x.rbegin(), x.rend());
      double reverseFinal = 0.0, forwardFinal = 0.0;
      Vec reversed = scan(a, x, window, true, &h0, &reverseFinal);
      Vec forward = scan(flippedA, flippedX, window, false, &h0, &forwardFinal);
      // Same arithmetic in the same order: bit-identical.
      EXPECT_EQ(reversed, Vec(forward.rbegin(), forward.rend()));
      EXPECT_EQ(reverseFinal, forwardFinal);
      EXPECT_EQ(reverseFinal, reversed.front());
    }
  }
}

TEST(ReferenceScan, ReverseCountsTilesFromTheEnd) {
  // L = 17 reversed: logical tile 0 is physical [1, 16], tile 1 is {0}.
  const int64_t length = 17;
  Vec a(length, 0.5), x(length, 0.0);
  x[16] = 1.0; // Logical step 0.
  Vec y = scan(a, x, bands(1), true);
  EXPECT_EQ(y[1], std::ldexp(1.0, -15)); // Logical step 15, same tile.
  EXPECT_EQ(y[0], 0.0);                  // Logical step 16, next tile.
}

TEST(ReferenceScan, FinalStateAndEmptySequence) {
  Random rng(10);
  Vec a = randomDecays(rng, 20, DecayRegime::Spread);
  Vec x = randomInputs(rng, 20);
  double h0 = 0.25, final = 0.0;
  Vec y = scan(a, x, bands(2), false, &h0, &final);
  EXPECT_EQ(final, y.back());

  Vec empty;
  final = 1.0;
  scan(empty, empty, full(), false, nullptr, &final);
  EXPECT_EQ(final, 0.0);
  scan(empty, empty, exact(3), true, &h0, &final);
  EXPECT_EQ(final, h0);
}

TEST(ReferenceScan, LengthOne) {
  double a = 0.5, x = 2.0, h0 = 4.0, y = 0.0;
  scanSequence(&a, 1, &x, 1, 1, full(), false, &h0, &y, 1, nullptr);
  EXPECT_EQ(y, 4.0);
  scanSequence(&a, 1, &x, 1, 1, bands(1), false, &h0, &y, 1, nullptr);
  EXPECT_EQ(y, 2.0);
  scanSequence(&a, 1, &x, 1, 1, bands(2), true, &h0, &y, 1, nullptr);
  EXPECT_EQ(y, 4.0);
  scanSequence(&a, 1, &x, 1, 1, exact(1), false, &h0, &y, 1, nullptr);
  EXPECT_EQ(y, 2.0);
  scanSequence(&a, 1, &x, 1, 1, exact(2), false, &h0, &y, 1, nullptr);
  EXPECT_EQ(y, 4.0);
}

TEST(ReferenceScan, StridedAndSharedOperands) {
  Random rng(11);
  const int64_t length = 33, xStride = 3, yStride = 2;
  double shared = 0.9; // Stride 0: one decay for every step.
  Vec xs(length * xStride), ys(length * yStride, -1.0);
  for (double &v : xs)
    v = rng.normal();
  Vec x(length), a(length, shared);
  for (int64_t t = 0; t < length; ++t)
    x[t] = xs[t * xStride];
  for (bool reverse : {false, true}) {
    scanSequence(&shared, 0, xs.data(), xStride, length, bands(2), reverse,
                 nullptr, ys.data(), yStride, nullptr);
    Vec want = scan(a, x, bands(2), reverse);
    for (int64_t t = 0; t < length; ++t) {
      EXPECT_EQ(ys[t * yStride], want[t]);
      EXPECT_EQ(ys[t * yStride + 1], -1.0); // Gaps are not written.
    }
  }
}

TEST(ReferenceScan, RejectsBadArguments) {
  double a = 0.5, x = 1.0, y = 0.0;
  EXPECT_THROW(
      scanSequence(&a, 1, &x, 1, -1, full(), false, nullptr, &y, 1, nullptr),
      std::invalid_argument);
  EXPECT_THROW(
      scanSequence(&a, 1, &x, 1, 1, bands(0), false, nullptr, &y, 1, nullptr),
      std::invalid_argument);
  EXPECT_THROW(scanSequence(&a, 1, &x, 1, 1, bands(2, 0), false, nullptr, &y, 1,
                            nullptr),
               std::invalid_argument);
  EXPECT_THROW(
      scanSequence(&a, 1, &x, 1, 1, exact(0), false, nullptr, &y, 1, nullptr),
      std::invalid_argument);
}

TEST(ReferenceScan, RandomIsDeterministicAndRegimesInRange) {
  Random first(42), second(42), other(43);
  for (int i = 0; i < 100; ++i) {
    double u = first.uniform();
    EXPECT_EQ(u, second.uniform());
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
    EXPECT_EQ(first.normal(), second.normal());
  }
  EXPECT_NE(Random(42).uniform(), other.uniform());

  Random rng(12);
  double sum = 0.0, sumSquares = 0.0;
  const int samples = 20000;
  for (int i = 0; i < samples; ++i) {
    double v = rng.normal();
    sum += v;
    sumSquares += v * v;
  }
  EXPECT_NEAR(sum / samples, 0.0, 0.05);
  EXPECT_NEAR(sumSquares / samples, 1.0, 0.05);

  int negatives = 0;
  for (int i = 0; i < 1000; ++i) {
    double nearOne = rng.decay(DecayRegime::NearOne);
    EXPECT_GE(nearOne, 0.999);
    EXPECT_LE(nearOne, 1.0);
    double spread = rng.decay(DecayRegime::Spread);
    EXPECT_GE(spread, 0.0);
    EXPECT_LE(spread, 1.0);
    double nearZero = rng.decay(DecayRegime::NearZero);
    EXPECT_GE(nearZero, 0.0);
    EXPECT_LT(nearZero, 0.001);
    double signedDecay = rng.decay(DecayRegime::Signed);
    EXPECT_GE(signedDecay, -1.0);
    EXPECT_LE(signedDecay, 1.0);
    negatives += signedDecay < 0.0;
  }
  // Either sign, about equally often.
  EXPECT_GT(negatives, 400);
  EXPECT_LT(negatives, 600);

  for (DecayRegime regime : {DecayRegime::NearOne, DecayRegime::Spread,
                             DecayRegime::NearZero, DecayRegime::Signed})
    EXPECT_EQ(parseRegime(regimeName(regime)), regime);
  EXPECT_STREQ(regimeName(DecayRegime::Signed), "signed");
  EXPECT_STREQ(regimeName(DecayRegime::NearOne), "near1");
  EXPECT_STREQ(regimeName(DecayRegime::Spread), "spread");
  EXPECT_STREQ(regimeName(DecayRegime::NearZero), "near0");
  EXPECT_EQ(parseRegime("near2"), std::nullopt);
  EXPECT_EQ(parseRegime(""), std::nullopt);
}

//===----------------------------------------------------------------------===//
// ReferenceRounding
//===----------------------------------------------------------------------===//

float f32(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

//===----------------------------------------------------------------------===//
// Backward
//===----------------------------------------------------------------------===//

/// L = sum_t dy[t] y[t] + dFinal * final, the loss whose gradient the
/// backward computes.
double loss(const Vec &a, const Vec &x, double h0, const Vec &dy, double dFinal,
            const Window &window, bool reverse) {
  int64_t n = static_cast<int64_t>(x.size());
  Vec y(n);
  double final = 0;
  scanSequence(a.data(), 1, x.data(), 1, n, window, reverse, &h0, y.data(), 1,
               &final);
  double sum = dFinal * final;
  for (int64_t t = 0; t < n; ++t)
    sum += dy[t] * y[t];
  return sum;
}

/// Central difference of `loss` in one coordinate of `values`; L is
/// multilinear, so the difference is exact up to rounding.
double centralDifference(Vec &values, int64_t i,
                         const std::function<double()> &lossOf) {
  const double h = 1e-3;
  double saved = values[i];
  values[i] = saved + h;
  double up = lossOf();
  values[i] = saved - h;
  double down = lossOf();
  values[i] = saved;
  return (up - down) / (2 * h);
}

TEST(ReferenceGrad, MatchesFiniteDifferencesForEveryWindow) {
  Random rng(11);
  for (const Window &window :
       {full(), bands(1, 4), bands(2, 4), bands(3, 4), exact(1), exact(5)}) {
    for (bool reverse : {false, true}) {
      for (int64_t n : {1, 3, 4, 5, 13}) {
        Vec a = randomDecays(rng, n, DecayRegime::Spread);
        Vec x = randomInputs(rng, n), dy = randomInputs(rng, n);
        double h0 = rng.normal(), dFinal = rng.normal();
        Vec dx(n), da(n);
        double dh0 = 0;
        scanGradSequence(a.data(), 1, x.data(), 1, n, window, reverse, &h0,
                         dy.data(), 1, &dFinal, dx.data(), 1, da.data(), 1,
                         &dh0);
        auto lossOf = [&] {
          return loss(a, x, h0, dy, dFinal, window, reverse);
        };
        for (int64_t t = 0; t < n; ++t) {
          EXPECT_NEAR(dx[t], centralDifference(x, t, lossOf), 1e-8)
              << "dx t=" << t << " n=" << n << " reverse=" << reverse;
          EXPECT_NEAR(da[t], centralDifference(a, t, lossOf), 1e-8)
              << "da t=" << t << " n=" << n << " reverse=" << reverse;
        }
        Vec h0s{h0};
        auto lossOfH0 = [&] {
          return loss(a, x, h0s[0], dy, dFinal, window, reverse);
        };
        EXPECT_NEAR(dh0, centralDifference(h0s, 0, lossOfH0), 1e-8)
            << "dh0 n=" << n << " reverse=" << reverse;
      }
    }
  }
}

TEST(ReferenceGrad, FullWindowIsTheShiftedReverseScan) {
  // dh[t] = dy[t] + a[t+1] dh[t+1], da[t] = dh[t] h[t-1], dh0 = a[0] dh[0].
  Vec a{0.5, 0.25, 2.0}, x{1.0, -1.0, 3.0}, dy{1.0, 2.0, -1.0};
  double h0 = 2.0;
  Vec dx(3), da(3);
  double dh0 = 0;
  scanGradSequence(a.data(), 1, x.data(), 1, 3, full(), false, &h0, dy.data(),
                   1, nullptr, dx.data(), 1, da.data(), 1, &dh0);
  // h = 2, -0.5, 2; dh[2] = -1, dh[1] = 2 + 2 * -1 = 0, dh[0] = 1 + 0 = 1.
  EXPECT_DOUBLE_EQ(dx[2], -1.0);
  EXPECT_DOUBLE_EQ(dx[1], 0.0);
  EXPECT_DOUBLE_EQ(dx[0], 1.0);
  EXPECT_DOUBLE_EQ(da[0], 1.0 * 2.0);
  EXPECT_DOUBLE_EQ(da[1], 0.0);
  EXPECT_DOUBLE_EQ(da[2], -1.0 * -0.5);
  EXPECT_DOUBLE_EQ(dh0, 0.5 * 1.0);
}

TEST(ReferenceGrad, EmptySequencePassesTheFinalGradientToH0) {
  double h0 = 3.0, dFinal = 0.75, dh0 = 0;
  scanGradSequence(nullptr, 1, nullptr, 1, 0, bands(2), false, &h0, nullptr, 1,
                   &dFinal, nullptr, 1, nullptr, 1, &dh0);
  EXPECT_DOUBLE_EQ(dh0, 0.75);
}

TEST(ReferenceGrad, BandsOneNeverSeesH0) {
  Vec a{0.5, 0.5, 0.5, 0.5, 0.5}, x(5, 1.0), dy(5, 1.0), dx(5), da(5);
  double h0 = 1.0, dh0 = -1;
  scanGradSequence(a.data(), 1, x.data(), 1, 5, bands(1, 2), false, &h0,
                   dy.data(), 1, nullptr, dx.data(), 1, da.data(), 1, &dh0);
  EXPECT_EQ(dh0, 0.0);
}

TEST(ReferenceRounding, DTypeNames) {
  EXPECT_STREQ(dtypeName(DType::F32), "f32");
  EXPECT_STREQ(dtypeName(DType::BF16), "bf16");
  EXPECT_STREQ(dtypeName(DType::F16), "f16");
}

TEST(ReferenceRounding, BF16KnownBits) {
  EXPECT_EQ(toBF16Bits(1.0f), 0x3F80);
  EXPECT_EQ(toBF16Bits(-2.0f), 0xC000);
  EXPECT_EQ(toBF16Bits(0.0f), 0x0000);
  EXPECT_EQ(toBF16Bits(-0.0f), 0x8000);
  // Ties between 1 and 1 + 2^-7 go to the even 1; the next tie goes up.
  EXPECT_EQ(toBF16Bits(1.0f + 0x1p-8f), 0x3F80);
  EXPECT_EQ(toBF16Bits(1.0f + 3 * 0x1p-8f), 0x3F82);
  EXPECT_EQ(toBF16Bits(1.0f + 0x1p-8f + 0x1p-20f), 0x3F81);
  // Largest float rounds past the largest bf16 into inf.
  EXPECT_EQ(toBF16Bits(std::numeric_limits<float>::max()), 0x7F80);
  EXPECT_EQ(toBF16Bits(-std::numeric_limits<float>::infinity()), 0xFF80);
  // Subnormals: 2^-133 is the smallest bf16, 2^-134 a tie to even 0.
  EXPECT_EQ(toBF16Bits(0x1p-133f), 0x0001);
  EXPECT_EQ(toBF16Bits(0x1p-134f), 0x0000);
  EXPECT_EQ(toBF16Bits(0x1.8p-133f), 0x0002);
  uint16_t nan = toBF16Bits(std::numeric_limits<float>::quiet_NaN());
  EXPECT_TRUE(std::isnan(fromBF16Bits(nan)));
  EXPECT_TRUE(std::isnan(fromBF16Bits(toBF16Bits(f32(0x7F800001)))));
  EXPECT_EQ(fromBF16Bits(0x3F80), 1.0f);
  EXPECT_EQ(fromBF16Bits(0x7F7F), 0x1.FEp127f);
}

TEST(ReferenceRounding, F16KnownBits) {
  EXPECT_EQ(toF16Bits(1.0f), 0x3C00);
  EXPECT_EQ(toF16Bits(-2.0f), 0xC000);
  EXPECT_EQ(toF16Bits(-0.0f), 0x8000);
  EXPECT_EQ(toF16Bits(0.1f), 0x2E66);
  EXPECT_EQ(toF16Bits(65504.0f), 0x7BFF);
  EXPECT_EQ(toF16Bits(65519.0f), 0x7BFF);
  EXPECT_EQ(toF16Bits(65520.0f), 0x7C00); // Tie with an odd max: inf.
  EXPECT_EQ(toF16Bits(1e6f), 0x7C00);
  EXPECT_EQ(toF16Bits(-1e6f), 0xFC00);
  EXPECT_EQ(toF16Bits(std::numeric_limits<float>::infinity()), 0x7C00);
  // Ties to even.
  EXPECT_EQ(toF16Bits(1.0f + 0x1p-11f), 0x3C00);
  EXPECT_EQ(toF16Bits(1.0f + 3 * 0x1p-11f), 0x3C02);
  EXPECT_EQ(toF16Bits(2048.0f + 1.0f), 0x6800);
  EXPECT_EQ(toF16Bits(2048.0f + 3.0f), 0x6802);
  // Subnormals.
  EXPECT_EQ(toF16Bits(0x1p-14f), 0x0400);
  EXPECT_EQ(toF16Bits(0x1p-14f - 0x1p-24f), 0x03FF);
  EXPECT_EQ(toF16Bits(0x1p-24f), 0x0001);
  EXPECT_EQ(toF16Bits(0x1p-25f), 0x0000);   // Tie: even 0.
  EXPECT_EQ(toF16Bits(0x1.8p-24f), 0x0002); // Tie: even 2.
  EXPECT_EQ(toF16Bits(0x1.000002p-25f), 0x0001);
  EXPECT_EQ(toF16Bits(0x1p-14f - 0x1p-25f), 0x0400); // Up into the normals.
  EXPECT_EQ(toF16Bits(-0x1p-24f), 0x8001);
  EXPECT_EQ(toF16Bits(std::numeric_limits<float>::denorm_min()), 0x0000);
  uint16_t nan = toF16Bits(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7C00, 0x7C00);
  EXPECT_NE(nan & 0x03FF, 0);
  EXPECT_NE(toF16Bits(f32(0x7F800001)) & 0x03FF,
            0); // Signalling, tiny payload.

  EXPECT_EQ(fromF16Bits(0x3C00), 1.0f);
  EXPECT_EQ(fromF16Bits(0x7BFF), 65504.0f);
  EXPECT_EQ(fromF16Bits(0x0001), 0x1p-24f);
  EXPECT_EQ(fromF16Bits(0x03FF), 0x1p-14f - 0x1p-24f);
  EXPECT_EQ(fromF16Bits(0x3555), 0.333251953125f);
  EXPECT_EQ(fromF16Bits(0xFC00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(fromF16Bits(0x7E00)));
  EXPECT_TRUE(std::signbit(fromF16Bits(0x8000)));
}

TEST(ReferenceRounding, EveryBitPatternRoundTrips) {
  for (uint32_t bits = 0; bits <= 0xFFFF; ++bits) {
    auto b = static_cast<uint16_t>(bits);
    float half = fromF16Bits(b);
    if (std::isnan(half)) {
      EXPECT_EQ(b & 0x7C00, 0x7C00);
    } else {
      EXPECT_EQ(toF16Bits(half), b);
      // Values of the type are fixed points of roundTo.
      EXPECT_EQ(roundTo(DType::F16, half), half);
    }
    float brain = fromBF16Bits(b);
    if (!std::isnan(brain)) {
      EXPECT_EQ(toBF16Bits(brain), b);
      EXPECT_EQ(roundTo(DType::BF16, brain), brain);
    }
  }
}

TEST(ReferenceRounding, RoundToAgreesWithBitConversions) {
  // Two independent implementations: bit tricks on float and scaling plus
  // nearbyint on double. From a float there is one rounding, so they agree.
  Random rng(13);
  for (int i = 0; i < 20000; ++i) {
    // Magnitudes from far below the subnormals to beyond the f16 range.
    double magnitude = std::ldexp(1.0 + rng.uniform(), -150 + i % 170);
    float value =
        static_cast<float>(rng.uniform() < 0.5 ? -magnitude : magnitude);
    EXPECT_EQ(roundTo(DType::F16, value),
              static_cast<double>(fromF16Bits(toF16Bits(value))))
        << value;
    EXPECT_EQ(roundTo(DType::BF16, value),
              static_cast<double>(fromBF16Bits(toBF16Bits(value))))
        << value;
  }
}

TEST(ReferenceRounding, RoundToFromDouble) {
  EXPECT_EQ(roundTo(DType::F32, 0.1), static_cast<double>(0.1f));
  EXPECT_EQ(roundTo(DType::F32, 1e39), kInf);
  EXPECT_EQ(roundTo(DType::F16, 65504.0), 65504.0);
  EXPECT_EQ(roundTo(DType::F16, 65519.99), 65504.0);
  EXPECT_EQ(roundTo(DType::F16, 65520.0), kInf);
  EXPECT_EQ(roundTo(DType::F16, -1e300), -kInf);
  EXPECT_EQ(roundTo(DType::F16, 0x1p-25), 0.0);
  EXPECT_EQ(roundTo(DType::F16, 0x1p-25 + 0x1p-60), 0x1p-24);
  EXPECT_EQ(roundTo(DType::F16, 1e-300), 0.0);
  EXPECT_TRUE(std::signbit(roundTo(DType::F16, -1e-300)));
  EXPECT_EQ(roundTo(DType::BF16, 3.4e38), kInf);
  EXPECT_EQ(roundTo(DType::BF16, 0x1p-133), 0x1p-133);
  EXPECT_EQ(roundTo(DType::BF16, 0x1p-134), 0.0);
  EXPECT_EQ(roundTo(DType::BF16, kInf), kInf);
  for (DType type : {DType::F32, DType::BF16, DType::F16})
    EXPECT_TRUE(
        std::isnan(roundTo(type, std::numeric_limits<double>::quiet_NaN())));
  // Just above a bf16 tie, but below half a float ulp above it: going through
  // float would land on the tie and round to even (down); one rounding must
  // go up.
  double aboveTie = 1.0 + 0x1p-8 + 0x1p-40;
  EXPECT_EQ(static_cast<float>(aboveTie), 1.0f + 0x1p-8f);
  EXPECT_EQ(roundTo(DType::BF16, aboveTie), 1.0 + 0x1p-7);
  EXPECT_EQ(roundTo(DType::F16, 1.0 + 0x1p-11 + 0x1p-40), 1.0 + 0x1p-10);
}

//===----------------------------------------------------------------------===//
// TransferOperator
//===----------------------------------------------------------------------===//

constexpr int kTile = 16;

template <typename T> struct Transfer {
  std::vector<T> L = std::vector<T>(kTile * kTile);
  std::vector<T> g = std::vector<T>(kTile);
};

template <typename T>
Transfer<T> transfer(const std::vector<T> &a, TransferMethod method) {
  Transfer<T> result;
  transferOperator(a.data(), kTile, method, result.L.data(), result.g.data());
  return result;
}

std::vector<float> toFloat(const Vec &values) {
  return std::vector<float>(values.begin(), values.end());
}

template <typename T> Vec toDouble(const std::vector<T> &values) {
  return Vec(values.begin(), values.end());
}

/// L and g side by side, the way they act on a tile.
template <typename T> Vec operatorEntries(const Transfer<T> &t) {
  Vec entries(t.L.begin(), t.L.end());
  entries.insert(entries.end(), t.g.begin(), t.g.end());
  return entries;
}

/// Norm-wise error of [L | g] computed in float against double, both on the
/// same (float-representable) decays. One norm over both, since g alone may
/// be ~0 (a[0] = 0), where a relative error says nothing.
double floatVsDouble(const Vec &decays, TransferMethod method) {
  std::vector<float> a32 = toFloat(decays);
  Vec single = operatorEntries(transfer(a32, method));
  Vec twice = operatorEntries(transfer(toDouble(a32), method));
  return relativeError(single.data(), twice.data(),
                       static_cast<int64_t>(twice.size()));
}

Vec decaysWithZeros(Random &rng, DecayRegime regime) {
  Vec a = randomDecays(rng, kTile, regime);
  a[0] = 0.0;
  a[7] = 0.0;
  return a;
}

TEST(TransferOperator, MatchesDefinition) {
  Random rng(14);
  Vec a = randomDecays(rng, kTile, DecayRegime::Spread);
  for (TransferMethod method :
       {TransferMethod::RunningProduct, TransferMethod::LogSpace}) {
    Transfer<double> t = transfer(a, method);
    for (int i = 0; i < kTile; ++i) {
      for (int j = 0; j < kTile; ++j) {
        double want = i < j ? 0.0 : 1.0;
        for (int m = j + 1; m <= i; ++m)
          want *= a[m];
        EXPECT_NEAR(t.L[i * kTile + j], want, 1e-14 + 1e-12 * want);
      }
      double want = 1.0;
      for (int m = 0; m <= i; ++m)
        want *= a[m];
      EXPECT_NEAR(t.g[i], want, 1e-14 + 1e-12 * want);
    }
  }
}

TEST(TransferOperator, FloatVsDoubleNearOne) {
  Random rng(15);
  for (int trial = 0; trial < 20; ++trial) {
    Vec a = randomDecays(rng, kTile, DecayRegime::NearOne);
    EXPECT_LE(floatVsDouble(a, TransferMethod::RunningProduct), 1e-6);
    EXPECT_LE(floatVsDouble(a, TransferMethod::LogSpace), 1e-6);
  }
}

TEST(TransferOperator, FloatVsDoubleNearZero) {
  Random rng(16);
  for (int trial = 0; trial < 20; ++trial) {
    Vec a = randomDecays(rng, kTile, DecayRegime::NearZero);
    if (trial % 2)
      a = decaysWithZeros(rng, DecayRegime::NearZero);
    EXPECT_LE(floatVsDouble(a, TransferMethod::RunningProduct), 1e-6);
    EXPECT_LE(floatVsDouble(a, TransferMethod::LogSpace), 1e-6);
  }
}

template <typename T> void expectZeroDecayGivesZero() {
  Random rng(17);
  std::vector<T> a;
  for (double v : decaysWithZeros(rng, DecayRegime::Spread))
    a.push_back(static_cast<T>(v));
  const T tiny = std::numeric_limits<T>::min();
  for (TransferMethod method :
       {TransferMethod::RunningProduct, TransferMethod::LogSpace}) {
    Transfer<T> t = transfer(a, method);
    for (int i = 0; i < kTile; ++i) {
      for (int j = 0; j < kTile; ++j) {
        T entry = t.L[i * kTile + j];
        EXPECT_TRUE(std::isfinite(entry));
        // Entries whose product spans a[7] = 0.
        if (j < 7 && i >= 7) {
          EXPECT_LE(entry, 2 * tiny) << i << "," << j;
        }
      }
      EXPECT_TRUE(std::isfinite(t.g[i]));
      EXPECT_LE(t.g[i], 2 * tiny); // a[0] = 0.
    }
    // Entries after the last zero do not see it. In log space they lose
    // absolute precision, though: S carries log(tiny) ~ -87 (float) per zero.
    double tolerance = std::is_same<T, float>::value ? 1e-4 : 1e-12;
    EXPECT_NEAR(t.L[9 * kTile + 8], a[9], tolerance * a[9]);
  }
}

TEST(TransferOperator, ZeroDecayGivesZeroNotNaN) {
  expectZeroDecayGivesZero<float>();
  expectZeroDecayGivesZero<double>();
}

TEST(TransferOperator, LogSpaceAgreesWithRunningProduct) {
  Random rng(18);
  for (DecayRegime regime :
       {DecayRegime::NearOne, DecayRegime::Spread, DecayRegime::NearZero}) {
    for (int trial = 0; trial < 10; ++trial) {
      Vec a = trial % 2 ? randomDecays(rng, kTile, regime)
                        : decaysWithZeros(rng, regime);
      Vec product =
          operatorEntries(transfer(a, TransferMethod::RunningProduct));
      Vec logSpace = operatorEntries(transfer(a, TransferMethod::LogSpace));
      int64_t n = static_cast<int64_t>(product.size());
      EXPECT_LE(relativeError(logSpace.data(), product.data(), n), 1e-12);

      std::vector<float> a32 = toFloat(a);
      Vec product32 =
          operatorEntries(transfer(a32, TransferMethod::RunningProduct));
      Vec logSpace32 = operatorEntries(transfer(a32, TransferMethod::LogSpace));
      EXPECT_LE(relativeError(logSpace32.data(), product32.data(), n), 1e-5);
    }
  }
}

//===----------------------------------------------------------------------===//
// RelativeError
//===----------------------------------------------------------------------===//

TEST(RelativeError, Basics) {
  Vec want = {3.0, 4.0};
  Vec same = want, off = {3.0, 5.0};
  EXPECT_EQ(relativeError(same.data(), want.data(), 2), 0.0);
  EXPECT_DOUBLE_EQ(relativeError(off.data(), want.data(), 2), 0.2);
  EXPECT_EQ(relativeError(nullptr, nullptr, 0), 0.0);
}

TEST(RelativeError, ZeroReferenceGivesAbsoluteNorm) {
  Vec zeros = {0.0, 0.0}, got = {3.0, -4.0};
  EXPECT_DOUBLE_EQ(relativeError(got.data(), zeros.data(), 2), 5.0);
  EXPECT_EQ(relativeError(zeros.data(), zeros.data(), 2), 0.0);
}

TEST(RelativeError, NonFiniteResults) {
  Vec want = {1.0, 2.0};
  Vec nan = {1.0, std::numeric_limits<double>::quiet_NaN()};
  Vec inf = {kInf, 2.0};
  EXPECT_EQ(relativeError(nan.data(), want.data(), 2), kInf);
  EXPECT_EQ(relativeError(inf.data(), want.data(), 2), kInf);
  // A non-finite reference must be reproduced exactly.
  Vec wantInf = {1.0, kInf};
  Vec gotInf = {1.0, kInf}, gotFinite = {1.0, 2.0}, gotMinusInf = {1.0, -kInf};
  EXPECT_EQ(relativeError(gotInf.data(), wantInf.data(), 2), 0.0);
  EXPECT_EQ(relativeError(gotFinite.data(), wantInf.data(), 2), kInf);
  EXPECT_EQ(relativeError(gotMinusInf.data(), wantInf.data(), 2), kInf);
}

TEST(RelativeError, ExtremeMagnitudes) {
  Vec want = {3e200, 4e200}, got = {3e200, 5e200};
  EXPECT_DOUBLE_EQ(relativeError(got.data(), want.data(), 2), 0.2);
  Vec tinyWant = {3e-200, 4e-200}, tinyGot = {3e-200, 5e-200};
  EXPECT_DOUBLE_EQ(relativeError(tinyGot.data(), tinyWant.data(), 2), 0.2);
}

} // namespace
} // namespace reference
} // namespace swr
