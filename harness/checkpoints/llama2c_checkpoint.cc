// llama2.c .bin checkpoints <-> Model<float> (see llama2c_checkpoint.h; layout of karpathy/llama2.c
// run.c memory_map_weights and export.py legacy_export / version1_export).
#include "harness/checkpoints/llama2c_checkpoint.h"

#include <cmath>
#include <cstring>
#include <map>

#include "harness/common/file_io.h"
#include "harness/common/format.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "llama2c_checkpoint.cc assumes a little-endian host (llama2.c files are little-endian)"
#endif

namespace ablate {
namespace {

constexpr uint32_t kMagic = 0x616b3432;  // "ak42"
constexpr int64_t kVersion1HeaderBytes = 256;
constexpr double kTheta = 10000.0;
constexpr double kEps = 1e-5;

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw InteropError(path + ": " + what); }

struct Header {
  int version = 0;
  int64_t dim = 0, hidden = 0, n_layers = 0, n_heads = 0, n_kv_heads = 0, vocab = 0, seq_len = 0;
  bool shared = true;
  int64_t data_offset = 0;  // bytes before the first weight

  int64_t head_size() const { return dim / n_heads; }
  int64_t kv_dim() const { return n_kv_heads * head_size(); }
  std::string describe() const {
    return "dim=" + std::to_string(dim) + ", hidden_dim=" + std::to_string(hidden) + ", n_layers=" +
           std::to_string(n_layers) + ", n_heads=" + std::to_string(n_heads) + ", n_kv_heads=" +
           std::to_string(n_kv_heads) + ", vocab_size=" + std::to_string(vocab) + ", seq_len=" + std::to_string(seq_len) +
           (shared ? ", shared classifier" : ", unshared classifier");
  }
  // Floats after the header, in the file's order.
  template <typename N>
  N float_count() const {
    const N L = n_layers, dim = this->dim, hidden = this->hidden, vocab = this->vocab, kv = kv_dim();
    N n = vocab * dim + 2 * L * dim + dim;                         // embedding, two norms per layer, final norm
    n += L * (dim * dim + 2 * kv * dim + dim * dim);               // wq, wk, wv, wo
    n += L * 3 * dim * hidden;                                     // w1, w2, w3
    if (version == 0) n += N(seq_len) * head_size();               // freq_cis real + imag
    if (!shared) n += vocab * dim;                                 // wcls
    return n;
  }
};

int32_t read_i32(const std::string& bytes, size_t offset) {
  int32_t v;
  std::memcpy(&v, bytes.data() + offset, 4);
  return v;
}

Header parse_header(const std::string& bytes, const std::string& path) {
  Header h;
  size_t fields = 0;
  if (bytes.size() >= 8 && static_cast<uint32_t>(read_i32(bytes, 0)) == kMagic) {
    h.version = read_i32(bytes, 4);
    if (h.version != 1)
      fail(path, "llama2.c export version " + std::to_string(h.version) +
                     " is not read (version 2 is int8-quantised); export with --version 0 or 1");
    if (static_cast<int64_t>(bytes.size()) < kVersion1HeaderBytes)
      fail(path, "truncated: a version 1 header takes 256 bytes, the file has " + std::to_string(bytes.size()));
    fields = 8;
    h.shared = bytes[36] != 0;
    h.data_offset = kVersion1HeaderBytes;
  } else {
    if (bytes.size() < 28)
      fail(path, "truncated: a llama2.c header takes 28 bytes (7 int32), the file has " + std::to_string(bytes.size()));
    h.data_offset = 28;
  }
  int64_t* targets[] = {&h.dim, &h.hidden, &h.n_layers, &h.n_heads, &h.n_kv_heads, &h.vocab, &h.seq_len};
  for (int i = 0; i < 7; ++i) *targets[i] = read_i32(bytes, fields + 4 * i);
  if (h.version == 0) {
    h.shared = h.vocab > 0;
    h.vocab = std::abs(h.vocab);
  }
  const char* names[] = {"dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"};
  for (int i = 0; i < 7; ++i)
    if (*targets[i] <= 0 || *targets[i] > (int64_t{1} << 24))
      fail(path, std::string("not a llama2.c checkpoint: header field ") + names[i] + " = " +
                     std::to_string(*targets[i]) + " (expected 1 .. 16777216)");
  if (h.dim % h.n_heads != 0 || h.head_size() % 2 != 0)
    fail(path, "not a llama2.c checkpoint: dim " + std::to_string(h.dim) + " / n_heads " + std::to_string(h.n_heads) +
                   " is not an even head size");
  if (h.n_heads % h.n_kv_heads != 0)
    fail(path, "not a llama2.c checkpoint: n_kv_heads " + std::to_string(h.n_kv_heads) + " does not divide n_heads " +
                   std::to_string(h.n_heads));
  // The float count in double first: a product of header fields can overflow int64.
  if (h.float_count<double>() > 1e17)
    fail(path, "not a llama2.c checkpoint: the header (" + h.describe() + ") implies over 1e17 weights");
  const int64_t expected = h.data_offset + 4 * h.float_count<int64_t>();
  const int64_t found = static_cast<int64_t>(bytes.size());
  if (found < expected)
    fail(path, "truncated: the header (" + h.describe() + ") implies " + std::to_string(expected) +
                   " bytes, the file has " + std::to_string(found));
  if (found > expected)
    fail(path, "the header (" + h.describe() + ") implies " + std::to_string(expected) + " bytes, the file has " +
                   std::to_string(found) + " (" + std::to_string(found - expected) +
                   " extra; not a llama2.c checkpoint, or another version)");
  return h;
}

ModelConfig config_of(const Header& h) {
  ModelConfig m;
  m.vocab_size = h.vocab;
  m.d_model = h.dim;
  m.n_layers = h.n_layers;
  m.context = h.seq_len;
  m.tie_embeddings = h.shared;
  m.bias = false;
  m.norm.type = "rmsnorm";
  m.norm.eps = kEps;
  m.mlp.type = "swiglu";
  m.mlp.hidden = h.hidden;
  m.position.type = "rope";
  m.position.theta = kTheta;
  m.attention.n_heads = h.n_heads;
  if (h.n_kv_heads == h.n_heads) {
    m.attention.type = "mha";
  } else if (h.n_kv_heads == 1) {
    m.attention.type = "mqa";
  } else {
    m.attention.type = "gqa";
    m.attention.n_kv_heads = h.n_kv_heads;
  }
  m.resolve("model");
  return m;
}

// Interleaved pairs -> halves within each head: out row h*D + i = in row h*D + 2i and
// out row h*D + D/2 + i = in row h*D + 2i + 1 (rows of length `in`). `inverse` undoes it.
void permute_rope_rows(const float* src, float* dst, int64_t heads, int64_t D, int64_t in, bool inverse) {
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t i = 0; i < D / 2; ++i)
      for (int64_t half = 0; half < 2; ++half) {
        const int64_t interleaved = h * D + 2 * i + half, halves = h * D + half * (D / 2) + i;
        const int64_t from = inverse ? halves : interleaved, to = inverse ? interleaved : halves;
        std::memcpy(dst + to * in, src + from * in, static_cast<size_t>(in) * sizeof(float));
      }
}

