using Ntm.Heads;
using Ntm.Model;
using Ntm.Training;

namespace Ntm.Benchmarking;

/// <summary>How often a <see cref="FlopTerm"/> is paid in one sequence.</summary>
public enum FlopScope
{
    /// <summary>At every time step.</summary>
    Step,
    /// <summary>At every step whose output is scored (mask not zero): the loss and the output layer's backward.</summary>
    ScoredStep,
    /// <summary>Once per sequence (the initial state and its gradient).</summary>
    Sequence,
}

/// <summary>One named part of the work, in floating-point operations per occurrence.</summary>
/// <param name="Name">What is computed, e.g. <c>content addressing</c>.</param>
/// <param name="Scope">How often it is paid.</param>
/// <param name="Forward">Flops of the forward pass (and the loss) per occurrence.</param>
/// <param name="Backward">Flops of the backward pass per occurrence.</param>
public sealed record FlopTerm(string Name, FlopScope Scope, long Forward, long Backward)
{
    /// <summary>Forward plus backward.</summary>
    public long Total => Forward + Backward;
}

/// <summary>Flops of one sequence or minibatch, split into forward (with the loss), backward and optimiser.</summary>
/// <param name="Forward">Forward pass and loss.</param>
/// <param name="Backward">Backpropagation through time.</param>
/// <param name="Optimizer">The optimiser's share (zero unless asked for).</param>
public readonly record struct FlopTotals(double Forward, double Backward, double Optimizer)
{
    /// <summary>Everything.</summary>
    public double Total => Forward + Backward + Optimizer;
}

/// <summary>
/// Analytic count of the floating-point operations that training a machine on one sequence costs,
/// term by term as <c>MachineEngine</c> computes them: the controller, the head projection and
/// activations, each addressing stage of every head (eq. 5-9), memory write (eq. 3-4) and read
/// (eq. 2), the output layer and loss, and the backward pass of each; plus, separately, the
/// optimiser update of a minibatch.
/// Conventions: an add, subtract, multiply or divide is 1 flop, a multiply-add 2; exp, log, tanh
/// and sqrt are 1 each; a sigmoid is 3 (exp, add, divide), a softplus 4 (exp, add, log, add);
/// negations, comparisons (the softmax's maximum, thresholds, clamps), copies, clears and index
/// arithmetic are free. A softmax over n values is 4n + 1 (subtract the maximum, exp, sum, one
/// reciprocal, scale), its backward 4n. A dot product of length n is 2n. Where the code takes a
/// data-dependent branch the longer side is counted, and the kernels that skip exact zeros
/// (content addressing on a zero weight gradient) are counted dense. The output layer's backward
/// at unscored steps is not counted: the engine skipped it when this count was written, and the
/// count is kept as it was so that GFLOP/s before and after an optimisation measure the same work
/// (the engine now multiplies by those zero gradients, about 0.4% more arithmetic on copy). Work the engine does once
/// per shard (the softmax of the initial weightings and its backward) is counted once per
/// sequence, an over-count of a few thousand flops per sequence for shards of several sequences.
/// </summary>
public sealed class FlopCount
{
    /// <summary>Flops of one sigmoid: exp, add, divide.</summary>
    public const int SigmoidFlops = 3;
    /// <summary>Flops of one softplus, log(1 + exp(x)) in its stable form: exp, add, log, add.</summary>
    public const int SoftplusFlops = 4;
    /// <summary>Adam's flops per parameter: m (3), v (4), and the update step m / (sqrt(v) + eps) (5).</summary>
    public const int AdamFlopsPerParameter = 12;
    /// <summary>RMSProp's (Graves 2013) flops per parameter: n (4), g (3), delta (8), the update (1).</summary>
    public const int RmsPropFlopsPerParameter = 16;

    /// <summary>The machine the terms describe.</summary>
    public NtmConfig Config { get; }

