//===- swr-gpu-run.cpp - run compiled swr kernels on a GPU and check them -===//
//
//   swr-gpu-run kernel.ptx kernel.json --shape 2x4x16x1000
//       [--lengths 1,17,8193] [--seq-lens 1,17,300] [--decays near1,spread]
//       [--seed N] [--json] [--device N] [--bench]
//
// Loads the PTX that swr-compile emitted through the Phalanx runtime, fills
// the operands with seeded random data, poisons the outputs with NaN, runs
// the kernel and compares every output element with the float64 reference.
// With --bench it then times the kernel at the last length with CUDA events
// (warm-up, median of 25, buffers rotated through more than the 60 MB L2)
// and prints GB/s on the bytes that must move next to a device-to-device
// copy of the same bytes measured in the same run.
// No MLIR: this tool is built on the GPU machine. The last line is
//   swr-gpu-run: ok rel_err=<e> floor=<f>      (or FAIL ..., exit code 1)
//
//===----------------------------------------------------------------------===//

#include "swr-c/Runtime.h"
#include "swr/Check/Check.h"
#include "swr/Runtime/LaunchDescription.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace check = swr::check;
namespace ref = swr::reference;
namespace rt = swr::runtime;

namespace {

[[noreturn]] void fail(const std::string &message) {
  std::fprintf(stderr, "swr-gpu-run: error: %s\n", message.c_str());
  std::exit(2);
}

void checkCall(int status, const char *what) {
  if (status != 0)
    fail(std::string(what) + ": " + swr_last_error());
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    fail("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<int64_t> parseList(const std::string &text, char separator,
                               const char *option) {
  std::vector<int64_t> values;
  std::stringstream stream(text);
  std::string part;
  while (std::getline(stream, part, separator)) {
    char *end = nullptr;
    long long value = std::strtoll(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || value < 0)
      fail(std::string(option) + ": expected non-negative integers, got '" +
           text + "'");
    values.push_back(value);
  }
  return values;
}

struct Options {
  std::string ptx, launch, shape, lengths, seqLens, decays = "spread";
  uint64_t seed = 1;
  int device = 0;
  bool json = false;
  bool bench = false;
};

Options parseOptions(int argc, char **argv) {
  Options options;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char *name) -> std::string {
      std::string prefix = std::string(name) + "=";
      if (arg.rfind(prefix, 0) == 0)
        return arg.substr(prefix.size());
      if (i + 1 >= argc)
        fail(std::string(name) + ": missing value");
      return argv[++i];
    };
    auto is = [&](const char *name) {
      return arg == name || arg.rfind(std::string(name) + "=", 0) == 0;
    };
    if (is("--shape"))
      options.shape = value("--shape");
    else if (is("--lengths"))
      options.lengths = value("--lengths");
    else if (is("--seq-lens"))
      options.seqLens = value("--seq-lens");
    else if (is("--decays"))
      options.decays = value("--decays");
    else if (is("--seed"))
      options.seed = std::strtoull(value("--seed").c_str(), nullptr, 10);
    else if (is("--device"))
      options.device = std::atoi(value("--device").c_str());
    else if (arg == "--json")
      options.json = true;
    else if (arg == "--bench")
      options.bench = true;
    else if (!arg.empty() && arg[0] == '-')
      fail("unknown option " + arg);
    else
      positional.push_back(arg);
  }
  if (positional.size() != 2)
    fail("usage: swr-gpu-run kernel.ptx kernel.json --shape BxHxDxL ...");
  options.ptx = positional[0];
  options.launch = positional[1];
  if (options.shape.empty())
    fail("--shape: give the input shape, e.g. --shape 2x4x16x1000");
  return options;
}

/// The scan the kernel computes, from its launch description.
check::ScanDescription describe(const rt::LaunchDescription &launch) {
  if (!launch.scan.present)
    fail("the launch description has no 'scan' section");
  check::ScanDescription scan;
  const rt::ScanDescription &s = launch.scan;
  ref::WindowKind kind = s.window == "full"    ? ref::WindowKind::Full
                         : s.window == "bands" ? ref::WindowKind::Bands
                                               : ref::WindowKind::Exact;
  scan.window = {kind, s.size, s.tile};
  std::optional<check::Layout> layout = check::parseLayout(s.layout);
  if (!layout)
    fail("scan.layout: unknown layout '" + s.layout + "'");
  scan.layout = *layout;
  scan.perHead = s.sharing == "per_head";
  scan.reverse = s.reverse;
  scan.gradient = s.gradient;
  for (const rt::ParamDescription &param : launch.params) {
    std::optional<check::Role> role = check::parseRole(param.name);
    if (!role)
      fail("params: unknown operand '" + param.name + "'");
    scan.params.push_back(
        {*role, *check::parseStorage(rt::elementTypeName(param.dtype))});
  }
  return scan;
}

