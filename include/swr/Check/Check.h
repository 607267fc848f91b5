//===- Check.h - run-and-check support shared by the runners ----*- C++ -*-===//
//
// Host tensors, seeded inputs and the comparison of a kernel's outputs with
// the float64 reference, described without MLIR types so the GPU runner
// (on a machine without MLIR) and swr-run share one implementation.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_CHECK_CHECK_H
#define SWR_CHECK_CHECK_H

#include "swr/Reference/Reference.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swr {
namespace check {

/// Element types of scan operands.
enum class Storage { F32, BF16, F16, I32, I64 };
std::optional<Storage> parseStorage(std::string_view name);
const char *storageName(Storage storage);
size_t bytesOf(Storage storage);

enum class Layout { BHDL, BCT, BTHD };
std::optional<Layout> parseLayout(std::string_view name);

/// Where the axes of an input live for a layout (see swr.scan).
struct Axes {
  int64_t rank, batch, head, channel, time; // channel -1: none
  std::vector<int64_t> perHeadDecay;        // input axes of a per-head decay
  std::vector<int64_t> state;               // input axes of init/final
  const char *inputShape;                   // "[B, H, D, L]"
};
const Axes &axesOf(Layout layout);

/// The operands of a scan or of its backward, in the kernel's argument
/// order. A backward reads the forward's operands (the output only for
/// full windows) and the gradients of the output and final state, and
/// writes the gradients of the input, decay and initial state.
enum class Role {
  Decay,
  Input,
  Init,
  SeqOffsets,
  Output,
  Final,
  GradOutput,
  GradFinal,
  GradInput,
  GradDecay,
  GradInit
};
std::optional<Role> parseRole(std::string_view name);
const char *roleName(Role role);
/// Whether a kernel writes the operand of `role`: the output and final
/// state of a forward, the gradients of the input, decay and h0 of a
/// backward (which reads the forward's output).
bool writesRole(bool gradient, Role role);

struct ScanDescription {
  reference::Window window;
  Layout layout = Layout::BHDL;
  bool perHead = true;
  bool reverse = false;
  bool gradient = false; // the kernel is the backward of the scan
  struct Param {
    Role role;
    Storage storage;
  };
  std::vector<Param> params;

  const Param *find(Role role) const;
};

/// A contiguous host tensor with its values as float64: `exact` before and
/// `seen` after rounding to the storage type.
struct Tensor {
  Storage storage = Storage::F32;
  std::vector<int64_t> shape;
  std::vector<uint8_t> bytes;
  std::vector<double> exact;
  std::vector<double> seen;

  /// Element count; 0 for an operand the scan does not have.
  int64_t size() const;
  std::vector<int64_t> strides() const;
  void allocate(Storage type, const std::vector<int64_t> &dims);
  void store(int64_t i, double value);
  double load(int64_t i) const;
  void poison();
};

/// One problem: shapes, inputs, and the outputs a kernel wrote.
struct Problem {
  ScanDescription scan;
  std::vector<int64_t> inputShape;
  std::vector<int64_t> seqLens; // a packed batch when non-empty
  Tensor decay, input, init, offsets, output, final;
  Tensor gradOutput, gradFinal, gradInput, gradDecay, gradInit;

  /// The shape each operand takes for `inputShape` (and `seqLens`).
  std::vector<int64_t> shapeOf(Role role) const;
  Tensor &tensor(Role role);
  /// Allocates every operand, fills inputs from `seed` in `regime`, sets
  /// the offsets of a packed batch, and poisons the outputs with NaN. A
  /// backward's forward output (full windows) holds the float64 forward on
  /// the inputs as stored, rounded to its type: what a forward kernel saves.
  void prepare(reference::DecayRegime regime, uint64_t seed);
};

struct Result {
  // What was compared: y, dx, da, dh0, or fd (the float64 reference
  // gradients against a finite difference of the float64 loss).
  const char *quantity = "y";
  reference::DecayRegime regime = reference::DecayRegime::Spread;
  int64_t length = 0;
  double relErr = 0, floor = 0, relErrSeen = 0;
  int64_t unwritten = 0;
  bool ok = false;
};

/// Compares the outputs in `problem` with float64 references. bf16/f16
/// outputs must be within 1.5 x the rounding floor of exact float64; f32
/// outputs within 1e-5 of float64 on the inputs the kernel saw. The output
/// and final state count together; a backward's dx, da and dh0 are
/// compared one by one, and the reference gradients themselves are spot
/// checked by a finite difference (within 1e-6); the result is the one
/// closest to (or furthest past) its bound.
Result compare(const Problem &problem);

/// Folds the results of several runs into the line the runners end with:
/// "<tool>: ok rel_err=<e> floor=<f>" for the run closest to (or furthest
/// past) its bound.
class Summary {
public:
  void add(const Result &result);
  bool ok() const { return allOk; }
  std::string line(const char *tool) const;

private:
  bool allOk = true;
  Result worst;
  double worstRatio = -1;
};

/// One line: text or JSON.
std::string formatResult(const Result &result, bool json);

} // namespace check
} // namespace swr

#endif // SWR_CHECK_CHECK_H
