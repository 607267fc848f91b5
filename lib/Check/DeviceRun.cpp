//===- DeviceRun.cpp - run and time kernels on a GPU for the runners ------===//

#include "swr/Check/DeviceRun.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace swr {
namespace check {

namespace ref = swr::reference;

void checkDeviceCall(const char *tool, int status, const char *what) {
  if (status == 0)
    return;
  std::fprintf(stderr, "%s: error: %s: %s\n", tool, what, swr_last_error());
  std::exit(2);
}

namespace {

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
swr_memref toDevice(const char *tool, const Tensor &tensor,
                    DeviceBuffers &buffers) {
  void *device = nullptr;
  checkDeviceCall(
      tool,
      swr_device_alloc(std::max<size_t>(tensor.bytes.size(), 16), &device),
      "allocating device memory");
  buffers.pointers.push_back(device);
  if (!tensor.bytes.empty())
    checkDeviceCall(
        tool, swr_memcpy_htod(device, tensor.bytes.data(), tensor.bytes.size()),
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

} // namespace

Result runOnDevice(const char *tool, swr_kernel *kernel, Problem &problem,
                   ref::DecayRegime regime, uint64_t seed) {
  problem.prepare(regime, seed);
  DeviceBuffers buffers;
  std::vector<swr_memref> args;
  for (const ScanDescription::Param &param : problem.scan.params)
    args.push_back(toDevice(tool, problem.tensor(param.role), buffers));
  checkDeviceCall(tool,
                  swr_kernel_launch(kernel, args.data(),
                                    static_cast<int32_t>(args.size()), nullptr),
                  "launching the kernel");
  checkDeviceCall(tool, swr_synchronize(), "running the kernel");
  for (size_t i = 0; i < problem.scan.params.size(); ++i) {
    Role role = problem.scan.params[i].role;
    if (!writesRole(problem.scan.gradient, role))
      continue;
    Tensor &tensor = problem.tensor(role);
    if (!tensor.bytes.empty())
      checkDeviceCall(tool,
                      swr_memcpy_dtoh(tensor.bytes.data(), buffers.pointers[i],
                                      tensor.bytes.size()),
                      "copying from the device");
  }
  Result result = compare(problem);
  result.regime = regime;
  return result;
}

namespace {

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

/// Times `launch(copy)` for copy = 0.. with CUDA events: 3 warm-ups, then
/// the median of 25 timed runs, in milliseconds.
template <typename Launch> double timeMedian(const char *tool, Launch launch) {
  for (int i = 0; i < 3; ++i)
    launch(i);
  checkDeviceCall(tool, swr_synchronize(), "warm-up");
  std::vector<double> times;
  for (int i = 0; i < 25; ++i) {
    checkDeviceCall(tool, swr_event_timer_begin(nullptr), "starting the timer");
    launch(i);
    float ms = 0;
    checkDeviceCall(tool, swr_event_timer_end(nullptr, &ms),
                    "stopping the timer");
    times.push_back(ms);
  }
  return median(times);
}

} // namespace

void benchOnDevice(const char *tool, swr_kernel *kernel, Problem &problem,
                   bool json) {
  const int64_t l2Bytes = 60ll << 20;
  int64_t bytes = 0;
  for (const ScanDescription::Param &param : problem.scan.params)
    bytes += static_cast<int64_t>(problem.tensor(param.role).bytes.size());
  // Enough copies of every operand that one round does not fit in L2.
  int copies = static_cast<int>(std::min<int64_t>(
      16, std::max<int64_t>(1, (4 * l2Bytes + bytes - 1) / bytes)));
  std::vector<DeviceBuffers> sets(copies);
  std::vector<std::vector<swr_memref>> args(copies);
  for (int c = 0; c < copies; ++c)
    for (const ScanDescription::Param &param : problem.scan.params)
      args[c].push_back(toDevice(tool, problem.tensor(param.role), sets[c]));
  double kernelMs = timeMedian(tool, [&](int i) {
    std::vector<swr_memref> &a = args[i % copies];
    checkDeviceCall(tool,
                    swr_kernel_launch(kernel, a.data(),
                                      static_cast<int32_t>(a.size()), nullptr),
                    "launching the kernel");
  });
  // A copy of bytes/2 reads and writes `bytes` in all.
  size_t half = static_cast<size_t>(bytes / 2);
  std::vector<DeviceBuffers> copyBuffers(copies);
  for (int c = 0; c < copies; ++c)
    for (int k = 0; k < 2; ++k) {
      void *device = nullptr;
      checkDeviceCall(tool,
                      swr_device_alloc(std::max<size_t>(half, 16), &device),
                      "allocating copy buffers");
      checkDeviceCall(tool,
                      swr_memset_d8(device, 0, std::max<size_t>(half, 16)),
                      "clearing copy buffers");
      copyBuffers[c].pointers.push_back(device);
    }
  double copyMs = timeMedian(tool, [&](int i) {
    DeviceBuffers &b = copyBuffers[i % copies];
    checkDeviceCall(tool, swr_memcpy_dtod(b.pointers[1], b.pointers[0], half),
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

} // namespace check
} // namespace swr
