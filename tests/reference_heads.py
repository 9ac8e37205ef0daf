#!/usr/bin/python3
"""Writes tests/reference_heads.hpp, beside this script: chapter 12's hand-set circuits in PyTorch.

The OR and AND two-layer attention-only transformers of nn/circuits.hpp, built here from the same
recipe, run with TransformerLens's conventions re-implemented in plain torch (TransformerLens
itself is not needed): q = x W_Q + b_Q per head, scores = (q . k) / sqrt(d_head) with the division
after the dot product, the causal mask as -inf, softmax over keys, z = pattern @ v (the hook_z
activation, [batch, pos, head, d_head]), attn_out = sum over heads of z W_O + b_O, resid_post =
resid_pre + attn_out, logits = resid @ W_U + b_U. Everything in float64.

Run from the repository root, once, whenever the circuits change (torch is importable only by
/usr/bin/python3 here):
  /usr/bin/python3 tests/reference_heads.py
  clang-format -i tests/reference_heads.hpp
"""
import math
import os

import numpy
import torch

torch.set_default_dtype(torch.float64)

V, T, DH, H, L = 8, 8, 8, 2, 2
BOS, A, B, C, D, F, G, Z = range(8)
TOK, POS, PREV, CUR, OUT = 0, 8, 16, 24, 32
DM = 40
S = math.sqrt(DH)
PREV_TOKEN_SCORE = 20.0
GAIN = 10.0

CLEAN = [BOS, F, G, A, B, F, G, A]
OR_CORRUPT = [BOS, F, G, C, B, F, G, A]
AND_CORRUPT = [BOS, F, G, C, B, F, G, D]
CORRECT, INCORRECT = B, Z


def zeros():
    p = {
        "embed.W_E": torch.zeros(V, DM),
        "pos_embed.W_pos": torch.zeros(T, DM),
        "unembed.W_U": torch.zeros(DM, V),
        "unembed.b_U": torch.zeros(V),
    }
    for layer in range(L):
        for w in ("W_Q", "W_K", "W_V"):
            p[f"blocks.{layer}.attn.{w}"] = torch.zeros(H, DM, DH)
        p[f"blocks.{layer}.attn.W_O"] = torch.zeros(H, DH, DM)
        for b in ("b_Q", "b_K", "b_V"):
            p[f"blocks.{layer}.attn.{b}"] = torch.zeros(H, DH)
        p[f"blocks.{layer}.attn.b_O"] = torch.zeros(DM)
    for t in range(V):
        p["embed.W_E"][t, TOK + t] = 1
        p["unembed.W_U"][OUT + t, t] = 1
    for pos in range(T):
        p["pos_embed.W_pos"][pos, POS + pos] = 1
    return p


def previous_token_head(p, head):
    a = "blocks.0.attn."
    for pos in range(T):
        p[a + "W_Q"][head, POS + pos, pos] = PREV_TOKEN_SCORE * S
    for j in range(T - 1):
        p[a + "W_K"][head, POS + j, j + 1] = 1
    for t in range(1, V):
        p[a + "W_V"][head, TOK + t, t] = 1
    for t in range(DH):
        p[a + "W_O"][head, t, PREV + t] = 1


def current_token_head(p, head):
    a = "blocks.0.attn."
    for pos in range(T):
        p[a + "W_Q"][head, POS + pos, pos] = PREV_TOKEN_SCORE * S
        p[a + "W_K"][head, POS + pos, pos] = 1
    for t in range(1, V):
        p[a + "W_V"][head, TOK + t, t] = 1
    for t in range(DH):
        p[a + "W_O"][head, t, CUR + t] = 1


def induction_head(p, query_source, beta, sink):
    a = "blocks.1.attn."
    for t in range(V):
        p[a + "W_Q"][0, query_source + t, t] = beta * S
        p[a + "W_V"][0, TOK + t, t] = 1
        p[a + "W_O"][0, t, OUT + t] = GAIN
    for t in range(1, V):
        p[a + "W_K"][0, PREV + t, t] = 1
    p[a + "b_Q"][0, 0] = sink * S
    p[a + "W_K"][0, TOK + BOS, 0] = 1


def or_model(sink=5.0):
    p = zeros()
    previous_token_head(p, 0)
    previous_token_head(p, 1)
    induction_head(p, TOK, 10.0, sink)
    return p


def and_model(sink=10.0):
    p = zeros()
    previous_token_head(p, 0)
    current_token_head(p, 1)
    induction_head(p, CUR, 20.0, sink)
    return p


