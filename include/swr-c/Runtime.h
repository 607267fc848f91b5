/*===-- swr-c/Runtime.h - Phalanx runtime C API -------------------*- C -*-===*\
|*                                                                            *|
|* Loads PTX produced by the SWR compiler through the CUDA driver API and     *|
|* launches its kernels as described by the launch description (JSON) that    *|
|* the compiler writes next to the PTX. The driver is dlopen'ed at            *|
|* swr_runtime_init, so a program linked with this library runs on machines   *|
|* without a GPU and reports a clear error there.                             *|
|*                                                                            *|
|* Conventions: every int-returning function returns SWR_SUCCESS (0) or a     *|
|* nonzero swr_status; the message of the last failing call on the calling    *|
|* thread is swr_last_error(). No function aborts or throws; null pointers    *|
|* are reported as SWR_ERROR_INVALID_ARGUMENT. Device pointers are plain      *|
|* void * holding a CUdeviceptr of the current runtime device.                *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SWR_C_RUNTIME_H
#define SWR_C_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define SWR_RUNTIME_EXPORT __attribute__((visibility("default")))
#else
#define SWR_RUNTIME_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** Status codes returned by the runtime. */
typedef enum swr_status {
  SWR_SUCCESS = 0,
  /** A null pointer, negative count or otherwise malformed call argument, or
   *  launch arguments that do not match the launch description. */
  SWR_ERROR_INVALID_ARGUMENT = 1,
  /** libcuda.so.1 could not be loaded or lacks a needed symbol. */
  SWR_ERROR_NO_DRIVER = 2,
  /** A call that needs the driver came before swr_runtime_init. */
  SWR_ERROR_NOT_INITIALIZED = 3,
  /** A CUDA driver call failed; the message names the call and the error. */
  SWR_ERROR_DRIVER = 4,
  /** The launch description is not valid JSON. */
  SWR_ERROR_INVALID_JSON = 5,
  /** The launch description is JSON but not a valid swr-launch-v1. */
  SWR_ERROR_INVALID_LAUNCH_DESCRIPTION = 6,
  /** The compiler rejected a spec (libswr's compiler API). */
  SWR_ERROR_COMPILE = 7
} swr_status;

/** The maximum memref rank. */
#define SWR_MAX_RANK 8

/** A loaded kernel (opaque). */
typedef struct swr_kernel swr_kernel;

/** A memref in device memory. `data` is the device base pointer, `offset`,
 *  `sizes` and `strides` are in elements; only the first `rank` entries of
 *  `sizes` and `strides` are read. The first element is at `data + offset`;
 *  the strides must be row-major contiguous (any stride on a dimension of
 *  size 1): kernels read their memrefs that way, and launches refuse others. */
typedef struct swr_memref {
  void *data;
  int64_t offset;
  int32_t rank;
  int64_t sizes[SWR_MAX_RANK];
  int64_t strides[SWR_MAX_RANK];
} swr_memref;

/** The message of the last failing call on this thread ("" if none). The
 *  pointer stays valid until the next failing call on this thread. */
SWR_RUNTIME_EXPORT const char *swr_last_error(void);

/** Loads the CUDA driver (dlopen libcuda.so.1) on first use, runs cuInit,
 *  retains the primary context of `device` and makes it current on the
 *  calling thread. Later runtime calls use this device. Idempotent. */
SWR_RUNTIME_EXPORT int swr_runtime_init(int device);

/** Parses and validates `launch_json`, loads `ptx` into the current device
 *  (modules are cached per device and PTX content) and looks up the entry.
 *  `ptx` need not be NUL-terminated. On success `*out` owns a kernel that
 *  swr_kernel_destroy releases. */
SWR_RUNTIME_EXPORT int swr_kernel_load(const char *ptx, size_t ptx_size,
                                       const char *launch_json,
                                       size_t json_size, swr_kernel **out);

/** Launches `k` on `stream` (NULL: the legacy default stream) with one memref
 *  per launch-description param, in order. Packs the memref descriptors,
 *  computes the grid from the argument sizes and enqueues the launch: it does
 *  not synchronize, so it can be captured into a CUDA graph. It allocates
 *  device memory only for a description's "workspace" (a rank-1 i32 buffer
 *  of header_words + work items * words_per_item words, passed after the
 *  params, whose first header_words + work items * zeroed_words_per_item
 *  words are zeroed), and then stream-ordered (cuMemAllocAsync,
 *  cuMemsetD32Async, cuMemFreeAsync), which graph capture supports too. A
 *  grid of zero work items launches nothing and succeeds. */
SWR_RUNTIME_EXPORT int swr_kernel_launch(swr_kernel *k, const swr_memref *args,
                                         int32_t num_args, void *stream);

/** The kernel's entry name, or "" for a null kernel. */
SWR_RUNTIME_EXPORT const char *swr_kernel_entry(const swr_kernel *k);

/** Releases a kernel (NULL is ignored). The module stays cached. */
SWR_RUNTIME_EXPORT void swr_kernel_destroy(swr_kernel *k);

/** cuMemAlloc on the current device. `bytes` == 0 gives *out = NULL. */
SWR_RUNTIME_EXPORT int swr_device_alloc(size_t bytes, void **out);
/** cuMemFree; NULL is ignored. */
SWR_RUNTIME_EXPORT int swr_device_free(void *p);
/** Synchronous copies between host and device memory. */
SWR_RUNTIME_EXPORT int swr_memcpy_htod(void *dst, const void *src,
                                       size_t bytes);
SWR_RUNTIME_EXPORT int swr_memcpy_dtoh(void *dst, const void *src,
                                       size_t bytes);
/** Sets `bytes` bytes of device memory to `value`. */
/** Device-to-device copy of `bytes` (asynchronous on the null stream). */
SWR_RUNTIME_EXPORT int swr_memcpy_dtod(void *dst, const void *src,
                                       size_t bytes);
SWR_RUNTIME_EXPORT int swr_memset_d8(void *dst, unsigned char value,
                                     size_t bytes);
/** Waits for all work on the current device's context (cuCtxSynchronize). */
SWR_RUNTIME_EXPORT int swr_synchronize(void);

/** A CUDA event timer for benchmarks: begin records a start event on
 *  `stream`, end records a stop event, waits for it and stores the elapsed
 *  milliseconds in *ms. One timer per thread; begin/end must pair up. */
SWR_RUNTIME_EXPORT int swr_event_timer_begin(void *stream);
SWR_RUNTIME_EXPORT int swr_event_timer_end(void *stream, float *ms);

#ifdef __cplusplus
}
#endif

#endif /* SWR_C_RUNTIME_H */
