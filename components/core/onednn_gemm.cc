#include "components/core/onednn_gemm.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <tuple>
#include <vector>

#include <omp.h>
#include <oneapi/dnnl/dnnl.hpp>

#include "components/core/bf16.h"
#include "components/core/parallel.h"

namespace ablate {
namespace {

using Key = std::tuple<int, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, int64_t, bool, bool>;

struct Entry {
  dnnl::matmul primitive;
  dnnl::memory a, b, c;
  // With a packed b: the reorder from the plain b into the layout `b` has (none where oneDNN
  // reads this b plain), and the plain b it reads.
  dnnl::reorder pack;
  dnnl::memory plain_b;
};

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

using ReorderKey = std::tuple<int64_t, int64_t, int64_t, int64_t, int>;

// Debian's oneDNN runs its primitives on OpenMP: with one OpenMP thread per calling thread, each
// primitive is made for and runs on exactly the thread that calls it.
struct ThreadState {
  ThreadState() : stream(cpu_engine()) { omp_set_num_threads(1); }
  dnnl::stream stream;
  std::map<Key, Entry> primitives;
  std::map<ReorderKey, dnnl::reorder> reorders;  // packing one column block (pack_into)
};

ThreadState& thread_state() {
  thread_local ThreadState state;
  return state;
}

// The matmul for these shapes and strides; with packed_b, b's layout is the one oneDNN chooses.
Entry make_entry(GemmType type, GemmOperand a, GemmOperand b, int64_t ldc, int64_t m, int64_t k, int64_t n,
                 bool accumulate, bool packed_b) {
  using dt = dnnl::memory::data_type;
  const dt t = type == GemmType::kBf16 ? dt::bf16 : dt::f32;
  const dnnl::memory::desc a_md({m, k}, t, dnnl::memory::dims{a.row_stride, a.col_stride});
  const dnnl::memory::desc b_plain({k, n}, t, dnnl::memory::dims{b.row_stride, b.col_stride});
  const dnnl::memory::desc b_md = packed_b ? dnnl::memory::desc({k, n}, t, dnnl::memory::format_tag::any) : b_plain;
  const dnnl::memory::desc c_md({m, n}, dt::f32, dnnl::memory::dims{ldc, 1});
  dnnl::primitive_attr attr;
  if (accumulate) {
    dnnl::post_ops ops;
    ops.append_sum(1.0f);
    attr.set_post_ops(ops);
  }
  const dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(a_md, b_md, c_md), attr, cpu_engine());
  const dnnl::engine& e = cpu_engine();
  Entry entry{dnnl::matmul(pd), dnnl::memory(a_md, e, DNNL_MEMORY_NONE),
              dnnl::memory(pd.weights_desc(), e, DNNL_MEMORY_NONE), dnnl::memory(c_md, e, DNNL_MEMORY_NONE), {}, {}};
  if (packed_b && pd.weights_desc() != b_plain) {
    entry.plain_b = dnnl::memory(b_plain, e, DNNL_MEMORY_NONE);
    entry.pack = dnnl::reorder(dnnl::reorder::primitive_desc(e, b_plain, e, pd.weights_desc()));
  }
  return entry;
}

Entry& entry_for(ThreadState& state, GemmType type, GemmOperand a, GemmOperand b, int64_t ldc, int64_t m,
                 int64_t k, int64_t n, bool accumulate, bool packed_b) {
  const Key key{int(type), m, k, n, a.row_stride, a.col_stride, b.row_stride, b.col_stride, ldc, accumulate, packed_b};
  auto it = state.primitives.find(key);
  if (it == state.primitives.end())
    it = state.primitives.emplace(key, make_entry(type, a, b, ldc, m, k, n, accumulate, packed_b)).first;
  return it->second;
}

void run(ThreadState& state, Entry& e, const void* a, const void* b, float* c) {
  e.a.set_data_handle(const_cast<void*>(a));
  e.b.set_data_handle(const_cast<void*>(b));
  e.c.set_data_handle(c);
  e.primitive.execute(state.stream, {{DNNL_ARG_SRC, e.a}, {DNNL_ARG_WEIGHTS, e.b}, {DNNL_ARG_DST, e.c}});
  state.stream.wait();
}

// c = 0 for an empty sum (k == 0), which oneDNN does not take.
bool empty_sum(float* c, int64_t ldc, int64_t m, int64_t k, int64_t n, bool accumulate) {
  if (k != 0) return false;
  if (!accumulate)
    for (int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
  return true;
}

}  // namespace

void onednn_gemm(GemmType type, GemmOperand a, GemmOperand b, float* c, int64_t ldc, int64_t m, int64_t k, int64_t n,
                 bool accumulate) {
  if (empty_sum(c, ldc, m, k, n, accumulate)) return;
  ThreadState& state = thread_state();
  run(state, entry_for(state, type, a, b, ldc, m, k, n, accumulate, false), a.data, b.data, c);
}

// Each b (its strides and shape) with its packed copies, one per layout asked for (the kernels
// for one and for several rows ask for different ones). A copy is fresh when it was packed from
// the same data since the last invalidate(); a stale one is packed again into its buffer.
struct PackedOperands::Store {
  struct Layout {
    dnnl::memory packed;
    const void* source;
    uint64_t generation;
  };
  struct Operand {
    std::mutex mutex;
    std::vector<Layout> layouts;
  };
  using OperandKey = std::tuple<int64_t, int64_t, int64_t, int64_t>;

