//===- Runtime.h - Phalanx runtime: PTX loading and launches ---*- C++ -*-===//
//
// The C++ side of the Phalanx runtime (the C API in swr-c/Runtime.h wraps it).
// The CUDA driver is dlopen'ed at initialize(), never linked, and this header
// declares the few driver types it needs itself instead of including cuda.h:
// the runtime must build on machines without the CUDA toolkit and run on
// machines without a driver (reporting a clear error there).
//
//===----------------------------------------------------------------------===//

#ifndef SWR_RUNTIME_RUNTIME_H
#define SWR_RUNTIME_RUNTIME_H

#include "swr/Runtime/LaunchDescription.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace swr {
namespace runtime {

//===----------------------------------------------------------------------===//
// The CUDA driver API subset (layouts as in CUDA 12/13's cuda.h)
//===----------------------------------------------------------------------===//

namespace cuda {

using CUresult = int;
using CUdevice = int;
using CUdeviceptr = unsigned long long;
using CUcontext = struct CUctx_st *;
using CUmodule = struct CUmod_st *;
using CUfunction = struct CUfunc_st *;
using CUstream = struct CUstream_st *;
using CUevent = struct CUevent_st *;

constexpr CUresult CUDA_SUCCESS = 0;
constexpr int CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
constexpr int CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_WIDTH = 11;
constexpr int CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED = 14;
constexpr int CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION = 4;
constexpr int CU_JIT_ERROR_LOG_BUFFER = 5;
constexpr int CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
constexpr int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
constexpr unsigned CU_EVENT_DEFAULT = 0;

/// CUlaunchAttributeValue: a 64-byte union whose members include pointers
/// (hence 8-byte alignment); only clusterDim is used here.
union alignas(8) CUlaunchAttributeValue {
  char pad[64];
  struct {
    unsigned int x;
    unsigned int y;
    unsigned int z;
  } clusterDim;
};

/// CUlaunchAttribute: a 4-byte enum id padded to 8 bytes, then the value.
struct CUlaunchAttribute {
  int id;
  char pad[8 - sizeof(int)];
  CUlaunchAttributeValue value;
};

struct CUlaunchConfig {
  unsigned int gridDimX;
  unsigned int gridDimY;
  unsigned int gridDimZ;
  unsigned int blockDimX;
  unsigned int blockDimY;
  unsigned int blockDimZ;
  unsigned int sharedMemBytes;
  CUstream hStream;
  CUlaunchAttribute *attrs;
  unsigned int numAttrs;
};

/// The driver entry points, resolved with dlsym under the versioned names
/// that cuda.h maps the API names to (cuMemAlloc -> cuMemAlloc_v2, ...).
struct DriverApi {
  CUresult (*cuGetErrorName)(CUresult, const char **);
  CUresult (*cuInit)(unsigned int);
  CUresult (*cuDeviceGet)(CUdevice *, int);
  CUresult (*cuDeviceGetCount)(int *);
  CUresult (*cuDeviceGetAttribute)(int *, int, CUdevice);
  CUresult (*cuDevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*cuCtxGetCurrent)(CUcontext *);
  CUresult (*cuCtxSetCurrent)(CUcontext);
  CUresult (*cuCtxSynchronize)();
  CUresult (*cuModuleLoadDataEx)(CUmodule *, const void *, unsigned int, int *,
                                 void **);
  CUresult (*cuModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*cuFuncGetAttribute)(int *, int, CUfunction);
  CUresult (*cuFuncSetAttribute)(CUfunction, int, int);
  CUresult (*cuLaunchKernelEx)(const CUlaunchConfig *, CUfunction, void **,
                               void **);
  CUresult (*cuMemAlloc)(CUdeviceptr *, size_t);
  CUresult (*cuMemFree)(CUdeviceptr);
  CUresult (*cuMemcpyHtoD)(CUdeviceptr, const void *, size_t);
  CUresult (*cuMemcpyDtoD)(CUdeviceptr, CUdeviceptr, size_t);
  CUresult (*cuMemcpyDtoH)(void *, CUdeviceptr, size_t);
  CUresult (*cuMemsetD8)(CUdeviceptr, unsigned char, size_t);
  // Stream-ordered (CUDA 11.2+): the per-launch workspace.
  CUresult (*cuMemAllocAsync)(CUdeviceptr *, size_t, CUstream);
  CUresult (*cuMemsetD32Async)(CUdeviceptr, unsigned int, size_t, CUstream);
  CUresult (*cuMemFreeAsync)(CUdeviceptr, CUstream);
  CUresult (*cuStreamSynchronize)(CUstream);
  CUresult (*cuEventCreate)(CUevent *, unsigned int);
  CUresult (*cuEventRecord)(CUevent, CUstream);
  CUresult (*cuEventSynchronize)(CUevent);
  CUresult (*cuEventElapsedTime)(float *, CUevent, CUevent);
  CUresult (*cuEventDestroy)(CUevent);
};

/// Loads libcuda.so.1 and resolves every entry point, once per process (a
/// failed attempt is retried on the next call). Returns null and sets `error`
/// ("no CUDA driver: dlopen(libcuda.so.1) failed: ...", or the missing
/// symbol) when the driver is unusable.
const DriverApi *loadDriver(std::string &error);

/// "CUDA_ERROR_INVALID_PTX (218)"-style name of a driver result.
std::string errorName(const DriverApi &api, CUresult result);

} // namespace cuda

//===----------------------------------------------------------------------===//
// Status
//===----------------------------------------------------------------------===//

/// Mirrors swr_status of the C API.
enum class StatusCode : int {
  Success = SWR_SUCCESS,
  InvalidArgument = SWR_ERROR_INVALID_ARGUMENT,
  NoDriver = SWR_ERROR_NO_DRIVER,
  NotInitialized = SWR_ERROR_NOT_INITIALIZED,
  DriverError = SWR_ERROR_DRIVER,
  InvalidJson = SWR_ERROR_INVALID_JSON,
  InvalidLaunchDescription = SWR_ERROR_INVALID_LAUNCH_DESCRIPTION,
  CompileError = SWR_ERROR_COMPILE,
};

/// A result without exceptions: a code and, on failure, a message.
class Status {
public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}
  static Status success() { return Status(); }

