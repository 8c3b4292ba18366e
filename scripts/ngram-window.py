#!/usr/bin/env python3
"""The cost of the dynamic n-gram task's Bayes-optimal estimator when it may count only the last W
bits (a memory of W rows written once per step and wrapping around), beside the full estimator.
Same task as `ntm train dynamic-ngrams`: 6-gram tables from Beta(1/2, 1/2), 200 bits, the first 5
bits fair coins, predictions of bits 1..199 scored; fresh sequences from Python's random module.
Usage: scripts/ngram-window.py [SEQUENCES] [W ...]   (default 3000 sequences, W = 128)"""
import math
import random
import sys

LENGTH, CONTEXT, PRIOR = 200, 5, 0.5


def sequence(rng):
    table = [rng.betavariate(PRIOR, PRIOR) for _ in range(1 << CONTEXT)]
    bits = [rng.randint(0, 1) for _ in range(CONTEXT)]
    while len(bits) < LENGTH:
        ctx = int("".join(map(str, bits[-CONTEXT:])), 2)
        bits.append(1 if rng.random() < table[ctx] else 0)
    return bits


def cost(bits, window):
    ctxs = [None] * CONTEXT + [int("".join(map(str, bits[i - CONTEXT:i])), 2) for i in range(CONTEXT, LENGTH)]
    total = CONTEXT - 1                       # bits 1..4 are fair coins
    for i in range(CONTEXT, LENGTH):
        lo = max(CONTEXT, i - window) if window else CONTEXT
        seen = [bits[j] for j in range(lo, i) if ctxs[j] == ctxs[i]]
        p1 = (sum(seen) + PRIOR) / (len(seen) + 2 * PRIOR)
        total -= math.log2(p1 if bits[i] else 1 - p1)
    return total


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    windows = [int(w) for w in sys.argv[2:]] or [128]
    seqs = [sequence(random.Random(seed)) for seed in range(n)]
    full = sum(cost(s, 0) for s in seqs) / n
    print(f"{n} sequences; full estimator: {full:.2f} bits per sequence")
    for w in windows:
        c = sum(cost(s, w) for s in seqs) / n
        print(f"last {w} bits only: {c:.2f} bits per sequence (+{c - full:.2f})")


if __name__ == "__main__":
    main()
