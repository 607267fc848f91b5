// RUN: swr-opt --help | FileCheck %s
// RUN: swr-opt --show-dialects | FileCheck %s --check-prefix=DIALECTS

// CHECK: swr optimizer driver
// CHECK: --canonicalize

// DIALECTS: Available Dialects:
// DIALECTS-SAME: swr
