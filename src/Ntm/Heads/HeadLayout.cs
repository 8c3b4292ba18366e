namespace Ntm.Heads;

/// <summary>
/// Where each of a head's parameters sits in its slice of the controller's head projection, declared
/// once: key k (M), strength beta (1), gate g (1), shift s (2S + 1), sharpening gamma (1), and for
/// write heads erase e (M) and add a (M). Output activations: k linear, beta softplus, g sigmoid,
/// s softmax, gamma 1 + softplus, e sigmoid, a tanh.
/// </summary>
internal readonly struct HeadLayout
{
    public readonly int Width;       // M
    public readonly int Shifts;      // 2S + 1
    public readonly bool IsWrite;

    public HeadLayout(int memoryWidth, int shiftRange, bool isWrite)
    {
        Width = memoryWidth;
        Shifts = 2 * shiftRange + 1;
        IsWrite = isWrite;
    }

    public int Key => 0;
    public int Beta => Width;
    public int Gate => Width + 1;
    public int Shift => Width + 2;
    public int Gamma => Width + 2 + Shifts;
    public int Erase => Gamma + 1;
    public int Add => Erase + Width;
    public int Size => IsWrite ? Add + Width : Gamma + 1;
}

/// <summary>
/// Every head's slice of the combined head projection, declared once: write heads first, then read
/// heads, each laid out as <see cref="HeadLayout"/> says.
/// </summary>
internal sealed class HeadSlices
{
    /// <summary>Head hd's layout.</summary>
    public readonly HeadLayout[] Layouts;
    /// <summary>Where head hd's slice starts in the projection.</summary>
    public readonly int[] Offsets;
    /// <summary>Width of the whole projection.</summary>
    public readonly int Size;

    public HeadSlices(int readHeads, int writeHeads, int memoryWidth, int shiftRange)
    {
        int heads = readHeads + writeHeads;
        Layouts = new HeadLayout[heads];
        Offsets = new int[heads];
        int off = 0;
        for (int i = 0; i < heads; i++)
        {
            Layouts[i] = new HeadLayout(memoryWidth, shiftRange, isWrite: i < writeHeads);
            Offsets[i] = off;
            off += Layouts[i].Size;
        }
        Size = off;
    }

    public HeadSlices(Model.NtmConfig c) : this(c.ReadHeads, c.WriteHeads, c.MemoryWidth, c.ShiftRange) { }
}