def run(p, tokens, z_patch=None):
    """Logits [T, V] and every layer's hook_z [T, H, DH]; z_patch(layer, z) may replace hook_z."""
    tokens = torch.tensor(tokens)
    resid = p["embed.W_E"][tokens] + p["pos_embed.W_pos"][: len(tokens)]
    mask = torch.tril(torch.ones(len(tokens), len(tokens), dtype=torch.bool))
    zs, patterns = [], []
    for layer in range(L):
        a = f"blocks.{layer}.attn."
        q = torch.einsum("pd,hde->phe", resid, p[a + "W_Q"]) + p[a + "b_Q"]
        k = torch.einsum("pd,hde->phe", resid, p[a + "W_K"]) + p[a + "b_K"]
        v = torch.einsum("pd,hde->phe", resid, p[a + "W_V"]) + p[a + "b_V"]
        scores = torch.einsum("qhe,khe->hqk", q, k) / S
        scores = torch.where(mask, scores, torch.tensor(-math.inf))
        pattern = torch.softmax(scores, dim=-1)
        z = torch.einsum("hqk,khe->qhe", pattern, v)
        if z_patch is not None:
            z = z_patch(layer, z)
        zs.append(z)
        patterns.append(pattern)
        result = torch.einsum("qhe,hed->qhd", z, p[a + "W_O"])
        resid = resid + result.sum(dim=1) + p[a + "b_O"]
    return resid @ p["unembed.W_U"] + p["unembed.b_U"], zs, patterns


def metric(logits):
    return (logits[-1, CORRECT] - logits[-1, INCORRECT]).item()


def patched_metric(p, tokens, layer, source_z, pos=None, head=None):
    def patch(at, z):
        if at != layer:
            return z
        z = z.clone()
        rows = slice(None) if pos is None else pos
        z[rows, head] = source_z[rows, head]
        return z

    return metric(run(p, tokens, patch)[0])


def study_ig(p, base_tokens, base_z, other_z, layer, n_steps=50):
    """Per-head sums of IG at hook_z of `layer`, base tokens, z from base_z to other_z (GL n)."""
    x, w = numpy.polynomial.legendre.leggauss(n_steps)
    total = torch.zeros_like(base_z)
    for xk, wk in zip(x, w):
        alpha = (xk + 1) / 2
        point = (base_z + alpha * (other_z - base_z)).detach().requires_grad_(True)
        logits = run(p, base_tokens, lambda at, z: point if at == layer else z)[0]
        (grad,) = torch.autograd.grad(logits[-1, CORRECT] - logits[-1, INCORRECT], point)
        total += (wk / 2) * grad
    return ((other_z - base_z) * total).sum(dim=(0, 2)).tolist()


def attribution_patching(p, base_tokens, base_z, source_z, layer):
    point = base_z.detach().requires_grad_(True)
    logits = run(p, base_tokens, lambda at, z: point if at == layer else z)[0]
    (grad,) = torch.autograd.grad(logits[-1, CORRECT] - logits[-1, INCORRECT], point)
    return ((base_z - source_z) * grad).sum(dim=(0, 2)).tolist()


def table(p, corrupt):
    logits_clean, z_clean, pattern_clean = run(p, CLEAN)
    logits_corrupt, z_corrupt, pattern_corrupt = run(p, corrupt)
    m_clean, m_corrupt = metric(logits_clean), metric(logits_corrupt)
    gap = m_clean - m_corrupt
    t = {
        "m_clean": m_clean,
        "m_corrupt": m_corrupt,
        "attention_clean": pattern_clean[1][0, T - 1, 4].item(),
        "attention_corrupt": pattern_corrupt[1][0, T - 1, 4].item(),
    }
    den, noi, den_pos, noi_pos, igc, igk, atd, atn = ([] for _ in range(8))
    for layer in range(L):
        den.append([(patched_metric(p, corrupt, layer, z_clean[layer], head=h) - m_corrupt) / gap
                    for h in range(H)])
        noi.append([(m_clean - patched_metric(p, CLEAN, layer, z_corrupt[layer], head=h)) / gap
                    for h in range(H)])
        den_pos.append([[(patched_metric(p, corrupt, layer, z_clean[layer], pos, h) - m_corrupt)
                         / gap for h in range(H)] for pos in range(T)])
        noi_pos.append([[(m_clean - patched_metric(p, CLEAN, layer, z_corrupt[layer], pos, h))
                         / gap for h in range(H)] for pos in range(T)])
        # base corrupt: the corrupt run, z from corrupt to clean; base clean the reverse. Both
        # shares are divided by (other - base), so that each is positive.
        igc.append([s / gap for s in study_ig(p, corrupt, z_corrupt[layer], z_clean[layer], layer)])
        igk.append([s / -gap for s in study_ig(p, CLEAN, z_clean[layer], z_corrupt[layer], layer)])
        atd.append([s / -gap for s in
                    attribution_patching(p, corrupt, z_corrupt[layer], z_clean[layer], layer)])
        atn.append([s / gap for s in
                    attribution_patching(p, CLEAN, z_clean[layer], z_corrupt[layer], layer)])
    t.update(denoising=den, noising=noi, denoising_by_pos=den_pos, noising_by_pos=noi_pos,
             ig_base_corrupt=igc, ig_base_clean=igk, atp_denoising=atd, atp_noising=atn)
    return t


