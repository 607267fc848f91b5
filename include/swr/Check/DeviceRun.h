//===- DeviceRun.h - run and time kernels on a GPU for the runners -*- C++
//-*-===//
//
// The device half of checking a kernel, shared by swr-gpu-run (PTX from
// swr-compile, on a machine without MLIR) and swr-run --target=sm_90a
// (compiling and running in one process): copy a prepared problem to the
// device, launch, copy the outputs back and compare; and the benchmark
// against a device-to-device copy. No MLIR.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_CHECK_DEVICERUN_H
#define SWR_CHECK_DEVICERUN_H

#include "swr-c/Runtime.h"
#include "swr/Check/Check.h"

namespace swr {
namespace check {

/// Exits with "<tool>: error: <what>: <the runtime's last error>" (code 2)
/// when `status` is not 0.
void checkDeviceCall(const char *tool, int status, const char *what);

/// Fills `problem` for (`regime`, `seed`) with NaN-poisoned outputs, runs
/// `kernel` on device copies of its operands (in `problem.scan.params`
/// order), copies what the kernel writes back and compares it with the
/// float64 reference.
Result runOnDevice(const char *tool, swr_kernel *kernel, Problem &problem,
                   reference::DecayRegime regime, uint64_t seed);

/// Times `kernel` on `problem`'s operands as prepared (CUDA events, 3
/// warm-ups, median of 25, operands rotated through more than the L2) and a
/// device-to-device copy of the same byte count in the same run; prints
/// "bench: <ms> ms, <bytes> bytes, <GB/s> GB/s; copy <GB/s> GB/s; <pct>% of
/// copy" (or one JSON object).
void benchOnDevice(const char *tool, swr_kernel *kernel, Problem &problem,
                   bool json);

} // namespace check
} // namespace swr

#endif // SWR_CHECK_DEVICERUN_H
