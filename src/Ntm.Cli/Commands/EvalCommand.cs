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
        var json = Cli.Opt("--json", "Print one JSON object instead of a sentence.", false);
        var cmd = new Command("eval", "Evaluate a trained run on fresh sequences: mean cost (bits) and bit errors per sequence.") { dir, best, rows, hard, hardThreshold, length, count, seed, json };
        (RunFolder Run, NeuralTuringMachine Model, int? Length, int Count, EvaluationResult Score, (double Bits, double Sequences)? Agreement) Score(ParseResult p)
        {
            RunFolder run = RunFolder.Open(p.GetValue(dir)!);
            NeuralTuringMachine soft = Cli.LoadMachine(run, p.GetValue(best), p.GetValue(rows));
            NeuralTuringMachine model = soft.WithAttention(Cli.Attention(p.GetValue(hard), p.GetValue(hardThreshold)));
            int? len = p.GetValue(length);
            ISequenceTask task = len is { } l ? run.TaskWithLength(l) : run.Task;
            int n = p.GetValue(count);
            EvaluationResult score = Evaluation.Run(model, task.Sample, n, Generalization.ChunkSize, new Rng(p.GetValue(seed)), task as IOptimalCostTask);
            (double, double)? agreement = model.Attention.IsHard
                ? Evaluation.Agreement(soft, model, task.Sample, n, Generalization.ChunkSize, new Rng(p.GetValue(seed)))
                : null;
            return (run, model, len, n, score, agreement);
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
                Console.WriteLine($"{run.Settings.Task}{(len is null ? "" : $" at length {len}")}{(p.GetValue(rows) is { } r ? $" with {r} memory rows" : "")}: {Cli.F(cost)} bits and {Cli.F(errors)} bit errors per sequence over {n} sequences"
                    + (score.OptimalCostBits is null ? $" ({GeneralizeCommand.ExactCount(score)} without a wrong bit)" : "")
                    + (score.OptimalCostBits is { } floorCost ? $"; the optimal predictor: {Cli.F(floorCost)} bits on the same sequences (gap {Cli.F(cost - floorCost)})" : "")
                    + (result.Agreement is { } a ? $"; with {result.Model.Attention} attention, agreeing with the soft machine on {a.Bits:P2} of output bits and {a.Sequences:P1} of whole sequences" : ""));
            return 0;
        }));
        return cmd;
    }

    private static Dictionary<string, object?> ToJson((RunFolder Run, NeuralTuringMachine Model, int? Length, int Count, EvaluationResult Score, (double Bits, double Sequences)? Agreement) r)
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
        return o;
    }
}
