namespace Ntm.Viz;

/// <summary>Choices for <see cref="TracePlots.Write"/>; the defaults suit a copy-task trace.</summary>
public sealed class TracePlotOptions
{
    /// <summary>A weighting above this marks a memory row as used (default 0.01).</summary>
    public const double DefaultUsedRowThreshold = 0.01;

    /// <summary>
    /// Show only the memory rows that some read or write head ever weighted above
    /// <see cref="UsedRowThreshold"/>, plus <see cref="ZoomMargin"/> rows each side, in the weighting and
    /// memory pictures. With 128 rows and a 20-step sequence the used band is otherwise a thin line.
    /// Default <c>true</c>.
    /// </summary>
    public bool ZoomToUsedRows { get; init; } = true;

    /// <summary>The weighting above which a row counts as used when zooming (default 0.01).</summary>
    public double UsedRowThreshold { get; init; } = DefaultUsedRowThreshold;

    /// <summary>Rows kept on each side of the used band when zooming (default 2).</summary>
    public int ZoomMargin { get; init; } = 2;

    /// <summary>Width in pixels of each single picture and of each overview panel (default 900).</summary>
    public int PanelWidth { get; init; } = 900;

    /// <summary>Height in pixels of each single picture and of each overview panel (default 350).</summary>
    public int PanelHeight { get; init; } = 350;

    /// <summary>Throws <see cref="InvalidConfigurationException"/> when a setting is out of range.</summary>
    internal void Validate()
    {
        if (!(UsedRowThreshold >= 0 && UsedRowThreshold < 1))
            throw new InvalidConfigurationException($"UsedRowThreshold must be in [0, 1), got {UsedRowThreshold}.");
        if (ZoomMargin < 0)
            throw new InvalidConfigurationException($"ZoomMargin must be 0 or more, got {ZoomMargin}.");
        if (PanelWidth < 200 || PanelHeight < 150 || PanelWidth > 10_000 || PanelHeight > 10_000)
            throw new InvalidConfigurationException(
                $"Panel size must be between 200 x 150 and 10000 x 10000 pixels, got {PanelWidth} x {PanelHeight}.");
    }
}
