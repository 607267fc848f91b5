//===- Check.cpp - run-and-check support shared by the runners ------------===//

#include "swr/Check/Check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iterator>
#include <limits>
#include <optional>

namespace swr {
namespace check {

namespace ref = ::swr::reference;

//===----------------------------------------------------------------------===//
// Names
//===----------------------------------------------------------------------===//

std::optional<Storage> parseStorage(std::string_view name) {
  if (name == "f32")
    return Storage::F32;
  if (name == "bf16")
    return Storage::BF16;
  if (name == "f16")
    return Storage::F16;
  if (name == "i32")
    return Storage::I32;
  if (name == "i64")
    return Storage::I64;
  return std::nullopt;
}

const char *storageName(Storage storage) {
  switch (storage) {
  case Storage::F32:
    return "f32";
  case Storage::BF16:
    return "bf16";
  case Storage::F16:
    return "f16";
  case Storage::I32:
    return "i32";
  case Storage::I64:
    return "i64";
  }
  return "?";
}

size_t bytesOf(Storage storage) {
  switch (storage) {
  case Storage::BF16:
  case Storage::F16:
    return 2;
  case Storage::F32:
  case Storage::I32:
    return 4;
  case Storage::I64:
    return 8;
  }
  return 8;
}

std::optional<Layout> parseLayout(std::string_view name) {
  if (name == "bhdl")
    return Layout::BHDL;
  if (name == "bct")
    return Layout::BCT;
  if (name == "bthd")
    return Layout::BTHD;
  return std::nullopt;
}

const Axes &axesOf(Layout layout) {
  static const Axes bhdl{4, 0, 1, 2, 3, {0, 1, 3}, {0, 1, 2}, "[B, H, D, L]"};
  static const Axes bct{3, 0, 1, -1, 2, {}, {0, 1}, "[B, C, T]"};
  static const Axes bthd{4, 0, 2, 3, 1, {0, 1, 2}, {0, 2, 3}, "[B, T, H, D]"};
  switch (layout) {
  case Layout::BCT:
    return bct;
  case Layout::BTHD:
    return bthd;
  case Layout::BHDL:
    break;
  }
  return bhdl;
}

static const char *const roleNames[] = {
    "decay",      "input",      "init",        "seq_offsets",
    "output",     "final",      "grad_output", "grad_final",
    "grad_input", "grad_decay", "grad_init"};

std::optional<Role> parseRole(std::string_view name) {
  for (int i = 0; i < static_cast<int>(std::size(roleNames)); ++i)
    if (name == roleNames[i])
      return static_cast<Role>(i);
  return std::nullopt;
}

const char *roleName(Role role) { return roleNames[static_cast<int>(role)]; }

bool writesRole(bool gradient, Role role) {
  if (gradient)
    return role == Role::GradInput || role == Role::GradDecay ||
           role == Role::GradInit;
  return role == Role::Output || role == Role::Final;
}

const ScanDescription::Param *ScanDescription::find(Role role) const {
  for (const Param &param : params)
    if (param.role == role)
      return &param;
  return nullptr;
}

//===----------------------------------------------------------------------===//
// Tensor
//===----------------------------------------------------------------------===//

int64_t Tensor::size() const {
  if (shape.empty())
    return 0;
  int64_t n = 1;
  for (int64_t dim : shape)
    n *= dim;
  return n;
}

std::vector<int64_t> Tensor::strides() const {
  std::vector<int64_t> result(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    result[i] = result[i + 1] * shape[i + 1];
  return result;
}

void Tensor::allocate(Storage type, const std::vector<int64_t> &dims) {
  storage = type;
  shape = dims;
  bytes.assign(size() * bytesOf(storage), 0);
  exact.assign(size(), 0.0);
  seen.assign(size(), 0.0);
}

void Tensor::store(int64_t i, double value) {
  exact[i] = value;
  uint8_t *at = bytes.data() + i * bytesOf(storage);
  switch (storage) {
  case Storage::F32: {
    float v = static_cast<float>(value);
    std::memcpy(at, &v, 4);
    seen[i] = v;
    return;
  }
  case Storage::BF16: {
    uint16_t v = ref::toBF16Bits(
        static_cast<float>(ref::roundTo(ref::DType::BF16, value)));
    std::memcpy(at, &v, 2);
    seen[i] = ref::fromBF16Bits(v);
    return;
  }
  case Storage::F16: {
    uint16_t v = ref::toF16Bits(
        static_cast<float>(ref::roundTo(ref::DType::F16, value)));
    std::memcpy(at, &v, 2);
    seen[i] = ref::fromF16Bits(v);
    return;
  }
  case Storage::I32: {
    int32_t v = static_cast<int32_t>(value);
    std::memcpy(at, &v, 4);
    seen[i] = v;
    return;
  }
  case Storage::I64: {
    int64_t v = static_cast<int64_t>(value);
    std::memcpy(at, &v, 8);
    seen[i] = static_cast<double>(v);
    return;
  }
  }
}

double Tensor::load(int64_t i) const {
  const uint8_t *at = bytes.data() + i * bytesOf(storage);
  switch (storage) {
  case Storage::F32: {
    float v;
    std::memcpy(&v, at, 4);
    return v;
  }
  case Storage::BF16: {
    uint16_t v;
    std::memcpy(&v, at, 2);
    return ref::fromBF16Bits(v);
  }
  case Storage::F16: {
    uint16_t v;
    std::memcpy(&v, at, 2);
    return ref::fromF16Bits(v);
  }
  default:
    return 0.0;
  }
}

void Tensor::poison() {
  for (int64_t i = 0; i < size(); ++i)
    store(i, std::numeric_limits<double>::quiet_NaN());
}

//===----------------------------------------------------------------------===//
// Problem
//===----------------------------------------------------------------------===//

static std::vector<int64_t> keptShape(const std::vector<int64_t> &input,
                                      const std::vector<int64_t> &axes) {
  std::vector<int64_t> shape;
  for (int64_t axis : axes)
    shape.push_back(input[axis]);
  return shape;
}

std::vector<int64_t> Problem::shapeOf(Role role) const {
  const Axes &axes = axesOf(scan.layout);
  switch (role) {
  case Role::Input:
  case Role::Output:
  case Role::GradOutput:
  case Role::GradInput:
    return inputShape;
  case Role::Decay:
  case Role::GradDecay:
    return scan.perHead ? keptShape(inputShape, axes.perHeadDecay) : inputShape;
  case Role::Init:
  case Role::Final:
  case Role::GradFinal:
  case Role::GradInit: {
    std::vector<int64_t> shape = keptShape(inputShape, axes.state);
    if (!seqLens.empty())
      shape[0] = static_cast<int64_t>(seqLens.size());
    return shape;
  }
  case Role::SeqOffsets:
    return {static_cast<int64_t>(seqLens.size()) + 1};
  }
  return {};
}

Tensor &Problem::tensor(Role role) {
  switch (role) {
  case Role::Decay:
    return decay;
  case Role::Input:
    return input;
  case Role::Init:
    return init;
  case Role::SeqOffsets:
    return offsets;
  case Role::Output:
    return output;
  case Role::Final:
    return final;
  case Role::GradOutput:
    return gradOutput;
  case Role::GradFinal:
    return gradFinal;
  case Role::GradInput:
    return gradInput;
  case Role::GradDecay:
    return gradDecay;
  case Role::GradInit:
    return gradInit;
  }
  return input;
}

namespace {
void computeReference(const Problem &p, bool onSeen, std::vector<double> &y,
                      std::vector<double> &final);
} // namespace

void Problem::prepare(ref::DecayRegime regime, uint64_t seed) {
  for (Tensor *t : {&decay, &input, &init, &offsets, &output, &final,
                    &gradOutput, &gradFinal, &gradInput, &gradDecay, &gradInit})
    *t = Tensor();
  for (const ScanDescription::Param &param : scan.params)
    tensor(param.role).allocate(param.storage, shapeOf(param.role));
  ref::Random random(seed);
  for (int64_t i = 0; i < decay.size(); ++i)
    decay.store(i, random.decay(regime));
  for (int64_t i = 0; i < input.size(); ++i)
    input.store(i, random.normal());
  for (int64_t i = 0; i < init.size(); ++i)
    init.store(i, random.normal());
  if (offsets.size()) {
    int64_t start = 0;
    offsets.store(0, 0);
    for (size_t i = 0; i < seqLens.size(); ++i) {
      start += seqLens[i];
      offsets.store(static_cast<int64_t>(i) + 1, static_cast<double>(start));
    }
  }
  if (!scan.gradient) {
    output.poison();
    final.poison();
    return;
  }
  for (int64_t i = 0; i < gradOutput.size(); ++i)
    gradOutput.store(i, random.normal());
  for (int64_t i = 0; i < gradFinal.size(); ++i)
    gradFinal.store(i, random.normal());
  if (output.size()) {
    std::vector<double> y, unusedFinal;
    computeReference(*this, /*onSeen=*/true, y, unusedFinal);
    for (int64_t i = 0; i < output.size(); ++i)
      output.store(i, y[i]);
  }
  gradInput.poison();
  gradDecay.poison();
  gradInit.poison();
}

//===----------------------------------------------------------------------===//
// Reference and comparison
//===----------------------------------------------------------------------===//

namespace {

struct Sequence {
  int64_t batch, base, length, state;
};

std::vector<Sequence> sequencesOf(const Problem &p) {
  const Axes &axes = axesOf(p.scan.layout);
  std::vector<Sequence> sequences;
  if (p.seqLens.empty()) {
    for (int64_t b = 0; b < p.inputShape[axes.batch]; ++b)
      sequences.push_back({b, 0, p.inputShape[axes.time], b});
    return sequences;
  }
  int64_t base = 0;
  for (size_t s = 0; s < p.seqLens.size(); ++s) {
    sequences.push_back({0, base, p.seqLens[s], static_cast<int64_t>(s)});
    base += p.seqLens[s];
  }
  return sequences;
}

/// Where one channel of one sequence lives in the operand tensors.
struct ChannelView {
  const Sequence *seq;
  int64_t xOffset, xStride; // input-shaped tensors
  int64_t aOffset, aStride; // decay-shaped tensors
  int64_t sOffset;          // state-shaped tensors
};

/// Calls `visit` for every channel of every sequence of `p`.
void forEachChannel(const Problem &p,
                    const std::function<void(const ChannelView &)> &visit) {
  const Axes &axes = axesOf(p.scan.layout);
  std::vector<int64_t> xStrides = p.input.strides();
  Problem shapes; // strides of the decay and state shapes
  shapes.scan = p.scan;
  shapes.inputShape = p.inputShape;
  shapes.seqLens = p.seqLens;
  Tensor decayShape, stateShape;
  decayShape.shape = shapes.shapeOf(Role::Decay);
  stateShape.shape = shapes.shapeOf(Role::Init);
  std::vector<int64_t> aStrides = decayShape.strides();
  std::vector<int64_t> sStrides = stateShape.strides();
  int64_t heads = p.inputShape[axes.head];
  int64_t channels = axes.channel >= 0 ? p.inputShape[axes.channel] : 1;
  int64_t aTimeStride = xStrides[axes.time];
  if (p.scan.perHead)
    for (size_t d = 0; d < axes.perHeadDecay.size(); ++d)
      if (axes.perHeadDecay[d] == axes.time)
        aTimeStride = aStrides[d];

  for (const Sequence &seq : sequencesOf(p)) {
    for (int64_t h = 0; h < heads; ++h) {
      for (int64_t c = 0; c < channels; ++c) {
        std::vector<int64_t> index(axes.rank, 0);
        index[axes.batch] = seq.batch;
        index[axes.head] = h;
        if (axes.channel >= 0)
          index[axes.channel] = c;
        index[axes.time] = seq.base;
        int64_t xOffset = 0;
        for (int64_t d = 0; d < axes.rank; ++d)
          xOffset += index[d] * xStrides[d];
        int64_t aOffset = xOffset;
        if (p.scan.perHead) {
          aOffset = 0;
          for (size_t d = 0; d < axes.perHeadDecay.size(); ++d)
            aOffset += index[axes.perHeadDecay[d]] * aStrides[d];
        }
        int64_t sOffset = seq.state * sStrides[0];
        for (size_t d = 1; d < axes.state.size(); ++d)
          sOffset += index[axes.state[d]] * sStrides[d];
        visit({&seq, xOffset, xStrides[axes.time], aOffset, aTimeStride,
               sOffset});
      }
    }
  }
}

const std::vector<double> &valuesOf(const Tensor &t, bool onSeen) {
  return onSeen ? t.seen : t.exact;
}

/// The float64 reference on `exact` or `seen` inputs, shaped like the
/// output and the final state.
void computeReference(const Problem &p, bool onSeen, std::vector<double> &y,
                      std::vector<double> &final) {
  const std::vector<double> &a = valuesOf(p.decay, onSeen);
  const std::vector<double> &x = valuesOf(p.input, onSeen);
  const std::vector<double> &h0 = valuesOf(p.init, onSeen);
  y.assign(p.input.size(), 0.0);
  final.assign(p.final.size(), 0.0);
  forEachChannel(p, [&](const ChannelView &ch) {
    double finalState = 0;
    ref::scanSequence(a.data() + ch.aOffset, ch.aStride, x.data() + ch.xOffset,
                      ch.xStride, ch.seq->length, p.scan.window, p.scan.reverse,
                      p.init.size() ? h0.data() + ch.sOffset : nullptr,
                      y.data() + ch.xOffset, ch.xStride, &finalState);
    if (p.final.size())
      final[ch.sOffset] = finalState;
  });
}

/// The float64 gradients on `exact` or `seen` operands, shaped like dx, da
/// (summed over the channels sharing a decay) and dh0. A full window's
/// kernel forms da from the forward output it is given, so on seen
/// operands da[t] = dh[t] y[t-1] uses the stored y (dh = dx).
void computeGradReference(const Problem &p, bool onSeen,
                          std::vector<double> &dx, std::vector<double> &da,
                          std::vector<double> &dh0) {
  const std::vector<double> &a = valuesOf(p.decay, onSeen);
  const std::vector<double> &x = valuesOf(p.input, onSeen);
  const std::vector<double> &h0 = valuesOf(p.init, onSeen);
  const std::vector<double> &dy = valuesOf(p.gradOutput, onSeen);
  const std::vector<double> &dFinal = valuesOf(p.gradFinal, onSeen);
  const std::vector<double> &y = valuesOf(p.output, onSeen);
  bool storedOutput = onSeen && p.output.size() > 0 &&
                      p.scan.window.kind == ref::WindowKind::Full;
  dx.assign(p.input.size(), 0.0);
  da.assign(p.decay.size(), 0.0);
  dh0.assign(p.gradInit.size(), 0.0);
  forEachChannel(p, [&](const ChannelView &ch) {
    int64_t length = ch.seq->length;
    std::vector<double> channelDa(length);
    double gradInit = 0;
    double initial = p.init.size() ? h0[ch.sOffset] : 0.0;
    ref::scanGradSequence(
        a.data() + ch.aOffset, ch.aStride, x.data() + ch.xOffset, ch.xStride,
        length, p.scan.window, p.scan.reverse,
        p.init.size() ? &initial : nullptr, dy.data() + ch.xOffset, ch.xStride,
        p.gradFinal.size() ? dFinal.data() + ch.sOffset : nullptr,
        dx.data() + ch.xOffset, ch.xStride, channelDa.data(), 1, &gradInit);
    // Logical step q of the channel at physical offset `at(q)`.
    auto at = [&](int64_t q) { return p.scan.reverse ? length - 1 - q : q; };
    for (int64_t q = 0; q < length; ++q) {
      double value = channelDa[at(q)];
      if (storedOutput) {
        double before =
            q == 0 ? initial : y[ch.xOffset + at(q - 1) * ch.xStride];
        value = dx[ch.xOffset + at(q) * ch.xStride] * before;
      }
      da[ch.aOffset + at(q) * ch.aStride] += value;
    }
    if (p.gradInit.size())
      dh0[ch.sOffset] = gradInit;
  });
}

/// One channel's operands gathered into contiguous vectors (physical
/// order, as the reference reads them with `reverse`).
struct ChannelOperands {
  std::vector<double> a, x, dy;
  double h0 = 0, dFinal = 0;
  bool hasInit = false, hasFinal = false;
};

ChannelOperands gatherChannel(const Problem &p, const ChannelView &ch) {
  ChannelOperands c;
  for (int64_t q = 0; q < ch.seq->length; ++q) {
    c.a.push_back(p.decay.exact[ch.aOffset + q * ch.aStride]);
    c.x.push_back(p.input.exact[ch.xOffset + q * ch.xStride]);
    c.dy.push_back(p.gradOutput.exact[ch.xOffset + q * ch.xStride]);
  }
  c.hasInit = p.init.size() > 0;
  c.hasFinal = p.gradFinal.size() > 0;
  c.h0 = c.hasInit ? p.init.exact[ch.sOffset] : 0.0;
  c.dFinal = c.hasFinal ? p.gradFinal.exact[ch.sOffset] : 0.0;
  return c;
}

/// The loss whose gradients the backward computes: sum of dy * y, plus
/// dFinal * final state.
double lossOf(const Problem &p, const ChannelOperands &c) {
  int64_t length = static_cast<int64_t>(c.x.size());
  std::vector<double> y(length);
  double final = 0;
  ref::scanSequence(c.a.data(), 1, c.x.data(), 1, length, p.scan.window,
                    p.scan.reverse, c.hasInit ? &c.h0 : nullptr, y.data(), 1,
                    &final);
  double loss = c.dFinal * final;
  for (int64_t q = 0; q < length; ++q)
    loss += c.dy[q] * y[q];
  return loss;
}

/// A finite-difference spot check of the float64 reference gradients (what
/// every kernel is held to) on the problem's first channel: the central
/// difference of the loss along a fixed pseudo-random direction of (a, x,
/// h0) against the reference's da, dx, dh0 along it. The loss is a
/// polynomial of low degree in each step, so a step of 1e-5 with Richardson
/// extrapolation leaves rounding (~1e-10 relative) as the only error; bound
/// 1e-6.
Result checkReferenceByFiniteDifference(const Problem &p) {
  std::optional<ChannelOperands> first;
  forEachChannel(p, [&](const ChannelView &ch) {
    if (!first && ch.seq->length > 0)
      first = gatherChannel(p, ch);
  });
  Result result;
  result.quantity = "fd";
  result.floor = 1e-6;
  result.ok = true;
  if (!first)
    return result;
  ChannelOperands &c = *first;
  int64_t length = static_cast<int64_t>(c.x.size());
  std::vector<double> dx(length), da(length);
  double dh0 = 0;
  ref::scanGradSequence(c.a.data(), 1, c.x.data(), 1, length, p.scan.window,
                        p.scan.reverse, c.hasInit ? &c.h0 : nullptr,
                        c.dy.data(), 1, c.hasFinal ? &c.dFinal : nullptr,
                        dx.data(), 1, da.data(), 1, &dh0);
  // Directions in [-1, 1], from a fixed linear congruential sequence.
  uint64_t state = 0x9E3779B97F4A7C15ull;
  auto direction = [&] {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(state >> 11) * 0x1p-52 - 1.0;
  };
  std::vector<double> va(length), vx(length);
  double along = 0;
  for (int64_t q = 0; q < length; ++q) {
    va[q] = direction();
    vx[q] = direction();
    along += da[q] * va[q] + dx[q] * vx[q];
  }
  double vh0 = c.hasInit ? direction() : 0.0;
  along += dh0 * vh0;
  const double step = 1e-5;
  auto moved = [&](double by) {
    ChannelOperands m = c;
    for (int64_t q = 0; q < length; ++q) {
      m.a[q] += by * va[q];
      m.x[q] += by * vx[q];
    }
    m.h0 += by * vh0;
    return lossOf(p, m);
  };
  // Central differences at h and 2h, Richardson-extrapolated: the h^2
  // term of their error cancels. Over long sequences of decays near 1 it
  // does not vanish (the loss has products of thousands of moved decays:
  // 1.6e-6 relative at 20000 steps without the extrapolation).
  auto central = [&](double h) { return (moved(h) - moved(-h)) / (2 * h); };
  double difference = (4 * central(step) - central(2 * step)) / 3;
  double scale = std::max({std::fabs(difference), std::fabs(along), 1e-300});
  result.relErr = result.relErrSeen = std::fabs(difference - along) / scale;
  result.ok = result.relErr <= result.floor;
  return result;
}

ref::DType dtypeOf(Storage storage) {
  switch (storage) {
  case Storage::BF16:
    return ref::DType::BF16;
  case Storage::F16:
    return ref::DType::F16;
  default:
    return ref::DType::F32;
  }
}

void appendRounded(std::vector<double> &to, const std::vector<double> &values,
                   Storage storage) {
  for (double v : values)
    to.push_back(ref::roundTo(dtypeOf(storage), v));
}

} // namespace

namespace {

/// Compares `got` (a kernel's values, concatenated over `tensors`) with
/// float64 references on exact and on seen inputs.
Result compareValues(const char *quantity,
                     const std::vector<const Tensor *> &tensors,
                     const std::vector<double> &exact,
                     const std::vector<double> &seen) {
  Result result;
  result.quantity = quantity;
  std::vector<double> got, perfect;
  bool lowPrecisionOut = false;
  size_t at = 0;
  for (const Tensor *t : tensors) {
    for (int64_t i = 0; i < t->size(); ++i, ++at) {
      got.push_back(t->load(i));
      perfect.push_back(ref::roundTo(dtypeOf(t->storage), seen[at]));
    }
    lowPrecisionOut |= t->size() && t->storage != Storage::F32;
  }
  for (double v : got)
    if (!std::isfinite(v))
      ++result.unwritten;
  auto n = static_cast<int64_t>(got.size());
  result.relErr = ref::relativeError(got.data(), exact.data(), n);
  result.floor = ref::relativeError(perfect.data(), exact.data(), n);
  result.relErrSeen = ref::relativeError(got.data(), seen.data(), n);
  bool withinBound = lowPrecisionOut
                         ? result.relErr <= 1.5 * result.floor + 1e-12
                         : result.relErrSeen <= 1e-5;
  result.ok = result.unwritten == 0 && withinBound;
  return result;
}

double boundRatio(const Result &r) {
  if (!r.ok)
    return std::numeric_limits<double>::infinity();
  return r.relErr / std::max(r.floor, 1e-300);
}

std::vector<double> concat(std::vector<double> a,
                           const std::vector<double> &b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

} // namespace

Result compare(const Problem &p) {
  std::vector<Result> results;
  if (!p.scan.gradient) {
    // Outputs and final states count together.
    std::vector<double> exactY, exactFinal, seenY, seenFinal;
    computeReference(p, /*onSeen=*/false, exactY, exactFinal);
    computeReference(p, /*onSeen=*/true, seenY, seenFinal);
    results.push_back(compareValues("y", {&p.output, &p.final},
                                    concat(exactY, exactFinal),
                                    concat(seenY, seenFinal)));
  } else {
    std::vector<double> exact[3], seen[3];
    computeGradReference(p, /*onSeen=*/false, exact[0], exact[1], exact[2]);
    computeGradReference(p, /*onSeen=*/true, seen[0], seen[1], seen[2]);
    const char *names[3] = {"dx", "da", "dh0"};
    const Tensor *tensors[3] = {&p.gradInput, &p.gradDecay, &p.gradInit};
    for (int i = 0; i < 3; ++i)
      if (tensors[i]->size())
        results.push_back(
            compareValues(names[i], {tensors[i]}, exact[i], seen[i]));
    results.push_back(checkReferenceByFiniteDifference(p));
  }
  Result worst = results.front();
  int64_t unwritten = 0;
  for (const Result &r : results) {
    unwritten += r.unwritten;
    if (boundRatio(r) > boundRatio(worst))
      worst = r;
  }
  worst.unwritten = unwritten;
  worst.ok = worst.ok && unwritten == 0;
  worst.length = p.inputShape[axesOf(p.scan.layout).time];
  return worst;
}

void Summary::add(const Result &result) {
  allOk &= result.ok;
  double ratio = result.relErr / std::max(result.floor, 1e-300);
  if (!result.ok)
    ratio = std::numeric_limits<double>::infinity();
  if (ratio > worstRatio) {
    worst = result;
    worstRatio = ratio;
  }
}

std::string Summary::line(const char *tool) const {
  char text[256];
  std::snprintf(text, sizeof(text), "%s: %s rel_err=%.3e floor=%.3e", tool,
                allOk ? "ok" : "FAIL", worst.relErr, worst.floor);
  return text;
}

std::string formatResult(const Result &r, bool json) {
  char line[512];
  if (json)
    std::snprintf(line, sizeof(line),
                  "{\"quantity\":\"%s\",\"decays\":\"%s\",\"length\":%lld,"
                  "\"rel_err\":%.17g,"
                  "\"floor\":%.17g,\"rel_err_seen_inputs\":%.17g,"
                  "\"unwritten\":%lld,\"ok\":%s}",
                  r.quantity, ref::regimeName(r.regime),
                  static_cast<long long>(r.length), r.relErr, r.floor,
                  r.relErrSeen, static_cast<long long>(r.unwritten),
                  r.ok ? "true" : "false");
  else
    std::snprintf(line, sizeof(line),
                  "%-3s %-6s L=%-8lld rel_err=%.3e floor=%.3e "
                  "rel_err_seen=%.3e unwritten=%lld %s",
                  r.quantity, ref::regimeName(r.regime),
                  static_cast<long long>(r.length), r.relErr, r.floor,
                  r.relErrSeen, static_cast<long long>(r.unwritten),
                  r.ok ? "ok" : "FAIL");
  return line;
}

} // namespace check
} // namespace swr
