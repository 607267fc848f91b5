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
#include "swr/Check/DeviceRun.h"
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
      check::Result r = check::runOnDevice("swr-gpu-run", kernel, problem,
                                           regime, options.seed + length);
      std::printf("%s\n", check::formatResult(r, options.json).c_str());
      summary.add(r);
    }
  }
  if (options.bench) {
    problem.inputShape[axes.time] = lengths.back();
    problem.prepare(regimes.front(), options.seed);
    check::benchOnDevice("swr-gpu-run", kernel, problem, options.json);
  }
  swr_kernel_destroy(kernel);
  std::printf("%s\n", summary.line("swr-gpu-run").c_str());
  return summary.ok() ? 0 : 1;
}
