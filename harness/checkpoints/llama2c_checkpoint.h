// llama2.c checkpoints (karpathy/llama2.c: run.c reads them, export.py writes them) <-> Model<float>.
//
// Version 0 ("legacy", what run.c reads):
//   7 int32   dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len
//             vocab_size < 0 means an unshared classifier (|vocab_size| is the vocabulary)
//   float32   token_embedding (V, dim); rms_att (L, dim); wq (L, dim, dim); wk (L, kv_dim, dim);
//             wv (L, kv_dim, dim); wo (L, dim, dim); rms_ffn (L, dim); w1 (L, hidden, dim);
//             w2 (L, dim, hidden); w3 (L, hidden, dim); rms_final (dim);
//             freq_cis_real, freq_cis_imag (seq_len, head_size / 2) each; wcls (V, dim) if unshared
// Version 1 (export.py --version 1): uint32 magic 0x616b3432 ("ak42"), int32 version 1, the 7 int32
//   (vocab_size positive), uint8 shared_classifier, zero padding to 256 bytes; then float32
//   rms_att (L, dim), rms_ffn (L, dim), rms_final (dim), token_embedding, wq, wk, wv, wo, w1, w2, w3,
//   and wcls if not shared. (Version 2 is int8-quantised: not read.)
// kv_dim = n_kv_heads * dim / n_heads. Matrices are (out, in) like nn.Linear; w1 is the gate, w3 the
// up projection and w2 the down projection of SwiGLU. RMSNorm eps is 1e-5 and RoPE theta 10000
// (run.c hard-codes both); seq_len becomes model.context.
//
// RoPE layout: run.c rotates the interleaved pairs (x[2i], x[2i+1]) of each head, Ablate (like
// HF Llama) the halves (x[i], x[i + D/2]). Loading permutes the rows of wq and wk within each head
// (new row i = old row 2i, new row D/2 + i = old row 2i + 1; the permutation of HF's
// convert_llama_weights_to_hf.py), which makes the logits identical; saving undoes it. The file's
// freq_cis tables are checked against theta 10000 (a mismatch is an error) and otherwise unused.
//
// Errors are InteropErrors naming the file: a header with a non-positive size or dim not divisible
// by n_heads, a file shorter or longer than the header implies ("expected N bytes, found M").
#pragma once

#include <memory>
#include <string>

#include "components/model/model.h"
#include "harness/common/errors.h"

namespace ablate {

// The model stated by the header of a llama2.c file (version 0 or 1).
ModelConfig read_llama2c_config(const std::string& path);

std::unique_ptr<Model<float>> load_llama2c_checkpoint(const std::string& path);

// Writes version 0 (what run.c reads). The model must be a llama2.c model: rmsnorm (eps 1e-5),
// swiglu, rope (theta 10000, full rotary, no scaling), no biases (or all-zero ones); otherwise an
// InteropError says which property differs. Written atomically.
void save_llama2c_checkpoint(const std::string& path, Model<float>& model);

}  // namespace ablate
