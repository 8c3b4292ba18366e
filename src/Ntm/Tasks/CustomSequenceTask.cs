using System.Text.Json;
using Ntm.Numerics;

namespace Ntm.Tasks;

/// <summary>
/// The user's own sequences, read from a JSON-lines file (format described in docs/custom-task.md).
/// <para>
/// Every non-blank line is one JSON object holding one sequence of T steps:
/// <c>{"input": [[0,1,0], [1,1,0]], "target": [[1,0], [0,1]], "mask": [0, 1]}</c>.
/// <c>input</c> is a list of T input vectors, all of the same width; <c>target</c> is a list of
/// T target vectors, all of the same width, every value in [0, 1]; <c>mask</c> is optional, a list
/// of T numbers each 0 or 1 (1 = the output at that step is scored, at least one must be 1); without
/// it every step is scored. Every line must have the same input width and the same target width as
/// the first; lengths may differ. Blank lines are skipped; no other fields are allowed.
/// </para>
/// <para>
/// Batches: the sequences of a batch are padded at the end to the longest one with zero inputs,
/// zero targets and mask 0. <see cref="Sample"/> draws sequences uniformly with replacement.
/// </para>
/// </summary>
public sealed class CustomSequenceTask : SequenceTask
{
    /// <summary>The task's name, description and its one setting, the file's path (required).</summary>
    public static TaskDefinition Definition { get; } = new(
        "custom",
        "Your own sequences, read from the JSON-lines file given by setting path (docs/custom-task.md).",
        [TaskSetting.Required("path", "the JSON-lines file of sequences")],
        s => Load(s.Text("path")));

    private readonly Sequence[] _sequences;

    private sealed record Sequence(int Length, float[] Input, float[] Target, float[] Mask);

    private CustomSequenceTask(string path, Sequence[] sequences, int inputSize, int outputSize)
    {
        Path = path;
        _sequences = sequences;
        InputSize = inputSize;
        OutputSize = outputSize;
        MaxLength = sequences.Max(s => s.Length);
    }

    /// <summary>The full path of the file the sequences were read from.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public override string Name => Definition.Name;
    /// <inheritdoc />
    public override int InputSize { get; }
    /// <inheritdoc />
    public override int OutputSize { get; }

    /// <summary>The file's full path: <c>{"path": Path}</c>.</summary>
    public override IReadOnlyDictionary<string, string> Describe() => new OrderedDictionary<string, string> { ["path"] = Path };

    /// <summary>Number of sequences in the file.</summary>
    public int Count => _sequences.Length;

    /// <summary>Number of steps of the longest sequence.</summary>
    public int MaxLength { get; }

    /// <summary>Number of steps of sequence <paramref name="index"/> (0-based, in file order).</summary>
    /// <exception cref="InvalidConfigurationException">The index is out of range.</exception>
    public int LengthOf(int index) => Get(index).Length;

