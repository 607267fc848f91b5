//===- Reference.cpp - float64 reference for SWR scans and checks ---------===//

#include "swr/Reference/Reference.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <vector>

namespace swr {
namespace reference {

//===----------------------------------------------------------------------===//
// Narrow floating-point types
//===----------------------------------------------------------------------===//

namespace {

uint32_t floatBits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

float bitsToFloat(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

/// Rounds `value` once, ties to even, to a binary format with `precision`
/// significand bits (implicit bit included), smallest normal exponent
/// `minExp` and largest finite magnitude `maxFinite`. Scaling by powers of two
/// is exact in double for every format narrower than double, so nearbyint
/// (which rounds to even in the default floating-point environment) does the
/// only rounding.
double roundToFormat(double value, int precision, int minExp,
                     double maxFinite) {
  if (!std::isfinite(value) || value == 0.0)
    return value;
  // Below the normal range the quantum stays at that of the smallest normal:
  // that is what makes subnormals come out right.
  int quantumExp = std::max(std::ilogb(value), minExp) - (precision - 1);
  double rounded =
      std::ldexp(std::nearbyint(std::ldexp(value, -quantumExp)), quantumExp);
  if (std::fabs(rounded) > maxFinite)
    return std::copysign(std::numeric_limits<double>::infinity(), value);
  return rounded;
}

} // namespace

const char *dtypeName(DType type) {
  switch (type) {
  case DType::F32:
    return "f32";
  case DType::BF16:
    return "bf16";
  case DType::F16:
    return "f16";
  }
  return "unknown";
}

double roundTo(DType type, double value) {
  switch (type) {
  case DType::F32:
    // The double -> float conversion itself rounds to nearest even.
    return static_cast<double>(static_cast<float>(value));
  case DType::BF16:
    return roundToFormat(value, 8, -126, std::ldexp(255.0, 120));
  case DType::F16:
    return roundToFormat(value, 11, -14, 65504.0);
  }
  return value;
}

uint16_t toBF16Bits(float value) {
  uint32_t bits = floatBits(value);
  // Adding to a NaN's bits could carry it into inf; keep it a quiet NaN.
  if (std::isnan(value))
    return static_cast<uint16_t>((bits >> 16) | 0x0040);
  // Round to nearest even on the 16 dropped bits; a carry out of the
  // mantissa bumps the exponent, which is exactly right (up to inf).
  uint32_t lsb = (bits >> 16) & 1;
  return static_cast<uint16_t>((bits + 0x7FFF + lsb) >> 16);
}

float fromBF16Bits(uint16_t bits) {
  return bitsToFloat(static_cast<uint32_t>(bits) << 16);
}

uint16_t toF16Bits(float value) {
  uint32_t bits = floatBits(value);
  uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000);
  uint32_t mag = bits & 0x7FFFFFFF;
  if (mag > 0x7F800000) // NaN: keep the top payload bits, force quiet.
    return sign | 0x7E00 | ((mag >> 13) & 0x3FF);
  // 65520 is the tie between 65504 (odd mantissa) and 2^16: it and everything
  // above round to inf.
  if (mag >= 0x477FF000)
    return sign | 0x7C00;
  if (mag < 0x38800000) {
    // Below 2^-14 half is subnormal with quantum 2^-24. Scaling by 2^24 is
    // exact in float (the result stays below 2^10); a result of 1024 is the
    // smallest normal, whose encoding is the same number.
    float scaled = bitsToFloat(mag) * 16777216.0f;
    return sign | static_cast<uint16_t>(std::nearbyint(scaled));
  }
  uint32_t exponent = (mag >> 23) - 127 + 15;
  uint32_t mantissa = mag & 0x7FFFFF;
  uint32_t half = (exponent << 10) | (mantissa >> 13);
  uint32_t dropped = mantissa & 0x1FFF;
  if (dropped > 0x1000 || (dropped == 0x1000 && (half & 1)))
    ++half; // A carry into the exponent is the correct result.
  return sign | static_cast<uint16_t>(half);
}

float fromF16Bits(uint16_t bits) {
  int exponent = (bits >> 10) & 0x1F;
  int mantissa = bits & 0x3FF;
  float magnitude;
  if (exponent == 0)
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 31)
    magnitude = mantissa ? std::numeric_limits<float>::quiet_NaN()
                         : std::numeric_limits<float>::infinity();
  else
    magnitude = std::ldexp(static_cast<float>(mantissa | 0x400), exponent - 25);
  return (bits & 0x8000) ? -magnitude : magnitude;
}

//===----------------------------------------------------------------------===//
// Scan
//===----------------------------------------------------------------------===//

namespace {

/// One channel in logical time order. Reverse scans walk the physical array
/// from its last element with the stride negated, so every algorithm below is
/// written once, forward.
template <typename E> class Channel {
public:
  Channel(E *data, int64_t stride, int64_t length, bool reverse)
      : base(reverse && length > 0 ? data + (length - 1) * stride : data),
        step(reverse ? -stride : stride) {}

  E &operator[](int64_t p) const { return base[p * step]; }

private:
  E *base;
  int64_t step;
};

struct Operands {
  Channel<const double> a;
  Channel<const double> x;
  Channel<double> y;
};

/// Runs the recurrence over logical steps [begin, end) from `state` and writes
/// the states of steps >= firstOutput to y. Starting the recurrence at a
/// window's first step with the state that the window allows (h0 or 0) gives
/// exactly the kept terms of T, since T[t][s] = a[s+1] * ... * a[t].
void runSteps(const Operands &ops, int64_t begin, int64_t end, double state,
              int64_t firstOutput) {
  for (int64_t p = begin; p < end; ++p) {
    state = ops.a[p] * state + ops.x[p];
    if (p >= firstOutput)
      ops.y[p] = state;
  }
}

/// Bands: every output of tile tau sees the same window start, tiles
/// tau-k+1.., so one run per tile covers all of its outputs.
void scanBands(const Operands &ops, int64_t length, int64_t k, int64_t tile,
               double h0) {
  for (int64_t tileStart = 0; tileStart < length; tileStart += tile) {
    int64_t tau = tileStart / tile;
    int64_t firstTile = tau - k + 1;
    // The virtual tile -1 holds h0; window starts before it are clamped.
    double init = firstTile <= -1 ? h0 : 0.0;
    int64_t begin = std::max<int64_t>(firstTile, 0) * tile;
    int64_t end = std::min(length, tileStart + tile);
    runSteps(ops, begin, end, init, tileStart);
  }
}

/// Exact: each output has its own window start, so one run per output.
void scanExact(const Operands &ops, int64_t length, int64_t width, double h0) {
  for (int64_t p = 0; p < length; ++p) {
    int64_t first = p - width + 1;
    // h0 is the input of the virtual step -1.
    double init = first <= -1 ? h0 : 0.0;
    runSteps(ops, std::max<int64_t>(first, 0), p + 1, init, p);
  }
}

void checkScanArguments(int64_t length, const Window &window) {
  if (length < 0)
    throw std::invalid_argument("scanSequence: negative length");
  if (window.kind != WindowKind::Full && window.size < 1)
    throw std::invalid_argument("scanSequence: window size must be >= 1");
  if (window.kind == WindowKind::Bands && window.tile < 1)
    throw std::invalid_argument("scanSequence: tile must be >= 1");
}

} // namespace

void scanSequence(const double *a, int64_t aStride, const double *x,
                  int64_t xStride, int64_t length, const Window &window,
                  bool reverse, const double *h0, double *y, int64_t yStride,
                  double *finalState) {
  checkScanArguments(length, window);
  double init = h0 ? *h0 : 0.0;
  Operands ops{Channel<const double>(a, aStride, length, reverse),
               Channel<const double>(x, xStride, length, reverse),
               Channel<double>(y, yStride, length, reverse)};
  switch (window.kind) {
  case WindowKind::Full:
    runSteps(ops, 0, length, init, 0);
    break;
  case WindowKind::Bands:
    scanBands(ops, length, window.size, window.tile, init);
    break;
  case WindowKind::Exact:
    scanExact(ops, length, window.size, init);
    break;
  }
  if (finalState)
    *finalState = length == 0 ? init : ops.y[length - 1];
}

//===----------------------------------------------------------------------===//
// Backward
//===----------------------------------------------------------------------===//

namespace {

/// The channels the backward reads and accumulates into.
struct GradOperands {
  Channel<const double> a;
  Channel<const double> x;
  const std::vector<double> &dy; // logical order, with the final's gradient
  Channel<double> dx;
  Channel<double> da;
  double &dh0;
  std::vector<double> &scratch; // the states before each step of a run
};

/// Reverse mode of runSteps(begin, end, init, firstOutput): the outputs of
/// steps >= firstOutput each see the chain of states started at `begin`, so
/// their gradients flow back along it. `initIsH0` says whether `init` was h0
/// (its gradient is then dh0) or a constant 0.
void runStepsBackward(const GradOperands &ops, int64_t begin, int64_t end,
                      double init, bool initIsH0, int64_t firstOutput) {
  std::vector<double> &before = ops.scratch; // state entering each step
  before.resize(end - begin);
  double state = init;
  for (int64_t p = begin; p < end; ++p) {
    before[p - begin] = state;
    state = ops.a[p] * state + ops.x[p];
  }
  double adjoint = 0.0;
  for (int64_t p = end - 1; p >= begin; --p) {
    if (p >= firstOutput)
      adjoint += ops.dy[p];
    ops.dx[p] += adjoint;
    ops.da[p] += adjoint * before[p - begin];
    adjoint *= ops.a[p];
  }
  if (initIsH0)
    ops.dh0 += adjoint;
}

} // namespace

void scanGradSequence(const double *a, int64_t aStride, const double *x,
                      int64_t xStride, int64_t length, const Window &window,
                      bool reverse, const double *h0, const double *dy,
                      int64_t dyStride, const double *dFinal, double *dx,
                      int64_t dxStride, double *da, int64_t daStride,
                      double *dh0) {
  checkScanArguments(length, window);
  double init = h0 ? *h0 : 0.0;
  Channel<const double> dyChannel(dy, dyStride, length, reverse);
  std::vector<double> gradOutput(length);
  for (int64_t p = 0; p < length; ++p)
    gradOutput[p] = dyChannel[p];
  // The final state is the output at the last step.
  if (dFinal && length > 0)
    gradOutput[length - 1] += *dFinal;
  double initGradient = 0.0;
  std::vector<double> scratch;
  GradOperands ops{Channel<const double>(a, aStride, length, reverse),
                   Channel<const double>(x, xStride, length, reverse),
                   gradOutput,
                   Channel<double>(dx, dxStride, length, reverse),
                   Channel<double>(da, daStride, length, reverse),
                   initGradient,
                   scratch};
  for (int64_t p = 0; p < length; ++p)
    ops.dx[p] = ops.da[p] = 0.0;
  switch (window.kind) {
  case WindowKind::Full:
    runStepsBackward(ops, 0, length, init, true, 0);
    break;
  case WindowKind::Bands:
    for (int64_t tileStart = 0; tileStart < length; tileStart += window.tile) {
      int64_t firstTile = tileStart / window.tile - window.size + 1;
      runStepsBackward(ops, std::max<int64_t>(firstTile, 0) * window.tile,
                       std::min(length, tileStart + window.tile),
                       firstTile <= -1 ? init : 0.0, firstTile <= -1,
                       tileStart);
    }
    break;
  case WindowKind::Exact:
    for (int64_t p = 0; p < length; ++p) {
      int64_t first = p - window.size + 1;
      runStepsBackward(ops, std::max<int64_t>(first, 0), p + 1,
                       first <= -1 ? init : 0.0, first <= -1, p);
    }
    break;
  }
  if (dh0)
    *dh0 = length == 0 ? (dFinal ? *dFinal : 0.0) : initGradient;
}

//===----------------------------------------------------------------------===//
// Transfer operator of one tile
//===----------------------------------------------------------------------===//

namespace {

template <typename T>
void transferRunningProduct(const T *a, int n, T *L, T *g) {
  for (int i = 0; i < n; ++i) {
    T *row = L + static_cast<int64_t>(i) * n;
    // Row i-1 holds a[i-1]..a[j+1] below its diagonal and 1 on it, so one
    // multiply by a[i] gives row i below the diagonal.
    for (int j = 0; j < i; ++j)
      row[j] = row[j - n] * a[i];
    row[i] = T(1);
    for (int j = i + 1; j < n; ++j)
      row[j] = T(0);
    g[i] = (i == 0 ? T(1) : g[i - 1]) * a[i];
  }
}

template <typename T> void transferLogSpace(const T *a, int n, T *L, T *g) {
  // log(0) = -inf and -inf - -inf = NaN; the smallest normal keeps every log
  // finite while products across a zero decay still come out ~0.
  const T tiny = std::numeric_limits<T>::min();
  // g holds the prefix sums S until the end, which saves a buffer.
  T sum = T(0);
  for (int i = 0; i < n; ++i) {
    sum += std::log(std::max(a[i], tiny));
    g[i] = sum;
  }
  for (int i = 0; i < n; ++i) {
    T *row = L + static_cast<int64_t>(i) * n;
    for (int j = 0; j < i; ++j)
      row[j] = std::exp(g[i] - g[j]);
    row[i] = T(1);
    for (int j = i + 1; j < n; ++j)
      row[j] = T(0);
  }
  for (int i = 0; i < n; ++i)
    g[i] = std::exp(g[i]);
}

} // namespace

template <typename T>
void transferOperator(const T *a, int n, TransferMethod method, T *L, T *g) {
  switch (method) {
  case TransferMethod::RunningProduct:
    transferRunningProduct(a, n, L, g);
    return;
  case TransferMethod::LogSpace:
    transferLogSpace(a, n, L, g);
    return;
  }
}

template void transferOperator<float>(const float *, int, TransferMethod,
                                      float *, float *);
template void transferOperator<double>(const double *, int, TransferMethod,
                                       double *, double *);

//===----------------------------------------------------------------------===//
// Checking numbers
//===----------------------------------------------------------------------===//

namespace {

/// Euclidean norm accumulated LAPACK-style (scale * sqrt(sumSquares)), so
/// neither large nor tiny elements overflow or underflow the sum.
class ScaledNorm {
public:
  void add(double value) {
    double magnitude = std::fabs(value);
    if (magnitude == 0.0)
      return;
    if (magnitude > scale) {
      double ratio = scale / magnitude;
      sumSquares = 1.0 + sumSquares * ratio * ratio;
      scale = magnitude;
    } else {
      double ratio = magnitude / scale;
      sumSquares += ratio * ratio;
    }
  }
  double value() const { return scale * std::sqrt(sumSquares); }

private:
  double scale = 0.0;
  double sumSquares = 0.0;
};

/// Whether a non-finite `want` is reproduced by `got`.
bool sameNonFinite(double got, double want) {
  if (std::isnan(want))
    return std::isnan(got);
  return got == want;
}

} // namespace

double relativeError(const double *got, const double *want, int64_t n) {
  const double inf = std::numeric_limits<double>::infinity();
  ScaledNorm diffNorm, wantNorm;
  for (int64_t i = 0; i < n; ++i) {
    if (!std::isfinite(want[i])) {
      if (!sameNonFinite(got[i], want[i]))
        return inf;
      continue;
    }
    if (!std::isfinite(got[i]))
      return inf;
    diffNorm.add(got[i] - want[i]);
    wantNorm.add(want[i]);
  }
  double denominator = wantNorm.value();
  return denominator == 0.0 ? diffNorm.value() : diffNorm.value() / denominator;
}

const char *regimeName(DecayRegime regime) {
  switch (regime) {
  case DecayRegime::NearOne:
    return "near1";
  case DecayRegime::Spread:
    return "spread";
  case DecayRegime::NearZero:
    return "near0";
  case DecayRegime::Signed:
    return "signed";
  }
  return "unknown";
}

std::optional<DecayRegime> parseRegime(std::string_view name) {
  for (DecayRegime regime : {DecayRegime::NearOne, DecayRegime::Spread,
                             DecayRegime::NearZero, DecayRegime::Signed})
    if (name == regimeName(regime))
      return regime;
  return std::nullopt;
}

namespace {
constexpr double kPi = 3.14159265358979323846;
} // namespace

Random::Random(uint64_t seed) : engine(seed) {}

double Random::uniform() {
  // The top 53 bits fill a double's significand exactly.
  return static_cast<double>(engine() >> 11) * 0x1.0p-53;
}

double Random::normal() {
  if (spareNormal) {
    double value = *spareNormal;
    spareNormal.reset();
    return value;
  }
  // 1 - U lies in (0, 1], so the log is finite.
  double radius = std::sqrt(-2.0 * std::log(1.0 - uniform()));
  double angle = 2.0 * kPi * uniform();
  spareNormal = radius * std::sin(angle);
  return radius * std::cos(angle);
}

double Random::decay(DecayRegime regime) {
  switch (regime) {
  case DecayRegime::NearOne:
    return 0.999 + 0.001 * uniform();
  case DecayRegime::Spread:
    return 1.0 / (1.0 + std::exp(-3.0 * normal()));
  case DecayRegime::NearZero:
    return 0.001 * uniform();
  case DecayRegime::Signed: {
    double magnitude = decay(DecayRegime::Spread);
    return uniform() < 0.5 ? -magnitude : magnitude;
  }
  }
  return 0.0;
}

} // namespace reference
} // namespace swr
