//===- swr-compile.cpp - swr spec to PTX + launch description -------------===//
//
//   swr-compile spec.mlir [--function f] [--grad] [--chip sm_90a]
//       -o kernel.ptx [--launch kernel.json]
//
// Writes the PTX that LLVM's NVPTX backend emits for the spec and the JSON
// launch description the Phalanx runtime reads. Shapes are runtime values:
// one compile serves every batch, head count and length. With --grad the
// compiler derives the function's backward (swr-derive-backward) and
// compiles that instead.
//
//===----------------------------------------------------------------------===//

#include "swr/Dialect/Swr/Transforms/Passes.h"
#include "swr/InitAllDialects.h"
#include "swr/Pipelines/CommandLine.h"
#include "swr/Pipelines/Pipelines.h"
#include "swr/Target/Cuda/PtxCompiler.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
namespace cl = llvm::cl;

static cl::opt<std::string> specFile(cl::Positional, cl::desc("<spec.mlir>"),
                                     cl::Required);
static cl::opt<std::string> outputFile("o", cl::desc("PTX output file"),
                                       cl::init("-"));
static cl::opt<std::string>
    launchFile("launch", cl::desc("Launch description (JSON) output file"));
static cl::opt<std::string>
    functionName("function", cl::desc("Function to compile (default: the "
                                      "first one)"));
static cl::opt<std::string> chip("chip", cl::init("sm_90a"),
                                 cl::desc("Target SM"));
static cl::opt<std::string>
    strategy("strategy", cl::init("fma"),
             cl::desc("Local solves: fma (the recurrence), mma or wmma "
                      "(tensor cores where a warp shares the operator, "
                      "else fma) or matrix"));
static cl::opt<int64_t>
    timeChunk("time-chunk", cl::init(2),
              cl::desc("bands<k>: independent time chunks of this many tiles "
                       "per thread (0: one thread per sequence)"));
static cl::opt<bool> grad("grad",
                          cl::desc("Compile the derived backward of the "
                                   "function (@<function>_backward)"));

static int fail(const llvm::Twine &message) {
  llvm::errs() << "swr-compile: error: " << message << "\n";
  return 1;
}

static bool writeFile(llvm::StringRef path, llvm::StringRef text) {
  std::string error;
  auto file = openOutputFile(path, &error);
  if (!file) {
    llvm::errs() << "swr-compile: error: " << error << "\n";
    return false;
  }
  file->os() << text;
  file->keep();
  return true;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  swr::registerGpuPipelineCLOptions();
  cl::ParseCommandLineOptions(argc, argv,
                              "swr-compile: swr spec to PTX and a launch "
                              "description\n");
  DialectRegistry registry;
  swr::registerAllDialects(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      parseSourceFile<ModuleOp>(specFile, sourceMgr, &context);
  if (!module)
    return 1;
  std::string name = functionName;
  if (name.empty()) {
    auto funcs = module->getOps<func::FuncOp>();
    if (funcs.empty())
      return fail(specFile + " holds no function");
    name = (*funcs.begin()).getSymName().str();
  }
  if (grad) {
    PassManager pm(&context);
    pm.addPass(swr::createSwrDeriveBackward());
    if (failed(pm.run(*module)))
      return fail("deriving the backward of @" + name + " failed");
    name += "_backward";
    if (!module->lookupSymbol(name))
      return fail("--grad: @" + name +
                  " was not derived (only functions that are one swr.scan "
                  "on their arguments have a backward)");
  }
  swr::GpuPipelineOptions options;
  options.chip = chip;
  options.strategy = strategy;
  options.timeChunk = timeChunk;
  swr::applyGpuPipelineCLOptions(options);
  auto kernel = swr::compileToPtx(*module, name, options);
  if (!kernel)
    return fail(llvm::toString(kernel.takeError()));
  if (!writeFile(outputFile, kernel->ptx))
    return 1;
  if (!launchFile.empty() && !writeFile(launchFile, kernel->launchJson))
    return 1;
  return 0;
}
