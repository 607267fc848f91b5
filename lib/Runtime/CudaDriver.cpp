//===- CudaDriver.cpp - dlopen'ed CUDA driver entry points ----------------===//
//
// The driver is loaded at run time rather than linked so that every binary
// using the runtime starts on machines without a GPU (CI, the compiler host)
// and can say why it cannot launch there.
//
//===----------------------------------------------------------------------===//

#include "swr/Runtime/Runtime.h"

#include <atomic>
#include <cstddef>
#include <cstring>
#include <dlfcn.h>
#include <mutex>

namespace swr {
namespace runtime {
namespace cuda {

// The launch structs must match cuda.h byte for byte: the driver reads them.
static_assert(sizeof(CUlaunchAttributeValue) == 64, "CUlaunchAttributeValue");
static_assert(offsetof(CUlaunchAttribute, value) == 8, "CUlaunchAttribute");
static_assert(sizeof(CUlaunchAttribute) == 72, "CUlaunchAttribute");
static_assert(offsetof(CUlaunchConfig, sharedMemBytes) == 24, "CUlaunchConfig");
static_assert(offsetof(CUlaunchConfig, hStream) == 32, "CUlaunchConfig");
static_assert(offsetof(CUlaunchConfig, attrs) == 40, "CUlaunchConfig");
static_assert(offsetof(CUlaunchConfig, numAttrs) == 48, "CUlaunchConfig");
static_assert(sizeof(CUlaunchConfig) == 56, "CUlaunchConfig");

namespace {

constexpr const char *kDriverLibrary = "libcuda.so.1";

/// Resolves `name` (or `fallback`, for drivers older than the versioned
/// symbol) into `slot`.
template <typename Fn>
bool resolve(void *library, const char *name, Fn &slot, std::string &error,
             const char *fallback = nullptr) {
  void *symbol = dlsym(library, name);
  if (!symbol && fallback)
    symbol = dlsym(library, fallback);
  if (!symbol) {
    error = std::string("CUDA driver too old: ") + kDriverLibrary +
            " has no symbol " + name;
    return false;
  }
  static_assert(sizeof(Fn) == sizeof(void *), "function pointer size");
  std::memcpy(&slot, &symbol, sizeof(symbol));
  return true;
}

bool resolveAll(void *lib, DriverApi &api, std::string &error) {
  return resolve(lib, "cuGetErrorName", api.cuGetErrorName, error) &&
         resolve(lib, "cuInit", api.cuInit, error) &&
         resolve(lib, "cuDeviceGet", api.cuDeviceGet, error) &&
         resolve(lib, "cuDeviceGetCount", api.cuDeviceGetCount, error) &&
         resolve(lib, "cuDeviceGetAttribute", api.cuDeviceGetAttribute,
                 error) &&
         resolve(lib, "cuDevicePrimaryCtxRetain", api.cuDevicePrimaryCtxRetain,
                 error) &&
         resolve(lib, "cuCtxGetCurrent", api.cuCtxGetCurrent, error) &&
         resolve(lib, "cuCtxSetCurrent", api.cuCtxSetCurrent, error) &&
         resolve(lib, "cuCtxSynchronize", api.cuCtxSynchronize, error) &&
         resolve(lib, "cuModuleLoadDataEx", api.cuModuleLoadDataEx, error) &&
         resolve(lib, "cuModuleGetFunction", api.cuModuleGetFunction, error) &&
         resolve(lib, "cuFuncGetAttribute", api.cuFuncGetAttribute, error) &&
         resolve(lib, "cuFuncSetAttribute", api.cuFuncSetAttribute, error) &&
         resolve(lib, "cuLaunchKernelEx", api.cuLaunchKernelEx, error) &&
         resolve(lib, "cuMemAlloc_v2", api.cuMemAlloc, error) &&
         resolve(lib, "cuMemFree_v2", api.cuMemFree, error) &&
         resolve(lib, "cuMemcpyHtoD_v2", api.cuMemcpyHtoD, error) &&
         resolve(lib, "cuMemcpyDtoD_v2", api.cuMemcpyDtoD, error) &&
         resolve(lib, "cuMemcpyDtoH_v2", api.cuMemcpyDtoH, error) &&
         resolve(lib, "cuMemsetD8_v2", api.cuMemsetD8, error) &&
         // Introduced after the _v2 renames: these names are unversioned.
         resolve(lib, "cuMemAllocAsync", api.cuMemAllocAsync, error) &&
         resolve(lib, "cuMemsetD32Async", api.cuMemsetD32Async, error) &&
         resolve(lib, "cuMemFreeAsync", api.cuMemFreeAsync, error) &&
         resolve(lib, "cuStreamSynchronize", api.cuStreamSynchronize, error) &&
         resolve(lib, "cuEventCreate", api.cuEventCreate, error) &&
         resolve(lib, "cuEventRecord", api.cuEventRecord, error) &&
         resolve(lib, "cuEventSynchronize", api.cuEventSynchronize, error) &&
         // CUDA 12.8 added the _v2 that cuda.h 13 maps to; same signature.
         resolve(lib, "cuEventElapsedTime_v2", api.cuEventElapsedTime, error,
                 "cuEventElapsedTime") &&
         resolve(lib, "cuEventDestroy_v2", api.cuEventDestroy, error);
}

std::mutex loadMutex;
DriverApi driverApi;
std::atomic<const DriverApi *> loadedApi{nullptr};

} // namespace

const DriverApi *loadDriver(std::string &error) {
  if (const DriverApi *api = loadedApi.load(std::memory_order_acquire))
    return api;
  std::lock_guard<std::mutex> lock(loadMutex);
  if (const DriverApi *api = loadedApi.load(std::memory_order_relaxed))
    return api;
  // Never dlclose'd: resolved pointers stay valid for the process lifetime.
  void *library = dlopen(kDriverLibrary, RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *reason = dlerror();
    error = std::string("no CUDA driver: dlopen(") + kDriverLibrary +
            ") failed: " + (reason ? reason : "unknown error");
    return nullptr;
  }
  DriverApi api{};
  if (!resolveAll(library, api, error))
    return nullptr;
  driverApi = api;
  loadedApi.store(&driverApi, std::memory_order_release);
  return &driverApi;
}

std::string errorName(const DriverApi &api, CUresult result) {
  const char *name = nullptr;
  if (api.cuGetErrorName(result, &name) != CUDA_SUCCESS || !name)
    return "CUDA error " + std::to_string(result);
  return std::string(name) + " (" + std::to_string(result) + ")";
}

} // namespace cuda
} // namespace runtime
} // namespace swr