def c_array(value):
    if isinstance(value, list):
        return "{" + ", ".join(c_array(v) for v in value) + "}"
    return "%.17g" % value


HEADER = """\
// Reference numbers for chapter 12's hand-set circuits (nn/circuits.hpp), from PyTorch {torch}
// (numpy {numpy}), float64, with TransformerLens's conventions re-implemented in plain torch.
//
// GENERATED by tests/reference_heads.py, which builds the same weights from the same recipe; do not
// edit by hand. From the repository root:
//   /usr/bin/python3 tests/reference_heads.py
//   clang-format -i tests/reference_heads.hpp
// Every number is printed with 17 significant digits (%.17g). Indices are [layer][head] and
// [layer][pos][head]. m is logit[B] - logit[Z] at the last position; every score is divided by
// m_clean - m_corrupt and signed so that a head carrying the whole effect scores 1:
//   denoising        (m(corrupt, head's hook_z at all positions from clean) - m_corrupt) / gap
//   noising          (m_clean - m(clean, head's hook_z from corrupt)) / gap
//   *_by_pos         the same with one position of the head patched
//   ig_base_corrupt  the study's IG at hook_z: the corrupt prompt run, the layer's heads moved
//                    together from corrupt to clean z, Gauss-Legendre 50 (numpy's leggauss), the
//                    head's sum over positions and d_head, / gap
//   ig_base_clean    the same from the clean run towards corrupt z, / (m_corrupt - m_clean)
//   atp_denoising    gradient at the corrupt run . (z_corrupt - z_clean), / (m_corrupt - m_clean)
//   atp_noising      gradient at the clean run . (z_clean - z_corrupt), / gap
//   attention_*      the pattern of head 1.0 from the last position onto position 4
#pragma once

namespace reference_heads {{

struct Circuit {{
  const char* name;
  double sink;
  double m_clean, m_corrupt;
  double attention_clean, attention_corrupt;
  double denoising[2][2], noising[2][2];
  double denoising_by_pos[2][8][2], noising_by_pos[2][8][2];
  double ig_base_corrupt[2][2], ig_base_clean[2][2];
  double atp_denoising[2][2], atp_noising[2][2];
}};

"""

FIELDS = ["m_clean", "m_corrupt", "attention_clean", "attention_corrupt", "denoising", "noising",
          "denoising_by_pos", "noising_by_pos", "ig_base_corrupt", "ig_base_clean",
          "atp_denoising", "atp_noising"]


def main():
    circuits = [
        ("or_circuit", "OR", 5.0, table(or_model(5.0), OR_CORRUPT)),
        ("and_circuit", "AND", 10.0, table(and_model(10.0), AND_CORRUPT)),
        ("threshold_circuit", "OR, sink 15", 15.0, table(or_model(15.0), OR_CORRUPT)),
    ]
    text = HEADER.format(torch=torch.__version__, numpy=numpy.__version__)
    for variable, name, sink, t in circuits:
        values = ", ".join(c_array(t[f]) for f in FIELDS)
        text += f'inline constexpr Circuit {variable} = {{"{name}", {c_array(sink)}, {values}}};\n'
    text += "\n}  // namespace reference_heads\n"
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference_heads.hpp")
    with open(path, "w") as out:
        out.write(text)
    for variable, name, sink, t in circuits:
        print(name, "m", t["m_clean"], t["m_corrupt"], "attn", t["attention_clean"],
              t["attention_corrupt"])
        for f in ["denoising", "noising", "ig_base_corrupt", "ig_base_clean", "atp_denoising",
                  "atp_noising"]:
            print("  %-16s" % f, ["%.6f" % x for row in t[f] for x in row])


if __name__ == "__main__":
    main()
