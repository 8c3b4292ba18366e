using System.Diagnostics;

namespace Ntm.Tests.Cli;

/// <summary>Runs the <c>ntm</c> command (the Ntm.Cli.dll built beside the tests) as a child process.</summary>
internal static class CliProcess
{
    public static string DllPath => Path.Combine(AppContext.BaseDirectory, "Ntm.Cli.dll");

    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(DllPath);
        foreach (string a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    public static (int Exit, string Out, string Err) Run(params string[] args) => RunProcess(StartInfo(args));

    /// <summary>Runs <c>ntm ARGS</c> with environment variables set (a null value removes the variable).</summary>
    public static (int Exit, string Out, string Err) RunWithEnvironment(IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        ProcessStartInfo psi = StartInfo(args);
        foreach (var (name, value) in environment)
            if (value is null) psi.Environment.Remove(name);
            else psi.Environment[name] = value;
        return RunProcess(psi);
    }

    private static (int Exit, string Out, string Err) RunProcess(ProcessStartInfo psi)
    {
        string[] args = psi.ArgumentList.Skip(1).ToArray();
        using var p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"ntm {string.Join(' ', args)} did not finish in 120 s");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Options that make a copy-task run tiny: a few hundred sequences train in about a second.</summary>
    public static readonly string[] Tiny =
    [
        "--controller-size", "12", "--memory-rows", "10", "--memory-width", "6", "--set", "bits=4", "--set", "max-length=4",
        "--batch-size", "4", "--report-every", "40",
    ];
}
