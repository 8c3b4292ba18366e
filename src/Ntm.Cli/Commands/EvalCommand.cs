using System.CommandLine;
using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;
using Ntm.Training;

namespace Ntm.Cli.Commands;

/// <summary><c>ntm eval</c>: scores a trained run on fresh sequences.</summary>
internal static class EvalCommand
{
    public static Command Build() => Build(out _);

    /// <summary>The command, and the function that scores a run for its parsed arguments and gives what <c>--json</c> prints.</summary>
    internal static Command Build(out Func<ParseResult, object> jsonOf)
    {
        var dir = new Argument<string>("dir") { Description = "The run's folder." };
        var best = Cli.BestOption();
        var rows = Cli.MemoryRowsOption();
        var hard = Cli.HardOption();
        var hardThreshold = Cli.HardThresholdOption();
        var length = Cli.OptNull<int>("--length", "Evaluate sequences of exactly this length (copy-like tasks); default: the training distribution.").AtLeast(1);
        var count = Cli.Opt("--count", "Number of fresh sequences.", 100).AtLeast(1);
        var seed = Cli.Opt("--seed", "Seed of the evaluation sequences.", 12345UL);
        var failures = Cli.Opt("--failures", "Also list the first K sequences with a wrong bit: their number in the stream, wrong bits, cost and inputs.", 0).AtLeast(0);
        var json = Cli.Opt("--json", "Print one JSON object instead of a sentence.", false);
        var cmd = new Command("eval", "Evaluate a trained run on fresh sequences: mean cost (bits) and bit errors per sequence.") { dir, best, rows, hard, hardThreshold, length, count, seed, failures, json };
        Scored Score(ParseResult p)
        {
            RunFolder run = RunFolder.Open(p.GetValue(dir)!);
            NeuralTuringMachine soft = Cli.LoadMachine(run, p.GetValue(best), p.GetValue(rows));
            NeuralTuringMachine model = soft.WithAttention(Cli.Attention(p.GetValue(hard), p.GetValue(hardThreshold)));
            int? len = p.GetValue(length);
            ISequenceTask task = len is { } l ? run.TaskWithLength(l) : run.Task;
            int n = p.GetValue(count);
            int listed = p.GetValue(failures);
            if (listed > 0 && task is IOptimalCostTask)
                throw new InvalidConfigurationException($"--failures lists sequences with a wrong bit; {task.Name} is a prediction task, scored against the optimal predictor instead.");
            var failed = new List<Failure>();
            EvaluationResult score = Evaluation.Run(model, task.Sample, n, Generalization.ChunkSize, new Rng(p.GetValue(seed)), task as IOptimalCostTask,
                listed > 0 ? (first, batch, scores) => KeepFailures(first, batch, scores, failed, listed) : null);
            (double, double)? agreement = model.Attention.IsHard
                ? Evaluation.Agreement(soft, model, task.Sample, n, Generalization.ChunkSize, new Rng(p.GetValue(seed)))
                : null;
            return new Scored(run, model, len, n, score, agreement, failed);
        }
        jsonOf = p => ToJson(Score(p));
        cmd.SetAction(p => Cli.Run(() =>
        {
            var result = Score(p);
            (RunFolder run, int? len, int n, EvaluationResult score) = (result.Run, result.Length, result.Count, result.Score);
            (double cost, double errors) = (score.CostBits, score.BitErrors);
            if (p.GetValue(json))
                Cli.PrintJson(ToJson(result));
            else
            {
                Console.WriteLine($"{run.Settings.Task}{(len is null ? "" : $" at length {len}")}{(p.GetValue(rows) is { } r ? $" with {r} memory rows" : "")}: {Cli.F(cost)} bits and {Cli.F(errors)} bit errors per sequence over {n} sequences"
                    + (score.OptimalCostBits is null ? $" ({score.ExactSequences} of {n} without a wrong bit)" : "")
                    + (score.OptimalCostBits is { } floorCost ? $"; the optimal predictor: {Cli.F(floorCost)} bits on the same sequences (gap {Cli.F(cost - floorCost)})" : "")
                    + (result.Agreement is { } a ? $"; with {result.Model.Attention} attention, agreeing with the soft machine on {a.Bits:P2} of output bits and {a.Sequences:P1} of whole sequences" : ""));
                foreach (Failure f in result.Failures)
                {
                    Console.WriteLine($"  sequence {f.Index}: {Cli.F(f.BitErrors, 0)} wrong bits, {Cli.F(f.CostBits, 1)} bits; inputs:");
                    foreach (float[] row in f.Inputs) Console.WriteLine($"    {RowText(row)}");
                }
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>What <c>ntm eval</c> measured.</summary>
    private sealed record Scored(RunFolder Run, NeuralTuringMachine Model, int? Length, int Count, EvaluationResult Score,
        (double Bits, double Sequences)? Agreement, IReadOnlyList<Failure> Failures);

    /// <summary>A sequence with a wrong bit: its place in the evaluation stream (from 0), its scores and its input rows.</summary>
    private sealed record Failure(int Index, double BitErrors, double CostBits, IReadOnlyList<float[]> Inputs);

    /// <summary>
    /// Adds the sequences of a scored batch that have a wrong bit to <paramref name="found"/>, until it holds
    /// <paramref name="limit"/>; <paramref name="first"/> is the batch's first sequence's number in the stream.
    /// </summary>
    private static void KeepFailures(int first, SequenceBatch batch, BatchScores scores, List<Failure> found, int limit)
    {
        for (int b = 0; b < batch.BatchSize && found.Count < limit; b++)
        {
            if (scores.BitErrors[b] == 0) continue;
            // The input rows up to the last one that is not all zero (the steps after it only ask for output).
            var rows = Enumerable.Range(0, batch.Steps).Select(t => batch.Input(t, b).ToArray()).ToList();
            int last = rows.FindLastIndex(r => r.Any(v => v != 0));
            found.Add(new Failure(first + b, scores.BitErrors[b], scores.CostBits[b], rows.Take(last + 1).ToList()));
        }
    }

    /// <summary>A row of 0s and 1s as a bit string ("01101000 1"), any other values as numbers.</summary>
    private static string RowText(float[] row) => row.All(v => v is 0 or 1)
        ? string.Concat(row.Select(v => v == 1 ? '1' : '0'))
        : string.Join(" ", row.Select(v => Cli.F(v, 2)));

    private static Dictionary<string, object?> ToJson(Scored r)
    {
        EvaluationResult score = r.Score;
        var o = new Dictionary<string, object?>
        {
            ["task"] = r.Run.Settings.Task, ["length"] = r.Length, ["memory_rows"] = r.Model.Config.MemoryRows, ["sequences"] = r.Count,
            ["cost_bits"] = score.CostBits, ["bit_errors"] = score.BitErrors, ["exact_fraction"] = score.ExactFraction, ["bit_error_rate"] = score.BitErrorRate,
            ["attention"] = r.Model.Attention.ToString(),
        };
        if (r.Agreement is { } a)
        {
            o["agreement_bits"] = a.Bits;
            o["agreement_sequences"] = a.Sequences;
        }
        if (score.OptimalCostBits is { } floorCost)
        {
            o["optimal_cost_bits"] = floorCost;
            o["gap_bits"] = score.GapBits;
            o["gap_standard_error_bits"] = score.GapStandardErrorBits is { } se && double.IsFinite(se) ? se : null;
        }
        if (r.Failures.Count > 0)
            o["failures"] = r.Failures.Select(f => new Dictionary<string, object?>
            {
                ["index"] = f.Index, ["bit_errors"] = f.BitErrors, ["cost_bits"] = f.CostBits, ["inputs"] = f.Inputs,
            }).ToList();
        return o;
    }
}
