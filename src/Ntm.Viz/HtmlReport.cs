using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ntm.Io;

namespace Ntm.Viz;

/// <summary>
/// Writes a report as one self-contained HTML file: pictures embedded as base64 data URIs, inline
/// CSS, no scripts and no references to other files or servers, so it opens anywhere offline.
/// </summary>
public static class HtmlReport
{
    /// <summary>The first eight bytes of every PNG file.</summary>
    internal static ReadOnlySpan<byte> PngSignature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>
    /// Writes <paramref name="content"/> to <paramref name="htmlPath"/> (through a temporary file in the
    /// same folder, renamed over the target, so a reader never sees half a report). All text is
    /// HTML-escaped.
    /// </summary>
    /// <param name="htmlPath">The report file to write; its folder is created if missing.</param>
    /// <param name="content">What to put in the report.</param>
    /// <exception cref="InvalidFileException">A picture is missing or is not a PNG file.</exception>
    /// <exception cref="MalformedDataException">The configuration JSON is malformed, or a table row has the wrong number of cells.</exception>
    public static void Write(string htmlPath, ReportContent content)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(htmlPath);
        ArgumentNullException.ThrowIfNull(content);
        AtomicFile.WriteAllBytes(htmlPath, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(Render(content)));
    }

    /// <summary>The whole page as a string.</summary>
    internal static string Render(ReportContent content)
    {
        ArgumentNullException.ThrowIfNull(content.Title);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Escape(content.Title)).Append("</title>\n")
            .Append("<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n")
            .Append("<h1>").Append(Escape(content.Title)).Append("</h1>\n");
        if (!string.IsNullOrEmpty(content.Summary))
            html.Append("<p class=\"summary\">").Append(Escape(content.Summary)).Append("</p>\n");

        if (content.Configuration is { Count: > 0 } || content.ConfigurationJson is not null)
        {
            html.Append("<section>\n<h2>Configuration</h2>\n");
            if (content.Configuration is { Count: > 0 } settings)
                AppendTable(html, null, ["setting", "value"], settings.Select(kv => (IReadOnlyList<string>)[kv.Key, kv.Value]).ToArray());
            if (content.ConfigurationJson is not null)
                html.Append("<pre>").Append(Escape(PrettyJson(content.ConfigurationJson))).Append("</pre>\n");
            html.Append("</section>\n");
        }

        foreach (ReportTable table in content.Tables ?? [])
        {
            ArgumentNullException.ThrowIfNull(table);
            html.Append("<section>\n");
            AppendTable(html, table.Title, table.Columns, table.Rows);
            html.Append("</section>\n");
        }

        if (content.Images is { Count: > 0 } images)
        {
            html.Append("<section>\n<h2>Pictures</h2>\n");
            foreach (ReportImage image in images)
            {
                ArgumentNullException.ThrowIfNull(image);
                html.Append("<figure>\n<img alt=\"").Append(Escape(image.Caption)).Append("\" src=\"data:image/png;base64,")
                    .Append(Convert.ToBase64String(ReadPng(image.PngPath))).Append("\">\n<figcaption>")
                    .Append(Escape(image.Caption)).Append("</figcaption>\n</figure>\n");
            }
            html.Append("</section>\n");
        }

        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>Escapes text for element content and double-quoted attribute values.</summary>
    internal static string Escape(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static void AppendTable(StringBuilder html, string? title, IReadOnlyList<string> columns,
        IReadOnlyList<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        if (title is not null) html.Append("<h2>").Append(Escape(title)).Append("</h2>\n");
        html.Append("<table>\n<thead><tr>");
        foreach (string column in columns) html.Append("<th>").Append(Escape(column)).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        for (int r = 0; r < rows.Count; r++)
        {
            IReadOnlyList<string> row = rows[r] ?? throw new MalformedDataException($"Table \"{title}\" row {r + 1} is missing.");
            if (row.Count != columns.Count)
                throw new MalformedDataException(
                    $"Table \"{title}\" row {r + 1} has {row.Count} cells but the table has {columns.Count} columns.");
            html.Append("<tr>");
            foreach (string cell in row) html.Append("<td>").Append(Escape(cell)).Append("</td>");
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table>\n");
    }

    /// <summary>Re-indents JSON for reading; non-ASCII text is kept as is (the page is UTF-8).</summary>
    private static string PrettyJson(string json)
    {
        try
        {
            using JsonDocument document = JsonDocument.Parse(json);
            return JsonSerializer.Serialize(document.RootElement,
                new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        }
        catch (JsonException e)
        {
            throw new MalformedDataException($"The configuration JSON is not valid: {e.Message}");
        }
    }

    private static byte[] ReadPng(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new InvalidFileException(path, "picture not found.");
        byte[] bytes = File.ReadAllBytes(path);
        if (!bytes.AsSpan().StartsWith(PngSignature)) throw new InvalidFileException(path, "not a PNG file.");
        return bytes;
    }

    private const string Css = """
        body { font-family: "DejaVu Sans", "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto; max-width: 1850px;
               padding: 0 1em; color: #222; background: #fff; line-height: 1.4; }
        h1 { font-size: 1.6em; margin-bottom: 0.2em; }
        h2 { font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
        .summary { color: #555; }
        table { border-collapse: collapse; margin: 0.5em 0; font-size: 0.95em; }
        th, td { border: 1px solid #ccc; padding: 0.25em 0.7em; text-align: left; vertical-align: top; }
        th { background: #f3f3f3; }
        tbody tr:nth-child(even) { background: #fafafa; }
        pre { background: #f6f6f6; border: 1px solid #ddd; padding: 0.8em; overflow-x: auto; font-size: 0.9em; }
        figure { margin: 1.5em 0; }
        img { max-width: 100%; height: auto; border: 1px solid #eee; }
        figcaption { color: #444; font-size: 0.95em; margin-top: 0.3em; }

        """;
}
