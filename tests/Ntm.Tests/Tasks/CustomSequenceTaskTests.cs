using Ntm.Numerics;
using Ntm.Tasks;
using Xunit;

namespace Ntm.Tests.Tasks;

public sealed class CustomSequenceTaskTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ntm-custom-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(params string[] lines)
    {
        string path = Path.Combine(_dir, $"seq{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(path, string.Join("\n", lines));
        return path;
    }

    private static readonly string[] Valid =
    [
        """{"input": [[0, 1, 0], [1, 1, 0]], "target": [[1, 0], [0, 1]], "mask": [0, 1]}""",
        "",
        """{"input": [[1, 0, 0.5]], "target": [[0.25, 1]]}""",
        "   ",
        """{"target": [[1, 1], [0, 0], [1, 0]], "input": [[-2, 0, 0], [0, 3.5, 0], [0, 0, 1]], "mask": null}""",
    ];

    [Fact]
    public void Load_reads_sequences_of_different_lengths()
    {
        string path = Write(Valid);
        CustomSequenceTask task = CustomSequenceTask.Load(path);
        Assert.Equal("custom", task.Name);
        Assert.Equal(Path.GetFullPath(path), task.Path);
        Assert.Equal((3, 3, 2), (task.Count, task.InputSize, task.OutputSize));
        Assert.Equal([2, 1, 3], Enumerable.Range(0, 3).Select(task.LengthOf).ToArray());
        Assert.Equal(3, task.MaxLength);
    }

    [Fact]
    public void MakeBatch_pads_shorter_sequences_with_zeros_and_mask_0()
    {
        CustomSequenceTask task = CustomSequenceTask.Load(Write(Valid));
        SequenceBatch batch = task.MakeBatch([0, 2, 1]);
        Assert.Equal((3, 3, 3, 2), (batch.Steps, batch.BatchSize, batch.InputSize, batch.OutputSize));
        batch.Validate();

        // Sequence 0 (two steps, mask given), then padding.
        Assert.Equal([0f, 1f, 0f], batch.Input(0, 0).ToArray());
        Assert.Equal([1f, 1f, 0f], batch.Input(1, 0).ToArray());
        Assert.Equal([0f, 1f], batch.Target(1, 0).ToArray());
        Assert.Equal([0f, 1f, 0f], new[] { batch.MaskAt(0, 0), batch.MaskAt(1, 0), batch.MaskAt(2, 0) });
        BatchAssert.Zero(batch.Input(2, 0));
        BatchAssert.Zero(batch.Target(2, 0));

        // Sequence 2 (three steps, "mask": null means every step is scored).
        Assert.Equal([-2f, 0f, 0f], batch.Input(0, 1).ToArray());
        Assert.Equal([0f, 3.5f, 0f], batch.Input(1, 1).ToArray());
        Assert.Equal([1f, 0f], batch.Target(2, 1).ToArray());
        Assert.Equal([1f, 1f, 1f], new[] { batch.MaskAt(0, 1), batch.MaskAt(1, 1), batch.MaskAt(2, 1) });

        // Sequence 1 (one step, no mask), then padding.
        Assert.Equal([1f, 0f, 0.5f], batch.Input(0, 2).ToArray());
        Assert.Equal([0.25f, 1f], batch.Target(0, 2).ToArray());
        Assert.Equal([1f, 0f, 0f], new[] { batch.MaskAt(0, 2), batch.MaskAt(1, 2), batch.MaskAt(2, 2) });

        Assert.Equal(1, task.MakeBatch([1]).Steps);
        Assert.Throws<InvalidConfigurationException>(() => task.MakeBatch([3]));
        Assert.Throws<InvalidConfigurationException>(() => task.MakeBatch([-1]));
        Assert.Throws<InvalidConfigurationException>(() => task.MakeBatch([]));
    }

    [Fact]
    public void Sample_draws_every_sequence_with_replacement_deterministically()
    {
        CustomSequenceTask task = CustomSequenceTask.Load(Write(Valid));
        BatchAssert.Identical(task.Sample(new Rng(1), 8), task.Sample(new Rng(1), 8));
        var rng = new Rng(2);
        var firstInputs = new HashSet<float>();
        for (int i = 0; i < 20; i++)
        {
            SequenceBatch batch = task.Sample(rng, 8);
            Assert.Equal(8, batch.BatchSize);
            for (int b = 0; b < 8; b++)
                firstInputs.Add(batch.Input(0, b)[0]);   // 0, 1 or -2 tells which sequence it is
        }
        Assert.Equal([-2f, 0f, 1f], firstInputs.Order().ToArray());
        Assert.Throws<InvalidConfigurationException>(() => task.Sample(rng, 0));
    }

    [Theory]
    [InlineData("line 2: not valid JSON", """{"input": [[0]], "target": [[0]]}""", """{"input": [[0]], "target": [[0]]""")]
    [InlineData("line 1: expected a JSON object", """[[0], [1]]""")]
    [InlineData("line 1: missing field \"input\"", """{"target": [[0]]}""")]
    [InlineData("line 1: missing field \"target\"", """{"input": [[0]]}""")]
    [InlineData("line 1: unknown field \"targets\"", """{"input": [[0]], "targets": [[0]]}""")]
    [InlineData("line 1: field \"input\" appears twice", """{"input": [[0]], "input": [[1]], "target": [[0]]}""")]
    [InlineData("line 1: \"input\" must be a list of vectors", """{"input": 3, "target": [[0]]}""")]
    [InlineData("line 1: \"input\" is empty", """{"input": [], "target": []}""")]
    [InlineData("line 1: input[1] must be a list of numbers", """{"input": [[0], 1], "target": [[0], [1]]}""")]
    [InlineData("line 1: input[0] is empty", """{"input": [[]], "target": [[0]]}""")]
    [InlineData("line 1: input[1] has 1 values but input[0] has 2", """{"input": [[0, 1], [1]], "target": [[0], [1]]}""")]
    [InlineData("line 3: input vectors have 3 values but line 1 has 2", """{"input": [[0, 1]], "target": [[0]]}""", "", """{"input": [[0, 1, 1]], "target": [[0]]}""")]
    [InlineData("line 2: target vectors have 2 values but line 1 has 1", """{"input": [[0, 1]], "target": [[0]]}""", """{"input": [[0, 1]], "target": [[0, 1]]}""")]
    [InlineData("line 1: input[0][1] must be a number, got the string \"1\"", """{"input": [[0, "1"]], "target": [[0]]}""")]
    [InlineData("line 1: input[0][0] = 1e400 is not a finite", """{"input": [[1e400]], "target": [[0]]}""")]
    [InlineData("line 1: input[0][0] = 1e39 is not a finite", """{"input": [[1e39]], "target": [[0]]}""")]
    [InlineData("line 1: not valid JSON", """{"input": [[NaN]], "target": [[0]]}""")]
    [InlineData("line 1: target[1][0] = 1.5 is outside [0, 1]", """{"input": [[0], [0]], "target": [[0], [1.5]]}""")]
    [InlineData("line 1: target[0][1] = -0.1 is outside [0, 1]", """{"input": [[0]], "target": [[0, -0.1]]}""")]
    [InlineData("line 1: \"target\" has 1 vectors but \"input\" has 2", """{"input": [[0], [0]], "target": [[0]]}""")]
    [InlineData("line 1: \"mask\" has 1 entries but \"input\" has 2 steps", """{"input": [[0], [0]], "target": [[0], [1]], "mask": [1]}""")]
    [InlineData("line 1: mask[1] = 2 must be 0 or 1", """{"input": [[0], [0]], "target": [[0], [1]], "mask": [1, 2]}""")]
    [InlineData("line 1: \"mask\" scores no step", """{"input": [[0], [0]], "target": [[0], [1]], "mask": [0, 0]}""")]
    [InlineData("line 1: \"mask\" must be a list", """{"input": [[0]], "target": [[0]], "mask": 1}""")]
    [InlineData("holds no sequences", "", "  ")]
    [InlineData("holds no sequences")]
    public void Load_reports_the_line_and_what_was_expected(string expected, params string[] lines)
    {
        string path = Write(lines);
        var e = Assert.Throws<InvalidFileException>(() => CustomSequenceTask.Load(path));
        Assert.Equal(path, e.Path);
        Assert.StartsWith($"{path}: ", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_missing_file_is_an_invalid_file()
    {
        string path = Path.Combine(_dir, "missing.jsonl");
        var e = Assert.Throws<InvalidFileException>(() => CustomSequenceTask.Load(path));
        Assert.Equal(path, e.Path);
        Assert.Contains("cannot be read", e.Message);
    }

    [Fact]
    public void Windows_line_endings_and_a_byte_order_mark_are_accepted()
    {
        string path = Path.Combine(_dir, "crlf.jsonl");
        File.WriteAllText(path, "\uFEFF{\"input\": [[1]], \"target\": [[1]]}\r\n\r\n{\"input\": [[0]], \"target\": [[0]]}\r\n",
            new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Assert.Equal(2, CustomSequenceTask.Load(path).Count);
    }
}
