using Ntm.Model;
using Ntm.Training;

namespace Ntm.Tests.Limits;

/// <summary>
/// The trained copy model kept in tests/Ntm.Tests/Fixtures/copy-ntm-lstm: the paper's NTM with an LSTM
/// controller, 128 x 20 memory, seed 1, 20,000 training sequences of lengths 1-20
/// (<c>ntm train copy --seed 1 --sequences 20000 --no-stop --threads 1</c>). It writes one row per
/// input, from its write head's starting row on; its read head stays on that row (it needs no jump back)
/// until the delimiter has passed, then reads the rows in order (<c>ntm explain</c> extracts this 5-state program).
/// </summary>
internal static class Fixture
{
    public static string CopyRun => Path.Combine(AppContext.BaseDirectory, "Fixtures", "copy-ntm-lstm");

    public static NeuralTuringMachine CopyMachine() => RunFolder.Open(CopyRun).LoadModel();
}