    /// <summary>Reads and checks a JSON-lines sequence file.</summary>
    /// <exception cref="InvalidFileException">The file cannot be read, is empty, or a line is malformed;
    /// the message names the line and says what was expected.</exception>
    /// <exception cref="InvalidConfigurationException">The path is empty.</exception>
    public static CustomSequenceTask Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (string.IsNullOrWhiteSpace(path))
            throw new InvalidConfigurationException("custom: the path of the sequence file is empty.");
        try
        {
            return FromLines(System.IO.Path.GetFullPath(path), path, File.ReadLines(path));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InvalidFileException(path, $"cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Parses sequences from lines; <paramref name="shownPath"/> prefixes error messages.</summary>
    internal static CustomSequenceTask FromLines(string fullPath, string shownPath, IEnumerable<string> lines)
    {
        var sequences = new List<Sequence>();
        int inputWidth = 0, targetWidth = 0, firstLine = 0, lineNumber = 0;
        foreach (string line in lines)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            var parser = new LineParser(shownPath, lineNumber);
            Sequence s = parser.Parse(line, firstLine, ref inputWidth, ref targetWidth);
            if (firstLine == 0) firstLine = lineNumber;
            sequences.Add(s);
        }
        if (sequences.Count == 0)
            throw new InvalidFileException(shownPath,
                "holds no sequences; expected one JSON object per line such as {\"input\": [[0,1],[1,0]], \"target\": [[0,1],[1,0]]}.");
        return new CustomSequenceTask(fullPath, [.. sequences], inputWidth, targetWidth);
    }

    /// <inheritdoc />
    public override SequenceBatch Sample(Rng rng, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (batchSize < 1) throw new InvalidConfigurationException($"custom: the batch size must be at least 1, got {batchSize}.");
        var indices = new int[batchSize];
        for (int b = 0; b < batchSize; b++)
            indices[b] = rng.NextInt(_sequences.Length);
        return MakeBatch(indices);
    }

    /// <summary>
    /// A batch of the given sequences (0-based, in file order; repeats allowed), padded at the end
    /// to the longest with zero inputs, zero targets and mask 0.
    /// </summary>
    /// <exception cref="InvalidConfigurationException">The list is empty or an index is out of range.</exception>
    public SequenceBatch MakeBatch(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Count == 0) throw new InvalidConfigurationException("custom: a batch needs at least one sequence index.");
        int steps = 0;
        for (int b = 0; b < indices.Count; b++)
            steps = Math.Max(steps, Get(indices[b]).Length);
        var batch = new SequenceBatch(steps, indices.Count, InputSize, OutputSize);
        for (int b = 0; b < indices.Count; b++)
        {
            Sequence s = _sequences[indices[b]];
            for (int t = 0; t < s.Length; t++)
            {
                s.Input.AsSpan(t * InputSize, InputSize).CopyTo(batch.Input(t, b));
                s.Target.AsSpan(t * OutputSize, OutputSize).CopyTo(batch.Target(t, b));
                batch.MaskAt(t, b) = s.Mask[t];
            }
        }
        return batch;
    }

    private Sequence Get(int index)
    {
        if ((uint)index >= (uint)_sequences.Length)
            throw new InvalidConfigurationException($"custom: sequence index {index} is out of range; the file holds {_sequences.Length} sequences (0 to {_sequences.Length - 1}).");
        return _sequences[index];
    }

