using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Xunit;

namespace Ntm.Tests.Browser;

/// <summary>
/// Headless Chromium (Debian's <c>chromium</c>, which .ci/run installs) run as a child process: the
/// page's DOM after it loaded, and screenshots.
/// </summary>
internal static partial class Chromium
{
    /// <summary>The browser's executable on PATH, or null when none is installed.</summary>
    public static string? Executable { get; } = Find("chromium", "chromium-browser", "google-chrome");

    /// <summary>True on CI (CI=true), where a missing browser is a failure rather than a skip.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A script for the head of a page under test: it records script errors, console.error calls,
    /// resources that fail to load and security-policy violations, and when the page has loaded writes
    /// each image's naturalWidth (-1 if still loading) into body data-images and the errors (JSON) into
    /// body data-errors, where <see cref="DumpDom"/> reads them.
    /// </summary>
    public const string CheckScript = """
        <script>
        window.__errors = [];
        addEventListener('error', e => __errors.push(e.message ||
          ('failed to load ' + (e.target && (e.target.currentSrc || e.target.src || e.target.href || e.target.tagName)))), true);
        addEventListener('unhandledrejection', e => __errors.push('unhandled rejection: ' + e.reason));
        addEventListener('securitypolicyviolation', e => __errors.push('blocked by policy: ' + e.blockedURI));
        const consoleError = console.error;
        console.error = (...args) => { __errors.push(args.map(String).join(' ')); consoleError.apply(console, args); };
        addEventListener('load', () => {
          document.body.dataset.images = [...document.images].map(i => i.complete ? i.naturalWidth : -1).join(',');
          document.body.dataset.errors = JSON.stringify(__errors);
        });
        </script>

        """;

    /// <summary>A copy of <paramref name="html"/> with <see cref="CheckScript"/> first in its head.</summary>
    public static string WithCheckScript(string html)
    {
        int head = html.IndexOf("<head>", StringComparison.Ordinal);
        Assert.True(head >= 0, "the page has no <head>");
        return html.Insert(head + "<head>".Length + 1, CheckScript);
    }

    /// <summary>What <see cref="CheckScript"/> found on a page.</summary>
    public sealed record PageCheck(IReadOnlyList<int> ImageWidths, IReadOnlyList<string> Errors);

    /// <summary>Loads a page that carries <see cref="CheckScript"/> and reads back what the script found.</summary>
    public static PageCheck Check(string htmlPath)
    {
        string dom = DumpDom(htmlPath);
        Match body = BodyTag().Match(dom);
        Assert.True(body.Success, $"no <body> in the dumped page: {Head(dom)}");
        Match images = Regex.Match(body.Value, "data-images=\"([^\"]*)\"");
        Match errors = Regex.Match(body.Value, "data-errors=\"([^\"]*)\"");
        Assert.True(images.Success && errors.Success, $"the check script did not run: {body.Value}");
        int[] widths = images.Groups[1].Value.Length == 0 ? [] : images.Groups[1].Value.Split(',').Select(int.Parse).ToArray();
        string[] messages = System.Text.Json.JsonSerializer.Deserialize<string[]>(WebUtility.HtmlDecode(errors.Groups[1].Value))!;
        return new PageCheck(widths, messages);
    }

    /// <summary>The DOM of the page after it loaded and its scripts ran (a virtual-time budget of 5 s).</summary>
    public static string DumpDom(string htmlPath) =>
        Run(["--virtual-time-budget=5000", "--dump-dom", FileUrl(htmlPath)]);

    /// <summary>Saves a PNG screenshot of the page's top <paramref name="width"/> x <paramref name="height"/> pixels.</summary>
    public static void Screenshot(string htmlPath, string pngPath, int width, int height)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(pngPath))!);
        File.Delete(pngPath);
        Run(["--hide-scrollbars", $"--window-size={width},{height}", $"--screenshot={Path.GetFullPath(pngPath)}", FileUrl(htmlPath)]);
        Assert.True(File.Exists(pngPath), $"Chromium wrote no screenshot to {pngPath}");
    }

    private static string FileUrl(string path) => new Uri(Path.GetFullPath(path)).AbsoluteUri;

    /// <summary>
    /// The browser's executable; fails the test when Chromium is missing (a
    /// <see cref="BrowserFactAttribute"/> test runs without it only on CI).
    /// </summary>
    public static string Require() =>
        Executable ?? throw new Xunit.Sdk.XunitException("Chromium is not installed (apt-get install chromium); CI must install it");

    /// <summary>Runs headless Chromium with a fresh profile; returns its standard output.</summary>
    private static string Run(IEnumerable<string> args)
    {
        string executable = Require();
        string profile = Directory.CreateTempSubdirectory("ntm-chromium-").FullName;
        try
        {
            var psi = new ProcessStartInfo(executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // --no-sandbox: tests may run as root (CI does), where Chromium's sandbox refuses to start.
            foreach (string a in (string[])["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
                         "--no-default-browser-check", "--disable-extensions", $"--user-data-dir={profile}"])
                psi.ArgumentList.Add(a);
            foreach (string a in args) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            Task<string> stdout = p.StandardOutput.ReadToEndAsync();
            Task<string> stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(60_000))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"Chromium did not finish in 60 s: {string.Join(' ', psi.ArgumentList)}");
            }
            p.WaitForExit();
            Assert.True(p.ExitCode == 0, $"Chromium exited with {p.ExitCode}: {Head(stderr.Result)}");
            return stdout.Result;
        }
        finally
        {
            try { Directory.Delete(profile, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static string Head(string text) => text.Length <= 2000 ? text : text[..2000] + "...";

    private static string? Find(params string[] names)
    {
        string[] folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return names.SelectMany(n => folders.Select(f => Path.Combine(f, n))).FirstOrDefault(File.Exists);
    }

    [GeneratedRegex("<body[^>]*>")]
    private static partial Regex BodyTag();
}

/// <summary>
/// A test that needs headless Chromium: skipped when the browser is missing on a developer's machine,
/// run (and so failed) when it is missing on CI, so a broken install cannot pass unnoticed.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    /// <summary>Sets <see cref="FactAttribute.Skip"/> when Chromium is missing outside CI.</summary>
    public BrowserFactAttribute()
    {
        if (Chromium.Executable is null && !Chromium.InCi)
            Skip = "Chromium is not installed (apt-get install chromium); .ci/run installs it";
    }
}
