//===- Reference.h - float64 reference for SWR scans and checks -*- C++ -*-===//
//
// A small, dependency-free (no MLIR/LLVM) float64 model of the linear
// recurrence of DESIGN.md section 1 and the helpers of section 5 (rounding to
// the narrow dtypes, relative error, seeded random inputs). It is deliberately
// sequential and independent of any kernel algorithm so that kernels can be
// checked against it.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_REFERENCE_REFERENCE_H
#define SWR_REFERENCE_REFERENCE_H

#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

namespace swr {
namespace reference {

//===----------------------------------------------------------------------===//
// Windows
//===----------------------------------------------------------------------===//

enum class WindowKind { Full, Bands, Exact };

/// The `window` of a scan (DESIGN.md 1.3). `size` is k for Bands and W for
/// Exact (ignored for Full); `tile` is the tile length for Bands.
struct Window {
  WindowKind kind = WindowKind::Full;
  int64_t size = 0;
  int64_t tile = 16;
};

//===----------------------------------------------------------------------===//
// Narrow floating-point types
//===----------------------------------------------------------------------===//

enum class DType { F32, BF16, F16 };

/// "f32", "bf16" or "f16".
const char *dtypeName(DType type);

/// Rounds `value` to the nearest value of `type` (ties to even) and returns it
/// as a double. The rounding is done once, straight from double, so there is
/// no double rounding through f32. Subnormals of the target type are kept,
/// values beyond its range become +-inf, NaN stays NaN, the sign of zero is
/// kept.
double roundTo(DType type, double value);

/// bfloat16 <-> float, round to nearest even. NaN maps to a quiet NaN.
uint16_t toBF16Bits(float value);
float fromBF16Bits(uint16_t bits);

/// IEEE binary16 <-> float, round to nearest even, with subnormals and
/// overflow to inf. NaN maps to a quiet NaN.
uint16_t toF16Bits(float value);
float fromF16Bits(uint16_t bits);

//===----------------------------------------------------------------------===//
// Scan
//===----------------------------------------------------------------------===//

/// Scans one channel of one sequence in float64. Element t of `a` is
/// a[t * aStride] (likewise x and y; strides may be 0 or negative).
///
/// h[t] = a[t] * h[t-1] + x[t] with h[-1] = *h0 (0 if h0 is null). The output
/// keeps only the entries of the transfer operator T inside `window`:
///   y[t] = sum over kept s <= t of T[t][s] * x[s]
///          + (a[0] * ... * a[t]) * h0    if the window reaches time -1,
/// with T[t][s] = a[s+1] * ... * a[t]. The initial state behaves like the
/// input of a virtual step (Exact) or virtual tile (Bands) just before 0:
///  - Full: every s in [0, t], plus the h0 term.
///  - Bands (k = size): t is in tile tau = t / tile; kept s are in
///    [tile * (tau - k + 1), t]; the h0 term iff tau <= k - 2.
///  - Exact (W = size): kept s are in [t - W + 1, t]; the h0 term iff
///    t - W + 1 <= -1.
/// With `reverse`, everything (tiles included) runs on the time-reversed
/// sequence: logical step p is physical t = length - 1 - p, and tiles are
/// counted from the end of the sequence. Results land at physical positions.
///
/// `finalState` (nullable) receives y at the last logical step (y[length - 1]
/// forward, y[0] reverse), or h0 (0 if null) when length is 0.
///
/// `y` must not overlap `a` or `x`: the windowed scans re-read inputs that lie
/// before outputs already written. Cost: O(L) for Full, O(L * tile * k) for
/// Bands, O(L * W) for Exact. Throws std::invalid_argument on a negative
/// length, a window size < 1 (Bands, Exact) or a tile < 1 (Bands).
void scanSequence(const double *a, int64_t aStride, const double *x,
                  int64_t xStride, int64_t length, const Window &window,
                  bool reverse, const double *h0, double *y, int64_t yStride,
                  double *finalState);

/// The backward of scanSequence for one channel (DESIGN.md 1.5), in float64,
/// straight from the definition: every run of the recurrence that the
/// forward's outputs see is differentiated in reverse mode, so nothing here
/// shares an algorithm with the kernels. Given dy (the gradient of y) and
/// `dFinal` (nullable, the gradient of the final state), writes
///   dx[t] = dL/dx[t], da[t] = dL/da[t] (for this channel alone) and
///   *dh0 = dL/dh0 (nullable; with length 0 the final state is h0, so it
///   receives *dFinal).
/// Strides and `reverse` as in scanSequence; dx and da must not overlap the
/// inputs. Cost: that of scanSequence.
void scanGradSequence(const double *a, int64_t aStride, const double *x,
                      int64_t xStride, int64_t length, const Window &window,
                      bool reverse, const double *h0, const double *dy,
                      int64_t dyStride, const double *dFinal, double *dx,
                      int64_t dxStride, double *da, int64_t daStride,
                      double *dh0);

//===----------------------------------------------------------------------===//
// Transfer operator of one tile
//===----------------------------------------------------------------------===//

/// How the decay products of a tile are formed. They round differently in
/// float, and kernels pick one or the other (DESIGN.md 1.4).
enum class TransferMethod {
  /// Row i is row i-1 times a[i]: one multiply per entry.
  RunningProduct,
  /// Prefix sums S of log a; L[i][j] = exp(S[i] - S[j]), g[i] = exp(S[i]).
  /// Decays are clamped to std::numeric_limits<T>::min() first, so a decay of
  /// 0 gives entries of at most about that value (never NaN). Meant for
  /// decays in [0, 1]; negative decays are clamped too.
  LogSpace,
};

/// Local operator and injection of one tile of `n` decays (DESIGN.md 1.2),
/// computed in arithmetic type T (float and double are instantiated):
///   L[i * n + j] = a[i] * ... * a[j+1] (i > j), 1 (i == j), 0 (i < j);
///   g[i] = a[0] * ... * a[i].
/// `L` holds n * n elements and `g` n elements.
template <typename T>
void transferOperator(const T *a, int n, TransferMethod method, T *L, T *g);

extern template void transferOperator<float>(const float *, int, TransferMethod,
                                             float *, float *);
extern template void transferOperator<double>(const double *, int,
                                              TransferMethod, double *,
                                              double *);

//===----------------------------------------------------------------------===//
// Checking numbers
//===----------------------------------------------------------------------===//

/// Norm-wise relative error ||got - want||_2 / ||want||_2 over n elements;
/// ||got||_2 when want is all zero, 0 when n is 0. Returns +inf if some got[i]
/// is not finite while want[i] is, or if a non-finite want[i] is not matched
/// by got[i] (the same infinity, or NaN for NaN); matched non-finite pairs are
/// skipped. Scaled internally, so huge or tiny magnitudes do not overflow.
double relativeError(const double *got, const double *want, int64_t n);

/// How random decays are drawn (DESIGN.md 5).
enum class DecayRegime {
  NearOne,  ///< 0.999 + 0.001 * U
  Spread,   ///< sigmoid(N(0, 3^2))
  NearZero, ///< 0.001 * U
  Signed,   ///< +-sigmoid(N(0, 3^2)), either sign with probability 1/2
};

/// "near1", "spread", "near0" or "signed".
const char *regimeName(DecayRegime regime);

/// Inverse of regimeName; nullopt for any other string.
std::optional<DecayRegime> parseRegime(std::string_view name);

/// Seeded random inputs. The transforms from std::mt19937_64 bits are written
/// out here rather than taken from <random> distributions, whose algorithms
/// differ between standard libraries, so a seed gives the same numbers
/// everywhere.
class Random {
public:
  explicit Random(uint64_t seed);

  /// Uniform in [0, 1), 53 random bits.
  double uniform();
  /// Standard normal (Box-Muller).
  double normal();
  /// A decay drawn from `regime`.
  double decay(DecayRegime regime);

private:
  std::mt19937_64 engine;
  /// Box-Muller makes normals in pairs; the second one waits here.
  std::optional<double> spareNormal;
};

} // namespace reference
} // namespace swr

#endif // SWR_REFERENCE_REFERENCE_H
