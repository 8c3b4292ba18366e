using Ntm.Cli.Commands;
using Ntm.Tasks;
using Ntm.Tests.Viz;
using Ntm.Training;
using Xunit;

namespace Ntm.Tests.Cli;

public sealed class CurvesCliTests
{
    [Fact]
    public void Curves_draws_runs_from_their_metrics_alone_and_names_a_sweep_trial_by_its_trial()
    {
        using var folder = new TempFolder();
        string run = folder.File("copy-a"), trialRun = folder.File("sweep/copy-ntm-lstm-seed2/run");
        foreach (string dir in new[] { run, trialRun })
        {
            Directory.CreateDirectory(dir);
            var settings = new RunSettings();
            RunFolder created = RunFolder.Create(dir, settings, TaskCatalog.Create(settings.Task, settings.TaskSettings));
            created.AppendMetrics(new MetricsLine(1000, 1, 60, 20, 58, 19));
            created.AppendMetrics(new MetricsLine(2000, 2, 10, 3, 9, 2));
        }
        Assert.Equal("copy-a", CurvesCommand.Label(run));
        Assert.Equal("copy-ntm-lstm-seed2", CurvesCommand.Label(trialRun + "/"));

        string png = folder.File("curves.png");
        var (exit, stdout, stderr) = CliProcess.Run("curves", run, trialRun, "--out", png);
        Assert.True(exit == 0, stderr);
        Assert.Contains(png, stdout);
        PngAssert.IsPicture(png, Ntm.Viz.CurvePlots.Width, 2 * Ntm.Viz.CurvePlots.PanelHeight);

        (exit, _, stderr) = CliProcess.Run("curves", folder.File("missing"));
        Assert.Equal(1, exit);
        Assert.StartsWith("error: ", stderr);
    }
}
