namespace Ntm.Model;

/// <summary>
/// Everything the machine did on one sequence, for pictures and inspection: inputs, targets,
/// outputs, each head's weighting over memory rows at every step, the write heads' erase and add
/// vectors, the read vectors, and the memory at the end. Arrays are indexed [step, column].
/// </summary>
public sealed class MachineTrace
{
    /// <summary>(Steps, InputSize) inputs.</summary>
    public required float[,] Inputs { get; init; }
    /// <summary>(Steps, OutputSize) targets.</summary>
    public required float[,] Targets { get; init; }
    /// <summary>(Steps, OutputSize) outputs after the sigmoid.</summary>
    public required float[,] Outputs { get; init; }
    /// <summary>(Steps) loss mask: 1 where the output is scored.</summary>
    public required float[] Mask { get; init; }
    /// <summary>Per read head, (Steps, MemoryRows) weightings.</summary>
    public required float[][,] ReadWeightings { get; init; }
    /// <summary>Per write head, (Steps, MemoryRows) weightings.</summary>
    public required float[][,] WriteWeightings { get; init; }
    /// <summary>Per read head, (Steps, MemoryWidth) read vectors.</summary>
    public required float[][,] ReadVectors { get; init; }
    /// <summary>Per write head, (Steps, MemoryWidth) erase vectors.</summary>
    public required float[][,] EraseVectors { get; init; }
    /// <summary>Per write head, (Steps, MemoryWidth) add vectors.</summary>
    public required float[][,] AddVectors { get; init; }
    /// <summary>(MemoryRows, MemoryWidth) memory after the last step.</summary>
    public required float[,] FinalMemory { get; init; }
}
