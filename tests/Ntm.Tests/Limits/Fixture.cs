using Ntm.Model;
using Ntm.Training;

namespace Ntm.Tests.Limits;

/// <summary>
/// The trained copy model kept in tests/Ntm.Tests/Fixtures/copy-ntm-lstm: the paper's NTM with an LSTM
/// controller, 128 x 20 memory, seed 1, 20,000 training sequences of lengths 1-20
/// (<c>ntm train copy --seed 1 --sequences 20000 --no-stop --threads 1</c>). It writes one row per
/// input, then jumps back by content and reads the rows in order.
/// </summary>
internal static class Fixture
{
    public static string CopyRun => Path.Combine(AppContext.BaseDirectory, "Fixtures", "copy-ntm-lstm");

    public static NeuralTuringMachine CopyMachine() => RunFolder.Open(CopyRun).LoadModel();
}
