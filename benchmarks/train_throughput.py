#!/usr/bin/python3
"""Training throughput of the seq2seq G2P model in plain PyTorch: the reference for the DJL trainer.

Mirrors trainer-service's Seq2SeqBlock (docs/DESIGN.md) and ComponentTrainer's step (summed NLL /
token count, backward, global-norm clipping, Adam) over the batches of a pairs file written by
``TrainThroughputBench --write-pairs`` (``src ids<TAB>tgt ids``, ``--batch`` consecutive lines per
batch, in batch order), so both engines train on the same batches in the same order. Prints one
JSON line like the Java side, with "engine": "pytorch".

Run with Debian's /usr/bin/python3 (python3-torch); see benchmarks/train-throughput.sh.
"""

import argparse
import json
import math
import os
import re
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pairs", required=True)
    p.add_argument("--src-vocab", type=int, required=True)
    p.add_argument("--tgt-vocab", type=int, required=True)
    p.add_argument("--embed", type=int, default=64)
    p.add_argument("--enc-hidden", type=int, default=128)
    p.add_argument("--dec-hidden", type=int, default=256)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--steps", type=int, default=100)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--interop-threads", type=int, default=1)
    p.add_argument("--lr", type=float, default=0.002)
    p.add_argument("--clip", type=float, default=5.0)
    p.add_argument("--lockstep", type=int, default=0,
                   help="K > 0: after warm-up, print {\"ready\":true} and run K timed steps per line read "
                        "from stdin, printing each block's time (driven by train-throughput.sh)")
    a = p.parse_args()
    if a.warmup < 1 or a.steps < 1 or a.lockstep < 0:
        p.error("need --warmup >= 1, --steps >= 1 and --lockstep >= 0")
    return a


ARGS = parse_args()

import torch  # noqa: E402  (after argument parsing, so --help works without torch)
from torch import nn  # noqa: E402

# Thread counts first, before any parallel work (the interop pool can only be set once).
torch.set_num_threads(ARGS.threads)
torch.set_num_interop_threads(ARGS.interop_threads)

PAD, BOS, EOS = 0, 1, 2  # io.crossmodal.core.vocab.Vocabulary


class Seq2Seq(nn.Module):
    """Seq2SeqBlock: padding-independent biLSTM encoder (two unidirectional LSTMs), bridge,
    Luong "general" attention, teacher-forced LSTM decoder.

    Initialisation matches the Java Layers factories: nn.LSTM's default is uniform(+-1/sqrt(H))
    for every weight and bias, nn.Linear's default is uniform(+-1/sqrt(in)) for weight and bias,
    nn.Embedding's default is N(0, 1).
    """

    def __init__(self, src_vocab, tgt_vocab, e, he, hd):
        super().__init__()
        self.e, self.he = e, he
        self.src_embed = nn.Embedding(src_vocab, e)
        self.tgt_embed = nn.Embedding(tgt_vocab, e)
        self.enc_fwd = nn.LSTM(e, he, num_layers=1, batch_first=True)
        self.enc_bwd = nn.LSTM(e, he, num_layers=1, batch_first=True)
        self.bridge_h = nn.Linear(2 * he, hd, bias=True)
        self.bridge_c = nn.Linear(2 * he, hd, bias=True)
        self.key_proj = nn.Linear(2 * he, hd, bias=False)
        self.dec = nn.LSTM(e, hd, num_layers=1, batch_first=True)
        self.out_proj = nn.Linear(hd + 2 * he, hd, bias=True)
        self.logits = nn.Linear(hd, tgt_vocab, bias=True)

    def forward(self, tokens, rev, mask, tgt_in, tgt_out, tgt_mask):
        emb = self.src_embed(tokens)
        fwd, _ = self.enc_fwd(emb)
        # Per-sequence reversal keeps padding at the end, so the backward direction starts at
        # each sequence's last real symbol; then un-reverse with the same index.
        bwd_rev, _ = self.enc_bwd(emb.gather(1, rev.unsqueeze(2).expand(-1, -1, self.e)))
        bwd = bwd_rev.gather(1, rev.unsqueeze(2).expand(-1, -1, self.he))
        memory = torch.cat([fwd, bwd], 2) * mask.unsqueeze(2)
        mean = memory.sum(1) / mask.sum(1, keepdim=True)
        init_h = torch.tanh(self.bridge_h(mean))
        init_c = torch.tanh(self.bridge_c(mean))
        keys = self.key_proj(memory)

        h, _ = self.dec(self.tgt_embed(tgt_in), (init_h.unsqueeze(0), init_c.unsqueeze(0)))
        scores = h.bmm(keys.transpose(1, 2))
        bias = (mask.unsqueeze(1) - 1.0) * 1e9  # 0 on real positions, -1e9 on padding
        attn = torch.softmax(scores + bias, 2)
        ctx = attn.bmm(memory)
        o = torch.tanh(self.out_proj(torch.cat([h, ctx], 2)))
        log_probs = torch.log_softmax(self.logits(o), 2)
        token_logp = log_probs.gather(2, tgt_out.unsqueeze(2)).squeeze(2) * tgt_mask
        seq_nll = -token_logp.sum(1)
        return seq_nll.sum(), seq_nll, tgt_mask.sum()