// RoPE angle of position p, frequency i: p * theta^(-2i/D) (llama2.c model.py precompute_freqs_cis).
double rope_angle(int64_t p, int64_t i, int64_t D) { return p * std::pow(kTheta, -2.0 * i / D); }

std::map<std::string, Parameter<float>*> parameters_by_name(Model<float>& model) {
  std::map<std::string, Parameter<float>*> p;
  for (const auto& np : model.parameters()) p[np.name] = np.param;
  return p;
}

std::string layer_name(int64_t l, const std::string& rest) { return "model.layers." + std::to_string(l) + "." + rest; }

}  // namespace

ModelConfig read_llama2c_config(const std::string& path) {
  const std::string bytes = read_whole_file_or_throw<InteropError>(path);
  return config_of(parse_header(bytes, path));
}

std::unique_ptr<Model<float>> load_llama2c_checkpoint(const std::string& path) {
  const std::string bytes = read_whole_file_or_throw<InteropError>(path);
  const Header h = parse_header(bytes, path);
  auto model = std::make_unique<Model<float>>(config_of(h), 0);
  auto params = parameters_by_name(*model);
  const float* cursor = reinterpret_cast<const float*>(bytes.data() + h.data_offset);
  // The next n floats of the file (data_offset is 4-aligned in a std::string's buffer: 28 or 256).
  auto take = [&](int64_t n) {
    const float* p = cursor;
    cursor += n;
    return p;
  };
  const int64_t L = h.n_layers, C = h.dim, D = h.head_size(), KV = h.kv_dim(), F = h.hidden, V = h.vocab;
  auto set = [&](const std::string& name, const float* src) {
    Parameter<float>& p = *params.at(name);
    std::memcpy(p.value.ptr(), src, static_cast<size_t>(p.value.numel()) * sizeof(float));
  };
  // Per-layer arrays: fill layer l of `name` from block + l * stride.
  auto set_layers = [&](const std::string& name, const float* block, int64_t stride) {
    for (int64_t l = 0; l < L; ++l) set(layer_name(l, name), block + l * stride);
  };
  auto set_rope_layers = [&](const std::string& name, const float* block, int64_t heads) {
    for (int64_t l = 0; l < L; ++l) {
      Parameter<float>& p = *params.at(layer_name(l, name));
      permute_rope_rows(block + l * heads * D * C, p.value.ptr(), heads, D, C, /*inverse=*/false);
    }
  };
  const float *embedding, *rms_att, *rms_ffn, *rms_final;
  if (h.version == 0) {
    embedding = take(V * C);
    rms_att = take(L * C);
  } else {
    rms_att = take(L * C);
    rms_ffn = take(L * C);
    rms_final = take(C);
    embedding = take(V * C);
  }
  const float* wq = take(L * C * C);
  const float* wk = take(L * KV * C);
  const float* wv = take(L * KV * C);
  const float* wo = take(L * C * C);
  if (h.version == 0) rms_ffn = take(L * C);
  const float* w1 = take(L * F * C);
  const float* w2 = take(L * C * F);
  const float* w3 = take(L * F * C);
  if (h.version == 0) {
    rms_final = take(C);
    const float* cos_table = take(h.seq_len * D / 2);
    const float* sin_table = take(h.seq_len * D / 2);
    for (int64_t p = 0; p < h.seq_len; ++p)
      for (int64_t i = 0; i < D / 2; ++i) {
        const double a = rope_angle(p, i, D);
        float c, s;
        std::memcpy(&c, cos_table + p * D / 2 + i, sizeof(float));
        std::memcpy(&s, sin_table + p * D / 2 + i, sizeof(float));
        if (!(std::abs(c - std::cos(a)) <= 1e-3 && std::abs(s - std::sin(a)) <= 1e-3))
          fail(path, "freq_cis table at position " + std::to_string(p) + ", frequency " + std::to_string(i) +
                         " is not RoPE with theta 10000 (cos " + std::to_string(c) + ", expected " +
                         std::to_string(std::cos(a)) + "); llama2.c's run.c assumes theta 10000");
      }
  }
  set("model.embed_tokens.weight", embedding);
  set_layers("input_layernorm.weight", rms_att, C);
  set_rope_layers("self_attn.q_proj.weight", wq, h.n_heads);
  set_rope_layers("self_attn.k_proj.weight", wk, h.n_kv_heads);
  set_layers("self_attn.v_proj.weight", wv, KV * C);
  set_layers("self_attn.o_proj.weight", wo, C * C);
  set_layers("post_attention_layernorm.weight", rms_ffn, C);
  set_layers("mlp.gate_proj.weight", w1, F * C);
  set_layers("mlp.down_proj.weight", w2, C * F);
  set_layers("mlp.up_proj.weight", w3, F * C);
  set("model.norm.weight", rms_final);
  if (!h.shared) set("lm_head.weight", take(V * C));
  return model;
}

