using System.Text.RegularExpressions;
using Ntm.Tests.Cli;
using Ntm.Tests.Viz;
using Xunit;
using Xunit.Abstractions;

namespace Ntm.Tests.Browser;

/// <summary><c>ntm report</c>'s page as a person sees it: opened in headless Chromium.</summary>
public sealed class ReportBrowserTests(ITestOutputHelper output)
{
    /// <summary>Where the screenshot of the report is kept after the run (beside the test assembly).</summary>
    public static string ScreenshotPath => Path.Combine(AppContext.BaseDirectory, "browser", "report-screenshot.png");

    [BrowserFact]
    public void The_report_opens_in_Chromium_with_every_image_decoded_and_no_console_errors()
    {
        Chromium.Require();
        using var folder = new TempFolder();
        string run = folder.File("run");
        var (exit, _, stderr) = CliProcess.Run(["train", "copy", "--sequences", "200", "--out", run, "--seed", "4", .. CliProcess.Tiny]);
        Assert.True(exit == 0, stderr);
        (exit, _, stderr) = CliProcess.Run("report", run, "--count", "2");
        Assert.True(exit == 0, stderr);
        string report = Path.Combine(run, "report.html");
        string html = File.ReadAllText(report);
        int imagesInPage = Regex.Matches(html, "<img ").Count;
        Assert.True(imagesInPage >= 3, $"the report has only {imagesInPage} pictures");

        // The report itself has no scripts; the check script goes into a copy.
        string checkedCopy = folder.File("checked.html");
        File.WriteAllText(checkedCopy, Chromium.WithCheckScript(html));
        Chromium.PageCheck page = Chromium.Check(checkedCopy);

        Assert.Empty(page.Errors);
        Assert.Equal(imagesInPage, page.ImageWidths.Count);
        Assert.All(page.ImageWidths, w => Assert.True(w > 0, $"an image did not decode (naturalWidths {string.Join(", ", page.ImageWidths)})"));

        Chromium.Screenshot(report, ScreenshotPath, 1280, 2000);
        PngAssert.IsPicture(ScreenshotPath, 1280, 2000, minColors: 64);
        output.WriteLine($"screenshot: {ScreenshotPath}");
    }

    [BrowserFact]
    public void The_check_catches_an_image_that_does_not_decode_a_missing_file_and_console_errors()
    {
        Chromium.Require();
        using var folder = new TempFolder();
        string page = folder.File("broken.html");
        File.WriteAllText(page, Chromium.WithCheckScript("""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8"><title>broken</title>
            </head>
            <body>
            <img alt="not a PNG" src="data:image/png;base64,AAAA">
            <img alt="missing" src="missing.png">
            <script>console.error("something broke"); undefinedFunction();</script>
            </body>
            </html>
            """));

        Chromium.PageCheck check = Chromium.Check(page);

        Assert.Equal([0, 0], check.ImageWidths);
        Assert.Contains("something broke", check.Errors);
        Assert.Contains(check.Errors, e => e.Contains("undefinedFunction"));
        Assert.Contains(check.Errors, e => e.Contains("missing.png"));
    }
}
