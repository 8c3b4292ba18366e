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

    /// <summary>(Steps, ControllerSize) the top controller layer's output h_t (empty when not recorded).</summary>
    public float[,] Hidden { get; init; } = new float[0, 0];
    /// <summary>Per head, write heads first, (Steps) interpolation gate g_t (eq. 7); empty when not recorded.</summary>
    public float[][] Gates { get; init; } = [];
    /// <summary>Per head, write heads first, (Steps, 2S + 1) shift distribution s_t over shifts -S .. S (eq. 8); empty when not recorded.</summary>
    public float[][,] Shifts { get; init; } = [];
    /// <summary>Per head, write heads first, (Steps) sharpening exponent gamma_t (eq. 9); empty when not recorded.</summary>
    public float[][] Sharpening { get; init; } = [];
    /// <summary>Per head, write heads first, (Steps, MemoryRows) content weighting w^c_t (eq. 5-6); empty when not recorded.</summary>
    public float[][,] ContentWeightings { get; init; } = [];
    /// <summary>Per head, write heads first, the row of the largest entry of the initial weighting w_{-1}; empty when not recorded.</summary>
    public int[] InitialFocus { get; init; } = [];
}