  bool ok() const { return code_ == StatusCode::Success; }
  StatusCode code() const { return code_; }
  const std::string &message() const { return message_; }

private:
  StatusCode code_ = StatusCode::Success;
  std::string message_;
};

//===----------------------------------------------------------------------===//
// Runtime
//===----------------------------------------------------------------------===//

/// A kernel loaded into one device's primary context.
struct Kernel {
  LaunchDescription description;
  int device = -1;
  cuda::CUcontext context = nullptr;
  cuda::CUfunction function = nullptr;
  /// The PTX pins the cluster shape (.reqnctapercluster); then the launch
  /// must not pass a cluster attribute.
  bool compileTimeCluster = false;
};

/// Loads the driver, runs cuInit, retains `device`'s primary context and makes
/// it current on the calling thread; later calls use this device. Idempotent
/// and thread-safe.
Status initialize(int device);
bool isInitialized();

/// Parses/validates the launch description (before anything touches the
/// driver, so description errors are reported even without a GPU), loads
/// `ptx` into the current device (cached per device and PTX content) and
/// resolves the entry. Opts into large dynamic shared memory and non-portable
/// cluster sizes when the description asks for them.
Status loadKernel(std::string_view ptx, std::string_view launchJson,
                  std::unique_ptr<Kernel> &out);

/// Checks and packs the arguments, computes the grid and enqueues the kernel
/// with cuLaunchKernelEx on `stream`. Does not synchronize. A grid with zero
/// work items launches nothing. A description with a workspace gets one per
/// launch, allocated, zeroed and freed in `stream`'s order (cuMemAllocAsync,
/// cuMemsetD32Async, cuMemFreeAsync) so that launches on different streams
/// never share it.
Status launchKernel(const Kernel &kernel, const swr_memref *args,
                    size_t numArgs, void *stream);

Status deviceAlloc(size_t bytes, void **out);
Status deviceFree(void *pointer);
Status memcpyHostToDevice(void *dst, const void *src, size_t bytes);
Status memcpyDeviceToHost(void *dst, const void *src, size_t bytes);
/// Device-to-device copy (the bandwidth ceiling benchmarks compare with).
Status memcpyDeviceToDevice(void *dst, const void *src, size_t bytes);
Status memsetD8(void *dst, unsigned char value, size_t bytes);
Status synchronize();
Status eventTimerBegin(void *stream);
Status eventTimerEnd(void *stream, float *milliseconds);

/// Records `status` as the calling thread's swr_last_error message (when it
/// is a failure) and returns its C status code; other C APIs of libswr
/// report their errors through it too.
int reportStatus(const Status &status);

} // namespace runtime
} // namespace swr

#endif // SWR_RUNTIME_RUNTIME_H
