#include "components/core/onednn_gemm.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

namespace ablate {
namespace {

using Key = std::tuple<int, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, bool>;

struct Entry {
  dnnl::matmul primitive;
  dnnl::memory a, b, c;
};

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

// Debian's oneDNN runs its primitives on OpenMP: with one OpenMP thread per calling thread, each
// primitive is made for and runs on exactly the thread that calls it.
struct ThreadState {
  ThreadState() : stream(cpu_engine()) { omp_set_num_threads(1); }
  dnnl::stream stream;
  std::map<Key, Entry> primitives;
};

Entry make_entry(GemmType type, GemmOperand a, GemmOperand b, int64_t ldc, int64_t m, int64_t k, int64_t n,
                 bool accumulate) {
  using dt = dnnl::memory::data_type;
  const dt t = type == GemmType::kBf16 ? dt::bf16 : dt::f32;
  const dnnl::memory::desc a_md({m, k}, t, dnnl::memory::dims{a.row_stride, a.col_stride});
  const dnnl::memory::desc b_md({k, n}, t, dnnl::memory::dims{b.row_stride, b.col_stride});
  const dnnl::memory::desc c_md({m, n}, dt::f32, dnnl::memory::dims{ldc, 1});
  dnnl::primitive_attr attr;
  if (accumulate) {
    dnnl::post_ops ops;
    ops.append_sum(1.0f);
    attr.set_post_ops(ops);
  }
  const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a_md, b_md, c_md), attr, cpu_engine());
  const dnnl::engine& e = cpu_engine();
  return Entry{dnnl::matmul(pd), dnnl::memory(a_md, e, DNNL_MEMORY_NONE), dnnl::memory(b_md, e, DNNL_MEMORY_NONE),
               dnnl::memory(c_md, e, DNNL_MEMORY_NONE)};
}

}  // namespace

void onednn_gemm(GemmType type, GemmOperand a, GemmOperand b, float* c, int64_t ldc, int64_t m, int64_t k, int64_t n,
                 bool accumulate) {
  if (k == 0) {  // an empty sum
    if (!accumulate)
      for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
    return;
  }
  thread_local ThreadState state;
  const Key key{int(type), m, k, n, a.row_stride, a.col_stride, b.row_stride, b.col_stride, ldc, accumulate};
  auto it = state.primitives.find(key);
  if (it == state.primitives.end())
    it = state.primitives.emplace(key, make_entry(type, a, b, ldc, m, k, n, accumulate)).first;
  Entry& e = it->second;
  e.a.set_data_handle(const_cast<void*>(a.data));
  e.b.set_data_handle(const_cast<void*>(b.data));
  e.c.set_data_handle(c);
  e.primitive.execute(state.stream, {{DNNL_ARG_SRC, e.a}, {DNNL_ARG_WEIGHTS, e.b}, {DNNL_ARG_DST, e.c}});
  state.stream.wait();
}

}  // namespace ablate
