using Ntm.Numerics;

namespace Ntm.Tasks;

/// <summary>
/// The associative recall task (paper, section 4.3): a list of items, each a few random binary
/// vectors, then a query item taken from the list; the machine must output the item that followed
/// the query in the list.
/// <para>
/// Input width is <c>Bits + 2</c>: channels <c>[0, Bits)</c> carry the vectors, channel
/// <c>Bits</c> is the item delimiter and channel <c>Bits + 1</c> the query delimiter. Output width
/// is <c>Bits</c>. With n items of k = <see cref="ItemLength"/> vectors, K = k + 1, the layout is:
/// </para>
/// <list type="bullet">
/// <item>for item i in 0 .. n-1: step <c>i·K</c> has only the item delimiter set, steps
/// <c>i·K + 1 .. i·K + k</c> present the item's k vectors;</item>
/// <item>step <c>n·K</c> has only the query delimiter set;</item>
/// <item>steps <c>n·K + 1 .. n·K + k</c> present the query item (a copy of item q);</item>
/// <item>step <c>n·K + k + 1</c> has only the query delimiter set again;</item>
/// <item>steps <c>n·K + k + 2 .. n·K + 2k + 1</c> have zero input; their targets are the k vectors
/// of item q + 1, and they are the only scored steps (mask 1).</item>
/// </list>
/// <para>
/// That is <c>(n + 2)·(k + 1)</c> steps in all. The query index q is uniform on 0 .. n-2, so the
/// query is never the last item. The items of one sequence are distinct (an item equal to an
/// earlier one is drawn again), so the answer is always well defined. Within one minibatch every
/// sequence has the same number of items (drawn uniformly per batch), so the batch needs no padding.
/// </para>
/// </summary>
public sealed class AssociativeRecallTask : SequenceTask
{
    /// <summary>The paper's vector width: 6 bits (section 4.3).</summary>
    public const int PaperBits = 6;
    /// <summary>The paper's item length: 3 vectors (section 4.3).</summary>
    public const int PaperItemLength = 3;
    /// <summary>The paper's fewest training items: 2 (section 4.3).</summary>
    public const int PaperMinItems = 2;
    /// <summary>The paper's most training items: 6 (section 4.3).</summary>
    public const int PaperMaxItems = 6;

    /// <summary>The item counts <c>ntm generalize</c> evaluates: the paper's test range, 6 to 20 items (section 4.3).</summary>
    private static readonly int[] GeneralizationItems = [6, 8, 10, 12, 15, 20];

    /// <summary>The task's name, description and settings (defaults: the paper's).</summary>
    public static TaskDefinition Definition { get; } = new(
        "associative-recall",
        "Given a list of items and then one of them, output the item that followed it (paper section 4.3).",
        [
            TaskSetting.Integer("bits", PaperBits, "width of each random vector"),
            TaskSetting.Integer("item-length", PaperItemLength, "vectors per item"),
            TaskSetting.Integer("min-items", PaperMinItems, "fewest items in a training sequence"),
            TaskSetting.Integer("max-items", PaperMaxItems, "most items in a training sequence"),
        ],
        s => new AssociativeRecallTask(s.Integer("bits"), s.Integer("item-length"), s.Integer("min-items"), s.Integer("max-items")));

    /// <summary>Width of each random vector; the paper uses 6.</summary>
    public int Bits { get; }
    /// <summary>Number of vectors per item; the paper uses 3.</summary>
    public int ItemLength { get; }
    /// <summary>Fewest items in a training sequence; the paper uses 2.</summary>
    public int MinItems { get; }
    /// <summary>Most items in a training sequence; the paper uses 6.</summary>
    public int MaxItems { get; }

    /// <summary>Creates the task; the defaults are the paper's settings.</summary>
    /// <exception cref="InvalidConfigurationException">A setting is out of range.</exception>
    public AssociativeRecallTask(int bits = PaperBits, int itemLength = PaperItemLength, int minItems = PaperMinItems, int maxItems = PaperMaxItems)
    {
        if (bits < 1) throw new InvalidConfigurationException($"associative-recall: bits must be at least 1, got {bits}.");
        if (itemLength < 1)
            throw new InvalidConfigurationException($"associative-recall: the item length must be at least 1 vector, got {itemLength}.");
        if (minItems < 2)
            throw new InvalidConfigurationException($"associative-recall: the minimum item count must be at least 2 (a query and its successor), got {minItems}.");
        if (maxItems < minItems)
            throw new InvalidConfigurationException($"associative-recall: the maximum item count {maxItems} is below the minimum item count {minItems}.");
        Bits = bits;
        ItemLength = itemLength;
        MinItems = minItems;
        MaxItems = maxItems;
        CheckItems(maxItems);
    }

    /// <inheritdoc />
    public override string Name => Definition.Name;
    /// <inheritdoc />
    public override int InputSize => Bits + 2;
    /// <inheritdoc />
    public override int OutputSize => Bits;