    /// <summary>The terms, in the order the forward pass meets them.</summary>
    public IReadOnlyList<FlopTerm> Terms { get; }

    /// <summary>Floats in the parameter buffer (what the optimiser walks).</summary>
    public int ParameterCount { get; }

    private FlopCount(NtmConfig config, IReadOnlyList<FlopTerm> terms, int parameterCount)
    {
        Config = config;
        Terms = terms;
        ParameterCount = parameterCount;
    }

    /// <summary>The terms of a machine with this configuration.</summary>
    /// <exception cref="InvalidConfigurationException">The configuration is invalid.</exception>
    public static FlopCount For(NtmConfig config)
    {
        var layout = new ParameterLayout(config);   // validates
        long n = config.MemoryRows, m = config.MemoryWidth, h = config.ControllerSize;
        long reads = config.ReadHeads, writes = config.WriteHeads, heads = config.Heads;
        long k = 2L * config.ShiftRange + 1, p = layout.HeadOutputSize, o = config.OutputSize;
        long outIn = h + reads * m;
        bool lstm = config.Controller == ControllerKind.Lstm;
        var terms = new List<FlopTerm>();

        // Controller, per layer: y = W u + b over u = [input; r_{t-1}; h_{t-1}] (LSTM) or [input] (feed-forward).
        for (int l = 0; l < config.ControllerLayers; l++)
        {
            long u = Controllers.ControllerShape.InputWidth(config, l);
            long rows = Controllers.ControllerShape.GateWidth(config);
            terms.Add(new($"controller {l} linear ({rows} x {u})", FlopScope.Step, LinearForward(rows, u), LinearBackward(rows, u)));
            terms.Add(lstm
                // forward: sigmoid on i, f, o (3 x 3), tanh on g (1); c = f c' + i g (3), tanh(c) (1), h = o tanh(c) (1)
                // backward per unit: dh (1), dc (5), do, di, dg, df (4 each), dc' (1)
                ? new($"controller {l} LSTM gates", FlopScope.Step, (3 * SigmoidFlops + 1 + 5) * h, 23 * h)
                // forward: tanh; backward: dh (1 - h^2)
                : new($"controller {l} tanh", FlopScope.Step, h, 3 * h));
        }

        if (heads > 0)
        {
            terms.Add(new($"head projection ({p} x {h})", FlopScope.Step, LinearForward(p, h), LinearBackward(p, h)));

            // ActivateHead: beta softplus, g sigmoid, s softmax, gamma 1 + softplus; write heads: e sigmoid, a tanh.
            long actFwd = heads * (SoftplusFlops + SigmoidFlops + SoftmaxForward(k) + 1 + SoftplusFlops)
                        + writes * (SigmoidFlops + 1) * m;
            // DeactivateHead: beta (sigmoid, multiply), g (g (1 - g), multiply), s (softmax backward),
            // gamma (sigmoid, multiply); write heads: e (e (1 - e), multiply), a ((1 - a^2), multiply).
            long actBwd = heads * ((SigmoidFlops + 1) + 3 + SoftmaxBackward(k) + (SigmoidFlops + 1)) + writes * 6 * m;
            terms.Add(new("head activations", FlopScope.Step, actFwd, actBwd));

            // eq. 5-6. forward: |k| (2M + 1); per row: dot (2M), |k| |M(i)| + eps (2), divide (1), beta K (1); softmax.
            // backward: softmax backward; 1 / |k|; per row: dbeta (2), dK (1), denominator (2), dDot (1),
            // dDenominator (2), dk += (2M), keyCoef (2), dM(i) += (2M), its coefficient (2), dM(i) += (2M);
            // then dk += (1 + 2M) and dbeta into the head (1).
            long contentFwd = (2 * m + 1) + n * (2 * m + 4) + SoftmaxForward(n);
            long contentBwd = SoftmaxBackward(n) + 1 + n * (6 * m + 12) + (2 * m + 1) + 1;
            terms.Add(new("content addressing", FlopScope.Step, heads * contentFwd, heads * contentBwd));

            // eq. 7. forward: 1 - g (1); per row g wc + (1 - g) w' (3). backward: 1 - g (1); per row dwc (2), dw' (2), dg (3); dg into the head (1).
            terms.Add(new("interpolation", FlopScope.Step, heads * (3 * n + 1), heads * (7 * n + 2)));

            // eq. 8. forward: a multiply-add per row and shift. backward: dwg (2) and ds (2) per row and shift; ds into the head (1 per shift).
            terms.Add(new("shift", FlopScope.Step, heads * 2 * k * n, heads * (4 * k * n + k)));

            // eq. 9 as softmax(gamma log(w~ + eps)). forward: add, log, multiply per row (3); softmax.
            // backward: softmax backward; per row w~ + eps (1), dgamma (log, multiply, add: 3), dw~ (multiply, divide, add: 3); dgamma into the head (1).
            terms.Add(new("sharpen", FlopScope.Step, heads * (3 * n + SoftmaxForward(n)), heads * (SoftmaxBackward(n) + 7 * n + 1)));

            if (writes > 0)
            {
                // eq. 3-4. forward per cell: per head keep *= 1 - w e (3), added += w a (2); then M' keep + added (2);
                // then the row norms of M_t for the next content addressing (2M + 1 per row).
                long writeFwd = n * m * (5 * writes + 2) + n * (2 * m + 1);
                // backward, one head, per cell: dM' (4), g p (1), dw (4), de (2), da (2); dw per row (1).
                // several heads, per cell: keepAll (3W), dM' (2), per head: keepOthers (3(W - 1)), dKeep (2), dw (4), de (2), da (2).
                long writeBwd = writes == 1 ? 13 * n * m + n : n * m * (3 * writes * writes + 10 * writes + 2);
                writeBwd += writes * (2 * m + n);   // de, da into the head; dw + carried dw_t
                terms.Add(new("memory write", FlopScope.Step, writeFwd, writeBwd));
            }

            if (reads > 0)
            {
                // eq. 2. forward: r += w(i) M(i) (2M per row). backward per row: dw (2M + 1), dM(i) += w(i) dr (2M);
                // and dr += the gradient carried from step t + 1's controller input (M).
                terms.Add(new("memory read", FlopScope.Step, reads * 2 * n * m, reads * (n * (4 * m + 1) + m)));
            }
        }

        // y = W_o [h; r] + b_o at every step; backward: the mask times the loss scale (1).
        terms.Add(new($"output layer ({o} x {outIn})", FlopScope.Step, LinearForward(o, outIn), 1));
        // Loss per output: softplus(z) (4) - y z (2), summed (1); the sequence's cost and errors (4).
        // Backward: dz = scale (sigmoid(z) - y) (5 per output), then the output layer's backward.
        terms.Add(new("loss, output layer backward", FlopScope.ScoredStep, 7 * o + 4, 5 * o + LinearBackward(o, outIn)));

        // Initial state: softmax of each head's initial weighting logits and the row norms of M_{-1};
        // backward: dr_{-1} (RM), dw_{-1} summed (N per head), its softmax backward and sum (5N per head), learned M_{-1} (NM).
        if (heads > 0 || reads > 0)
        {
            long initFwd = heads * SoftmaxForward(n) + (heads > 0 ? n * (2 * m + 1) : 0);
            long initBwd = reads * m + heads * (n + SoftmaxBackward(n) + n)
                         + (config.MemoryInit == MemoryInit.Learned && heads > 0 ? n * m : 0);
            terms.Add(new("initial state", FlopScope.Sequence, initFwd, initBwd));
        }

        return new FlopCount(config, terms, layout.Count);
    }

