#!/usr/bin/env python3
"""Optional: the bench cases with PyTorch (and Captum, when importable), side by side with build/bench.

Never part of `make test`. Usage: python3 bench/compare_pytorch.py [path/to/bench]
Without PyTorch it says what is missing and exits 0. Install: Debian `apt-get install python3-torch`;
Captum from its source (pip install . in a clone of github.com/pytorch/captum).
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
        print(f"{name:28} {seconds * 1e3:14.3f} {medians[name] * 1e3:16.4f} "
              f"{seconds / medians[name]:8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