/// Device copies of a problem's operands, freed on destruction.
struct DeviceBuffers {
  std::vector<void *> pointers;
  ~DeviceBuffers() {
    for (void *p : pointers)
      if (p)
        swr_device_free(p);
  }
};

/// Copies `tensor` to a new device buffer (owned by `buffers`) and returns
/// its contiguous device memref.
swr_memref toDevice(const check::Tensor &tensor, DeviceBuffers &buffers) {
  void *device = nullptr;
  checkCall(
      swr_device_alloc(std::max<size_t>(tensor.bytes.size(), 16), &device),
      "allocating device memory");
  buffers.pointers.push_back(device);
  if (!tensor.bytes.empty())
    checkCall(swr_memcpy_htod(device, tensor.bytes.data(), tensor.bytes.size()),
              "copying to the device");
  swr_memref memref{};
  memref.data = device;
  memref.rank = static_cast<int32_t>(tensor.shape.size());
  std::vector<int64_t> strides = tensor.strides();
  for (size_t d = 0; d < tensor.shape.size(); ++d) {
    memref.sizes[d] = tensor.shape[d];
    memref.strides[d] = strides[d];
  }
  return memref;
}

check::Result runOnce(swr_kernel *kernel, check::Problem &problem,
                      ref::DecayRegime regime, uint64_t seed) {
  problem.prepare(regime, seed);
  DeviceBuffers buffers;
  std::vector<swr_memref> args;
  for (const check::ScanDescription::Param &param : problem.scan.params)
    args.push_back(toDevice(problem.tensor(param.role), buffers));
  checkCall(swr_kernel_launch(kernel, args.data(),
                              static_cast<int32_t>(args.size()), nullptr),
            "launching the kernel");
  checkCall(swr_synchronize(), "running the kernel");
  for (size_t i = 0; i < problem.scan.params.size(); ++i) {
    check::Role role = problem.scan.params[i].role;
    if (!check::writesRole(problem.scan.gradient, role))
      continue;
    check::Tensor &tensor = problem.tensor(role);
    if (!tensor.bytes.empty())
      checkCall(swr_memcpy_dtoh(tensor.bytes.data(), buffers.pointers[i],
                                tensor.bytes.size()),
                "copying from the device");
  }
  check::Result result = check::compare(problem);
  result.regime = regime;
  return result;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

/// Times `launch(copy)` for copy = 0.. with CUDA events: 3 warm-ups, then
/// the median of 25 timed runs, in milliseconds.
template <typename Launch> double timeMedian(Launch launch) {
  for (int i = 0; i < 3; ++i)
    launch(i);
  checkCall(swr_synchronize(), "warm-up");
  std::vector<double> times;
  for (int i = 0; i < 25; ++i) {
    checkCall(swr_event_timer_begin(nullptr), "starting the timer");
    launch(i);
    float ms = 0;
    checkCall(swr_event_timer_end(nullptr, &ms), "stopping the timer");
    times.push_back(ms);
  }
  return median(times);
}

/// Benchmarks the kernel on `problem`'s shapes (inputs as prepared).
void bench(swr_kernel *kernel, check::Problem &problem, bool json) {
  const int64_t l2Bytes = 60ll << 20;
  int64_t bytes = 0;
  for (const check::ScanDescription::Param &param : problem.scan.params)
    bytes += static_cast<int64_t>(problem.tensor(param.role).bytes.size());
  // Enough copies of every operand that one round does not fit in L2.
  int copies = static_cast<int>(std::min<int64_t>(
      16, std::max<int64_t>(1, (4 * l2Bytes + bytes - 1) / bytes)));
  std::vector<DeviceBuffers> sets(copies);
  std::vector<std::vector<swr_memref>> args(copies);
  for (int c = 0; c < copies; ++c)
    for (const check::ScanDescription::Param &param : problem.scan.params)
      args[c].push_back(toDevice(problem.tensor(param.role), sets[c]));
  double kernelMs = timeMedian([&](int i) {
    std::vector<swr_memref> &a = args[i % copies];
    checkCall(swr_kernel_launch(kernel, a.data(),
                                static_cast<int32_t>(a.size()), nullptr),
              "launching the kernel");
  });
  // A copy of bytes/2 reads and writes `bytes` in all.
  size_t half = static_cast<size_t>(bytes / 2);
  std::vector<DeviceBuffers> copyBuffers(copies);
  for (int c = 0; c < copies; ++c)
    for (int k = 0; k < 2; ++k) {
      void *device = nullptr;
      checkCall(swr_device_alloc(std::max<size_t>(half, 16), &device),
                "allocating copy buffers");
      checkCall(swr_memset_d8(device, 0, std::max<size_t>(half, 16)),
                "clearing copy buffers");
      copyBuffers[c].pointers.push_back(device);
    }
  double copyMs = timeMedian([&](int i) {
    DeviceBuffers &b = copyBuffers[i % copies];
    checkCall(swr_memcpy_dtod(b.pointers[1], b.pointers[0], half),
              "device-to-device copy");
  });
  double gbps = bytes / (kernelMs * 1e6);
  double copyGbps = 2.0 * half / (copyMs * 1e6);
  if (json)
    std::printf("{\"bench_ms\":%.5f,\"bytes\":%lld,\"gbps\":%.1f,"
                "\"copy_gbps\":%.1f,\"pct_of_copy\":%.1f}\n",
                kernelMs, static_cast<long long>(bytes), gbps, copyGbps,
                100.0 * gbps / copyGbps);
  else
    std::printf("bench: %.4f ms, %lld bytes, %.1f GB/s; copy %.1f GB/s; "
                "%.1f%% of copy\n",
                kernelMs, static_cast<long long>(bytes), gbps, copyGbps,
                100.0 * gbps / copyGbps);
}

} // namespace

