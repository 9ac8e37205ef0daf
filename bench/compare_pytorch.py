#!/usr/bin/env python3
"""Optional: the bench cases with PyTorch (and Captum, when importable), side by side with build/bench.

Never part of `make test`. Usage: python3 bench/compare_pytorch.py [path/to/bench]
Without PyTorch it says what is missing and exits 0. Install: Debian `apt-get install python3-torch`;
Captum from its source (pip install . in a clone of github.com/pytorch/captum). Debian's PyTorch is
importable only by its own interpreter: run it as /usr/bin/python3 bench/compare_pytorch.py.

The transformer_step cases are chapter 12's model in torch, float64, one thread: TransformerLens's
attention-only maths (no layer norm, scores divided by sqrt(d_head) after the dot product, -inf
above the diagonal), one Adam step on the cross-entropy at the last position, the same sizes and
batch as build/bench's.
"""
import json
import statistics
import subprocess
import sys
import time


def timed(work, repeats):
    work()
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


# The bench's transformer steps: (name, d_model, n_heads, d_head, batch, repeats).
TRANSFORMER_STEPS = [("transformer_step_d16_b1", 16, 2, 4, 1, 201),
                     ("transformer_step_d16_b8", 16, 2, 4, 8, 101),
                     ("transformer_step_d16_b32", 16, 2, 4, 32, 31),
                     ("transformer_step_d64_b1", 64, 4, 16, 1, 31),
                     ("transformer_step_d64_b8", 64, 4, 16, 8, 11),
                     ("transformer_step_d128_b1", 128, 4, 32, 1, 11)]
D_VOCAB, N_CTX, N_LAYERS = 9, 8, 2


def transformer_step(torch, d_model, n_heads, d_head, batch):
    """One step's work, as a function: an attention-only transformer and a fixed induction batch."""
    torch.manual_seed(0)
    std = 0.8 / d_model ** 0.5

    def weight(*shape):
        return (torch.randn(*shape, dtype=torch.float64) * std).requires_grad_(True)

    def zeros(*shape):
        return torch.zeros(*shape, dtype=torch.float64, requires_grad=True)

    W_E, W_pos, W_U, b_U = weight(D_VOCAB, d_model), weight(N_CTX, d_model), \
        weight(d_model, D_VOCAB), zeros(D_VOCAB)
    blocks = [dict(W_Q=weight(n_heads, d_model, d_head), W_K=weight(n_heads, d_model, d_head),
                   W_V=weight(n_heads, d_model, d_head), W_O=weight(n_heads, d_head, d_model),
                   b_Q=zeros(n_heads, d_head), b_K=zeros(n_heads, d_head),
                   b_V=zeros(n_heads, d_head), b_O=zeros(d_model)) for _ in range(N_LAYERS)]
    parameters = [W_E, W_pos, W_U, b_U] + [p for block in blocks for p in block.values()]
    optimizer = torch.optim.Adam(parameters, lr=1e-2)
    # The induction prompts: BOS, 6 distinct letters, then one of the first five again.
    rows, targets = [], []
    for _ in range(batch):
        letters = (torch.randperm(8)[:6] + 1).tolist()
        i = int(torch.randint(1, 6, ()))
        rows.append([0] + letters + [letters[i - 1]])
        targets.append(letters[i])
    tokens, targets = torch.tensor(rows), torch.tensor(targets)
    mask = torch.ones(N_CTX, N_CTX, dtype=torch.bool).tril()
    minus_infinity = torch.tensor(-torch.inf, dtype=torch.float64)

    def step():
        x = W_E[tokens] + W_pos[:N_CTX]
        for b in blocks:
            q = torch.einsum("bpd,hde->bphe", x, b["W_Q"]) + b["b_Q"]
            k = torch.einsum("bpd,hde->bphe", x, b["W_K"]) + b["b_K"]
            v = torch.einsum("bpd,hde->bphe", x, b["W_V"]) + b["b_V"]
            scores = torch.einsum("bqhe,bkhe->bhqk", q, k) / d_head ** 0.5
            pattern = torch.where(mask, scores, minus_infinity).softmax(dim=-1)
            z = torch.einsum("bhqk,bkhe->bqhe", pattern, v)
            x = x + torch.einsum("bqhe,hed->bqd", z, b["W_O"]) + b["b_O"]
        logits = x @ W_U + b_U
        loss = torch.nn.functional.cross_entropy(logits[:, -1], targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def main():
    try:
        import torch
    except ImportError:
        print("compare_pytorch: PyTorch is not importable (Debian: apt-get install python3-torch); "
              "nothing to compare")
        return 0
    try:
        from captum.attr import IntegratedGradients
    except ImportError:
        IntegratedGradients = None
        print("compare_pytorch: Captum is not importable; the IG case uses torch autograd directly")

    torch.set_num_threads(1)
    x = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
    y = torch.tensor([[0.], [0.], [0.], [1.]])

    def train():
        torch.manual_seed(0)
        model = torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.Sigmoid())
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        loss_fn = torch.nn.BCELoss()
        for _ in range(1000):
            order = torch.randperm(4)
            loss = loss_fn(model(x[order]), y[order])
            opt.zero_grad()
            loss.backward()
            opt.step()
        return model

    model = train()
    clean, corrupt = torch.tensor([[1., 1.]]), torch.tensor([[0., 0.]])

    def ig50():
        if IntegratedGradients is not None:
            IntegratedGradients(model).attribute(clean, corrupt, n_steps=50,
                                                 method="gausslegendre")
        else:
            alphas = torch.linspace(0, 1, 50).unsqueeze(1)
            points = (corrupt + alphas * (clean - corrupt)).requires_grad_(True)
            model(points).sum().backward()

    torch_cases = {"train_1000_epochs_engine": timed(train, 5), "ig_50_steps": timed(ig50, 51)}
    for name, d_model, n_heads, d_head, batch, repeats in TRANSFORMER_STEPS:
        torch_cases[name] = timed(transformer_step(torch, d_model, n_heads, d_head, batch), repeats)
    bench = sys.argv[1] if len(sys.argv) > 1 else "build/bench"
    try:
        ours = json.loads(subprocess.run([bench, "--json"], check=True, capture_output=True,
                                         text=True).stdout)
    except (OSError, subprocess.CalledProcessError) as error:
        print(f"compare_pytorch: could not run {bench} --json ({error}); run make bench first")
        return 0
    medians = {c["name"]: c["median_s"] for c in ours["cases"]}
    print(f"{'case':28} {'PyTorch (ms)':>14} {'C++ engine (ms)':>16} {'ratio':>8}")
    for name, seconds in torch_cases.items():
        ratio = seconds / medians[name]
        print(f"{name:28} {seconds * 1e3:14.3f} {medians[name] * 1e3:16.4f} "
              f"{ratio:8.{0 if ratio >= 10 else 2}f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
