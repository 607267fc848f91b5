//===- LaunchDescription.cpp - swr-launch-v1 kernel metadata --------------===//

#include "swr/Runtime/LaunchDescription.h"

#include <cinttypes>
#include <cstdio>
#include <limits>
#include <set>

namespace swr {
namespace runtime {

namespace {
/// The workspace memref is rank 1: allocated, aligned, offset, size, stride.
constexpr size_t kWorkspaceParamWords = 5;
} // namespace

const char *elementTypeName(ElementType type) {
  switch (type) {
  case ElementType::F32:
    return "f32";
  case ElementType::BF16:
    return "bf16";
  case ElementType::F16:
    return "f16";
  case ElementType::I32:
    return "i32";
  case ElementType::I64:
    return "i64";
  }
  return "unknown";
}

std::optional<ElementType> parseElementType(std::string_view name) {
  for (ElementType type :
       {ElementType::F32, ElementType::BF16, ElementType::F16, ElementType::I32,
        ElementType::I64})
    if (name == elementTypeName(type))
      return type;
  return std::nullopt;
}

int64_t elementSize(ElementType type) {
  switch (type) {
  case ElementType::F32:
  case ElementType::I32:
    return 4;
  case ElementType::BF16:
  case ElementType::F16:
    return 2;
  case ElementType::I64:
    return 8;
  }
  return 1;
}

size_t LaunchDescription::numKernelParams() const {
  size_t count = 0;
  for (const ParamDescription &param : params)
    count += 3 + 2 * static_cast<size_t>(param.rank);
  if (workspace)
    count += kWorkspaceParamWords;
  return count;
}

bool LaunchDescription::hasCluster() const {
  return cluster[0] * cluster[1] * cluster[2] > 1;
}

std::vector<void *> KernelParams::pointers() {
  std::vector<void *> result;
  result.reserve(words.size());
  for (uint64_t &word : words)
    result.push_back(&word);
  return result;
}

//===----------------------------------------------------------------------===//
// Reading the JSON document
//===----------------------------------------------------------------------===//

namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

std::string joinPath(const std::string &parent, const char *key) {
  return parent.empty() ? std::string(key) : parent + "." + key;
}

std::string indexPath(const std::string &parent, size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::string expectedRange(int64_t min, int64_t max) {
  if (max == kInt64Max)
    return "integer >= " + std::to_string(min);
  return "integer in [" + std::to_string(min) + ", " + std::to_string(max) +
         "]";
}

/// Typed field access with messages that name the field path, what was
/// expected and what was found.
class Reader {
public:
  explicit Reader(std::string &error) : error_(error) {}

  bool fail(const std::string &path, const std::string &message) {
    error_ = "launch description: field '" + path + "': " + message;
    return false;
  }

  bool failExpected(const std::string &path, const std::string &expected,
                    const json::Value &got) {
    return fail(path, "expected " + expected + ", got " + json::describe(got));
  }

  /// Finds `key` in `object`. Returns false (with an error) when a required
  /// field is missing; `out` is null when an optional field is absent.
  bool lookup(const json::Value &object, const char *key,
              const std::string &path, bool required, const json::Value *&out) {
    out = object.find(key);
    if (out || !required)
      return true;
    error_ = "launch description: missing required field '" + path + "'";
    return false;
  }

  bool readString(const json::Value &object, const std::string &parent,
                  const char *key, bool required, std::string &out) {
    std::string path = joinPath(parent, key);
    const json::Value *value;
    if (!lookup(object, key, path, required, value))
      return false;
    if (!value)
      return true;
    if (!value->isString())
      return failExpected(path, "string", *value);
    out = value->getString();
    return true;
  }

  bool readNonEmptyString(const json::Value &object, const std::string &parent,
                          const char *key, std::string &out) {
    if (!readString(object, parent, key, /*required=*/true, out))
      return false;
    if (out.empty())
      return fail(joinPath(parent, key), "expected a non-empty string");
    return true;
  }

  bool checkInt(const json::Value &value, const std::string &path, int64_t min,
                int64_t max, int64_t &out) {
    if (!value.isInt() || value.getInt() < min || value.getInt() > max)
      return failExpected(path, expectedRange(min, max), value);
    out = value.getInt();
    return true;
  }

  bool readInt(const json::Value &object, const std::string &parent,
               const char *key, bool required, int64_t min, int64_t max,
               int64_t &out) {
    std::string path = joinPath(parent, key);
    const json::Value *value;
    if (!lookup(object, key, path, required, value))
      return false;
    return !value || checkInt(*value, path, min, max, out);
  }

  bool readBool(const json::Value &object, const std::string &parent,
                const char *key, bool &out) {
    std::string path = joinPath(parent, key);
    const json::Value *value = object.find(key);
    if (!value)
      return true;
    if (!value->isBool())
      return failExpected(path, "boolean", *value);
    out = value->getBool();
    return true;
  }

  bool readArray(const json::Value &object, const char *key,
                 const std::string &path, bool required,
                 const json::Value *&out) {
    if (!lookup(object, key, path, required, out))
      return false;
    if (out && !out->isArray())
      return failExpected(path, "array", *out);
    return true;
  }

  bool readObject(const json::Value &object, const char *key,
                  const std::string &path, bool required,
                  const json::Value *&out) {
    if (!lookup(object, key, path, required, out))
      return false;
    if (out && !out->isObject())
      return failExpected(path, "object", *out);
    return true;
  }

  /// An array of exactly three integers in [1, max].
  bool readDim3(const json::Value &object, const char *key, bool required,
                int64_t max, std::array<int32_t, 3> &out) {
    std::string path = key;
    const json::Value *value;
    if (!readArray(object, key, path, required, value))
      return false;
    if (!value)
      return true;
    if (value->size() != 3)
      return failExpected(path, "array of 3 integers", *value);
    for (size_t i = 0; i < 3; ++i) {
      int64_t dim = 0;
      if (!checkInt((*value)[i], indexPath(path, i), 1, max, dim))
        return false;
      out[i] = static_cast<int32_t>(dim);
    }
    return true;
  }

private:
  std::string &error_;
};

bool readHeader(Reader &reader, const json::Value &doc,
                LaunchDescription &out) {
  if (!reader.readString(doc, "", "format", true, out.format))
    return false;
  if (out.format != kLaunchFormat)
    return reader.fail("format", std::string("expected \"") + kLaunchFormat +
                                     "\", got " +
                                     json::describe(*doc.find("format")));
  return reader.readNonEmptyString(doc, "", "entry", out.entry) &&
         reader.readNonEmptyString(doc, "", "target", out.target) &&
         reader.readString(doc, "", "compiler", false, out.compiler) &&
         reader.readString(doc, "", "strategy", false, out.strategy);
}

bool readShape(Reader &reader, const json::Value &doc, LaunchDescription &out) {
  if (!reader.readDim3(doc, "block", true, kMaxThreadsPerBlock, out.block))
    return false;
  int64_t threads = int64_t(out.block[0]) * out.block[1] * out.block[2];
  if (threads > kMaxThreadsPerBlock)
    return reader.fail(
        "block", "expected at most " + std::to_string(kMaxThreadsPerBlock) +
                     " threads per block, got " + std::to_string(threads));
  if (!reader.readDim3(doc, "cluster", false, kMaxBlocksPerCluster,
                       out.cluster))
    return false;
  // The grid is one-dimensional, and cluster dims must divide grid dims.
  for (size_t i = 1; i < 3; ++i)
    if (out.cluster[i] != 1)
      return reader.fail(indexPath("cluster", i),
                         "expected 1 (the grid is one-dimensional), got " +
                             std::to_string(out.cluster[i]));
  // The driver takes the size as a 32-bit unsigned value.
  return reader.readInt(doc, "", "dynamic_shared_memory", false, 0,
                        std::numeric_limits<int32_t>::max(),
                        out.dynamicSharedMemory);
}

/// The optional "sizes" of a param: `rank` entries, each null (dynamic) or
/// the static size the kernel was compiled for.
bool readStaticSizes(Reader &reader, const json::Value &value,
                     const std::string &path, ParamDescription &out) {
  std::string sizesPath = joinPath(path, "sizes");
  const json::Value *sizes;
  if (!reader.readArray(value, "sizes", sizesPath, false, sizes))
    return false;
  if (!sizes)
    return true;
  if (sizes->size() != static_cast<size_t>(out.rank))
    return reader.failExpected(sizesPath,
                               "array of " + std::to_string(out.rank) +
                                   " sizes (one per dimension)",
                               *sizes);
  for (size_t d = 0; d < sizes->size(); ++d) {
    int64_t size = ParamDescription::kDynamicSize;
    if (!(*sizes)[d].isNull() &&
        !reader.checkInt((*sizes)[d], indexPath(sizesPath, d), 0, kInt64Max,
                         size))
      return false;
    out.staticSizes.push_back(size);
  }
  return true;
}

bool readParam(Reader &reader, const json::Value &value,
               const std::string &path, ParamDescription &out) {
  if (!value.isObject())
    return reader.failExpected(path, "object", value);
  std::string kind;
  if (!reader.readNonEmptyString(value, path, "name", out.name) ||
      !reader.readString(value, path, "kind", true, kind))
    return false;
  if (kind != "memref")
    return reader.fail(joinPath(path, "kind"),
                       "unsupported kind \"" + kind + "\" (supported: memref)");
  int64_t rank = 0;
  if (!reader.readInt(value, path, "rank", true, 0, SWR_MAX_RANK, rank))
    return false;
  out.rank = static_cast<int32_t>(rank);
  std::string dtype;
  if (!reader.readString(value, path, "dtype", true, dtype))
    return false;
  std::optional<ElementType> type = parseElementType(dtype);
  if (!type)
    return reader.fail(joinPath(path, "dtype"),
                       "unknown dtype \"" + dtype +
                           "\" (expected one of f32, bf16, f16, i32, i64)");
  out.dtype = *type;
  return readStaticSizes(reader, value, path, out);
}

bool readParams(Reader &reader, const json::Value &doc,
                LaunchDescription &out) {
  const json::Value *params;
  if (!reader.readArray(doc, "params", "params", true, params))
    return false;
  std::set<std::string> names;
  for (size_t i = 0; i < params->size(); ++i) {
    std::string path = indexPath("params", i);
    ParamDescription param;
    if (!readParam(reader, (*params)[i], path, param))
      return false;
    if (!names.insert(param.name).second)
      return reader.fail(joinPath(path, "name"),
                         "duplicate param name \"" + param.name + "\"");
    out.params.push_back(std::move(param));
  }
  return true;
}

bool readWorkItem(Reader &reader, const json::Value &value,
                  const std::string &path,
                  const std::vector<ParamDescription> &params,
                  WorkItemTerm &out) {
  if (!value.isObject())
    return reader.failExpected(path, "object", value);
  int64_t param = 0, dim = 0;
  if (params.empty())
    return reader.fail(joinPath(path, "param"),
                       "refers to a param, but 'params' is empty");
  if (!reader.readInt(value, path, "param", true, 0,
                      static_cast<int64_t>(params.size()) - 1, param))
    return false;
  const ParamDescription &target = params[param];
  std::string dimPath = joinPath(path, "dim");
  const json::Value *dimValue;
  if (!reader.lookup(value, "dim", dimPath, true, dimValue))
    return false;
  if (target.rank == 0)
    return reader.fail(dimPath, "param " + std::to_string(param) + " ('" +
                                    target.name + "') has rank 0 and no dims");
  if (!dimValue->isInt() || dimValue->getInt() < 0 ||
      dimValue->getInt() >= target.rank)
    return reader.fail(
        dimPath, "param " + std::to_string(param) + " ('" + target.name +
                     "') has rank " + std::to_string(target.rank) +
                     ", expected a dim in [0, " + std::to_string(target.rank) +
                     "), got " + json::describe(*dimValue));
  dim = dimValue->getInt();
  out.param = static_cast<int32_t>(param);
  out.dim = static_cast<int32_t>(dim);
  return reader.readInt(value, path, "ceil_div", false, 1, kInt64Max,
                        out.ceilDiv);
}

bool readGrid(Reader &reader, const json::Value &doc, LaunchDescription &out) {
  const json::Value *grid, *items;
  if (!reader.readObject(doc, "grid", "grid", true, grid) ||
      !reader.readArray(*grid, "work_items", "grid.work_items", true, items))
    return false;
  for (size_t i = 0; i < items->size(); ++i) {
    WorkItemTerm term;
    if (!readWorkItem(reader, (*items)[i], indexPath("grid.work_items", i),
                      out.params, term))
      return false;
    out.grid.workItems.push_back(term);
  }
  if (!reader.readInt(*grid, "grid", "items_per_block", true, 1, kInt64Max,
                      out.grid.itemsPerBlock) ||
      !reader.readInt(*grid, "grid", "blocks_per_item", false, 1,
                      kMaxBlocksPerCluster, out.grid.blocksPerItem))
    return false;
  // The blocks of one work item are one cluster.
  if (out.grid.blocksPerItem > 1 &&
      (out.grid.itemsPerBlock != 1 ||
       out.grid.blocksPerItem != int64_t(out.cluster[0])))
    return reader.fail("grid.blocks_per_item",
                       "expected 1, or with items_per_block 1 the blocks of "
                       "a cluster (cluster[0] = " +
                           std::to_string(out.cluster[0]) + "), got " +
                           std::to_string(out.grid.blocksPerItem));
  return true;
}

bool readScan(Reader &reader, const json::Value &doc, LaunchDescription &out) {
  const json::Value *scan;
  if (!reader.readObject(doc, "scan", "scan", false, scan))
    return false;
  if (!scan)
    return true;
  ScanDescription &s = out.scan;
  s.present = true;
  return reader.readString(*scan, "scan", "window", true, s.window) &&
         reader.readInt(*scan, "scan", "size", false, 0, kInt64Max, s.size) &&
         reader.readInt(*scan, "scan", "tile", false, 1, kInt64Max, s.tile) &&
         reader.readString(*scan, "scan", "layout", false, s.layout) &&
         reader.readString(*scan, "scan", "sharing", false, s.sharing) &&
         reader.readBool(*scan, "scan", "reverse", s.reverse) &&
         reader.readBool(*scan, "scan", "gradient", s.gradient);
}

bool readWorkspace(Reader &reader, const json::Value &doc,
                   LaunchDescription &out) {
  const json::Value *workspace;
  if (!reader.readObject(doc, "workspace", "workspace", false, workspace))
    return false;
  if (!workspace)
    return true;
  WorkspaceDescription w;
  // Both sizes are required: a compiler that asks for a workspace knows them,
  // and a silent default would hand the kernel a too-small buffer.
  if (!reader.readInt(*workspace, "workspace", "header_words", true, 0,
                      kInt64Max, w.headerWords) ||
      !reader.readInt(*workspace, "workspace", "words_per_item", true, 1,
                      kInt64Max, w.wordsPerItem))
    return false;
  w.zeroedWordsPerItem = w.wordsPerItem;
  if (!reader.readInt(*workspace, "workspace", "zeroed_words_per_item", false,
                      0, w.wordsPerItem, w.zeroedWordsPerItem))
    return false;
  out.workspace = w;
  return true;
}

} // namespace

bool readLaunchDescription(const json::Value &document, LaunchDescription &out,
                           std::string &error) {
  out = LaunchDescription();
  if (!document.isObject()) {
    error = "launch description: expected a JSON object at the top level, "
            "got " +
            json::describe(document);
    return false;
  }
  Reader reader(error);
  if (!readHeader(reader, document, out) || !readShape(reader, document, out) ||
      !readParams(reader, document, out) || !readGrid(reader, document, out) ||
      !readScan(reader, document, out) || !readWorkspace(reader, document, out))
    return false;
  out.document = document;
  return true;
}

bool parseLaunchDescription(std::string_view text, LaunchDescription &out,
                            std::string &error, bool *isJsonError) {
  if (isJsonError)
    *isJsonError = false;
  json::ParseError parseError;
  std::optional<json::Value> document = json::parse(text, &parseError);
  if (!document) {
    if (isJsonError)
      *isJsonError = true;
    error = "launch description: " + parseError.str();
    return false;
  }
  return readLaunchDescription(*document, out, error);
}

//===----------------------------------------------------------------------===//
// Arguments, packing and grid
//===----------------------------------------------------------------------===//

namespace {

std::string argumentName(const LaunchDescription &desc, size_t index) {
  return "kernel '" + desc.entry + "': argument " + std::to_string(index) +
         " ('" + desc.params[index].name + "')";
}

std::string paramNames(const LaunchDescription &desc) {
  std::string names;
  for (const ParamDescription &param : desc.params)
    names += (names.empty() ? "" : ", ") + param.name;
  return names;
}

/// The kernels read their memrefs as row-major contiguous (identity layout):
/// a stride other than the product of the inner sizes (a padded row, a
/// transposed or reversed view) would be read as that product, silently.
/// A dimension of size 1 is never stepped along, so its stride is free.
bool checkRowMajor(const LaunchDescription &desc, size_t index,
                   const swr_memref &arg, std::string &error) {
  int64_t expected = 1;
  for (int32_t d = arg.rank - 1; d >= 0; --d) {
    if (arg.sizes[d] != 1 && arg.strides[d] != expected) {
      std::string sizes;
      for (int32_t k = 0; k < arg.rank; ++k)
        sizes += (k ? ", " : "") + std::to_string(arg.sizes[k]);
      error = argumentName(desc, index) + ": strides[" + std::to_string(d) +
              "] is " + std::to_string(arg.strides[d]) +
              ", but the kernel reads row-major contiguous memrefs: expected " +
              std::to_string(expected) + " for sizes [" + sizes + "]";
      return false;
    }
    expected *= arg.sizes[d];
  }
  return true;
}

bool checkArgument(const LaunchDescription &desc, size_t index,
                   const swr_memref &arg, std::string &error) {
  const ParamDescription &param = desc.params[index];
  if (arg.rank != param.rank) {
    error = argumentName(desc, index) +
            ": rank mismatch: the launch description expects rank " +
            std::to_string(param.rank) + ", got " + std::to_string(arg.rank);
    return false;
  }
  if (arg.offset < 0) {
    error = argumentName(desc, index) + ": offset is negative (" +
            std::to_string(arg.offset) + ")";
    return false;
  }
  bool emptyTensor = false;
  for (int32_t d = 0; d < arg.rank; ++d) {
    if (arg.sizes[d] < 0) {
      error = argumentName(desc, index) + ": sizes[" + std::to_string(d) +
              "] is negative (" + std::to_string(arg.sizes[d]) + ")";
      return false;
    }
    emptyTensor |= arg.sizes[d] == 0;
    int64_t compiled = param.staticSizes.empty()
                           ? ParamDescription::kDynamicSize
                           : param.staticSizes[d];
    if (compiled != ParamDescription::kDynamicSize &&
        arg.sizes[d] != compiled) {
      error = argumentName(desc, index) + ": sizes[" + std::to_string(d) +
              "] is " + std::to_string(arg.sizes[d]) +
              ", but the kernel was compiled for " + std::to_string(compiled);
      return false;
    }
  }
  // An empty tensor may legitimately have no storage (and any strides).
  if (!emptyTensor && !checkRowMajor(desc, index, arg, error))
    return false;
  if (!arg.data && !emptyTensor) {
    error = argumentName(desc, index) + ": null data pointer";
    return false;
  }
  uintptr_t address = firstElementAddress(arg, param.dtype);
  int64_t size = elementSize(param.dtype);
  if (address % static_cast<uintptr_t>(size) != 0) {
    char hex[32];
    std::snprintf(hex, sizeof(hex), "0x%" PRIxPTR, address);
    error = argumentName(desc, index) + ": data pointer " + hex +
            " is not aligned to the " + std::to_string(size) + "-byte " +
            elementTypeName(param.dtype) + " element";
    return false;
  }
  return true;
}

} // namespace

uintptr_t firstElementAddress(const swr_memref &arg, ElementType dtype) {
  return reinterpret_cast<uintptr_t>(arg.data) +
         static_cast<uintptr_t>(arg.offset * elementSize(dtype));
}

bool checkLaunchArguments(const LaunchDescription &desc, const swr_memref *args,
                          size_t numArgs, std::string &error) {
  if (numArgs != desc.params.size()) {
    error = "kernel '" + desc.entry + "': expected " +
            std::to_string(desc.params.size()) + " arguments (" +
            paramNames(desc) + "), got " + std::to_string(numArgs);
    return false;
  }
  if (numArgs && !args) {
    error = "kernel '" + desc.entry + "': null argument array";
    return false;
  }
  for (size_t i = 0; i < numArgs; ++i)
    if (!checkArgument(desc, i, args[i], error))
      return false;
  return true;
}

bool packKernelParams(const LaunchDescription &desc, const swr_memref *args,
                      size_t numArgs, KernelParams &out, std::string &error) {
  out.words.clear();
  if (!checkLaunchArguments(desc, args, numArgs, error))
    return false;
  out.words.reserve(desc.numKernelParams());
  for (size_t i = 0; i < numArgs; ++i) {
    const swr_memref &arg = args[i];
    out.words.push_back(reinterpret_cast<uintptr_t>(arg.data)); // allocated
    out.words.push_back(firstElementAddress(arg, desc.params[i].dtype));
    out.words.push_back(0); // offset: in the aligned pointer
    for (int32_t d = 0; d < arg.rank; ++d)
      out.words.push_back(static_cast<uint64_t>(arg.sizes[d]));
    for (int32_t d = 0; d < arg.rank; ++d)
      out.words.push_back(static_cast<uint64_t>(arg.strides[d]));
  }
  return true;
}

bool computeLaunchGrid(const LaunchDescription &desc, const swr_memref *args,
                       size_t numArgs, LaunchGrid &out, std::string &error) {
  out = LaunchGrid();
  if (!checkLaunchArguments(desc, args, numArgs, error))
    return false;
  int64_t items = 1;
  for (size_t i = 0; i < desc.grid.workItems.size(); ++i) {
    const WorkItemTerm &term = desc.grid.workItems[i];
    int64_t size = args[term.param].sizes[term.dim];
    int64_t factor = size / term.ceilDiv + (size % term.ceilDiv != 0);
    if (__builtin_mul_overflow(items, factor, &items)) {
      error = "kernel '" + desc.entry +
              "': the work-item count overflows int64 at grid.work_items[" +
              std::to_string(i) + "]";
      return false;
    }
  }
  out.workItems = items;
  if (items == 0)
    return true;
  int64_t perBlock = desc.grid.itemsPerBlock;
  int64_t blocks = items / perBlock + (items % perBlock != 0);
  if (__builtin_mul_overflow(blocks, desc.grid.blocksPerItem, &blocks)) {
    error = "kernel '" + desc.entry + "': the block count overflows int64 (" +
            std::to_string(items) + " work items of " +
            std::to_string(desc.grid.blocksPerItem) + " blocks)";
    return false;
  }
  // Cluster dims must divide the grid: pad with whole idle blocks; the kernel
  // guards its work items.
  int64_t clusterX = desc.cluster[0];
  if (blocks <= kMaxGridX) // so that rounding up cannot overflow
    blocks = (blocks / clusterX + (blocks % clusterX != 0)) * clusterX;
  if (blocks > kMaxGridX) {
    error = "kernel '" + desc.entry + "': grid.x of " + std::to_string(blocks) +
            " blocks exceeds the limit " + std::to_string(kMaxGridX) + " (" +
            std::to_string(items) + " work items, " + std::to_string(perBlock) +
            " per block)";
    return false;
  }
  out.x = static_cast<uint32_t>(blocks);
  return true;
}

bool workspaceWords(const LaunchDescription &desc, const LaunchGrid &grid,
                    int64_t &words, int64_t &zeroedWords, std::string &error) {
  words = 0;
  zeroedWords = 0;
  if (!desc.workspace)
    return true;
  const WorkspaceDescription &w = *desc.workspace;
  int64_t itemWords = 0, bytes = 0;
  // Checked up to the byte count, which the allocation takes.
  if (__builtin_mul_overflow(grid.workItems, w.wordsPerItem, &itemWords) ||
      __builtin_add_overflow(w.headerWords, itemWords, &words) ||
      __builtin_mul_overflow(words, kWorkspaceWordBytes, &bytes)) {
    words = 0;
    error = "kernel '" + desc.entry + "': the workspace of " +
            std::to_string(w.headerWords) + " header words + " +
            std::to_string(grid.workItems) + " work items * " +
            std::to_string(w.wordsPerItem) +
            " words per item overflows int64 bytes";
    return false;
  }
  // At most `words`, so it cannot overflow.
  zeroedWords = w.headerWords + grid.workItems * w.zeroedWordsPerItem;
  return true;
}

void appendWorkspaceParams(KernelParams &params, void *pointer, int64_t words) {
  auto address = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(pointer));
  params.words.push_back(address);                      // allocated
  params.words.push_back(address);                      // aligned
  params.words.push_back(0);                            // offset
  params.words.push_back(static_cast<uint64_t>(words)); // sizes[0]
  params.words.push_back(1);                            // strides[0]
}

} // namespace runtime
} // namespace swr
