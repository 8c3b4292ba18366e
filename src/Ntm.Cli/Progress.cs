using Spectre.Console;

namespace Ntm.Cli;

/// <summary>
/// Progress of long work (generalize, limits): on an interactive terminal a status line on stderr that
/// shows the latest step; otherwise (redirected output, CI) each step as a plain line on stderr, as
/// <c>ntm train</c> does.
/// </summary>
internal static class Progress
{
    /// <summary>Whether stderr is a terminal that can redraw a status line.</summary>
    public static bool Interactive => !Console.IsErrorRedirected && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/>, showing every message it reports.</summary>
    public static T Run<T>(string title, Func<Action<string>, T> work)
    {
        if (!Interactive) return work(Console.Error.WriteLine);
        T result = default!;
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Status().Start(Markup.Escape(title), ctx => { result = work(line => ctx.Status(Markup.Escape(line))); });
        return result;
    }
}
