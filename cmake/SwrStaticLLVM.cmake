# SWR_STATIC_LLVM: link LLVM and MLIR statically into libswr and the tools,
# so they run on a machine without LLVM/MLIR (the GPU machine) and a process
# that also loaded another LLVM (torch, Triton) cannot clash with ours.
#
# Debian's MLIR targets name the LLVM dylib ("LLVM") in their link
# interfaces; this swaps it for LLVM's static component libraries (which
# carry their own dependencies), drops the MLIR dylib that a few of them
# also name, and links libstdc++, libgcc, zlib and zstd
# statically too, so only glibc is needed at run time. Recipe: DESIGN.md and
# research/mlir.md section 4.2.

set(SWR_STATIC_LLVM_COMPONENTS
  Core Support Passes Analysis TransformUtils ScalarOpts InstCombine IPO
  Vectorize AggressiveInstCombine ObjCARCOpts Coroutines CFGuard
  Instrumentation IRPrinter CodeGen CodeGenTypes SelectionDAG GlobalISel
  AsmPrinter MC MCParser MCDisassembler Target TargetParser Object
  BinaryFormat BitReader BitWriter BitstreamReader IRReader AsmParser Linker
  FrontendOpenMP FrontendOffloading FrontendAtomic FrontendHLSL FrontendOpenACC
  ExecutionEngine OrcJIT OrcShared OrcTargetProcess OrcDebugging JITLink
  RuntimeDyld MCJIT Demangle Remarks ProfileData Option TextAPI DebugInfoDWARF
  DebugInfoDWARFLowLevel Symbolize CGData PerfJITEvents
  NVPTXCodeGen NVPTXDesc NVPTXInfo
  X86CodeGen X86Desc X86Info X86AsmParser X86Disassembler)
llvm_map_components_to_libnames(SWR_STATIC_LLVM_LIBS
  ${SWR_STATIC_LLVM_COMPONENTS})

# Every imported target of this directory (MLIR's libraries among them).
get_property(swr_imported DIRECTORY PROPERTY IMPORTED_TARGETS)
foreach(target IN LISTS swr_imported)
  get_target_property(links ${target} INTERFACE_LINK_LIBRARIES)
  if(NOT links)
    continue()
  endif()
  set(changed FALSE)
  if("LLVM" IN_LIST links)
    list(REMOVE_ITEM links LLVM)
    list(APPEND links ${SWR_STATIC_LLVM_LIBS})
    set(changed TRUE)
  endif()
  # MLIR's own dylib (MLIRExecutionEngine names it): the static MLIR
  # libraries already provide every symbol.
  if("MLIR" IN_LIST links)
    list(REMOVE_ITEM links MLIR)
    set(changed TRUE)
  endif()
  if("zstd::libzstd_shared" IN_LIST links)
    list(TRANSFORM links REPLACE "^zstd::libzstd_shared$"
         "/usr/lib/x86_64-linux-gnu/libzstd.a")
    set(changed TRUE)
  endif()
  if("ZLIB::ZLIB" IN_LIST links)
    list(TRANSFORM links REPLACE "^ZLIB::ZLIB$"
         "/usr/lib/x86_64-linux-gnu/libz.a")
    set(changed TRUE)
  endif()
  if(changed)
    set_target_properties(${target} PROPERTIES
      INTERFACE_LINK_LIBRARIES "${links}")
  endif()
endforeach()
set(LLVM_LINK_LLVM_DYLIB OFF)

# Shared libraries get no --gc-sections from LLVM's flags; -z defs turns a
# missing component into a link error instead of a failure at load time.
string(APPEND CMAKE_SHARED_LINKER_FLAGS
  " -static-libstdc++ -static-libgcc -Wl,--as-needed -Wl,--gc-sections"
  " -Wl,-z,defs")
string(APPEND CMAKE_EXE_LINKER_FLAGS
  " -static-libstdc++ -static-libgcc -Wl,--as-needed -Wl,--gc-sections")
