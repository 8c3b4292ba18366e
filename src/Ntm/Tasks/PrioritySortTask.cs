using Ntm.Numerics;

namespace Ntm.Tasks;

/// <summary>
/// The priority sort task (paper, section 4.5): random binary vectors, each with a scalar priority
/// drawn uniformly from [-1, 1]; the machine must output the highest-priority vectors sorted by
/// priority, highest first.
/// <para>
/// Input width is <c>Bits + 2</c>: channels <c>[0, Bits)</c> carry the vectors, channel
/// <c>Bits</c> the priority and channel <c>Bits + 1</c> the delimiter. Output width is <c>Bits</c>.
/// With N = <see cref="Inputs"/> and M = <see cref="Outputs"/> there are <c>N + 1 + M</c> steps:
/// steps <c>0 .. N-1</c> present vector i with its priority; step <c>N</c> has only the delimiter
/// set; steps <c>N+1 .. N+M</c> have zero input, target the vector of the (step - N)-th highest
/// priority, and are the only scored steps (mask 1). Priorities are compared as the float values
/// the machine sees; equal priorities (vanishingly rare) keep their input order.
/// </para>
/// </summary>
public sealed class PrioritySortTask : SequenceTask
{
    /// <summary>The paper's vector width: 8 bits (section 4.5).</summary>
    public const int PaperBits = 8;
    /// <summary>The paper's input count: 20 vectors (section 4.5).</summary>
    public const int PaperInputs = 20;
    /// <summary>The paper's output count: the 16 highest-priority vectors (section 4.5).</summary>
    public const int PaperOutputs = 16;

    /// <summary>The task's name, description and settings (defaults: the paper's).</summary>
    public static TaskDefinition Definition { get; } = new(
        "priority-sort",
        "Output the highest-priority vectors of a list, sorted by their priorities (paper section 4.5).",
        [
            TaskSetting.Integer("bits", PaperBits, "width of each random vector"),
            TaskSetting.Integer("inputs", PaperInputs, "vectors in the list"),
            TaskSetting.Integer("outputs", PaperOutputs, "highest-priority vectors to output"),
        ],
        s => new PrioritySortTask(s.Integer("bits"), s.Integer("inputs"), s.Integer("outputs")));

    /// <summary>Width of each random vector; the paper uses 8.</summary>
    public int Bits { get; }
    /// <summary>Number of input vectors; the paper uses 20.</summary>
    public int Inputs { get; }
    /// <summary>Number of output vectors (the highest-priority ones); the paper uses 16.</summary>
    public int Outputs { get; }

    /// <summary>Creates the task; the defaults are the paper's settings.</summary>
    /// <exception cref="InvalidConfigurationException">A setting is out of range.</exception>
    public PrioritySortTask(int bits = PaperBits, int inputs = PaperInputs, int outputs = PaperOutputs)
    {
        if (bits < 1) throw new InvalidConfigurationException($"priority-sort: bits must be at least 1, got {bits}.");
        CheckCounts(inputs, outputs);
        Bits = bits;
        Inputs = inputs;
        Outputs = outputs;
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
        ["inputs"] = TaskSetting.Format(Inputs),
        ["outputs"] = TaskSetting.Format(Outputs),
    };

    /// <summary>
    /// The number of input vectors, trained at <see cref="Inputs"/> only, with the output count held at
    /// <see cref="Outputs"/> (points read <c>{"inputs": N, "outputs": Outputs}</c>); at least <see cref="Outputs"/>.
    /// </summary>
    public override TaskAxis Axis => new("inputs", "vectors in the list", Outputs, Inputs, Inputs,
        (rng, batchSize, inputs) => Make(rng, batchSize, inputs, Outputs),
        inputs => new PrioritySortTask(Bits, inputs, Outputs),
        new OrderedDictionary<string, int> { ["outputs"] = Outputs });

    /// <summary>The training count, 10 more inputs, and twice the inputs.</summary>
    public override IReadOnlyList<AxisPoint> GeneralizationPoints
    {
        get
        {
            TaskAxis axis = Axis;
            return [axis.Point(Inputs), axis.Point(Inputs + 10), axis.Point(2 * Inputs)];
        }
    }

    /// <summary>Index of the priority input channel.</summary>
    public int PriorityChannel => Bits;
    /// <summary>Index of the delimiter input channel.</summary>
    public int DelimiterChannel => Bits + 1;

    /// <inheritdoc />
    public override SequenceBatch Sample(Rng rng, int batchSize) => Make(rng, batchSize, Inputs, Outputs);

    /// <summary>
    /// A batch with <paramref name="inputs"/> input vectors of which the <paramref name="outputs"/>
    /// highest-priority ones are to be output (generalisation tests use more inputs than training).
    /// </summary>
    /// <exception cref="InvalidConfigurationException">A count is below 1 or outputs exceed inputs.</exception>
    public SequenceBatch Make(Rng rng, int batchSize, int inputs, int outputs)
    {
        ArgumentNullException.ThrowIfNull(rng);
        CheckCounts(inputs, outputs);
        var batch = new SequenceBatch(checked(inputs + 1 + outputs), batchSize, InputSize, OutputSize);
        var order = new int[inputs];
        var priorities = new float[inputs];
        for (int b = 0; b < batchSize; b++)
        {
            for (int i = 0; i < inputs; i++)
            {
                Span<float> x = batch.Input(i, b);
                for (int j = 0; j < Bits; j++)
                    x[j] = rng.NextBit() ? 1f : 0f;
                priorities[i] = (float)rng.NextDouble(-1, 1);
                x[PriorityChannel] = priorities[i];
                order[i] = i;
            }
            batch.Input(inputs, b)[DelimiterChannel] = 1f;
            // Highest priority first; ties keep input order (a stable comparison on the index).
            Array.Sort(order, (p, q) => priorities[p] != priorities[q] ? priorities[q].CompareTo(priorities[p]) : p.CompareTo(q));
            for (int o = 0; o < outputs; o++)
            {
                int step = inputs + 1 + o;
                batch.Input(order[o], b)[..Bits].CopyTo(batch.Target(step, b));
                batch.MaskAt(step, b) = 1f;
            }
        }
        return batch;
    }

    private static void CheckCounts(int inputs, int outputs)
    {
        if (inputs < 1) throw new InvalidConfigurationException($"priority-sort: the input count must be at least 1, got {inputs}.");
        if (outputs < 1) throw new InvalidConfigurationException($"priority-sort: the output count must be at least 1, got {outputs}.");
        if (outputs > inputs)
            throw new InvalidConfigurationException($"priority-sort: the output count {outputs} exceeds the input count {inputs}.");
    }
}
