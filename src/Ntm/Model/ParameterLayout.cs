using Ntm.Controllers;
using Ntm.Heads;

namespace Ntm.Model;

/// <summary>One named tensor inside the flat parameter buffer.</summary>
/// <param name="Name">Stable name, also used in checkpoints (e.g. <c>controller.0.weight</c>).</param>
/// <param name="Shape">Row-major shape.</param>
/// <param name="Offset">First element in the flat buffer.</param>
/// <param name="Length">Number of elements (the product of the shape).</param>
/// <param name="Trainable">False for a fixed tensor (a random initial memory): it gets no gradient.</param>
public sealed record ParameterTensor(string Name, int[] Shape, int Offset, int Length, bool Trainable);

/// <summary>
/// Where every parameter of a machine lives in one flat buffer. Names and order:
/// <c>controller.{l}.weight</c> / <c>controller.{l}.bias</c> per controller layer (LSTM gate rows in
/// the order input, forget, cell, output; columns [layer input; previous hidden state]);
/// <c>heads.weight</c> / <c>heads.bias</c> (every head's projection from the controller output, write
/// heads first, each laid out as in the head layout); <c>output.weight</c> / <c>output.bias</c>
/// (from [controller output; read vectors]); <c>init.read</c> (R, M); <c>init.weighting</c>
/// (heads, N) logits of the initial weightings; <c>init.memory</c> (N, M) when memory is learned or random.
/// </summary>
public sealed class ParameterLayout
{
    private readonly Dictionary<string, ParameterTensor> _byName = new(StringComparer.Ordinal);

    /// <summary>The tensors in buffer order.</summary>
    public IReadOnlyList<ParameterTensor> Tensors { get; }

    /// <summary>Total number of floats in the buffer.</summary>
    public int Count { get; }

    /// <summary>Number of trainable floats (what the paper's parameter counts count).</summary>
    public int TrainableCount { get; }

    /// <summary>Width of the combined head projection (sum of every head's layout size).</summary>
    public int HeadOutputSize { get; }

    /// <summary>The tensor with this name.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name.</exception>
    public ParameterTensor this[string name] => _byName[name];

    /// <summary>Whether a tensor with this name exists.</summary>
    public bool Contains(string name) => _byName.ContainsKey(name);

    /// <summary>Lays out the parameters of a machine with this configuration.</summary>
    public ParameterLayout(NtmConfig config)
    {
        config.Validate();
        var list = new List<ParameterTensor>();
        long offset = 0;
        void Add(string name, bool trainable, params int[] shape)
        {
            long length = 1;
            foreach (int d in shape) length *= d;
            if (offset + length > Array.MaxLength)
                throw new InvalidConfigurationException($"The machine has more than {Array.MaxLength} parameters; make it smaller.");
            var t = new ParameterTensor(name, shape, (int)offset, (int)length, trainable);
            list.Add(t);
            _byName.Add(name, t);
            offset += length;
        }

        int h = config.ControllerSize;
        for (int l = 0; l < config.ControllerLayers; l++)
        {
            Add($"controller.{l}.weight", true, ControllerShape.GateWidth(config), ControllerShape.InputWidth(config, l));
            Add($"controller.{l}.bias", true, ControllerShape.GateWidth(config));
        }
        HeadOutputSize = new HeadSlices(config).Size;
        if (config.Heads > 0)
        {
            Add("heads.weight", true, HeadOutputSize, h);
            Add("heads.bias", true, HeadOutputSize);
        }
        Add("output.weight", true, config.OutputSize, h + config.ReadHeads * config.MemoryWidth);
        Add("output.bias", true, config.OutputSize);
        if (config.ReadHeads > 0)
            Add("init.read", true, config.ReadHeads, config.MemoryWidth);
        if (config.Heads > 0)
            Add("init.weighting", true, config.Heads, config.MemoryRows);
        if (config.Heads > 0 && config.MemoryInit != MemoryInit.Constant)
            Add("init.memory", config.MemoryInit == MemoryInit.Learned, config.MemoryRows, config.MemoryWidth);

        Tensors = list;
        Count = (int)offset;
        TrainableCount = list.Where(t => t.Trainable).Sum(t => t.Length);
    }
}
