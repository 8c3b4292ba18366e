using System.Text.RegularExpressions;
using Ntm.Viz;
using Xunit;

namespace Ntm.Tests.Viz;

public sealed class HtmlReportTests
{
    [Fact]
    public void Write_makes_one_self_contained_escaped_page()
    {
        using var folder = new TempFolder();
        IReadOnlyList<string> pictures = TracePlots.Write(SyntheticTrace.Copy(length: 3, rows: 16, width: 6), folder.File("trace"),
            new TracePlotOptions { PanelWidth = 300, PanelHeight = 200 });
        string html = folder.File("report/index.html");

        HtmlReport.Write(html, new ReportContent
        {
            Title = "Copy <run> & \"friends\"",
            Summary = "seed 7 <b>bold?</b>",
            Configuration = new Dictionary<string, string> { ["task"] = "copy", ["note"] = "<img src=x onerror=alert(1)>" },
            ConfigurationJson = """{"memory":{"rows":128,"width":20},"name":"a<b"}""",
            Images = [new ReportImage("Inputs <1>", pictures[0]), new ReportImage("Overview", pictures[^1])],
            Tables =
            [
                new ReportTable("Generalisation <table>", ["length", "cost & bits"], [["10", "0.1"], ["<20>", "\"x\""]]),
            ],
        });

        string text = File.ReadAllText(html);
        Assert.StartsWith("<!DOCTYPE html>", text);
        Assert.Contains("<title>Copy &lt;run&gt; &amp; &quot;friends&quot;</title>", text);
        Assert.Contains("<h1>Copy &lt;run&gt; &amp; &quot;friends&quot;</h1>", text);
        Assert.Contains("seed 7 &lt;b&gt;bold?&lt;/b&gt;", text);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", text);
        Assert.DoesNotContain("<img src=x", text);
        Assert.Contains("Generalisation &lt;table&gt;", text);
        Assert.Contains("<th>cost &amp; bits</th>", text);
        Assert.Contains("<td>&lt;20&gt;</td><td>&quot;x&quot;</td>", text);
        Assert.Contains("&quot;rows&quot;: 128", text);                  // pretty-printed, one key per line
        Assert.Contains("&quot;a&lt;b&quot;", text);
        Assert.Equal(2, Regex.Matches(text, "data:image/png;base64,").Count);
        Assert.DoesNotContain("http://", text);
        Assert.DoesNotContain("https://", text);
        Assert.DoesNotContain("<script", text);
        Assert.Single(Directory.GetFiles(folder.File("report")));      // no temporary file left behind

        // The embedded picture is the file, byte for byte.
        Match first = Regex.Match(text, "data:image/png;base64,([A-Za-z0-9+/=]+)\"");
        Assert.Equal(File.ReadAllBytes(pictures[0]), Convert.FromBase64String(first.Groups[1].Value));
    }

    [Fact]
    public void Write_replaces_an_existing_report()
    {
        using var folder = new TempFolder();
        string html = folder.File("index.html");
        File.WriteAllText(html, "old");
        HtmlReport.Write(html, new ReportContent { Title = "new" });
        Assert.Contains("<h1>new</h1>", File.ReadAllText(html));
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void Write_rejects_missing_pictures_bad_json_and_ragged_tables()
    {
        using var folder = new TempFolder();
        string html = folder.File("index.html");
        string notPng = folder.File("x.png");
        File.WriteAllText(notPng, "not a picture");

        Assert.Throws<InvalidFileException>(() =>
            HtmlReport.Write(html, new ReportContent { Title = "t", Images = [new ReportImage("c", folder.File("missing.png"))] }));
        Assert.Throws<InvalidFileException>(() =>
            HtmlReport.Write(html, new ReportContent { Title = "t", Images = [new ReportImage("c", notPng)] }));
        Assert.Throws<MalformedDataException>(() =>
            HtmlReport.Write(html, new ReportContent { Title = "t", ConfigurationJson = "{\"a\": " }));
        Assert.Throws<MalformedDataException>(() =>
            HtmlReport.Write(html, new ReportContent { Title = "t", Tables = [new ReportTable("t", ["a", "b"], [["1"]])] }));
        Assert.False(File.Exists(html));
        Assert.Single(Directory.GetFiles(folder.Path));                 // only x.png
    }
}
