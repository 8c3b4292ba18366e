using System.CommandLine;
using System.CommandLine.Help;
using Ntm.Io;

namespace Ntm.Cli;

/// <summary>What every command shares: one-line errors with a non-zero exit, and option helpers.</summary>
internal static class Cli
{
    /// <summary>Exit code of a usage error (bad arguments).</summary>
    public const int UsageError = 2;
    /// <summary>Exit code of a failure the user can fix (bad file, bad data, bad setting).</summary>
    public const int Failure = 1;

    /// <summary>The command's name, as installed (the .NET tool's command) and as help and errors spell it.</summary>
    public const string CommandName = "ntm";

    /// <summary>
    /// The root command, named <see cref="CommandName"/> whatever the executable file is called
    /// (a <see cref="RootCommand"/> takes its name from the file, <c>Ntm.Cli</c>), with
    /// <c>--help</c> and <c>--version</c> (the package version).
    /// </summary>
    public static Command Root(params Command[] commands)
    {
        var root = new Command(CommandName, "ntm: train, evaluate and inspect Neural Turing Machines (Graves, Wayne and Danihelka 2014).")
        {
            new HelpOption(),
            new VersionOption(),
        };
        foreach (Command c in commands) root.Subcommands.Add(c);
        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>; a usage error prints one line naming the command's
    /// help and returns <see cref="UsageError"/>.
    /// </summary>
    public static int Invoke(Command root, string[] args)
    {
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0 && !IsHelp(args))
        {
            // "ntm frobnicate" has two errors, the missing command first: name the word not understood.
            System.CommandLine.Parsing.ParseError error = parse.Errors.FirstOrDefault(e => parse.UnmatchedTokens.Any(t => e.Message.Contains($"'{t}'")))
                ?? parse.Errors[0];
            Console.Error.WriteLine($"error: {error.Message} (see '{CommandPath(parse)} --help')");
            return UsageError;
        }
        return parse.Invoke();
    }

    private static bool IsHelp(string[] args) => args.Any(a => a is "-h" or "--help" or "-?");

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, r.Command.Name);
        return string.Join(' ', names);
    }

    /// <summary>Runs a command body; user-caused errors become one line on stderr and exit code 1.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (NtmException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Failure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return Failure;
        }
    }

    public static Option<T> Opt<T>(string name, string description, T defaultValue)
        => new(name) { Description = description, DefaultValueFactory = _ => defaultValue };

    public static Option<T?> OptNull<T>(string name, string description) where T : struct
        => new(name) { Description = description };

    public static Option<string?> OptStr(string name, string description) => new(name) { Description = description };

    /// <summary>Adds a validator that rejects values below <paramref name="min"/>.</summary>
    public static Option<T> AtLeast<T>(this Option<T> option, T min) where T : IComparable<T>
    {
        option.Validators.Add(r =>
        {
            if (TryGetValue(r, out T? v) && v is not null && v.CompareTo(min) < 0) r.AddError($"{option.Name} must be at least {min}, got {v}.");
        });
        return option;
    }

    public static Option<T?> AtLeast<T>(this Option<T?> option, T min) where T : struct, IComparable<T>
    {
        option.Validators.Add(r =>
        {
            if (TryGetValue(r, out T? v) && v is { } x && x.CompareTo(min) < 0) r.AddError($"{option.Name} must be at least {min}, got {x}.");
        });
        return option;
    }

    /// <summary>
    /// The option's value, or false when its text does not convert (a validator must not throw then:
    /// the parser reports the conversion error itself as a one-line usage error).
    /// </summary>
    public static bool TryGetValue<T>(System.CommandLine.Parsing.OptionResult r, out T? value)
    {
        try
        {
            value = r.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default;
            return false;
        }
    }

    /// <summary>Parses repeated <c>key=value</c> task settings.</summary>
    public static Dictionary<string, string> ParseSettings(IEnumerable<string>? items)
    {
        var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string item in items ?? [])
        {
            int eq = item.IndexOf('=');
            if (eq <= 0 || eq == item.Length - 1)
                throw new InvalidConfigurationException($"A task setting must look like key=value, got '{item}'.");
            d[item[..eq].Trim()] = item[(eq + 1)..].Trim();
        }
        return d;
    }

    /// <summary>The <c>--best</c> option of the commands that load a run's machine.</summary>
    public static Option<bool> BestOption() => Opt("--best", "Use best.safetensors (the weights of the report with the lowest evaluation cost, or for dynamic n-grams the smallest gap to the optimal estimator) instead of model.safetensors (the last).", false);

    /// <summary>The <c>--memory-rows</c> option of the commands that run a trained machine.</summary>
    public static Option<int?> MemoryRowsOption() => OptNull<int>("--memory-rows",
        "Run the trained weights with a memory of this many rows (default: the trained size); new rows start with initial weight 0, a constant initial memory extends.").AtLeast(1);

    /// <summary>The run's machine (last or best weights), with its memory resized when <paramref name="rows"/> is given.</summary>
    public static Model.NeuralTuringMachine LoadMachine(Training.RunFolder run, bool best, int? rows)
    {
        Model.NeuralTuringMachine model = run.LoadModel(best);
        return rows is { } n ? model.WithMemoryRows(n) : model;
    }

    /// <summary>The <c>--hard</c> option: run with hard attention (every weighting one-hot at its largest entry).</summary>
    public static Option<bool> HardOption() => Opt("--hard",
        "Run with hard attention: every read and write weighting becomes one-hot at its largest entry before it is used (or, with --hard-threshold, keeps the entries at or above it).", false);

    /// <summary>The <c>--hard-threshold</c> option: hard attention keeping the entries at or above a threshold.</summary>
    public static Option<double?> HardThresholdOption() => OptNull<double>("--hard-threshold",
        "With --hard: keep each weighting's entries at or above this value, renormalised, instead of only the largest (0 < X <= 1).");

    /// <summary>The attention the two options ask for.</summary>
    public static Model.HardAttention Attention(bool hard, double? threshold)
    {
        if (threshold is not null && !hard) throw new InvalidConfigurationException("--hard-threshold goes with --hard.");
        return !hard ? Model.HardAttention.Soft : threshold is { } t ? Model.HardAttention.Threshold(t) : Model.HardAttention.ArgMax;
    }

    public static string F(double x, int digits = 3) => x.ToString("F" + digits, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A number that a metrics file may leave out (no evaluation at that report): "n/a" when it is missing.</summary>
    public static string F(double? x, int digits = 3) => x is { } v ? F(v, digits) : "n/a";

    public static void PrintJson<T>(T value) => Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(value, Json.Compact));
}
