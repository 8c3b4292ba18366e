using System.Reflection;
using Xunit;

namespace Ntm.Tests.Cli;

/// <summary>The command calls itself <c>ntm</c> in help and errors, whatever its file is called, and knows its version.</summary>
public sealed class CommandNameTests
{
    [Fact]
    public void Help_names_the_command_ntm()
    {
        var (exit, stdout, _) = CliProcess.Run("--help");
        Assert.Equal(0, exit);
        Assert.Contains("Usage:\n  ntm [command] [options]", stdout.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("Ntm.Cli", stdout);

        (exit, stdout, _) = CliProcess.Run("eval", "--help");
        Assert.Equal(0, exit);
        Assert.Contains("Usage:\n  ntm eval <dir> [options]", stdout.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("Ntm.Cli", stdout);
    }

    [Theory]
    [InlineData("error: Required argument missing for command: 'eval'. (see 'ntm eval --help')", "eval")]
    [InlineData("error: Unrecognized command or argument 'frobnicate'. (see 'ntm --help')", "frobnicate")]
    [InlineData("error: Required command was not provided. (see 'ntm --help')")]
    public void A_usage_error_points_to_the_ntm_help(string expected, params string[] args)
    {
        var (exit, _, stderr) = CliProcess.Run(args);
        Assert.Equal(2, exit);
        Assert.Equal(expected, stderr.Trim());
    }

    [Fact]
    public void Version_prints_the_package_version_shared_by_every_assembly()
    {
        var (exit, stdout, stderr) = CliProcess.Run("--version");
        Assert.True(exit == 0, stderr);
        string printed = stdout.Trim();

        string Informational(Assembly a) => a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        string cli = Informational(typeof(Ntm.Cli.Cli).Assembly);
        Assert.Equal(cli, printed);
        // One version for every project (Directory.Build.props), not the SDK's 1.0.0 default.
        Version version = typeof(Ntm.Cli.Cli).Assembly.GetName().Version!;
        Assert.Equal(version, typeof(NtmException).Assembly.GetName().Version);
        Assert.Equal(version, typeof(Ntm.Viz.HtmlReport).Assembly.GetName().Version);
        Assert.NotEqual(new Version(1, 0, 0, 0), version);
        Assert.StartsWith($"{version.Major}.{version.Minor}.{version.Build}", printed);
    }
}
