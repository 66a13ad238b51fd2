#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""PyTorch reference for loom-bench's train_mlp rows.

Trains the network of Loom's training job (784-512-256-10 by default,
ReLU, softmax cross-entropy, Adam lr 1e-3, fp32) on the CPU with the
batch size and thread count loom-bench gives, on synthetic data (the
speed of a step does not depend on the values), and prints one JSON
object on stdout:

  {"samples_per_s": median, "best_samples_per_s": best, "step_ms": median,
   "threads": n, "batch": b, "torch": version}

Each repetition times --steps training steps (forward, loss, backward,
Adam step, and loss.item() as a training loop reads its loss); the
figures are over --reps repetitions after --warmup steps.

--pick-threads gives PyTorch its best configuration on this machine: it
times a few steps with 1 and with --threads intra-op threads (OpenBLAS,
which does the matrix products, keeps its own threads either way) and
keeps the faster; the choice and both rates go into the JSON ("threads",
"tried"). Denormals are flushed (torch.set_flush_denormal), which Adam's
state otherwise slows down with.

With --serve it is driven by loom-bench instead, so the two alternate
under the same conditions: after the warm-up it prints {"ready": true,
"threads": n, "torch": version}, then for each line "N" on its standard
input runs N steps and prints {"seconds": wall time}; it ends at EOF.

Exit status: 0 measured; 2 usage; 3 PyTorch is not installed (Debian
package python3-torch), with {"error": ...} on stdout.
"""
import argparse
import json
import statistics
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--hidden", default="512,256")
    ap.add_argument("--steps", type=int, default=20, help="steps per repetition")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--serve", action="store_true",
                    help="time N steps for each line N read from stdin")
    ap.add_argument("--pick-threads", action="store_true",
                    help="use the faster of 1 and --threads intra-op threads")
    args = ap.parse_args()
    if min(args.batch, args.threads, args.steps, args.reps) < 1 or args.warmup < 0:
        ap.error("sizes must be positive")
    try:
        hidden = [int(h) for h in args.hidden.split(",")]
    except ValueError:
        ap.error("--hidden: sizes separated by commas")

    try:
        import torch
        from torch import nn
    except ImportError as e:
        print(json.dumps({"error": "PyTorch is not installed (python3-torch): %s" % e}))
        return 3

    torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    torch.manual_seed(1)
    sizes = [784] + hidden + [10]
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()

    nb = 16
    x = torch.randn(nb * args.batch, 784)
    y = torch.randint(0, 10, (nb * args.batch,))

    def step(i):
        j = i % nb
        xb = x[j * args.batch:(j + 1) * args.batch]
        yb = y[j * args.batch:(j + 1) * args.batch]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss.item()

    for i in range(args.warmup):
        step(i)
    tried = {}
    if args.pick_threads:
        for n in sorted({1, args.threads}):
            torch.set_num_threads(n)
            for i in range(3):
                step(i)
            rates = []
            for r in range(3):
                t0 = time.perf_counter()
                for i in range(10):
                    step(i)
                rates.append(10 * args.batch / (time.perf_counter() - t0))
            tried[str(n)] = statistics.median(rates)
        torch.set_num_threads(int(max(tried, key=tried.get)))
    if args.serve:
        print(json.dumps({"ready": True, "threads": torch.get_num_threads(), "tried": tried,
                          "torch": torch.__version__}), flush=True)
        done = 0
        for line in sys.stdin:
            try:
                n = int(line)
            except ValueError:
                print(json.dumps({"error": "expected a step count, got %r" % line.strip()}),
                      flush=True)
                return 2
            t0 = time.perf_counter()
            for i in range(n):
                step(done + i)
            done += n
            print(json.dumps({"seconds": time.perf_counter() - t0}), flush=True)
        return 0
    rates = []
    for r in range(args.reps):
        t0 = time.perf_counter()
        for i in range(args.steps):
            step(i)
        dt = time.perf_counter() - t0
        rates.append(args.steps * args.batch / dt)
    med = statistics.median(rates)
    print(json.dumps({
        "samples_per_s": med,
        "best_samples_per_s": max(rates),
        "step_ms": 1000.0 * args.batch / med,
        "threads": torch.get_num_threads(),
        "tried": tried,
        "batch": args.batch,
        "torch": torch.__version__,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