def read_batches(path, batch):
    pairs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            src, tgt = line.rstrip("\n").split("\t")
            pairs.append(([int(t) for t in src.split()], [int(t) for t in tgt.split()]))
    return [pairs[i:i + batch] for i in range(0, len(pairs) - batch + 1, batch)]


def encode(batch):
    """Seq2SeqBatch.pairs: tokens, reverse index, mask; <s>+y, y+</s>, target mask."""
    b = len(batch)
    t = max(len(s) for s, _ in batch)
    u = max(len(y) for _, y in batch) + 1
    tokens, rev, mask = [], [], []
    tin, tout, tmask = [], [], []
    for s, y in batch:
        n = len(s)
        tokens.append(s + [PAD] * (t - n))
        rev.append([n - 1 - j for j in range(n)] + list(range(n, t)))
        mask.append([1.0] * n + [0.0] * (t - n))
        m = len(y)
        tin.append([BOS] + y + [PAD] * (u - 1 - m))
        tout.append(y + [EOS] + [PAD] * (u - 1 - m))
        tmask.append([1.0] * (m + 1) + [0.0] * (u - 1 - m))
    return (torch.tensor(tokens, dtype=torch.int64), torch.tensor(rev, dtype=torch.int64),
            torch.tensor(mask, dtype=torch.float32), torch.tensor(tin, dtype=torch.int64),
            torch.tensor(tout, dtype=torch.int64), torch.tensor(tmask, dtype=torch.float32))


def clip_global_norm(params, max_norm):
    """ComponentTrainer.clip: scale all gradients so their global L2 norm is at most max_norm."""
    grads = [p.grad for p in params]
    sq = 0.0
    for g in grads:
        sq += g.square().sum().item()
    norm = math.sqrt(sq)
    if norm > max_norm:
        scale = max_norm / (norm + 1e-6)
        for g in grads:
            g.mul_(scale)


class Clock:
    """Wall and process CPU time of the steps after warm-up; lockstep blocks as in the Java bench."""

    def __init__(self, warmup, total, block, pairs_at):
        self.warmup, self.total, self.block, self.pairs_at = warmup, total, block, pairs_at
        self.seconds = self.cpu_seconds = 0.0
        self.blocks = 0
        self.block_start = 0

    def after_step(self, step):
        if step == self.warmup:
            if self.block > 0:
                self._emit({"ready": True})
                self._await()
            self._start(step)
        elif step > self.warmup and (step == self.total or (self.block > 0 and (step - self.warmup) % self.block == 0)):
            wall = time.perf_counter() - self.wall0
            cpu = time.process_time() - self.cpu0
            self.seconds += wall
            self.cpu_seconds += cpu
            if self.block > 0:
                pairs = sum(self.pairs_at[self.block_start + 1:step + 1])
                self._emit({"block": self.blocks, "steps": step - self.block_start, "pairs": pairs,
                            "seconds": wall, "cpu_seconds": cpu})
                self.blocks += 1
                if step < self.total:
                    self._await()
            self._start(step)

    def _start(self, step):
        self.block_start = step
        self.cpu0 = time.process_time()
        self.wall0 = time.perf_counter()

    @staticmethod
    def _emit(obj):
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    @staticmethod
    def _await():
        if not sys.stdin.readline():
            sys.exit("lockstep: coordinator closed stdin")


