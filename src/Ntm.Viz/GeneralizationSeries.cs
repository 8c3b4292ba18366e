namespace Ntm.Viz;

/// <summary>
/// One named line of a generalisation table, e.g. the NTM or an LSTM baseline: for each value of the
/// swept quantity (such as copy length), the cost in bits per sequence and the bit errors per sequence.
/// </summary>
/// <param name="Name">The name shown in the legend.</param>
/// <param name="Rows">The measurements; drawn in order of <c>AxisValue</c>.</param>
public sealed record GeneralizationSeries(
    string Name, IReadOnlyList<(double AxisValue, double CostBits, double BitErrors)> Rows);
