using System.CommandLine;
using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;
using Ntm.Training;

namespace Ntm.Cli.Commands;

/// <summary><c>ntm eval</c>: scores a trained run on fresh sequences.</summary>
internal static class EvalCommand
{
    public static Command Build()
    {
        var dir = new Argument<string>("dir") { Description = "The run's folder." };
        var best = Cli.BestOption();
        var rows = Cli.MemoryRowsOption();
        var length = Cli.OptNull<int>("--length", "Evaluate sequences of exactly this length (copy-like tasks); default: the training distribution.").AtLeast(1);
        var count = Cli.Opt("--count", "Number of fresh sequences.", 100).AtLeast(1);
        var seed = Cli.Opt("--seed", "Seed of the evaluation sequences.", 12345UL);
        var json = Cli.Opt("--json", "Print one JSON object instead of a sentence.", false);
        var cmd = new Command("eval", "Evaluate a trained run on fresh sequences: mean cost (bits) and bit errors per sequence.") { dir, best, rows, length, count, seed, json };
        cmd.SetAction(p => Cli.Run(() =>
        {
            RunFolder run = RunFolder.Open(p.GetValue(dir)!);
            NeuralTuringMachine model = Cli.LoadMachine(run, p.GetValue(best), p.GetValue(rows));
            int? len = p.GetValue(length);
            ISequenceTask task = len is { } l ? run.TaskWithLength(l) : run.Task;
            int n = p.GetValue(count);
            EvaluationResult score = Evaluation.Run(model, task.Sample, n, Generalization.ChunkSize, new Rng(p.GetValue(seed)), task as IOptimalCostTask);
            (double cost, double errors) = (score.CostBits, score.BitErrors);
            if (p.GetValue(json))
            {
                var o = new Dictionary<string, object?>
                {
                    ["task"] = run.Settings.Task, ["length"] = len, ["memory_rows"] = model.Config.MemoryRows, ["sequences"] = n,
                    ["cost_bits"] = cost, ["bit_errors"] = errors, ["exact_fraction"] = score.ExactFraction, ["bit_error_rate"] = score.BitErrorRate,
                };
                if (score.OptimalCostBits is { } floorCost)
                {
                    o["optimal_cost_bits"] = floorCost;
                    o["gap_bits"] = score.GapBits;
                    o["gap_standard_error_bits"] = score.GapStandardErrorBits is { } se && double.IsFinite(se) ? se : null;
                }
                Cli.PrintJson(o);
            }
            else
                Console.WriteLine($"{run.Settings.Task}{(len is null ? "" : $" at length {len}")}{(p.GetValue(rows) is { } r ? $" with {r} memory rows" : "")}: {Cli.F(cost)} bits and {Cli.F(errors)} bit errors per sequence over {n} sequences"
                    + (score.OptimalCostBits is { } floorCost ? $"; the optimal predictor: {Cli.F(floorCost)} bits on the same sequences (gap {Cli.F(cost - floorCost)})" : ""));
            return 0;
        }));
        return cmd;
    }
}
