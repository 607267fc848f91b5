/*===- swr-c/Compiler.h - C API of the swr compiler ---------------*- C -*-===*
 *
 * Compiles swr specs (MLIR text holding one swr.scan per function) to PTX
 * with a launch description, or to a CPU kernel run through the host JIT.
 * Errors: a nonzero swr_status; swr_last_error() (swr-c/Runtime.h) has the
 * message, with the spec's diagnostics and their locations.
 *
 *===----------------------------------------------------------------------===*/

#ifndef SWR_C_COMPILER_H
#define SWR_C_COMPILER_H

#include "swr-c/Runtime.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The compiler's build id, recorded in every launch description. */
SWR_RUNTIME_EXPORT const char *swr_build_id(void);

/** Options of swr_compile_ptx; zero-initialise, then set what differs:
 *  NULL strings and 0 numbers take the defaults (sm_90a, fma, 128, 2, 16). */
typedef struct swr_compile_options {
  const char *function; /* default: the first function of the spec */
  const char *chip;
  const char *strategy; /* "fma", "mma" / "wmma" (tensor cores), "matrix" */
  int64_t block_size;
  int64_t time_chunk;      /* < 0: no time chunks */
  int64_t grad_time_chunk; /* backward kernels; < 0: no time chunks */
  /* Lanes of a warp sharing a sequence's tiles (full and bands<k>
   * forwards): 0 or < 0 the compiler's choice, 1 a thread per sequence,
   * 2..32 (powers of 2) those lanes, for bands over any layout. */
  int64_t time_lanes;
  /* Channels of a head one thread solves together when they share a decay
   * (GPU kernels; each step of a tile is then one vector access over a
   * contiguous channel axis): 0 the compiler's choice, else 1..64. */
  int64_t channel_tile;
  /* Full windows: warps of a CTA sharing a sequence's tiles, 0 the
   * compiler's choice (4 over token-major layouts), else 1..32. */
  int64_t time_warps;
  /* Full windows: time steps per tile, 0 the compiler's choice, else > 0. */
  int64_t full_block;
  /* Full windows on lanes or warps: 1 splits each sequence into work items
   * whose carries pass through a global workspace (a decoupled look-back;
   * the launch allocates it), 0 off (the default). */
  int64_t grid_carries;
  /* Full windows: CTAs of a thread-block cluster sharing a sequence's tiles
   * (carries through distributed shared memory), 0 the compiler's choice
   * (one CTA), else 1..16; not with grid_carries. */
  int64_t time_ctas;
} swr_compile_options;

/** Compiles `spec` to PTX and its JSON launch description. Both strings are
 *  NUL-terminated, allocated here, and released with swr_free. */
SWR_RUNTIME_EXPORT int swr_compile_ptx(const char *spec, size_t spec_size,
                                       const swr_compile_options *options,
                                       char **ptx, char **launch_json);

/** Adds the backward of every function of `spec` that is one swr.scan with
 *  a full or bands<k> window (pass swr-derive-backward): @<name>_backward,
 *  an swr.scan_grad. Returns the whole module as MLIR text in `*out`
 *  (NUL-terminated, released with swr_free); compile the backward by name
 *  with swr_compile_ptx or swr_host_compile. */
SWR_RUNTIME_EXPORT int swr_derive_backward(const char *spec, size_t spec_size,
                                           char **out);

/** A spec compiled for the CPU (opaque). */
typedef struct swr_host_kernel swr_host_kernel;

/** Compiles function `function` (NULL: the first) of `spec` for the CPU.
 *  `strategy`: NULL or "matrix" (L u as outer products) or "fma". */
SWR_RUNTIME_EXPORT int swr_host_compile(const char *spec, size_t spec_size,
                                        const char *function,
                                        const char *strategy,
                                        swr_host_kernel **out);

/** Runs a host kernel on host memrefs, one per function argument, after the
 *  checks of a GPU launch (count, rank, static sizes, row-major strides,
 *  data pointers; SWR_ERROR_INVALID_ARGUMENT naming the argument). */
SWR_RUNTIME_EXPORT int swr_host_invoke(swr_host_kernel *kernel,
                                       const swr_memref *args,
                                       int32_t num_args);

SWR_RUNTIME_EXPORT void swr_host_destroy(swr_host_kernel *kernel);

/** Releases a string returned by this API. */
SWR_RUNTIME_EXPORT void swr_free(void *pointer);

#ifdef __cplusplus
}
#endif

#endif /* SWR_C_COMPILER_H */