    /// <summary>Checks one line and turns it into a sequence; every error names the line.</summary>
    private readonly struct LineParser(string path, int line)
    {
        private const string Example = "{\"input\": [[0,1],[1,0]], \"target\": [[0,1],[1,0]], \"mask\": [1,1]}";

        private InvalidFileException Fail(string problem) => new(path, $"line {line}: {problem}");

        public Sequence Parse(string text, int firstLine, ref int inputWidth, ref int targetWidth)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(text);
            }
            catch (JsonException e)
            {
                // The parser's message ends with its own position ("LineNumber: 0 | BytePositionInLine: 5."),
                // which counts from 0 within this one line; give the byte counted from 1 instead.
                string reason = e.Message;
                int cut = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
                if (cut > 0) reason = reason[..cut];
                string at = e.BytePositionInLine is long b ? $" at byte {b + 1}" : "";
                throw new InvalidFileException(path, $"line {line}: not valid JSON{at} ({reason.TrimEnd()}); expected one object such as {Example}.", e);
            }
            using (document)
            {
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    throw Fail($"expected a JSON object such as {Example}, got {Kind(root)}.");
                JsonElement? input = null, target = null, mask = null;
                foreach (JsonProperty p in root.EnumerateObject())
                {
                    switch (p.Name)
                    {
                        case "input": SetOnce(ref input, p); break;
                        case "target": SetOnce(ref target, p); break;
                        case "mask": SetOnce(ref mask, p); break;
                        default:
                            throw Fail($"unknown field \"{p.Name}\"; expected \"input\", \"target\" and optionally \"mask\".");
                    }
                }
                if (input is null) throw Fail("missing field \"input\" (a list of input vectors, one per step).");
                if (target is null) throw Fail("missing field \"target\" (a list of target vectors, one per step).");

                float[] x = ReadMatrix(input.Value, "input", -1, firstLine, ref inputWidth, unitRange: false, out int steps);
                float[] y = ReadMatrix(target.Value, "target", steps, firstLine, ref targetWidth, unitRange: true, out _);
                float[] m = mask is { ValueKind: not JsonValueKind.Null } ? ReadMask(mask.Value, steps) : Ones(steps);
                return new Sequence(steps, x, y, m);
            }
        }

        private void SetOnce(ref JsonElement? slot, JsonProperty p)
        {
            if (slot is not null) throw Fail($"field \"{p.Name}\" appears twice.");
            slot = p.Value;
        }

        // A list of `rows` (or any positive number, if rows < 0) vectors of one width; the width must
        // match `width` unless it is still 0 (the first line), in which case it is set.
        private float[] ReadMatrix(JsonElement list, string field, int rows, int firstLine, ref int width, bool unitRange, out int count)
        {
            if (list.ValueKind != JsonValueKind.Array)
                throw Fail($"\"{field}\" must be a list of vectors (lists of numbers), got {Kind(list)}.");
            count = list.GetArrayLength();
            if (rows < 0 && count == 0) throw Fail($"\"{field}\" is empty; a sequence needs at least one step.");
            if (rows >= 0 && count != rows)
                throw Fail($"\"{field}\" has {count} vectors but \"input\" has {rows}; both need one vector per step.");
            int lineWidth = 0;
            float[] values = [];
            int i = 0;
            foreach (JsonElement row in list.EnumerateArray())
            {
                if (row.ValueKind != JsonValueKind.Array)
                    throw Fail($"{field}[{i}] must be a list of numbers, got {Kind(row)}.");
                int n = row.GetArrayLength();
                if (i == 0)
                {
                    if (n == 0) throw Fail($"{field}[0] is empty; vectors need at least one value.");
                    if (width != 0 && n != width)
                        throw Fail($"{field} vectors have {n} values but line {firstLine} has {width}; every line needs the same {field} width.");
                    lineWidth = n;
                    values = new float[checked(count * n)];
                }
                else if (n != lineWidth)
                    throw Fail($"{field}[{i}] has {n} values but {field}[0] has {lineWidth}; every vector needs the same width.");
                int j = 0;
                foreach (JsonElement cell in row.EnumerateArray())
                {
                    if (cell.ValueKind != JsonValueKind.Number)
                        throw Fail($"{field}[{i}][{j}] must be a number, got {Kind(cell)}.");
                    if (!cell.TryGetDouble(out double d) || !float.IsFinite((float)d))
                        throw Fail($"{field}[{i}][{j}] = {cell.GetRawText()} is not a finite single-precision number.");
                    float v = (float)d;
                    if (unitRange && !(v >= 0 && v <= 1))
                        throw Fail($"{field}[{i}][{j}] = {cell.GetRawText()} is outside [0, 1]; targets must lie in [0, 1].");
                    values[i * lineWidth + j] = v;
                    j++;
                }
                i++;
            }
            width = lineWidth;
            return values;
        }

        private float[] ReadMask(JsonElement list, int steps)
        {
            if (list.ValueKind != JsonValueKind.Array)
                throw Fail($"\"mask\" must be a list of 0s and 1s, one per step, got {Kind(list)}.");
            int count = list.GetArrayLength();
            if (count != steps)
                throw Fail($"\"mask\" has {count} entries but \"input\" has {steps} steps; it needs one entry per step.");
            var mask = new float[steps];
            bool any = false;
            int i = 0;
            foreach (JsonElement cell in list.EnumerateArray())
            {
                if (cell.ValueKind != JsonValueKind.Number || !cell.TryGetDouble(out double d) || (d != 0 && d != 1))
                    throw Fail($"mask[{i}] = {cell.GetRawText()} must be 0 or 1.");
                mask[i] = (float)d;
                any |= d == 1;
                i++;
            }
            if (!any) throw Fail("\"mask\" scores no step; at least one entry must be 1.");
            return mask;
        }

        private static float[] Ones(int steps)
        {
            var mask = new float[steps];
            mask.AsSpan().Fill(1f);
            return mask;
        }

        private static string Kind(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "a list",
            JsonValueKind.String => $"the string {e.GetRawText()}",
            JsonValueKind.Number => $"the number {e.GetRawText()}",
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => "null",
            _ => e.ValueKind.ToString(),
        };
    }
}
