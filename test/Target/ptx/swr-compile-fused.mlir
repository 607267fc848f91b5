// A fused prologue and epilogue compile to PTX that calls no libdevice
// function (the math is expanded into arithmetic) and that ptxas accepts.
// Each thread takes 2 channels of a head (D = 16, three input-shaped tiles:
// at most 8 channels over them), one 4-byte access per step of a tile.
// RUN: swr-compile %s -o %t.ptx --launch %t.json
// RUN: FileCheck %s --check-prefix=PTX < %t.ptx
// RUN: FileCheck %s --check-prefix=JSON < %t.json
// RUN: %if ptxas %{ %ptxas -arch=sm_90a %t.ptx -o %t.cubin %}

// PTX: .visible .entry phalanx_mix(
// PTX-NOT: __nv_
// PTX-NOT: .extern
// PTX-DAG: fma.rn.f32
// PTX-DAG: ret;
// PTX-DAG: ld.global.b32
// PTX-DAG: st.global.b32

// JSON: "name": "decay",
// JSON: "name": "input",
// JSON: "name": "operand0",
// JSON: "name": "operand1",
// JSON: "name": "output",
func.func @phalanx_mix(%za: memref<?x?x?xbf16>, %zb: memref<?x?x?x16xbf16>,
                       %v: memref<?x?x?x16xbf16>, %c: memref<?x?x?x16xbf16>,
                       %out: memref<?x?x?x16xbf16>) {
  swr.scan bands<2> layout bthd sharing per_head
      decay(%za : memref<?x?x?xbf16>) input(%zb : memref<?x?x?x16xbf16>)
      operands(%v, %c : memref<?x?x?x16xbf16>, memref<?x?x?x16xbf16>)
      output(%out : memref<?x?x?x16xbf16>)
      prologue {
      ^bb0(%za_s: f32, %zb_s: f32, %v_s: f32, %c_s: f32):
        %one = arith.constant 1.0 : f32
        %n = arith.negf %za_s : f32
        %e = math.exp %n : f32
        %d = arith.addf %one, %e : f32
        %a = arith.divf %one, %d : f32
        %nb = arith.negf %zb_s : f32
        %eb = math.exp %nb : f32
        %db = arith.addf %one, %eb : f32
        %g = arith.divf %one, %db : f32
        %x = arith.mulf %g, %v_s : f32
        swr.yield %a, %x : f32, f32
      } epilogue {
      ^bb0(%y: f32, %za_s: f32, %zb_s: f32, %v_s: f32, %c_s: f32):
        %yc = arith.mulf %y, %c_s : f32
        %o = arith.addf %yc, %v_s : f32
        swr.yield %o : f32
      }
  return
}
