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

    /// <summary>Size of a read head's and of a write head's slice.</summary>
    public static int SizeOf(int memoryWidth, int shiftRange, bool isWrite) => new HeadLayout(memoryWidth, shiftRange, isWrite).Size;
}
