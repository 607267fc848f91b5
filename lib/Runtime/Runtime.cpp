//===- Runtime.cpp - Phalanx runtime: PTX loading and launches ------------===//

#include "swr/Runtime/Runtime.h"

#include <mutex>
#include <utility>
#include <vector>

namespace swr {
namespace runtime {

using namespace cuda;

namespace {

//===----------------------------------------------------------------------===//
// Process-wide state
//===----------------------------------------------------------------------===//

struct ModuleEntry {
  int device;
  uint64_t hash;
  std::string ptx; // compared on a hash hit, so collisions cannot alias
  CUmodule module;
};

struct RuntimeState {
  std::mutex mutex;
  const DriverApi *api = nullptr; // set by the first successful initialize
  int device = -1;
  CUcontext context = nullptr;
  std::vector<std::pair<int, CUcontext>> retained; // primary ctx per device
  // Modules live until process exit: kernels share them and unloading while
  // another thread launches would be a use-after-free.
  std::vector<ModuleEntry> modules;
};

/// Leaked on purpose: callers (e.g. Python atexit hooks) may use the runtime
/// after static destructors have run.
RuntimeState &state() {
  static RuntimeState *s = new RuntimeState;
  return *s;
}

/// The device, context and driver that runtime calls use.
struct Current {
  const DriverApi *api = nullptr;
  int device = -1;
  CUcontext context = nullptr;
};

Status notInitialized() {
  return Status(StatusCode::NotInitialized,
                "runtime not initialized: call swr_runtime_init first");
}

Status currentDevice(Current &out) {
  RuntimeState &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (!s.api)
    return notInitialized();
  out = {s.api, s.device, s.context};
  return Status::success();
}

Status invalidArgument(std::string message) {
  return Status(StatusCode::InvalidArgument, std::move(message));
}

/// "<call> failed[ for kernel '<entry>']: <CUDA_ERROR_...>[: <detail>]".
Status driverError(const DriverApi &api, const char *call, CUresult result,
                   const std::string &entry = "",
                   const std::string &detail = "") {
  std::string message = std::string(call) + " failed";
  if (!entry.empty())
    message += " for kernel '" + entry + "'";
  message += ": " + errorName(api, result);
  if (!detail.empty())
    message += ": " + detail;
  return Status(StatusCode::DriverError, std::move(message));
}

/// Makes `context` current for the duration of a runtime call. A thread with
/// no current context keeps ours afterwards (cheap for the next call); a
/// caller's different context (e.g. a framework's on another device) is
/// restored on exit.
class ScopedContext {
public:
  explicit ScopedContext(const DriverApi &api) : api_(api) {}
  ScopedContext(const ScopedContext &) = delete;
  ScopedContext &operator=(const ScopedContext &) = delete;
  ~ScopedContext() {
    if (restore_)
      api_.cuCtxSetCurrent(restore_);
  }

