using System.Text.Json;
using Ntm.Model;
using Ntm.Numerics;
using Ntm.Tasks;
using Ntm.Training;
using Xunit;

namespace Ntm.Tests.Models;

/// <summary>
/// The trained models shipped in models/ (one per paper task) load as run folders and still score what
/// their README and expected.json say: the same command, the same seed, the same figures (within a
/// tolerance for float32 rounding on another processor's vector width).
/// </summary>
public sealed class ShippedModelsTests
{
    /// <summary>The repository's <c>models/</c> folder, found above the test's own folder.</summary>
    internal static string ModelsFolder
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Ntm.slnx"))) return Path.Combine(dir.FullName, "models");
            throw new DirectoryNotFoundException("The repository (Ntm.slnx) is not above the test's folder.");
        }
    }

    [Fact]
    public void Every_paper_task_has_a_shipped_model_with_a_readme()
    {
        foreach (string task in TaskCatalog.Names.Where(n => n != "custom"))
        {
            string dir = Path.Combine(ModelsFolder, task);
            foreach (string f in new[] { "config.json", "metrics.jsonl", "model.safetensors", "README.md", "expected.json" })
                Assert.True(File.Exists(Path.Combine(dir, f)), $"models/{task}/{f} is missing");
            Assert.Equal(task, RunFolder.Open(dir).Settings.Task);
        }
    }

    public static TheoryData<string> Folders()
    {
        var data = new TheoryData<string>();
        foreach (string d in Directory.GetDirectories(ModelsFolder).Order()) data.Add(Path.GetFileName(d));
        return data;
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void A_shipped_model_scores_what_its_readme_says(string name)
    {
        string dir = Path.Combine(ModelsFolder, name);
        RunFolder run = RunFolder.Open(dir);
        NeuralTuringMachine model = run.LoadModel();
        using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expected.json")));
        string readme = File.ReadAllText(Path.Combine(dir, "README.md"));
        foreach (JsonElement e in expected.RootElement.GetProperty("evals").EnumerateArray())
        {
            string[] args = e.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToArray();
            Assert.Contains($"`ntm {string.Join(' ', args[..^1])}`", readme);   // the README shows the command checked here
            int count = int.Parse(Arg(args, "--count") ?? "100");
            ulong seed = ulong.Parse(Arg(args, "--seed") ?? "12345");
            ISequenceTask task = Arg(args, "--length") is { } l ? run.TaskWithLength(int.Parse(l)) : run.Task;
            EvaluationResult r = Evaluation.Run(model, task.Sample, count, Generalization.ChunkSize, new Rng(seed), task as IOptimalCostTask);
            double cost = e.GetProperty("cost_bits").GetDouble(), errors = e.GetProperty("bit_errors").GetDouble();
            Assert.InRange(r.CostBits, cost - (1e-4 + 1e-4 * cost), cost + (1e-4 + 1e-4 * cost));
            Assert.InRange(r.BitErrors, errors - (0.01 + 0.01 * errors), errors + (0.01 + 0.01 * errors));
        }
    }

    private static string? Arg(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