    /// <inheritdoc />
    public override IReadOnlyDictionary<string, string> Describe() => new OrderedDictionary<string, string>
    {
        ["bits"] = TaskSetting.Format(Bits),
        ["item-length"] = TaskSetting.Format(ItemLength),
        ["min-items"] = TaskSetting.Format(MinItems),
        ["max-items"] = TaskSetting.Format(MaxItems),
    };

    /// <summary>The number of items in the list: trained on [MinItems, MaxItems], tested at any count of at least 2.</summary>
    public override TaskAxis Axis => new("items", "items in the list", 2, MinItems, MaxItems, Make,
        items => new AssociativeRecallTask(Bits, ItemLength, items, items));

    /// <summary>6, 8, 10, 12, 15 and 20 items, the paper's test range.</summary>
    public override IReadOnlyList<AxisPoint> GeneralizationPoints => GeneralizationItems.Select(Axis.Point).ToList();

    /// <summary>Index of the item-delimiter input channel.</summary>
    public int ItemDelimiterChannel => Bits;
    /// <summary>Index of the query-delimiter input channel.</summary>
    public int QueryDelimiterChannel => Bits + 1;

    /// <summary>Number of steps of a sequence of <paramref name="items"/> items: <c>(items + 2)·(ItemLength + 1)</c>.</summary>
    /// <exception cref="InvalidConfigurationException">The item count is out of range.</exception>
    public int StepCount(int items)
    {
        CheckItems(items);
        return checked((items + 2) * (ItemLength + 1));
    }

    /// <inheritdoc />
    public override SequenceBatch Sample(Rng rng, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return Make(rng, batchSize, rng.NextInt(MinItems, MaxItems));
    }

    /// <summary>
    /// A batch of sequences of exactly <paramref name="items"/> items; the count may exceed the
    /// training range (the paper tests 6 to 20 items).
    /// </summary>
    /// <exception cref="InvalidConfigurationException">The count is below 2 or above the number of distinct items.</exception>
    public SequenceBatch Make(Rng rng, int batchSize, int items)
    {
        ArgumentNullException.ThrowIfNull(rng);
        int k = ItemLength, K = k + 1;
        int steps = StepCount(items);
        var batch = new SequenceBatch(steps, batchSize, InputSize, OutputSize);
        int itemSize = k * Bits;
        var list = new float[items * itemSize];
        for (int b = 0; b < batchSize; b++)
        {
            for (int i = 0; i < items; i++)
            {
                Span<float> item = list.AsSpan(i * itemSize, itemSize);
                do
                {
                    for (int j = 0; j < itemSize; j++)
                        item[j] = rng.NextBit() ? 1f : 0f;
                } while (EqualsEarlier(list, i, itemSize));

                batch.Input(i * K, b)[ItemDelimiterChannel] = 1f;
                for (int v = 0; v < k; v++)
                    item.Slice(v * Bits, Bits).CopyTo(batch.Input(i * K + 1 + v, b));
            }
            int q = rng.NextInt(items - 1);
            int queryStart = items * K;
            batch.Input(queryStart, b)[QueryDelimiterChannel] = 1f;
            for (int v = 0; v < k; v++)
                list.AsSpan(q * itemSize + v * Bits, Bits).CopyTo(batch.Input(queryStart + 1 + v, b));
            batch.Input(queryStart + k + 1, b)[QueryDelimiterChannel] = 1f;
            int answerStart = queryStart + k + 2;
            for (int v = 0; v < k; v++)
            {
                list.AsSpan((q + 1) * itemSize + v * Bits, Bits).CopyTo(batch.Target(answerStart + v, b));
                batch.MaskAt(answerStart + v, b) = 1f;
            }
        }
        return batch;
    }

    private static bool EqualsEarlier(float[] list, int i, int itemSize)
    {
        ReadOnlySpan<float> item = list.AsSpan(i * itemSize, itemSize);
        for (int e = 0; e < i; e++)
            if (item.SequenceEqual(list.AsSpan(e * itemSize, itemSize)))
                return true;
        return false;
    }

    private void CheckItems(int items)
    {
        if (items < 2)
            throw new InvalidConfigurationException($"associative-recall: a sequence needs at least 2 items, got {items}.");
        long itemBits = (long)Bits * ItemLength;
        // Distinct items must exist, and at most half of them may be used so that redrawing a
        // duplicate stays cheap.
        if (itemBits < 32 && items > 1L << (int)(itemBits - 1))
            throw new InvalidConfigurationException(
                $"associative-recall: {items} distinct items need more than {itemBits} bits per item (at most {1L << (int)(itemBits - 1)} items allowed); raise bits or item-length.");
        if ((long)(items + 2) * (ItemLength + 1) > int.MaxValue / 2)
            throw new InvalidConfigurationException($"associative-recall: {items} items are too many.");
    }
}
