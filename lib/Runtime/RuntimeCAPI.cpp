//===- RuntimeCAPI.cpp - Phalanx runtime C API ----------------------------===//
//
// A thin layer over swr/Runtime/Runtime.h: null checks, status codes and the
// thread-local last-error message. Nothing here may abort: callers include
// Python through ctypes.
//
//===----------------------------------------------------------------------===//

#include "swr-c/Runtime.h"
#include "swr/Runtime/Runtime.h"

#include <memory>
#include <string>

using swr::runtime::Status;
using swr::runtime::StatusCode;

struct swr_kernel {
  std::unique_ptr<swr::runtime::Kernel> kernel;
};

namespace {

thread_local std::string lastError;

/// Records a failure's message for swr_last_error and returns its code; a
/// success leaves the previous message alone.
int report(const Status &status) {
  if (!status.ok())
    lastError = status.message();
  return static_cast<int>(status.code());
}

int invalidArgument(std::string message) {
  return report(Status(StatusCode::InvalidArgument, std::move(message)));
}

} // namespace

int swr::runtime::reportStatus(const Status &status) { return report(status); }

extern "C" {

const char *swr_last_error(void) { return lastError.c_str(); }

int swr_runtime_init(int device) {
  return report(swr::runtime::initialize(device));
}

int swr_kernel_load(const char *ptx, size_t ptx_size, const char *launch_json,
                    size_t json_size, swr_kernel **out) {
  if (!out)
    return invalidArgument("swr_kernel_load: out is null");
  *out = nullptr;
  if (!ptx)
    return invalidArgument("swr_kernel_load: ptx is null");
  if (!launch_json)
    return invalidArgument("swr_kernel_load: launch_json is null");
  std::unique_ptr<swr::runtime::Kernel> kernel;
  Status status = swr::runtime::loadKernel(
      std::string_view(ptx, ptx_size), std::string_view(launch_json, json_size),
      kernel);
  if (!status.ok())
    return report(status);
  *out = new swr_kernel{std::move(kernel)};
  return SWR_SUCCESS;
}

int swr_kernel_launch(swr_kernel *k, const swr_memref *args, int32_t num_args,
                      void *stream) {
  if (num_args < 0)
    return invalidArgument("swr_kernel_launch: num_args is negative (" +
                           std::to_string(num_args) + ")");
  if (num_args > 0 && !args)
    return invalidArgument("swr_kernel_launch: args is null but num_args is " +
                           std::to_string(num_args));
  if (!k || !k->kernel)
    return invalidArgument("swr_kernel_launch: kernel is null");
  return report(swr::runtime::launchKernel(
      *k->kernel, args, static_cast<size_t>(num_args), stream));
}

const char *swr_kernel_entry(const swr_kernel *k) {
  if (!k || !k->kernel)
    return "";
  return k->kernel->description.entry.c_str();
}

void swr_kernel_destroy(swr_kernel *k) { delete k; }

int swr_device_alloc(size_t bytes, void **out) {
  return report(swr::runtime::deviceAlloc(bytes, out));
}

int swr_device_free(void *p) { return report(swr::runtime::deviceFree(p)); }

int swr_memcpy_htod(void *dst, const void *src, size_t bytes) {
  return report(swr::runtime::memcpyHostToDevice(dst, src, bytes));
}

int swr_memcpy_dtoh(void *dst, const void *src, size_t bytes) {
  return report(swr::runtime::memcpyDeviceToHost(dst, src, bytes));
}

int swr_memcpy_dtod(void *dst, const void *src, size_t bytes) {
  return report(swr::runtime::memcpyDeviceToDevice(dst, src, bytes));
}

int swr_memset_d8(void *dst, unsigned char value, size_t bytes) {
  return report(swr::runtime::memsetD8(dst, value, bytes));
}

int swr_synchronize(void) { return report(swr::runtime::synchronize()); }

int swr_event_timer_begin(void *stream) {
  return report(swr::runtime::eventTimerBegin(stream));
}

int swr_event_timer_end(void *stream, float *ms) {
  return report(swr::runtime::eventTimerEnd(stream, ms));
}

} // extern "C"
