using System.Text.Json;

namespace Ntm.Viz;

/// <summary>
/// One line of a training run's metrics.jsonl. Evaluation fields are <c>null</c> where the line
/// says <c>null</c> (no evaluation at that point).
/// </summary>
internal readonly record struct MetricsRecord(
    double Sequences, double Seconds, double TrainCostBits, double? EvalCostBits, double? EvalBitErrors, double? EvalOptimalCostBits = null);

/// <summary>Reads metrics.jsonl: one JSON object per line; unknown fields are ignored, nothing is skipped.</summary>
internal static class MetricsFile
{
    /// <summary>The fields every line must have.</summary>
    internal const string Sequences = "sequences", Seconds = "seconds", TrainCost = "train_cost_bits",
        EvalCost = "eval_cost_bits", EvalBitErrors = "eval_bit_errors";

    /// <summary>An optional field: the optimal predictor's cost on the evaluation sequences (tasks with a known floor).</summary>
    internal const string EvalOptimalCost = "eval_optimal_cost_bits";

    /// <summary>Reads every line of <paramref name="path"/>.</summary>
    /// <exception cref="InvalidFileException">The file is missing, empty, or a line is malformed (the message names the line).</exception>
    public static IReadOnlyList<MetricsRecord> Read(string path)
    {
        if (!File.Exists(path)) throw new InvalidFileException(path, "file not found.");
        var records = new List<MetricsRecord>();
        int n = 0;
        foreach (string line in File.ReadLines(path))
        {
            n++;
            records.Add(ParseLine(path, n, line));
        }
        if (records.Count == 0) throw new InvalidFileException(path, "no lines; expected one JSON object per line.");
        return records;
    }

    private static MetricsRecord ParseLine(string path, int n, string line)
    {
        if (string.IsNullOrWhiteSpace(line)) throw new InvalidFileException(path, $"line {n}: empty line; expected a JSON object.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(path, $"line {n}: not valid JSON ({e.Message}).", e);
        }
        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidFileException(path, $"line {n}: expected a JSON object, found {root.ValueKind}.");
            return new MetricsRecord(
                Number(path, n, root, Sequences, allowNull: false)!.Value,
                Number(path, n, root, Seconds, allowNull: false)!.Value,
                Number(path, n, root, TrainCost, allowNull: false)!.Value,
                Number(path, n, root, EvalCost, allowNull: true),
                Number(path, n, root, EvalBitErrors, allowNull: true),
                root.TryGetProperty(EvalOptimalCost, out _) ? Number(path, n, root, EvalOptimalCost, allowNull: true) : null);
        }
    }

    /// <summary>A required, non-negative number field; <c>null</c> only where allowed and written as null.</summary>
    private static double? Number(string path, int n, JsonElement root, string name, bool allowNull)
    {
        if (!root.TryGetProperty(name, out JsonElement value))
            throw new InvalidFileException(path, $"line {n}: missing field \"{name}\".");
        if (value.ValueKind == JsonValueKind.Null && allowNull) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out double number) || !double.IsFinite(number))
            throw new InvalidFileException(path, $"line {n}: field \"{name}\" must be a number{(allowNull ? " or null" : "")}, found {value.GetRawText()}.");
        if (number < 0)
            throw new InvalidFileException(path, $"line {n}: field \"{name}\" must not be negative, found {number}.");
        return number;
    }
}
