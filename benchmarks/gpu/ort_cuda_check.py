#!/usr/bin/env python3
"""Runs a bundle's exported graphs on ONNX Runtime's CUDA and CPU execution providers and
compares the outputs. Usage: ort_cuda_check.py BUNDLE_DIR [COMPONENT]. Exit 0 when CUDA ran
every graph and matched CPU within 1e-4; 2 when CUDA is not available; 1 on a mismatch."""
import json
import sys

import numpy as np

try:
    import onnxruntime as ort
except ImportError:
    print("onnxruntime (Python) is not installed here")
    sys.exit(2)

bundle = sys.argv[1]
component = sys.argv[2] if len(sys.argv) > 2 else "g2p"
manifest = json.load(open(f"{bundle}/manifest.json"))
print("onnxruntime", ort.__version__, "providers:", ort.get_available_providers())
if "CUDAExecutionProvider" not in ort.get_available_providers():
    sys.exit(2)

rng = np.random.default_rng(0)
spec = manifest["components"][component]
enc_file = spec["graphs"]["encoder"]["file"]
dec_file = spec["graphs"]["decoder_step"]["file"]
vs = spec["sizes"]["src_vocab"] if "src_vocab" in spec["sizes"] else 30
b, t = 64, 12
lengths = rng.integers(3, t + 1, size=b).astype(np.int32)
tokens = np.zeros((b, t), dtype=np.int64)
for i, n in enumerate(lengths):
    tokens[i, :n] = rng.integers(4, vs, size=n)

def run(providers):
    enc = ort.InferenceSession(f"{bundle}/{enc_file}", providers=providers)
    dec = ort.InferenceSession(f"{bundle}/{dec_file}", providers=providers)
    assert enc.get_providers()[0] == providers[0], enc.get_providers()
    memory, keys, h, c = enc.run(["memory", "keys", "init_h", "init_c"], {"tokens": tokens, "lengths": lengths})
    mask = (np.arange(t)[None, :] < lengths[:, None]).astype(np.float32)
    prev = np.full((b,), 1, dtype=np.int64)
    outs = [memory, keys, h, c]
    for _ in range(5):
        logits, log_probs, h, c = dec.run(["logits", "log_probs", "h_out", "c_out"],
                                          {"prev_token": prev, "h": h, "c": c, "memory": memory, "keys": keys, "mask": mask})
        prev = log_probs.argmax(axis=1).astype(np.int64)
        outs += [logits, h, c]
    return outs

gpu = run(["CUDAExecutionProvider", "CPUExecutionProvider"])
cpu = run(["CPUExecutionProvider"])
diff = max(float(np.max(np.abs(a - b_))) for a, b_ in zip(gpu, cpu))
print(f"{component}: encoder + 5 decoder steps, batch {b}: max |CUDA - CPU| = {diff:.3g}")
sys.exit(0 if diff <= 1e-4 else 1)