    /// <summary>y = W x + b for one input vector: a dot product of length cols (2 cols) and a bias add per row.</summary>
    public static long LinearForward(long rows, long cols) => rows * (2 * cols + 1);

    /// <summary>The backward of <see cref="LinearForward"/> for one vector: dW += dy x^T (2 cols per row), dx += W^T dy (2 cols per row), db += dy (1 per row).</summary>
    public static long LinearBackward(long rows, long cols) => rows * (4 * cols + 1);

    private static long SoftmaxForward(long n) => 4 * n + 1;
    private static long SoftmaxBackward(long n) => 4 * n;

    /// <summary>Sum of the forward flops of every <see cref="FlopScope.Step"/> term.</summary>
    public long ForwardPerStep => Terms.Where(t => t.Scope == FlopScope.Step).Sum(t => t.Forward);

    /// <summary>Sum of the backward flops of every <see cref="FlopScope.Step"/> term.</summary>
    public long BackwardPerStep => Terms.Where(t => t.Scope == FlopScope.Step).Sum(t => t.Backward);

    /// <summary>
    /// Forward and backward flops of one sequence of <paramref name="steps"/> time steps of which
    /// <paramref name="scoredSteps"/> are scored (fractions allowed for averages). No optimiser share.
    /// </summary>
    public FlopTotals Sequence(double steps, double scoredSteps)
    {
        if (!(steps >= 0) || !(scoredSteps >= 0) || scoredSteps > steps)
            throw new InvalidConfigurationException($"A sequence needs 0 <= scored steps <= steps, got {scoredSteps} of {steps}.");
        double fwd = 0, bwd = 0;
        foreach (FlopTerm t in Terms)
        {
            double times = t.Scope switch
            {
                FlopScope.Step => steps,
                FlopScope.ScoredStep => scoredSteps,
                _ => 1,
            };
            fwd += times * t.Forward;
            bwd += times * t.Backward;
        }
        return new FlopTotals(fwd, bwd, 0);
    }

