//===- RuntimeLibrary.cpp - libswr-runtime.so -----------------------------===//
//
// The shared library is the runtime archive linked whole; this file only
// gives the target a source of its own.
//
//===----------------------------------------------------------------------===//

#include "swr-c/Runtime.h"
