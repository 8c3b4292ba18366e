namespace Ntm.Viz;

/// <summary>One run's learning curve among several (<see cref="CurvePlots.LearningCurves"/>).</summary>
/// <param name="Name">The run's name.</param>
/// <param name="Metrics">Its metrics lines (<see cref="Ntm.Training.RunFolder.ReadMetrics"/>).</param>
/// <param name="Group">What it is drawn with: runs of one group (e.g. one model) share a colour and a legend entry; null for its own.</param>
public sealed record LearningCurveSeries(string Name, IReadOnlyList<Ntm.Training.MetricsLine> Metrics, string? Group = null);