  Operand& operand(GemmOperand b, int64_t k, int64_t n) {
    const std::lock_guard<std::mutex> lock(mutex);
    std::unique_ptr<Operand>& o = operands[OperandKey{b.row_stride, b.col_stride, k, n}];
    if (!o) o = std::make_unique<Operand>();
    return *o;
  }

  // The copy in `layout` (made, stale, on first use). Under o.mutex.
  static Layout& layout_of(Operand& o, const dnnl::memory::desc& layout) {
    auto l = std::find_if(o.layouts.begin(), o.layouts.end(),
                          [&](const Layout& x) { return x.packed.get_desc() == layout; });
    if (l == o.layouts.end()) l = o.layouts.insert(o.layouts.end(), {dnnl::memory(layout, cpu_engine()), nullptr, 0});
    return *l;
  }
  bool fresh(const Layout& l, const void* source) const { return l.source == source && l.generation == generation; }
  void mark_fresh(Layout& l, const void* source) const {
    l.source = source;
    l.generation = generation;
  }

  std::mutex mutex;
  std::map<OperandKey, std::unique_ptr<Operand>> operands;
  std::atomic<uint64_t> generation{1};
};

namespace {

// The blocked layouts whose column blocks lie one after another, each holding all of k (oneDNN's
// "BA16a<w>b2a": blocks of w columns outermost, then 32-row blocks of k with row pairs
// interleaved, as AMX and VDPBF16PS read them). In such a layout the columns [n0, n1) of b, n0 a
// multiple of w, are a layout of their own at an offset: so b packs in parallel, block by block.
struct ColumnBlocked {
  dnnl::memory::format_tag tag;
  int64_t width;
};

std::optional<ColumnBlocked> column_blocked(const dnnl::memory::desc& layout, int64_t k, int64_t n) {
  using tag = dnnl::memory::format_tag;
  for (const ColumnBlocked c : {ColumnBlocked{tag::BA16a64b2a, 64}, ColumnBlocked{tag::BA16a48b2a, 48},
                                ColumnBlocked{tag::BA16a32b2a, 32}, ColumnBlocked{tag::BA16a16b2a, 16}})
    if (dnnl::memory::desc({k, n}, dnnl::memory::data_type::bf16, c.tag) == layout) return c;
  return std::nullopt;
}

// Packs all of b into `packed` (entry e's layout) with one reorder, on this thread.
void pack_serially(ThreadState& state, Entry& e, const void* b, const dnnl::memory& packed) {
  e.plain_b.set_data_handle(const_cast<void*>(b));
  e.pack.execute(state.stream, {{DNNL_ARG_FROM, e.plain_b}, {DNNL_ARG_TO, packed}});
  state.stream.wait();
}

// Packs b (k x n) into `packed` (b's layout for products of m-row blocks, entry e's).
void pack_into(ThreadState& state, Entry& e, GemmOperand b, int64_t k, int64_t n, const dnnl::memory& packed) {
  const std::optional<ColumnBlocked> blocked = column_blocked(packed.get_desc(), k, n);
  if (!blocked) return pack_serially(state, e, b.data, packed);
  using dt = dnnl::memory::data_type;
  const int64_t chunk = blocked->width * std::max<int64_t>(1, 128 / blocked->width);
  const size_t chunk_bytes = dnnl::memory::desc({k, chunk}, dt::bf16, blocked->tag).get_size();
  auto* to = static_cast<char*>(packed.get_data_handle());
  const auto* from = static_cast<const Bf16*>(b.data);
  parallel_for_each((n + chunk - 1) / chunk, [&](int64_t i) {
    const int64_t n0 = i * chunk, nc = std::min(n, n0 + chunk) - n0;
    const dnnl::memory::desc src_md({k, nc}, dt::bf16, dnnl::memory::dims{b.row_stride, b.col_stride});
    const dnnl::memory::desc dst_md({k, nc}, dt::bf16, blocked->tag);
    ThreadState& s = thread_state();
    const ReorderKey key{k, nc, b.row_stride, b.col_stride, int(blocked->tag)};
    auto r = s.reorders.find(key);
    if (r == s.reorders.end()) {
      const dnnl::reorder::primitive_desc pd(cpu_engine(), src_md, cpu_engine(), dst_md);
      r = s.reorders.emplace(key, dnnl::reorder(pd)).first;
    }
    dnnl::memory src(src_md, cpu_engine(), const_cast<Bf16*>(from + n0 * b.col_stride));
    dnnl::memory dst(dst_md, cpu_engine(), to + size_t(i) * chunk_bytes);
    r->second.execute(s.stream, {{DNNL_ARG_FROM, src}, {DNNL_ARG_TO, dst}});
    s.stream.wait();
  });
}

}  // namespace

PackedOperands::PackedOperands() : store_(std::make_unique<Store>()) {}
PackedOperands::~PackedOperands() = default;
PackedOperands::PackedOperands(const PackedOperands&) : store_(std::make_unique<Store>()) {}
PackedOperands& PackedOperands::operator=(const PackedOperands& other) {
  if (this != &other) store_ = std::make_unique<Store>();
  return *this;
}

void PackedOperands::invalidate() { ++store_->generation; }

int64_t PackedOperands::bytes() const {
  const std::lock_guard<std::mutex> lock(store_->mutex);
  int64_t total = 0;
  for (const auto& [key, o] : store_->operands) {
    const std::lock_guard<std::mutex> operand_lock(o->mutex);
    for (const auto& l : o->layouts) total += int64_t(l.packed.get_desc().get_size());
  }
  return total;
}

void PackedOperands::pack(GemmOperand b, int64_t m, int64_t k, int64_t n, bool accumulate) {
  if (k == 0) return;
  ThreadState& state = thread_state();
  const GemmOperand dense_a{nullptr, k, 1};
  Entry& e = entry_for(state, GemmType::kBf16, dense_a, b, n, m, k, n, accumulate, true);
  if (!e.plain_b) return;  // this kernel reads b plain
  Store::Operand& operand = store_->operand(b, k, n);
  dnnl::memory packed;
  {
    const std::lock_guard<std::mutex> lock(operand.mutex);
    Store::Layout& l = Store::layout_of(operand, e.b.get_desc());
    if (store_->fresh(l, b.data)) return;
    packed = l.packed;
  }
  pack_into(state, e, b, k, n, packed);  // (the products that read it start after this returns)
  const std::lock_guard<std::mutex> lock(operand.mutex);
  store_->mark_fresh(Store::layout_of(operand, e.b.get_desc()), b.data);
}

void onednn_gemm_packed(GemmOperand a, GemmOperand b, PackedOperands& packs, float* c, int64_t ldc, int64_t m,
                        int64_t k, int64_t n, bool accumulate) {
  // oneDNN 2.6 packs b (and runs its brgemm kernels) only for a dense c.
  if (ldc != n) return onednn_gemm(GemmType::kBf16, a, b, c, ldc, m, k, n, accumulate);
  if (empty_sum(c, ldc, m, k, n, accumulate)) return;
  ThreadState& state = thread_state();
  Entry& e = entry_for(state, GemmType::kBf16, a, b, ldc, m, k, n, accumulate, true);
  if (!e.plain_b) return run(state, e, a.data, b.data, c);  // this kernel reads b plain
  PackedOperands::Store& store = *packs.store_;
  PackedOperands::Store::Operand& operand = store.operand(b, k, n);
  void* packed;
  {
    const std::lock_guard<std::mutex> lock(operand.mutex);
    PackedOperands::Store::Layout& l = PackedOperands::Store::layout_of(operand, e.b.get_desc());
    if (!store.fresh(l, b.data)) {  // not packed by pack(): another layout (a tail block's)
      pack_serially(state, e, b.data, l.packed);
      store.mark_fresh(l, b.data);
    }
    packed = l.packed.get_data_handle();
  }
  run(state, e, a.data, packed, c);
}

}  // namespace ablate
