"""Model files written by PyTorch and numpy, for tests/modelfile.test.mjs.

    /usr/bin/python3 tests/model_files.py DIR

Writes into DIR:
  mha-{F32,F16,BF16,F64}.safetensors  one nn.MultiheadAttention (E=8, H=2, add_bias_kv,
                                     add_zero_attn) as the model's layer 3 ("encoder.layers.3.
                                     self_attn." before every state_dict key), in that dtype,
                                     with a query; options in __metadata__
  mha-{F32,F64}.npz, mha-F16-compressed.npz, mha-BF16.npz
                                     the same with numpy.savez / savez_compressed, options as
                                     0-d entries, tokens as an array of str (BF16 as numpy
                                     saves ml_dtypes' bfloat16: 2-byte void)
  cross-F32.npz                      cross-attention, kdim=5, vdim=3 (q/k/v_proj_weight),
                                     query, key, value; savez_compressed; no options at all
  bert-F32.safetensors               BERT's names (two layers of transformers' BertLayer: attention.self.
                                     query/key/value, attention.output.dense, the feed-forward and
                                     norms) and a query; "output" and "attn_weights" are layer 1's
                                     attention, computed as BertSelfAttention computes it
  encoder-F32.safetensors            a whole model: an nn.TransformerEncoder of 3 layers (E=8,
                                     H=2), its state_dict and a query; the attention modules
                                     are layers.{0,1,2}.self_attn, and "output" and
                                     "attn_weights" are layer 1's
  specials-{F64,F32,F16,BF16}.safetensors, specials-{F64,F32,F16}.npz
                                     x: special values in that dtype (every F16 and BF16 bit
                                     pattern; for F64 and F32 rounding cases, subnormals,
                                     overflow, ±0, ±inf, NaN)
  expected.safetensors               F32, what the reader must give: "FILE/NAME" is
                                     tensor NAME of FILE as torch's .float() makes it, and
                                     "FILE/output", "FILE/attn_weights" the float32 module's
                                     forward() on the file's tensors .float()
The safetensors files are written by save_safetensors below: torch's own `safetensors`
package is not in Debian, and the format is small (README.md)."""
import json
import struct
import sys

import numpy as np
import torch

DTYPES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.bool: "BOOL"}
BY_NAME = {v: k for k, v in DTYPES.items()}


def raw_bytes(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: its bits as int16
        t = t.view(torch.int16)
    return t.numpy().tobytes()


def save_safetensors(path, tensors, metadata=None):
    """tensors: {name: tensor} -> a .safetensors file, as safetensors.torch.save_file writes it."""
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        data = raw_bytes(t)
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-(8 + len(text)) % 8)  # the data starts 8-aligned, as safetensors pads it
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))


def as_numpy(t):
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view("V2")
    return t.detach().numpy()