void save_llama2c_checkpoint(const std::string& path, Model<float>& model) {
  const ModelConfig& m = model.config();
  auto refuse = [&](const std::string& why) { fail(path, "cannot write a llama2.c checkpoint: " + why); };
  if (m.norm.type != "rmsnorm" || m.mlp.type != "swiglu" || m.position.type != "rope")
    refuse("llama2.c models are rmsnorm + swiglu + rope, this one is " + m.norm.type + " + " + m.mlp.type + " + " +
           m.position.type);
  if (m.norm.eps != kEps) refuse("run.c fixes rmsnorm eps 1e-5, this model has " + std::to_string(m.norm.eps));
  if (m.position.theta != kTheta) refuse("run.c fixes RoPE theta 10000, this model has " + std::to_string(m.position.theta));
  if (m.position.scaling.type != "none") refuse("run.c has no RoPE scaling (this model has " + m.position.scaling.type + ")");
  if (m.embedding_scale != 1)
    refuse("run.c adds the token embeddings unscaled (this model has embedding_scale " +
           format_significant(m.embedding_scale, 8) + ")");
  if (m.rotary_dim() != m.head_dim()) refuse("run.c rotates the whole head (this model has rotary_dim " +
                                             std::to_string(m.rotary_dim()) + ")");
  auto params = parameters_by_name(model);
  for (const auto& [name, p] : params)
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".bias") == 0)
      for (float v : p->value.data)
        if (v != 0.0f) refuse("run.c has no biases, and " + name + " is not zero");

  const int64_t L = m.n_layers, C = m.d_model, D = m.head_dim(), F = m.mlp_hidden(), V = m.vocab_size;
  const int64_t T = m.context;
  std::vector<int32_t> header = {static_cast<int32_t>(C), static_cast<int32_t>(F), static_cast<int32_t>(L),
                                 static_cast<int32_t>(m.attention.n_heads), static_cast<int32_t>(m.n_kv_heads()),
                                 static_cast<int32_t>(m.tie_embeddings ? V : -V), static_cast<int32_t>(T)};
  std::vector<float> data;
  auto append = [&](const std::string& name) {
    const auto& v = params.at(name)->value.data;
    data.insert(data.end(), v.begin(), v.end());
  };
  auto append_layers = [&](const std::string& rest) {
    for (int64_t l = 0; l < L; ++l) append(layer_name(l, rest));
  };
  auto append_rope_layers = [&](const std::string& rest, int64_t heads) {
    for (int64_t l = 0; l < L; ++l) {
      const Parameter<float>& p = *params.at(layer_name(l, rest));
      const size_t at = data.size();
      data.resize(at + p.value.data.size());
      permute_rope_rows(p.value.ptr(), data.data() + at, heads, D, C, /*inverse=*/true);
    }
  };
  append("model.embed_tokens.weight");
  append_layers("input_layernorm.weight");
  append_rope_layers("self_attn.q_proj.weight", m.attention.n_heads);
  append_rope_layers("self_attn.k_proj.weight", m.n_kv_heads());
  append_layers("self_attn.v_proj.weight");
  append_layers("self_attn.o_proj.weight");
  append_layers("post_attention_layernorm.weight");
  append_layers("mlp.gate_proj.weight");
  append_layers("mlp.down_proj.weight");
  append_layers("mlp.up_proj.weight");
  append("model.norm.weight");
  for (int part = 0; part < 2; ++part)
    for (int64_t p = 0; p < T; ++p)
      for (int64_t i = 0; i < D / 2; ++i) {
        // As model.py: the angle in float32, then cos / sin.
        const float angle = static_cast<float>(p) * static_cast<float>(std::pow(kTheta, -2.0 * i / D));
        data.push_back(part == 0 ? std::cos(angle) : std::sin(angle));
      }
  if (!m.tie_embeddings) append("lm_head.weight");
  write_file_atomically_or_throw<InteropError>(
      path, {{header.data(), header.size() * sizeof(int32_t)}, {data.data(), data.size() * sizeof(float)}});
}

}  // namespace ablate
