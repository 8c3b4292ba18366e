using System.Text.Json.Serialization;

namespace Ntm.Model;

/// <summary>Which network drives the heads; spelled as <see cref="Io.EnumSpelling"/> says in files and on the command line.</summary>
[JsonConverter(typeof(Io.EnumSpellingConverter))]
public enum ControllerKind
{
    /// <summary>A stack of LSTM layers (Hochreiter and Schmidhuber 1997, with a forget gate).</summary>
    Lstm,
    /// <summary>A stack of tanh layers with no recurrence of its own: all memory goes through the heads.</summary>
    FeedForward,
}

/// <summary>How the memory matrix starts every sequence; spelled as <see cref="Io.EnumSpelling"/> says in files and on the command line.</summary>
[JsonConverter(typeof(Io.EnumSpellingConverter))]
public enum MemoryInit
{
    /// <summary>Every cell holds <see cref="NtmConfig.MemoryInitValue"/> (Collier and Beel 2018 recommend 1e-6).</summary>
    Constant,
    /// <summary>A learned N x M matrix, trained like every other parameter.</summary>
    Learned,
    /// <summary>A random N x M matrix drawn once when the model is created and kept fixed.</summary>
    Random,
}

/// <summary>
/// The shape of a Neural Turing Machine. Defaults are the paper's copy-task machine: an LSTM
/// controller of 100 units, a 128 x 20 memory, one read and one write head, shifts -1..+1.
/// With no heads the machine is a plain (multi-layer) LSTM or MLP with a sigmoid output layer.
/// </summary>
public sealed record NtmConfig
{
    /// <summary>Width of an input vector.</summary>
    public int InputSize { get; init; } = 9;
    /// <summary>Width of an output vector (sigmoid units).</summary>
    public int OutputSize { get; init; } = 8;
    /// <summary>Controller type.</summary>
    public ControllerKind Controller { get; init; } = ControllerKind.Lstm;
    /// <summary>Units in each controller layer.</summary>
    public int ControllerSize { get; init; } = 100;
    /// <summary>Number of controller layers.</summary>
    public int ControllerLayers { get; init; } = 1;
    /// <summary>Memory rows N.</summary>
    public int MemoryRows { get; init; } = 128;
    /// <summary>Memory width M (the length of a row).</summary>
    public int MemoryWidth { get; init; } = 20;
    /// <summary>Number of read heads.</summary>
    public int ReadHeads { get; init; } = 1;
    /// <summary>Number of write heads.</summary>
    public int WriteHeads { get; init; } = 1;
    /// <summary>Largest shift S: each head's shift distribution covers the integer shifts -S..S.</summary>
    public int ShiftRange { get; init; } = 1;
    /// <summary>How memory starts each sequence.</summary>
    public MemoryInit MemoryInit { get; init; } = MemoryInit.Constant;
    /// <summary>The constant for <see cref="MemoryInit.Constant"/> (Collier and Beel 2018: 1e-6).</summary>
    public float MemoryInitValue { get; init; } = 1e-6f;

    /// <summary>Total number of heads (write heads come first in every per-head layout).</summary>
    [JsonIgnore]
    public int Heads => ReadHeads + WriteHeads;

    /// <summary>Width of the controller's input: the external input plus every read vector.</summary>
    [JsonIgnore]
    public int ControllerInputSize => InputSize + ReadHeads * MemoryWidth;

    /// <summary>Checks every field.</summary>
    /// <exception cref="InvalidConfigurationException">A field is out of range; the message names it.</exception>
    public NtmConfig Validate()
    {
        Require(InputSize >= 1 && InputSize <= 1 << 20, "input size", InputSize, "between 1 and 1048576");
        Require(OutputSize >= 1 && OutputSize <= 1 << 20, "output size", OutputSize, "between 1 and 1048576");
        Require(ControllerSize >= 1 && ControllerSize <= 1 << 16, "controller size", ControllerSize, "between 1 and 65536");
        Require(ControllerLayers >= 1 && ControllerLayers <= 64, "controller layers", ControllerLayers, "between 1 and 64");
        Require(ReadHeads >= 0 && ReadHeads <= 64, "read heads", ReadHeads, "between 0 and 64");
        Require(WriteHeads >= 0 && WriteHeads <= 64, "write heads", WriteHeads, "between 0 and 64");
        Require(MemoryRows >= 1 && MemoryRows <= 1 << 24, "memory rows", MemoryRows, "between 1 and 16777216");
        Require(MemoryWidth >= 1 && MemoryWidth <= 1 << 16, "memory width", MemoryWidth, "between 1 and 65536");
        Require(ShiftRange >= 0 && ShiftRange <= 1 << 16, "shift range", ShiftRange, "between 0 and 65536");
        if (!Enum.IsDefined(Controller))
            throw new InvalidConfigurationException($"Unknown controller kind {(int)Controller}.");
        if (!Enum.IsDefined(MemoryInit))
            throw new InvalidConfigurationException($"Unknown memory initialisation {(int)MemoryInit}.");
        if (!float.IsFinite(MemoryInitValue))
            throw new InvalidConfigurationException($"The memory initial value must be finite, got {MemoryInitValue}.");
        if ((long)MemoryRows * MemoryWidth > 1L << 28)
            throw new InvalidConfigurationException($"A {MemoryRows} x {MemoryWidth} memory is larger than the 2^28 cells supported.");
        return this;
    }

    private static void Require(bool ok, string what, int value, string range)
    {
        if (!ok) throw new InvalidConfigurationException($"The {what} must be {range}, got {value}.");
    }
}