    /// <summary>A copy-task sequence of <paramref name="length"/> vectors: 2L + 1 steps, the last L scored.</summary>
    public FlopTotals CopySequence(int length)
    {
        if (length < 1) throw new InvalidConfigurationException($"A copy sequence has at least one vector, got {length}.");
        return Sequence(2 * length + 1, length);
    }

    /// <summary>
    /// The mean over copy sequences whose lengths are drawn uniformly from
    /// [<paramref name="minLength"/>, <paramref name="maxLength"/>] (the paper: 1-20). No optimiser share.
    /// </summary>
    public FlopTotals CopyAverage(int minLength = 1, int maxLength = 20)
    {
        if (minLength < 1 || maxLength < minLength)
            throw new InvalidConfigurationException($"Copy lengths need 1 <= min <= max, got {minLength}-{maxLength}.");
        double fwd = 0, bwd = 0;
        for (int l = minLength; l <= maxLength; l++)
        {
            FlopTotals s = CopySequence(l);
            fwd += s.Forward;
            bwd += s.Backward;
        }
        int count = maxLength - minLength + 1;
        return new FlopTotals(fwd / count, bwd / count, 0);
    }

    /// <summary>
    /// Flops of the work a trainer does once per minibatch after the shards' backward passes: the
    /// fixed-order sum of <paramref name="shards"/> shard gradients (1 per parameter per extra
    /// shard), the gradient norm (2 per parameter), and the optimiser update. The element-wise clip
    /// is comparisons only and counts nothing. Divide by the batch size for the per-sequence share.
    /// </summary>
    public long OptimizerStep(OptimizerKind optimizer, int shards)
    {
        if (shards < 1) throw new InvalidConfigurationException($"A minibatch has at least one shard, got {shards}.");
        long perParameter = optimizer switch
        {
            OptimizerKind.Adam => AdamFlopsPerParameter,
            OptimizerKind.RmsProp => RmsPropFlopsPerParameter,
            _ => throw new InvalidConfigurationException($"Unknown optimiser {optimizer}."),
        };
        return (long)ParameterCount * (perParameter + 2 + (shards - 1));
    }
}