def main(out):
    torch.manual_seed(13)
    expected = {}

    # one layer's attention, as a state_dict in every dtype, with its input
    E, H, L = 8, 2, 5
    mha = torch.nn.MultiheadAttention(E, H, add_bias_kv=True, add_zero_attn=True).eval()
    with torch.no_grad():
        for p in mha.parameters():
            p.uniform_(-1, 1)
    query = torch.randn(L, E)
    tokens = ["the", "cat", "sat", "on", "it"]
    prefix = "encoder.layers.3.self_attn."
    for dtype in ["F32", "F16", "BF16", "F64"]:
        tensors = {prefix + k: v.to(BY_NAME[dtype]) for k, v in mha.state_dict().items()}
        tensors["query"] = query.to(BY_NAME[dtype])
        files = [(f"mha-{dtype}.safetensors", None)] + [(f"mha-{dtype}{'-compressed' if dtype == 'F16' else ''}.npz", dtype == "F16")]
        for name, compressed in files:
            if name.endswith(".safetensors"):
                save_safetensors(f"{out}/{name}", tensors, {"num_heads": str(H), "add_zero_attn": "true", "tokens": json.dumps(tokens), "format": "pt"})
            else:
                arrays = {k: as_numpy(v) for k, v in tensors.items()}
                (np.savez_compressed if compressed else np.savez)(f"{out}/{name}", **arrays, num_heads=H, add_zero_attn=True, tokens=np.array(tokens))
            for k, v in tensors.items():
                expected[f"{name}/{k}"] = v.float()
            # the float32 module the reader's case should equal
            float_mha = torch.nn.MultiheadAttention(E, H, add_bias_kv=True, add_zero_attn=True).eval()
            float_mha.load_state_dict({k[len(prefix):]: v.float() for k, v in tensors.items() if k.startswith(prefix)})
            with torch.no_grad():
                output, weights = float_mha(*[tensors["query"].float()] * 3)
            expected[f"{name}/output"], expected[f"{name}/attn_weights"] = output, weights

    # cross-attention with kdim and vdim: q/k/v_proj_weight, key and value
    cross = torch.nn.MultiheadAttention(4, 2, kdim=5, vdim=3).eval()
    q, k, v = torch.randn(3, 4), torch.randn(6, 5), torch.randn(6, 3)
    np.savez_compressed(f"{out}/cross-F32.npz", **{n: t.numpy() for n, t in cross.state_dict().items()}, query=q.numpy(), key=k.numpy(), value=v.numpy())
    for n, t in {**cross.state_dict(), "query": q, "key": k, "value": v}.items():
        expected[f"cross-F32.npz/{n}"] = t.float()
    with torch.no_grad():
        expected["cross-F32.npz/output"], expected["cross-F32.npz/attn_weights"] = cross(q, k, v)

    # a whole model: a TransformerEncoder of three layers, each with its attention
    # ("layers.N.self_attn.") beside its feed-forward and norms; the reader opens the
    # one it is told (layer 1)
    encoder = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(E, H, dim_feedforward=16), num_layers=3, enable_nested_tensor=False).eval()
    with torch.no_grad():
        for p in encoder.parameters():
            p.uniform_(-1, 1)
    name = "encoder-F32.safetensors"
    tensors = {**encoder.state_dict(), "query": query}
    save_safetensors(f"{out}/{name}", tensors, {"num_heads": str(H), "format": "pt"})
    for k, v in tensors.items():
        expected[f"{name}/{k}"] = v.float()
    with torch.no_grad():
        expected[f"{name}/output"], expected[f"{name}/attn_weights"] = encoder.layers[1].self_attn(query, query, query)

    # BERT's names for the same attention (transformers' BertSelfAttention and the
    # dense of its BertSelfOutput), two layers with their feed-forward and norms; the
    # expected output is computed BERT's way (scores divided after the product),
    # which the reader's MultiheadAttention must match
    name, d = "bert-F32.safetensors", E // H
    tensors = {}
    for i in range(2):
        layer = f"bert.encoder.layer.{i}."
        for part in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense", "intermediate.dense", "output.dense"]:
            rows = 16 if part == "intermediate.dense" else E
            cols = 16 if part == "output.dense" else E
            tensors[layer + part + ".weight"] = torch.rand(rows, cols) * 2 - 1
            tensors[layer + part + ".bias"] = torch.rand(rows) * 2 - 1
        for part in ["attention.output.LayerNorm", "output.LayerNorm"]:
            tensors[layer + part + ".weight"], tensors[layer + part + ".bias"] = torch.ones(E), torch.zeros(E)
    tensors["query"] = query
    save_safetensors(f"{out}/{name}", tensors, {"num_heads": str(H)})
    for k, v in tensors.items():
        expected[f"{name}/{k}"] = v.float()
    attention = "bert.encoder.layer.1.attention."
    w = {part: (tensors[f"{attention}self.{part}.weight"], tensors[f"{attention}self.{part}.bias"]) for part in ["query", "key", "value"]}
    expected[f"{name}/{attention}in_proj_weight"] = torch.cat([w[part][0] for part in ["query", "key", "value"]])
    expected[f"{name}/{attention}in_proj_bias"] = torch.cat([w[part][1] for part in ["query", "key", "value"]])
    expected[f"{name}/{attention}out_proj.weight"], expected[f"{name}/{attention}out_proj.bias"] = tensors[attention + "output.dense.weight"], tensors[attention + "output.dense.bias"]
    heads = lambda x: x.view(L, H, d).transpose(0, 1)  # H×L×d
    q, k, v = (heads(query @ w[part][0].T + w[part][1]) for part in ["query", "key", "value"])
    probs = torch.softmax(q @ k.transpose(-1, -2) / d ** 0.5, dim=-1)
    context = (probs @ v).transpose(0, 1).reshape(L, E)
    expected[f"{name}/output"] = context @ tensors[attention + "output.dense.weight"].T + tensors[attention + "output.dense.bias"]
    expected[f"{name}/attn_weights"] = probs.mean(0)

    # every dtype's special values, and what .float() makes of them
    tiny = 2.0 ** -149
    values = [0.0, -0.0, 1.0, -1.0, 0.1, 1 / 3, -2 / 3, 65504.0, 65519.0, 65520.0, 1e5, 2.0 ** -24, 2.0 ** -25, 2.0 ** -26,
              3 * 2.0 ** -26, 2.0 ** -14, 2.0 ** -14 - 2.0 ** -24, 6e-8, 1e-8, tiny, tiny / 2, tiny * 0.75, tiny * 1.5,
              2.0 ** -126, 2.0 ** -126 - tiny, 1e-40, -1e-40, 1e-45, 1e-300, -1e-300, 1 + 2.0 ** -24, 1 + 3 * 2.0 ** -24,
              1 + 2.0 ** -8, 1 + 2.0 ** -9, 1 + 3 * 2.0 ** -9, 3.4028234663852886e38, 3.4028235677973366e38,
              3.4028235677973362e38, 3.5e38, -3.5e38, 1e300, float("inf"), float("-inf"), float("nan"), -float("nan")]
    source = torch.cat([torch.tensor(values, dtype=torch.float64), torch.randn(200, dtype=torch.float64) * 10.0 ** torch.randint(-45, 40, (200,))])
    specials = {dtype: source.to(BY_NAME[dtype]) for dtype in ["F64", "F32"]}
    every = torch.arange(-32768, 32768, dtype=torch.int32).to(torch.int16)  # every bit pattern
    specials["F16"] = torch.cat([source.half(), every.view(torch.float16)])
    specials["BF16"] = torch.cat([source.bfloat16(), every.view(torch.bfloat16)])
    for dtype, x in specials.items():
        save_safetensors(f"{out}/specials-{dtype}.safetensors", {"x": x})
        expected[f"specials-{dtype}.safetensors/x"] = x.float()
        if dtype != "BF16":
            np.savez(f"{out}/specials-{dtype}.npz", x=x.numpy())
            expected[f"specials-{dtype}.npz/x"] = x.float()

    save_safetensors(f"{out}/expected.safetensors", {k: v.detach().float().contiguous() for k, v in expected.items()})


if __name__ == "__main__":
    main(sys.argv[1])
