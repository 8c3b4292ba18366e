namespace Ntm.Viz;

/// <summary>What goes into an <see cref="HtmlReport"/>: a title, the run's configuration, pictures and tables.</summary>
public sealed class ReportContent
{
    /// <summary>The page title and top heading.</summary>
    public required string Title { get; init; }

    /// <summary>Optional text under the title, e.g. the task and when the run finished.</summary>
    public string? Summary { get; init; }

    /// <summary>The configuration as name/value pairs, shown as a two-column table; <c>null</c> for none.</summary>
    public IReadOnlyDictionary<string, string>? Configuration { get; init; }

    /// <summary>The configuration as JSON, shown pretty-printed; <c>null</c> for none.</summary>
    public string? ConfigurationJson { get; init; }

    /// <summary>Pictures (PNG files), each embedded in the page with its caption.</summary>
    public IReadOnlyList<ReportImage> Images { get; init; } = [];

    /// <summary>Tables of text, e.g. a generalisation table.</summary>
    public IReadOnlyList<ReportTable> Tables { get; init; } = [];
}

/// <summary>A PNG picture to embed in a report.</summary>
/// <param name="Caption">The text shown under the picture.</param>
/// <param name="PngPath">The PNG file; it is read and embedded, so the report does not refer to it.</param>
public sealed record ReportImage(string Caption, string PngPath);

/// <summary>A table of text cells.</summary>
/// <param name="Title">The heading above the table.</param>
/// <param name="Columns">The column headers.</param>
/// <param name="Rows">The rows; each has one cell per column.</param>
public sealed record ReportTable(string Title, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<string>> Rows);