int main(int argc, char **argv) {
  Options options = parseOptions(argc, argv);
  std::string ptx = readFile(options.ptx);
  std::string json = readFile(options.launch);
  rt::LaunchDescription launch;
  std::string error;
  if (!rt::parseLaunchDescription(json, launch, error))
    fail(options.launch + ": " + error);

  check::Problem problem;
  problem.scan = describe(launch);
  const check::Axes &axes = check::axesOf(problem.scan.layout);
  problem.inputShape = parseList(options.shape, 'x', "--shape");
  if (static_cast<int64_t>(problem.inputShape.size()) != axes.rank)
    fail(std::string("--shape: the kernel's layout takes rank ") +
         std::to_string(axes.rank) + " " + axes.inputShape);
  bool packed = problem.scan.find(check::Role::SeqOffsets) != nullptr;
  if (packed) {
    if (options.seqLens.empty())
      fail("--seq-lens: the kernel takes packed sequences; give their "
           "lengths");
    problem.seqLens = parseList(options.seqLens, ',', "--seq-lens");
    int64_t total = 0;
    for (int64_t len : problem.seqLens)
      total += len;
    problem.inputShape[axes.batch] = 1;
    problem.inputShape[axes.time] = total;
  }
  std::vector<int64_t> lengths =
      options.lengths.empty() || packed
          ? std::vector<int64_t>{problem.inputShape[axes.time]}
          : parseList(options.lengths, ',', "--lengths");
  std::vector<ref::DecayRegime> regimes;
  std::stringstream names(options.decays);
  for (std::string name; std::getline(names, name, ',');) {
    std::optional<ref::DecayRegime> regime = ref::parseRegime(name);
    if (!regime)
      fail("--decays: expected near1, spread or near0, got '" + name + "'");
    regimes.push_back(*regime);
  }

  checkCall(swr_runtime_init(options.device), "initialising CUDA");
  swr_kernel *kernel = nullptr;
  checkCall(swr_kernel_load(ptx.data(), ptx.size(), json.data(), json.size(),
                            &kernel),
            "loading the kernel");

  check::Summary summary;
  for (ref::DecayRegime regime : regimes) {
    for (int64_t length : lengths) {
      problem.inputShape[axes.time] = length;
      check::Result r = runOnce(kernel, problem, regime, options.seed + length);
      std::printf("%s\n", check::formatResult(r, options.json).c_str());
      summary.add(r);
    }
  }
  if (options.bench) {
    problem.inputShape[axes.time] = lengths.back();
    problem.prepare(regimes.front(), options.seed);
    bench(kernel, problem, options.json);
  }
  swr_kernel_destroy(kernel);
  std::printf("%s\n", summary.line("swr-gpu-run").c_str());
  return summary.ok() ? 0 : 1;
}