def blas_in_use():
    """The BLAS library this process actually mapped (Debian's torch has BLAS_INFO=generic and
    calls libblas.so.3, which the alternatives system points at OpenBLAS, BLIS or reference)."""
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))  # make sure BLAS is loaded
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            name = os.path.basename(path)
            if any(k in name for k in ("blas", "mkl", "blis", "lapack")):
                libs.add(os.path.realpath(path))
    m = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    return {"config": "BLAS_INFO=" + (m.group(1) if m else "?"), "libraries": sorted(libs)}


def main():
    a = ARGS
    torch.manual_seed(a.seed)
    batches = read_batches(a.pairs, a.batch)
    if not batches:
        sys.exit(f"{a.pairs}: no full batch of {a.batch} pairs")
    total = a.warmup + a.steps
    model = Seq2Seq(a.src_vocab, a.tgt_vocab, a.embed, a.enc_hidden, a.dec_hidden)
    model.train()
    params = list(model.parameters())
    n_params = sum(p.numel() for p in params)
    # DJL's Adam defaults: beta1 0.9, beta2 0.999, epsilon 1e-8, no weight decay.
    opt = torch.optim.Adam(params, lr=a.lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)

    losses = []
    pairs_at = [0] + [len(batches[(k - 1) % len(batches)]) for k in range(1, total + 1)]  # 1-based
    clock = Clock(a.warmup, total, a.lockstep, pairs_at)
    for k in range(1, total + 1):
        batch = batches[(k - 1) % len(batches)]
        inputs = encode(batch)
        nll_sum, _, tokens_t = model(*inputs)
        tokens = tokens_t.item()
        loss = nll_sum / tokens
        loss.backward()
        losses.append(nll_sum.item() / tokens)
        clip_global_norm(params, a.clip)
        opt.step()
        opt.zero_grad(set_to_none=False)  # DJL's PyTorch Adam zeroes gradients in place
        clock.after_step(k)
    seconds = clock.seconds
    timed_pairs = sum(pairs_at[a.warmup + 1:])
    last10 = losses[-10:]
    first10 = losses[:10]
    result = {
        "engine": "pytorch",
        "words_per_sec": timed_pairs / seconds,
        "steps": a.steps,
        "warmup": a.warmup,
        "seconds": seconds,
        "pairs": timed_pairs,
        "cpu_seconds": clock.cpu_seconds,
        "words_per_cpu_sec": timed_pairs / clock.cpu_seconds,
        "lockstep_block": a.lockstep,
        "initial_loss": losses[0],
        "final_loss": losses[-1],
        "final_loss_avg10": sum(last10) / len(last10),
        "loss_first10": sum(first10) / len(first10),
        "params": n_params,
        "threads": torch.get_num_threads(),
        "interop_threads": torch.get_num_interop_threads(),
        "engine_version": "PyTorch " + torch.__version__,
        "torch_version": torch.__version__,
        "blas": blas_in_use(),
        "batch": a.batch,
        "sizes": {"src_vocab": a.src_vocab, "tgt_vocab": a.tgt_vocab, "embed": a.embed,
                  "enc_hidden": a.enc_hidden, "dec_hidden": a.dec_hidden},
        "losses": [round(v, 5) for v in losses],
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
