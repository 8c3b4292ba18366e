namespace Ntm.Model;

/// <summary>
/// Runs trained weights with a memory of a different number of rows N (test-time memory size).
/// No weight depends on N except the initial state:
/// <list type="bullet">
/// <item>the initial weighting logits <c>init.weighting</c> (heads, N): a trained row keeps its logit;
/// a new row gets a logit <see cref="NewRowLogitGap"/> below the smallest trained logit of its head, so
/// its initial weight is 0 in float32 and the trained rows' initial weights are unchanged (up to the
/// rounding of the softmax's sum, which adds more terms); when N
/// shrinks, the rows dropped must hold under <see cref="DroppableWeight"/> of any head's initial weight
/// (the rest is renormalised by the softmax);</item>
/// <item>a constant initial memory simply has N rows of the constant;</item>
/// <item>a learned or random initial memory (N, M) cannot be carried to another N, and is refused.</item>
/// </list>
/// The heads' shifts wrap around the new N (eq. 8 is a circular convolution over the rows). With the
/// trained N, the machine is returned unchanged.
/// </summary>
internal static class MemoryResize
{
    /// <summary>How far below a head's smallest trained logit a new row's logit lies: e^-1000 is 0 in float32 and float64.</summary>
    public const float NewRowLogitGap = 1000f;

    /// <summary>The largest initial weight (per head, summed over the rows dropped) that shrinking may drop.</summary>
    public const double DroppableWeight = 0.01;

    public static NeuralTuringMachine Resize(NeuralTuringMachine machine, int rows)
    {
        NtmConfig c = machine.Config;
        if (rows < 1)
            throw new InvalidConfigurationException($"The memory must have at least 1 row, got {rows}.");
        if (rows == c.MemoryRows) return machine;
        if (c.Heads == 0)
            throw new InvalidConfigurationException("This model has no memory (a plain LSTM): there is no memory size to change.");
        if (c.MemoryInit != MemoryInit.Constant)
            throw new InvalidConfigurationException(
                $"The initial memory is {Io.EnumSpelling.Format(c.MemoryInit)} ({c.MemoryRows} x {c.MemoryWidth} values): it cannot be carried to {rows} rows; only a constant initial memory can.");
        int needed = RowsNeeded(machine);
        if (rows < needed)
            throw new InvalidConfigurationException(
                $"With {rows} memory rows the trained initial weightings would lose {DroppableWeight * 100:0.#}% or more of their weight: this model needs at least {needed} rows.");

        NtmConfig resized = c with { MemoryRows = rows };
        var layout = new ParameterLayout(resized);
        var values = new float[layout.Count];
        foreach (ParameterTensor t in machine.Layout.Tensors)
        {
            ReadOnlySpan<float> old = machine.Parameters.AsSpan(t.Offset, t.Length);
            ParameterTensor to = layout[t.Name];
            if (t.Name != "init.weighting")
            {
                old.CopyTo(values.AsSpan(to.Offset, to.Length));
                continue;
            }
            int n = c.MemoryRows;
            for (int h = 0; h < c.Heads; h++)
            {
                ReadOnlySpan<float> logits = old.Slice(h * n, n);
                Span<float> dest = values.AsSpan(to.Offset + h * rows, rows);
                int keep = Math.Min(n, rows);
                logits.Slice(0, keep).CopyTo(dest);
                float low = float.PositiveInfinity;
                foreach (float x in logits) low = Math.Min(low, x);
                dest.Slice(keep).Fill(low - NewRowLogitGap);
            }
        }
        return NeuralTuringMachine.FromParameters(resized, values);
    }

    /// <summary>
    /// The fewest rows the trained initial weightings allow: every row from the first one past which
    /// every head's remaining initial weight is under <see cref="DroppableWeight"/>.
    /// </summary>
    public static int RowsNeeded(NeuralTuringMachine machine)
    {
        NtmConfig c = machine.Config;
        if (c.Heads == 0) return 1;
        ParameterTensor t = machine.Layout["init.weighting"];
        int n = c.MemoryRows, needed = 1;
        var w = new double[n];
        for (int h = 0; h < c.Heads; h++)
        {
            ReadOnlySpan<float> logits = machine.Parameters.AsSpan(t.Offset + h * n, n);
            double max = double.NegativeInfinity, sum = 0;
            foreach (float x in logits) max = Math.Max(max, x);
            for (int i = 0; i < n; i++) sum += w[i] = Math.Exp(logits[i] - max);
            double tail = 0;
            int keep = n;
            while (keep > 1 && tail + w[keep - 1] / sum < DroppableWeight) tail += w[--keep] / sum;
            needed = Math.Max(needed, keep);
        }
        return needed;
    }
}
