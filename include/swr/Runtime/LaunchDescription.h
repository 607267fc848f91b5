//===- LaunchDescription.h - swr-launch-v1 kernel metadata -----*- C++ -*-===//
//
// The compiler writes, next to each PTX file, a JSON launch description: the
// entry name, block and cluster shape, dynamic shared memory, the rule that
// turns argument sizes into a grid, the parameter list, an optional zeroed
// workspace the runtime supplies per launch, and informational data (scan
// window, layout, strategy) that checkers read. This header parses and
// validates it and holds the pure (GPU-free) parts of a launch: checking the
// memref arguments against the params, packing them into kernel parameters and
// computing the grid, so that all of it is unit-testable without a driver.
//
//===----------------------------------------------------------------------===//

#ifndef SWR_RUNTIME_LAUNCHDESCRIPTION_H
#define SWR_RUNTIME_LAUNCHDESCRIPTION_H

#include "swr-c/Runtime.h"
#include "swr/Runtime/Json.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace swr {
namespace runtime {

/// The only format this runtime reads.
constexpr const char *kLaunchFormat = "swr-launch-v1";
/// Threads per block and blocks per cluster that the hardware allows.
constexpr int64_t kMaxThreadsPerBlock = 1024;
constexpr int64_t kMaxBlocksPerCluster = 16;
/// Above this many blocks per cluster the kernel must opt in to non-portable
/// cluster sizes.
constexpr int64_t kMaxPortableBlocksPerCluster = 8;
/// The largest grid.x the driver accepts.
constexpr int64_t kMaxGridX = 2147483647;

enum class ElementType { F32, BF16, F16, I32, I64 };

/// "f32", "bf16", "f16", "i32" or "i64".
const char *elementTypeName(ElementType type);
std::optional<ElementType> parseElementType(std::string_view name);
/// Size in bytes.
int64_t elementSize(ElementType type);

enum class ParamKind { MemRef };

/// One entry of "params".
struct ParamDescription {
  std::string name;
  ParamKind kind = ParamKind::MemRef;
  int32_t rank = 0;
  ElementType dtype = ElementType::F32;
  /// "sizes": per dimension the size the kernel was compiled for, or
  /// kDynamicSize where it takes the argument's (empty: all dynamic).
  std::vector<int64_t> staticSizes;
  static constexpr int64_t kDynamicSize = -1;
};

/// One factor of the work-item count: size `dim` of argument `param`,
/// ceil-divided by `ceilDiv`.
struct WorkItemTerm {
  int32_t param = 0;
  int32_t dim = 0;
  int64_t ceilDiv = 1;
};

/// "grid": blocks = ceil(prod(workItems) / itemsPerBlock) * blocksPerItem.
/// A work item spans several blocks (blocksPerItem > 1, then itemsPerBlock
/// is 1) when the CTAs of a cluster share it.
struct GridRule {
  std::vector<WorkItemTerm> workItems;
  int64_t itemsPerBlock = 1;
  int64_t blocksPerItem = 1;
};

/// "scan", kept as plain data for checkers; the runtime does not interpret it.
struct ScanDescription {
  bool present = false;
  std::string window; ///< "full", "bands" or "exact"
  int64_t size = 0;   ///< k for bands, W for exact
  int64_t tile = 0;
  std::string layout;
  std::string sharing;
  bool reverse = false;
  bool gradient = false; ///< the kernel is the scan's backward
};

/// Size of a workspace word (an i32).
constexpr int64_t kWorkspaceWordBytes = 4;

/// "workspace": a global-memory scratch buffer of 32-bit words through which
/// the CTAs of one launch exchange carries (a decoupled look-back). The
/// runtime allocates it per launch and passes it to the kernel after the
/// memref params as one extra rank-1 i32 memref of headerWords + workItems *
/// wordsPerItem words, the first headerWords + workItems *
/// zeroedWordsPerItem of them zeroed (the flags; the values behind them are
/// written before a flag is set); it is not in "params".
struct WorkspaceDescription {
  int64_t headerWords = 0;
  int64_t wordsPerItem = 0;
  int64_t zeroedWordsPerItem = 0; ///< optional, default wordsPerItem
};

struct LaunchDescription {
  std::string format;
  std::string entry;
  std::string target;
  std::string compiler; ///< optional free text
  std::string strategy; ///< optional
  std::array<int32_t, 3> block = {1, 1, 1};
  std::array<int32_t, 3> cluster = {1, 1, 1}; ///< optional, default 1,1,1
  int64_t dynamicSharedMemory = 0;            ///< optional, default 0
  GridRule grid;
  std::vector<ParamDescription> params;
  ScanDescription scan;                          ///< optional
  std::optional<WorkspaceDescription> workspace; ///< optional
  /// The whole document, for fields this struct does not model.
  json::Value document;

