//===- Check.cpp - run-and-check support shared by the runners ------------===//

#include "swr/Check/Check.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

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

static const char *const roleNames[] = {"decay",       "input",  "init",
                                        "seq_offsets", "output", "final"};

std::optional<Role> parseRole(std::string_view name) {
  for (int i = 0; i < 6; ++i)
    if (name == roleNames[i])
      return static_cast<Role>(i);
  return std::nullopt;
}

const char *roleName(Role role) { return roleNames[static_cast<int>(role)]; }

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
    return inputShape;
  case Role::Decay:
    return scan.perHead ? keptShape(inputShape, axes.perHeadDecay) : inputShape;
  case Role::Init:
  case Role::Final: {
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
  }
  return input;
}

void Problem::prepare(ref::DecayRegime regime, uint64_t seed) {
  for (Tensor *t : {&decay, &input, &init, &offsets, &output, &final})
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
  output.poison();
  final.poison();
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

/// The float64 reference on `exact` or `seen` inputs, shaped like the
/// output and the final state.
void computeReference(const Problem &p, bool onSeen, std::vector<double> &y,
                      std::vector<double> &final) {
  const Axes &axes = axesOf(p.scan.layout);
  auto pick = [&](const Tensor &t) -> const std::vector<double> & {
    return onSeen ? t.seen : t.exact;
  };
  const std::vector<double> &a = pick(p.decay);
  const std::vector<double> &x = pick(p.input);
  const std::vector<double> &h0 = pick(p.init);
  y.assign(p.output.size(), 0.0);
  final.assign(p.final.size(), 0.0);
  std::vector<int64_t> xStrides = p.input.strides();
  std::vector<int64_t> aStrides = p.decay.strides();
  std::vector<int64_t> sStrides =
      p.init.size() ? p.init.strides() : p.final.strides();
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
        int64_t sOffset = seq.state * (sStrides.empty() ? 0 : sStrides[0]);
        for (size_t d = 1; d < axes.state.size() && !sStrides.empty(); ++d)
          sOffset += index[axes.state[d]] * sStrides[d];
        double finalState = 0;
        ref::scanSequence(a.data() + aOffset, aTimeStride, x.data() + xOffset,
                          xStrides[axes.time], seq.length, p.scan.window,
                          p.scan.reverse,
                          p.init.size() ? h0.data() + sOffset : nullptr,
                          y.data() + xOffset, xStrides[axes.time], &finalState);
        if (p.final.size())
          final[sOffset] = finalState;
      }
    }
  }
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

Result compare(const Problem &p) {
  std::vector<double> exactY, exactFinal, seenY, seenFinal;
  computeReference(p, /*onSeen=*/false, exactY, exactFinal);
  computeReference(p, /*onSeen=*/true, seenY, seenFinal);

  // Outputs and final states count together.
  Result result;
  std::vector<double> got;
  for (int64_t i = 0; i < p.output.size(); ++i)
    got.push_back(p.output.load(i));
  for (int64_t i = 0; i < p.final.size(); ++i)
    got.push_back(p.final.load(i));
  for (double v : got)
    if (!std::isfinite(v))
      ++result.unwritten;
  std::vector<double> exact = exactY;
  exact.insert(exact.end(), exactFinal.begin(), exactFinal.end());
  std::vector<double> seen = seenY;
  seen.insert(seen.end(), seenFinal.begin(), seenFinal.end());
  std::vector<double> perfect;
  appendRounded(perfect, seenY, p.output.storage);
  appendRounded(perfect, seenFinal, p.final.storage);

  auto n = static_cast<int64_t>(got.size());
  result.length = p.inputShape[axesOf(p.scan.layout).time];
  result.relErr = ref::relativeError(got.data(), exact.data(), n);
  result.floor = ref::relativeError(perfect.data(), exact.data(), n);
  result.relErrSeen = ref::relativeError(got.data(), seen.data(), n);
  bool lowPrecisionOut = p.output.storage != Storage::F32 ||
                         (p.final.size() && p.final.storage != Storage::F32);
  bool withinBound = lowPrecisionOut
                         ? result.relErr <= 1.5 * result.floor + 1e-12
                         : result.relErrSeen <= 1e-5;
  result.ok = result.unwritten == 0 && withinBound;
  return result;
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
                  "{\"decays\":\"%s\",\"length\":%lld,\"rel_err\":%.17g,"
                  "\"floor\":%.17g,\"rel_err_seen_inputs\":%.17g,"
                  "\"unwritten\":%lld,\"ok\":%s}",
                  ref::regimeName(r.regime), static_cast<long long>(r.length),
                  r.relErr, r.floor, r.relErrSeen,
                  static_cast<long long>(r.unwritten), r.ok ? "true" : "false");
  else
    std::snprintf(line, sizeof(line),
                  "%-6s L=%-8lld rel_err=%.3e floor=%.3e rel_err_seen=%.3e "
                  "unwritten=%lld %s",
                  ref::regimeName(r.regime), static_cast<long long>(r.length),
                  r.relErr, r.floor, r.relErrSeen,
                  static_cast<long long>(r.unwritten), r.ok ? "ok" : "FAIL");
  return line;
}

} // namespace check
} // namespace swr