  Status enter(CUcontext context) {
    CUcontext previous = nullptr;
    if (CUresult r = api_.cuCtxGetCurrent(&previous))
      return driverError(api_, "cuCtxGetCurrent", r);
    if (previous == context)
      return Status::success();
    if (CUresult r = api_.cuCtxSetCurrent(context))
      return driverError(api_, "cuCtxSetCurrent", r);
    restore_ = previous;
    return Status::success();
  }

private:
  const DriverApi &api_;
  CUcontext restore_ = nullptr;
};

CUdeviceptr devicePointer(const void *pointer) {
  return static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(pointer));
}

/// FNV-1a, 64-bit: a cheap cache key; equality is confirmed on the text.
uint64_t hashBytes(std::string_view bytes) {
  uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

//===----------------------------------------------------------------------===//
// Initialization
//===----------------------------------------------------------------------===//

Status checkDeviceIndex(const DriverApi &api, int device) {
  int count = 0;
  if (CUresult r = api.cuDeviceGetCount(&count))
    return driverError(api, "cuDeviceGetCount", r);
  if (device < 0 || device >= count)
    return invalidArgument("swr_runtime_init: device " +
                           std::to_string(device) + " out of range (" +
                           std::to_string(count) + " CUDA device(s))");
  return Status::success();
}

Status retainPrimaryContext(RuntimeState &s, const DriverApi &api, int device,
                            CUcontext &out) {
  for (const auto &entry : s.retained)
    if (entry.first == device) {
      out = entry.second;
      return Status::success();
    }
  CUdevice handle = 0;
  if (CUresult r = api.cuDeviceGet(&handle, device))
    return driverError(api, "cuDeviceGet", r);
  if (CUresult r = api.cuDevicePrimaryCtxRetain(&out, handle))
    return driverError(api, "cuDevicePrimaryCtxRetain", r);
  s.retained.emplace_back(device, out);
  return Status::success();
}

//===----------------------------------------------------------------------===//
// Loading
//===----------------------------------------------------------------------===//

/// " (device 0: compute capability 9.0)", to explain PTX target mismatches.
std::string deviceSuffix(const DriverApi &api, int device) {
  CUdevice handle = 0;
  int major = 0, minor = 0;
  if (api.cuDeviceGet(&handle, device) ||
      api.cuDeviceGetAttribute(
          &major, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, handle) ||
      api.cuDeviceGetAttribute(
          &minor, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, handle))
    return "";
  return " (device " + std::to_string(device) + ": compute capability " +
         std::to_string(major) + "." + std::to_string(minor) + ")";
}

Status loadModule(const Current &cur, std::string_view ptx,
                  const LaunchDescription &desc, CUmodule &out) {
  RuntimeState &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  uint64_t hash = hashBytes(ptx);
  for (const ModuleEntry &entry : s.modules)
    if (entry.device == cur.device && entry.hash == hash && entry.ptx == ptx) {
      out = entry.module;
      return Status::success();
    }
  // std::string guarantees the NUL terminator the driver needs.
  std::string text(ptx);
  std::vector<char> log(16384, '\0');
  int options[] = {CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES};
  void *values[] = {log.data(), reinterpret_cast<void *>(log.size() - 1)};
  const DriverApi &api = *cur.api;
  if (CUresult r =
          api.cuModuleLoadDataEx(&out, text.c_str(), 2, options, values)) {
    std::string detail =
        "target " + desc.target + deviceSuffix(api, cur.device);
    if (log[0])
      detail += "; JIT log: " + std::string(log.data());
    return driverError(api, "cuModuleLoadDataEx", r, desc.entry, detail);
  }
  s.modules.push_back({cur.device, hash, std::move(text), out});
  return Status::success();
}

/// Reads whether the PTX fixes the cluster shape and checks it against the
/// description; a launch attribute would conflict with it.
Status checkCompileTimeCluster(const DriverApi &api, Kernel &kernel) {
  const LaunchDescription &desc = kernel.description;
  int width = 0;
  // Pre-Hopper devices may not know the attribute: then there is none.
  if (api.cuFuncGetAttribute(&width, CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_WIDTH,
                             kernel.function) != CUDA_SUCCESS ||
      width <= 0)
    return Status::success();
  kernel.compileTimeCluster = true;
  if (width != desc.cluster[0])
    return Status(StatusCode::InvalidLaunchDescription,
                  "kernel '" + desc.entry + "': the PTX requires clusters of " +
                      std::to_string(width) +
                      " blocks in x (.reqnctapercluster) but the launch "
                      "description says cluster [" +
                      std::to_string(desc.cluster[0]) + ", " +
                      std::to_string(desc.cluster[1]) + ", " +
                      std::to_string(desc.cluster[2]) + "]");
  return Status::success();
}

/// Opt-ins the description needs: dynamic shared memory (any amount: the
/// 48 KB a launch gets without it counts the kernel's static shared memory
/// too), clusters of more than 8 blocks.
Status configureFunction(const DriverApi &api, Kernel &kernel) {
  const LaunchDescription &desc = kernel.description;
  if (desc.dynamicSharedMemory > 0)
    if (CUresult r = api.cuFuncSetAttribute(
            kernel.function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES,
            static_cast<int>(desc.dynamicSharedMemory)))
      return driverError(
          api, "cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES)", r,
          desc.entry,
          std::to_string(desc.dynamicSharedMemory) + " bytes requested");
  int64_t clusterBlocks =
      int64_t(desc.cluster[0]) * desc.cluster[1] * desc.cluster[2];
  if (clusterBlocks > kMaxPortableBlocksPerCluster)
    if (CUresult r = api.cuFuncSetAttribute(
            kernel.function,
            CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED, 1))
      return driverError(
          api, "cuFuncSetAttribute(NON_PORTABLE_CLUSTER_SIZE_ALLOWED)", r,
          desc.entry);
  return checkCompileTimeCluster(api, kernel);
}

/// A launch's workspace (see WorkspaceDescription): allocated and zeroed on
/// the launch's stream, then freed on it, all stream-ordered so that the host
/// never waits and concurrent launches on other streams get their own. Freed
/// on the stream on every path, including failures after the allocation; the
/// caller's context must stay current until then.
class LaunchWorkspace {
public:
  LaunchWorkspace(const DriverApi &api, CUstream stream, std::string entry)
      : api_(api), stream_(stream), entry_(std::move(entry)) {}
  LaunchWorkspace(const LaunchWorkspace &) = delete;
  LaunchWorkspace &operator=(const LaunchWorkspace &) = delete;
  ~LaunchWorkspace() {
    if (pointer_)
      api_.cuMemFreeAsync(pointer_, stream_);
  }

  /// Allocates `words` 32-bit words (workspaceWords checked that the byte
  /// count fits) and zeroes the first `zeroedWords`.
  Status allocate(int64_t words, int64_t zeroedWords) {
    words_ = words;
    if (CUresult r = api_.cuMemAllocAsync(&pointer_, bytes(), stream_)) {
      pointer_ = 0;
      return error("cuMemAllocAsync", r);
    }
    if (CUresult r = api_.cuMemsetD32Async(
            pointer_, 0, static_cast<size_t>(zeroedWords), stream_))
      return error("cuMemsetD32Async", r);
    return Status::success();
  }

  /// Frees the workspace after the launch, reporting a failure.
  Status release() {
    CUdeviceptr pointer = std::exchange(pointer_, 0);
    if (CUresult r = api_.cuMemFreeAsync(pointer, stream_))
      return error("cuMemFreeAsync", r);
    return Status::success();
  }

  void *pointer() const {
    return reinterpret_cast<void *>(static_cast<uintptr_t>(pointer_));
  }

private:
  size_t bytes() const {
    return static_cast<size_t>(words_) * kWorkspaceWordBytes;
  }
  Status error(const char *call, CUresult result) const {
    return driverError(api_, call, result, entry_,
                       "workspace of " + std::to_string(bytes()) + " bytes");
  }

  const DriverApi &api_;
  CUstream stream_;
  std::string entry_;
  CUdeviceptr pointer_ = 0;
  int64_t words_ = 0;
};

std::string dim3String(uint32_t x, uint32_t y, uint32_t z) {
  return "[" + std::to_string(x) + ", " + std::to_string(y) + ", " +
         std::to_string(z) + "]";
}

//===----------------------------------------------------------------------===//
// Event timer
//===----------------------------------------------------------------------===//

/// One timer per thread. The events are created lazily for the runtime's
/// context and reused; they are not destroyed at thread exit (the driver may
/// already be shutting down then).
struct TimerState {
  CUcontext context = nullptr;
  CUevent start = nullptr;
  CUevent stop = nullptr;
  bool running = false;
};

thread_local TimerState timer;

Status ensureTimerEvents(const Current &cur) {
  const DriverApi &api = *cur.api;
  if (timer.context == cur.context && timer.start)
    return Status::success();
  if (timer.start)
    api.cuEventDestroy(timer.start);
  if (timer.stop)
    api.cuEventDestroy(timer.stop);
  timer = TimerState();
  if (CUresult r = api.cuEventCreate(&timer.start, CU_EVENT_DEFAULT))
    return driverError(api, "cuEventCreate", r);
  if (CUresult r = api.cuEventCreate(&timer.stop, CU_EVENT_DEFAULT))
    return driverError(api, "cuEventCreate", r);
  timer.context = cur.context;
  return Status::success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Public API
//===----------------------------------------------------------------------===//

Status initialize(int device) {
  std::string error;
  const DriverApi *api = loadDriver(error);
  if (!api)
    return Status(StatusCode::NoDriver, error);
  RuntimeState &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (CUresult r = api->cuInit(0))
    return driverError(*api, "cuInit", r);
  if (Status st = checkDeviceIndex(*api, device); !st.ok())
    return st;
  CUcontext context = nullptr;
  if (Status st = retainPrimaryContext(s, *api, device, context); !st.ok())
    return st;
  if (CUresult r = api->cuCtxSetCurrent(context))
    return driverError(*api, "cuCtxSetCurrent", r);
  s.api = api;
  s.device = device;
  s.context = context;
  return Status::success();
}

bool isInitialized() {
  RuntimeState &s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  return s.api != nullptr;
}

Status loadKernel(std::string_view ptx, std::string_view launchJson,
                  std::unique_ptr<Kernel> &out) {
  out.reset();
  auto kernel = std::make_unique<Kernel>();
  std::string error;
  bool isJsonError = false;
  if (!parseLaunchDescription(launchJson, kernel->description, error,
                              &isJsonError))
    return Status(isJsonError ? StatusCode::InvalidJson
                              : StatusCode::InvalidLaunchDescription,
                  error);
  const std::string &entry = kernel->description.entry;
  if (ptx.empty())
    return invalidArgument("kernel '" + entry + "': empty PTX");
  Current cur;
  if (Status st = currentDevice(cur); !st.ok())
    return st;
  const DriverApi &api = *cur.api;
  ScopedContext scope(api);
  if (Status st = scope.enter(cur.context); !st.ok())
    return st;
  CUmodule module = nullptr;
  if (Status st = loadModule(cur, ptx, kernel->description, module); !st.ok())
    return st;
  if (CUresult r =
          api.cuModuleGetFunction(&kernel->function, module, entry.c_str()))
    return driverError(api, "cuModuleGetFunction", r, entry,
                       "is the entry name in the PTX?");
  kernel->device = cur.device;
  kernel->context = cur.context;
  if (Status st = configureFunction(api, *kernel); !st.ok())
    return st;
  out = std::move(kernel);
  return Status::success();
}

Status launchKernel(const Kernel &kernel, const swr_memref *args,
                    size_t numArgs, void *stream) {
  const LaunchDescription &desc = kernel.description;
  std::string error;
  KernelParams params;
  LaunchGrid grid;
  int64_t scratchWords = 0, zeroedWords = 0;
  if (!packKernelParams(desc, args, numArgs, params, error) ||
      !computeLaunchGrid(desc, args, numArgs, grid, error) ||
      !workspaceWords(desc, grid, scratchWords, zeroedWords, error))
    return invalidArgument(error);
  if (grid.empty())
    return Status::success();
  const DriverApi *api = loadDriver(error);
  if (!api || !kernel.function)
    return notInitialized();

  CUlaunchAttribute cluster = {};
  cluster.id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
  cluster.value.clusterDim.x = static_cast<unsigned>(desc.cluster[0]);
  cluster.value.clusterDim.y = static_cast<unsigned>(desc.cluster[1]);
  cluster.value.clusterDim.z = static_cast<unsigned>(desc.cluster[2]);
  CUlaunchConfig config = {};
  config.gridDimX = grid.x;
  config.gridDimY = grid.y;
  config.gridDimZ = grid.z;
  config.blockDimX = static_cast<unsigned>(desc.block[0]);
  config.blockDimY = static_cast<unsigned>(desc.block[1]);
  config.blockDimZ = static_cast<unsigned>(desc.block[2]);
  config.sharedMemBytes = static_cast<unsigned>(desc.dynamicSharedMemory);
  config.hStream = static_cast<CUstream>(stream);
  if (desc.hasCluster() && !kernel.compileTimeCluster) {
    config.attrs = &cluster;
    config.numAttrs = 1;
  }

  ScopedContext scope(*api);
  if (Status st = scope.enter(kernel.context); !st.ok())
    return st;
  // Declared after `scope`: freed while the kernel's context is current.
  LaunchWorkspace workspace(*api, config.hStream, desc.entry);
  if (desc.workspace) {
    if (Status st = workspace.allocate(scratchWords, zeroedWords); !st.ok())
      return st;
    appendWorkspaceParams(params, workspace.pointer(), scratchWords);
  }
  std::vector<void *> pointers = params.pointers();
  if (CUresult r = api->cuLaunchKernelEx(&config, kernel.function,
                                         pointers.data(), nullptr))
    return driverError(
        *api, "cuLaunchKernelEx", r, desc.entry,
        "grid " + dim3String(grid.x, grid.y, grid.z) + ", block " +
            dim3String(config.blockDimX, config.blockDimY, config.blockDimZ) +
            ", cluster " +
            dim3String(cluster.value.clusterDim.x, cluster.value.clusterDim.y,
                       cluster.value.clusterDim.z) +
            ", dynamic shared memory " +
            std::to_string(desc.dynamicSharedMemory) + " bytes");
  return desc.workspace ? workspace.release() : Status::success();
}

Status deviceAlloc(size_t bytes, void **out) {
  if (!out)
    return invalidArgument("swr_device_alloc: out is null");
  *out = nullptr;
  Current cur;
  if (Status st = currentDevice(cur); !st.ok())
    return st;
  if (bytes == 0)
    return Status::success();
  ScopedContext scope(*cur.api);
  if (Status st = scope.enter(cur.context); !st.ok())
    return st;
  CUdeviceptr pointer = 0;
  if (CUresult r = cur.api->cuMemAlloc(&pointer, bytes))
    return driverError(*cur.api, "cuMemAlloc_v2", r, "",
                       std::to_string(bytes) + " bytes");
  *out = reinterpret_cast<void *>(static_cast<uintptr_t>(pointer));
  return Status::success();
}

Status deviceFree(void *pointer) {
  Current cur;
  if (Status st = currentDevice(cur); !st.ok())
    return st;
  if (!pointer)
    return Status::success();
  ScopedContext scope(*cur.api);
  if (Status st = scope.enter(cur.context); !st.ok())
    return st;
  if (CUresult r = cur.api->cuMemFree(devicePointer(pointer)))
    return driverError(*cur.api, "cuMemFree_v2", r);
  return Status::success();
}

namespace {

/// Common part of the copy/set functions: non-null pointers, an initialized
/// runtime, its context current; zero bytes is a no-op. `op` issues the
/// driver call.
template <typename Op>
Status transfer(const char *function, const void *dst, const void *src,
                size_t bytes, Op op) {
  if (bytes && !dst)
    return invalidArgument(std::string(function) + ": dst is null");
  if (bytes && !src)
    return invalidArgument(std::string(function) + ": src is null");
  Current cur;
  if (Status st = currentDevice(cur); !st.ok())
    return st;
  if (bytes == 0)
    return Status::success();
  ScopedContext scope(*cur.api);
  if (Status st = scope.enter(cur.context); !st.ok())
    return st;
  return op(*cur.api);
}

} // namespace

Status memcpyHostToDevice(void *dst, const void *src, size_t bytes) {
  return transfer(
      "swr_memcpy_htod", dst, src, bytes, [&](const DriverApi &api) {
        if (CUresult r = api.cuMemcpyHtoD(devicePointer(dst), src, bytes))
          return driverError(api, "cuMemcpyHtoD_v2", r, "",
                             std::to_string(bytes) + " bytes");
        return Status::success();
      });
}

Status memcpyDeviceToHost(void *dst, const void *src, size_t bytes) {
  return transfer(
      "swr_memcpy_dtoh", dst, src, bytes, [&](const DriverApi &api) {
        if (CUresult r = api.cuMemcpyDtoH(dst, devicePointer(src), bytes))
          return driverError(api, "cuMemcpyDtoH_v2", r, "",
                             std::to_string(bytes) + " bytes");
        return Status::success();
      });
}

Status memcpyDeviceToDevice(void *dst, const void *src, size_t bytes) {
  return transfer(
      "swr_memcpy_dtod", dst, src, bytes, [&](const DriverApi &api) {
        if (CUresult r =
                api.cuMemcpyDtoD(devicePointer(dst), devicePointer(src), bytes))
          return driverError(api, "cuMemcpyDtoD_v2", r, "",
                             std::to_string(bytes) + " bytes");
        return Status::success();
      });
}

Status memsetD8(void *dst, unsigned char value, size_t bytes) {
  return transfer("swr_memset_d8", dst, dst, bytes, [&](const DriverApi &api) {
    if (CUresult r = api.cuMemsetD8(devicePointer(dst), value, bytes))
      return driverError(api, "cuMemsetD8_v2", r, "",
                         std::to_string(bytes) + " bytes");
    return Status::success();
  });
}

Status synchronize() {
  Current cur;
  if (Status st = currentDevice(cur); !st.ok())
    return st;
  ScopedContext scope(*cur.api);
  if (Status st = scope.enter(cur.context); !st.ok())
    return st;
  if (CUresult r = cur.api->cuCtxSynchronize())
    return driverError(*cur.api, "cuCtxSynchronize", r);
  return Status::success();
}

Status eventTimerBegin(void *stream) {
  Current cur;
  if (Status st = currentDevice(cur); !st.ok())
    return st;
  ScopedContext scope(*cur.api);
  if (Status st = scope.enter(cur.context); !st.ok())
    return st;
  if (Status st = ensureTimerEvents(cur); !st.ok())
    return st;
  if (CUresult r =
          cur.api->cuEventRecord(timer.start, static_cast<CUstream>(stream)))
    return driverError(*cur.api, "cuEventRecord", r);
  timer.running = true;
  return Status::success();
}

Status eventTimerEnd(void *stream, float *milliseconds) {
  if (!milliseconds)
    return invalidArgument("swr_event_timer_end: ms is null");
  Current cur;
  if (Status st = currentDevice(cur); !st.ok())
    return st;
  if (!timer.running || timer.context != cur.context)
    return invalidArgument(
        "swr_event_timer_end: no swr_event_timer_begin on this thread");
  timer.running = false;
  ScopedContext scope(*cur.api);
  if (Status st = scope.enter(cur.context); !st.ok())
    return st;
  const DriverApi &api = *cur.api;
  if (CUresult r = api.cuEventRecord(timer.stop, static_cast<CUstream>(stream)))
    return driverError(api, "cuEventRecord", r);
  if (CUresult r = api.cuEventSynchronize(timer.stop))
    return driverError(api, "cuEventSynchronize", r);
  if (CUresult r =
          api.cuEventElapsedTime(milliseconds, timer.start, timer.stop))
    return driverError(api, "cuEventElapsedTime", r);
  return Status::success();
}

} // namespace runtime
} // namespace swr