  /// Number of kernel parameters after memref expansion (3 + 2r per memref),
  /// including the workspace memref when there is one.
  size_t numKernelParams() const;
  /// Whether the launch needs the cluster-dimension attribute.
  bool hasCluster() const;
};

/// Parses and validates a launch description. On failure returns false and
/// sets `error` to a message naming the offending field, e.g.
/// "launch description: field 'block[1]': expected integer >= 1, got integer
/// 0". A JSON syntax error is reported with its byte offset and sets
/// `*isJsonError` (if given) so callers can tell the two apart.
bool parseLaunchDescription(std::string_view text, LaunchDescription &out,
                            std::string &error, bool *isJsonError = nullptr);

/// Validates a parsed JSON document (the part of parseLaunchDescription after
/// the syntax).
bool readLaunchDescription(const json::Value &document, LaunchDescription &out,
                           std::string &error);

/// Checks launch arguments against the params: count, rank, non-negative sizes
/// and offset, the static sizes the kernel was compiled for, row-major
/// contiguous strides, a non-null data pointer whose first element is
/// aligned to the element size.
bool checkLaunchArguments(const LaunchDescription &desc, const swr_memref *args,
                          size_t numArgs, std::string &error);

/// The address of the first element of `arg`: its data pointer advanced by
/// `offset` elements of `dtype`. The compiler's kernels take memrefs of the
/// identity layout, whose code reads the offset as 0 (and the strides as
/// row-major), so the offset is applied to the aligned pointer instead.
uintptr_t firstElementAddress(const swr_memref &arg, ElementType dtype);

/// Kernel parameters, one 8-byte word each, in kernel order: for every memref
/// param, allocated pointer, aligned pointer (firstElementAddress), offset 0,
/// sizes[rank], strides[rank] (the MLIR memref descriptor, expanded).
struct KernelParams {
  std::vector<uint64_t> words;
  /// The `kernelParams` array for cuLaunchKernel: a pointer to each word.
  /// Valid while `words` is not modified.
  std::vector<void *> pointers();
};

/// Checks the arguments and packs them (the user params only; the workspace
/// is appended by appendWorkspaceParams). Pure: no driver needed.
bool packKernelParams(const LaunchDescription &desc, const swr_memref *args,
                      size_t numArgs, KernelParams &out, std::string &error);

/// The launch grid for given arguments.
struct LaunchGrid {
  int64_t workItems = 0;
  /// Blocks in x, rounded up to a multiple of cluster.x; 0 when workItems is
  /// 0 (nothing to launch).
  uint32_t x = 0;
  uint32_t y = 1;
  uint32_t z = 1;
  bool empty() const { return x == 0; }
};

/// Computes the grid from the argument sizes (arguments must already pass
/// checkLaunchArguments). Fails if the work-item count overflows int64 or
/// grid.x would exceed 2^31-1.
bool computeLaunchGrid(const LaunchDescription &desc, const swr_memref *args,
                       size_t numArgs, LaunchGrid &out, std::string &error);

/// The workspace size in 32-bit words for `grid`: headerWords + workItems *
/// wordsPerItem, and the zeroed prefix: headerWords + workItems *
/// zeroedWordsPerItem (both 0 without a workspace). Fails when the size in
/// bytes would overflow int64.
bool workspaceWords(const LaunchDescription &desc, const LaunchGrid &grid,
                    int64_t &words, int64_t &zeroedWords, std::string &error);

/// Appends the workspace memref (rank 1, i32): allocated and aligned pointer
/// `pointer`, offset 0, size `words`, stride 1.
void appendWorkspaceParams(KernelParams &params, void *pointer, int64_t words);

} // namespace runtime
} // namespace swr

#endif // SWR_RUNTIME_LAUNCHDESCRIPTION_H
