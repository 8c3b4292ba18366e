using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Ntm.Cli.Commands;
using Ntm.Io;
using Ntm.Model;
using Ntm.Tasks;
using Ntm.Training;

namespace Ntm.Cli.Sweeps;

/// <summary>A post-training step of every trial: an <c>ntm</c> command run on the trial's run folder.</summary>
/// <param name="Command"><c>eval</c>, <c>generalize</c> or <c>limits</c>.</param>
/// <param name="Arguments">Its options, as on the command line (without the run folder and <c>--json</c>).</param>
internal sealed record SweepStep(string Command, IReadOnlyList<string> Arguments)
{
    /// <summary>The file the step's JSON goes to, in the trial's folder: <c>eval.json</c>, <c>generalize.json</c> or <c>limits.json</c>.</summary>
    public string FileName => Command + ".json";
}

/// <summary>One trial of a sweep: one training run and its post-training steps.</summary>
/// <param name="Index">Its number, from 0, in the order <see cref="SweepFile"/> documents.</param>
/// <param name="Id">Its folder's name, e.g. <c>copy-ntm-lstm-seed1-rows128</c>.</param>
/// <param name="Task">The task.</param>
/// <param name="Name">The task block's name (the task's, unless the block gives its own).</param>
/// <param name="Model">The model, spelled as on the command line.</param>
/// <param name="Seed">The seed.</param>
/// <param name="MemoryRows">The memory rows the sweep sets, or null for the model's default.</param>
/// <param name="Options">The other <c>ntm train</c> options (name without dashes, value), in the file's order.</param>
/// <param name="Settings">The task settings (<c>--set key=value</c>), in the file's order.</param>
/// <param name="TrainArguments">The <c>ntm train</c> arguments that make the run (without <c>--out</c> and <c>--threads</c>).</param>
/// <param name="After">What runs after training, in the order eval, generalize, limits.</param>
internal sealed record SweepTrial(int Index, string Id, string Task, string Name, string Model, ulong Seed, int? MemoryRows,
    IReadOnlyList<KeyValuePair<string, string>> Options, IReadOnlyList<KeyValuePair<string, string>> Settings,
    IReadOnlyList<string> TrainArguments, IReadOnlyList<SweepStep> After)
{
    /// <summary>The options and settings as one short text: <c>sequences=300 lr=1e-4 set:max-length=4</c>.</summary>
    public string OptionsText => string.Join(' ', Options.Select(o => $"{o.Key}={o.Value}").Concat(Settings.Select(s => $"set:{s.Key}={s.Value}")));
}

/// <summary>
/// A sweep file: JSON naming tasks, models, seeds, memory sizes, any <c>ntm train</c> option and task setting (one
/// value, or a list of values to sweep over), and what to run after training. Its trials are the cross product, per
/// task block, numbered from 0: task blocks in the file's order; within one, models, then seeds, then memory rows,
/// then each swept option in the file's order, then each swept task setting, the first of these varying slowest. A
/// trial's id joins the same parts: <c>copy-ntm-lstm-seed1-rows128-lr1e-4</c>.
/// <para>
/// Everything is checked when the file is read, each trial through <c>ntm train</c>'s own parser, so a bad value is
/// reported before anything runs, in one line naming the file, the line and the field.
/// </para>
/// </summary>
internal sealed class SweepFile
{
    /// <summary>The post-training commands a sweep may run, in the order they run.</summary>
    public static readonly IReadOnlyList<string> StepCommands = ["eval", "generalize", "limits"];

    private static readonly string[] TopFields = ["out", "tasks", "models", "seeds", "memory_rows", "options", "set", "after"];
    private static readonly string[] TaskFields = ["task", "name", "models", "seeds", "memory_rows", "options", "set", "after"];

    /// <summary>Options of <c>ntm train</c> a sweep sets elsewhere, with where.</summary>
    private static readonly Dictionary<string, string> ReservedTrainOptions = new(StringComparer.Ordinal)
    {
        ["model"] = "list models in \"models\"",
        ["seed"] = "list seeds in \"seeds\"",
        ["memory-rows"] = "list memory sizes in \"memory_rows\"",
        ["set"] = "give task settings in \"set\"",
        ["out"] = "each trial trains into OUT/<trial id>/run",
        ["resume"] = "ntm sweep run resumes an interrupted trial by itself",
        ["threads"] = "threads do not change results; give them to ntm sweep run --threads",
    };

    private SweepFile(string path, string outDirectory, IReadOnlyList<SweepTrial> trials)
    {
        Path = path;
        OutDirectory = outDirectory;
        Trials = trials;
    }

    /// <summary>The sweep file.</summary>
    public string Path { get; }

    /// <summary>The folder holding one folder per trial and the collected table (<c>out</c>, or <c>runs/&lt;file name&gt;</c>).</summary>
    public string OutDirectory { get; }

    /// <summary>Every trial, in order (<see cref="SweepTrial.Index"/> is the position).</summary>
    public IReadOnlyList<SweepTrial> Trials { get; }

    /// <summary>Reads and checks a sweep file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="outDirectory">A folder replacing the file's <c>out</c>, or null.</param>
    /// <exception cref="InvalidFileException">The file cannot be read, is not JSON, or a field is wrong; the message names the line and the field.</exception>
    public static SweepFile Load(string path, string? outDirectory = null)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new InvalidFileException(path, $"cannot be read: {e.Message}", e); }
        return Parse(bytes, path, outDirectory);
    }

    /// <summary>Parses and checks the UTF-8 text of a sweep file; <paramref name="path"/> names it in errors and gives the default out folder.</summary>
    /// <exception cref="InvalidFileException">The text is not JSON, or a field is wrong; the message names the line and the field.</exception>
    public static SweepFile Parse(ReadOnlySpan<byte> utf8, string path, string? outDirectory = null)
    {
        if (utf8.StartsWith("\uFEFF"u8)) utf8 = utf8[3..];
        var options = new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray(), options);
        }
        catch (JsonException e)
        {
            string why = Regex.Replace(e.Message, @"\s*(Path:|LineNumber:).*$", "").TrimEnd('.');
            throw new InvalidFileException(path, $"line {(e.LineNumber ?? 0) + 1}: not valid JSON ({why}).", e);
        }
        using (document)
        {
            var reader = new Reader(path, JsonLines.Of(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }));
            return reader.Read(document.RootElement, outDirectory);
        }
    }

    /// <summary>The trial numbered <paramref name="index"/>.</summary>
    /// <exception cref="InvalidConfigurationException">There is no such trial.</exception>
    public SweepTrial Trial(int index) => index >= 0 && index < Trials.Count
        ? Trials[index]
        : throw new InvalidConfigurationException($"There is no trial {index}: {Path} has {Trials.Count} trials, numbered 0 to {Trials.Count - 1}.");

    /// <summary>The folder of <paramref name="trial"/>: <c>OUT/&lt;trial id&gt;</c>.</summary>
    public TrialFolder Folder(SweepTrial trial) => new(System.IO.Path.Combine(OutDirectory, trial.Id), trial);

    /// <summary>Reads the fields of a parsed sweep file and expands its trials; every error names the line and the field.</summary>
    private sealed class Reader(string path, JsonLines lines)
    {
        private readonly HashSet<string> _trainOptions = TrainCommand.Build().Options.Select(o => o.Name.TrimStart('-')).Where(n => n is not ("help" or "h" or "?")).ToHashSet();

        private InvalidFileException Error(string field, string problem)
            => new(path, $"line {lines.LineOf(field)}: field \"{field}\": {problem}");

        private static string Join(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";

        public SweepFile Read(JsonElement root, string? outDirectory)
        {
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidFileException(path, $"line {lines.LineOf("")}: expected a JSON object with \"tasks\" and the other fields, found {Kind(root)}.");
            CheckFields(root, "", TopFields);
            string outDir = outDirectory
                ?? (root.TryGetProperty("out", out JsonElement o) ? Text(o, "out") : System.IO.Path.Combine("runs", System.IO.Path.GetFileNameWithoutExtension(path)));
            if (!root.TryGetProperty("tasks", out JsonElement tasks))
                throw new InvalidFileException(path, "line 1: field \"tasks\" is missing: list the tasks to train, e.g. \"tasks\": [\"copy\"].");

            var defaults = new Block("", "", root.TryGetProperty("models", out var m) ? Models(m, "models") : ["ntm-lstm"],
                root.TryGetProperty("seeds", out var s) ? Seeds(s, "seeds") : [1UL],
                root.TryGetProperty("memory_rows", out var r) ? Rows(r, "memory_rows") : null,
                root.TryGetProperty("options", out var op) ? Values(op, "options", train: true) : [],
                root.TryGetProperty("set", out var st) ? Values(st, "set", train: false) : [],
                root.TryGetProperty("after", out var af) ? After(af, "after") : []);

            var trials = new List<SweepTrial>();
            var ids = new Dictionary<string, int>(StringComparer.Ordinal);
            List<JsonElement> taskItems = ListOf(tasks, "tasks");
            for (int i = 0; i < taskItems.Count; i++)
            {
                Block block = TaskBlock(taskItems[i], $"tasks[{i}]", defaults);
                foreach (SweepTrial t in Expand(block, trials.Count))
                {
                    if (ids.TryGetValue(t.Id, out int other))
                        throw Error(block.Field, $"trial id \"{t.Id}\" is also trial {other}'s; give this task block its own \"name\".");
                    ids[t.Id] = t.Index;
                    trials.Add(t);
                }
            }
            return new SweepFile(path, outDir, trials);
        }

        /// <summary>A task block with the top level's fields filled in: everything one cross product needs.</summary>
        private sealed record Block(string Field, string Task, IReadOnlyList<string> Models, IReadOnlyList<ulong> Seeds, IReadOnlyList<int>? Rows,
            IReadOnlyList<Value> Options, IReadOnlyList<Value> Settings, IReadOnlyList<SweepStep> After)
        {
            public string Name { get; init; } = Task;
        }

        /// <summary>One option or setting: its name, its values (more than one: swept) and the field they came from.</summary>
        private sealed record Value(string Name, IReadOnlyList<string> Values, string Field);

        private Block TaskBlock(JsonElement item, string field, Block defaults)
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                string task = TaskName(item, field);
                return defaults with { Field = field, Task = task, Name = task };
            }
            if (item.ValueKind != JsonValueKind.Object)
                throw Error(field, $"expected a task name or an object with \"task\" and the fields it changes, found {Kind(item)}.");
            CheckFields(item, field, TaskFields);
            if (!item.TryGetProperty("task", out JsonElement t)) throw Error(field, "\"task\" is missing: name the task this block trains.");
            string name = TaskName(t, Join(field, "task"));
            string blockName = item.TryGetProperty("name", out JsonElement n) ? FolderName(Text(n, Join(field, "name")), Join(field, "name")) : name;
            return new Block(field, name,
                item.TryGetProperty("models", out var m) ? Models(m, Join(field, "models")) : defaults.Models,
                item.TryGetProperty("seeds", out var s) ? Seeds(s, Join(field, "seeds")) : defaults.Seeds,
                item.TryGetProperty("memory_rows", out var r) ? Rows(r, Join(field, "memory_rows")) : defaults.Rows,
                item.TryGetProperty("options", out var o) ? Merge(defaults.Options, Values(o, Join(field, "options"), train: true)) : defaults.Options,
                item.TryGetProperty("set", out var st) ? Merge(defaults.Settings, Values(st, Join(field, "set"), train: false)) : defaults.Settings,
                item.TryGetProperty("after", out var af) ? After(af, Join(field, "after")) : defaults.After)
            { Name = blockName };
        }

        /// <summary>The top level's values with the block's: a name the block gives replaces the top level's in place; new names follow.</summary>
        private static List<Value> Merge(IReadOnlyList<Value> top, IReadOnlyList<Value> block)
        {
            var merged = top.Select(v => block.FirstOrDefault(b => b.Name == v.Name) ?? v).ToList();
            merged.AddRange(block.Where(b => top.All(v => v.Name != b.Name)));
            return merged;
        }

        private IEnumerable<SweepTrial> Expand(Block b, int first)
        {
            var swept = b.Options.Where(o => o.Values.Count > 1).Select(o => (o, Setting: false))
                .Concat(b.Settings.Where(s => s.Values.Count > 1).Select(s => (o: s, Setting: true))).ToList();
            int index = first;
            foreach (string model in b.Models)
            foreach (ulong seed in b.Seeds)
            foreach (int? rows in b.Rows?.Select(r => (int?)r) ?? [null])
            foreach (int[] pick in Combinations(swept.Select(x => x.o.Values.Count).ToArray()))
            {
                string Chosen(Value v) => v.Values.Count > 1 ? v.Values[pick[swept.FindIndex(x => ReferenceEquals(x.o, v))]] : v.Values[0];
                var options = b.Options.Select(o => KeyValuePair.Create(o.Name, Chosen(o))).ToList();
                var settings = b.Settings.Select(s => KeyValuePair.Create(s.Name, Chosen(s))).ToList();
                var id = new StringBuilder($"{b.Name}-{model}-seed{seed}");
                if (rows is { } n) id.Append($"-rows{n}");
                foreach (var (v, _) in swept) id.Append('-').Append(IdPart(v.Name, Chosen(v)));

                var args = new List<string> { b.Task, "--model", model, "--seed", seed.ToString(CultureInfo.InvariantCulture) };
                if (rows is { } r) args.AddRange(["--memory-rows", r.ToString(CultureInfo.InvariantCulture)]);
                foreach (var (name, value) in options) args.AddRange([$"--{name}", value]);
                foreach (var (key, value) in settings) args.AddRange(["--set", $"{key}={value}"]);
                Check(b, args, options, settings);
                yield return new SweepTrial(index++, id.ToString(), b.Task, b.Name, model, seed, rows, options, settings, args, b.After);
            }
        }

        /// <summary>Every choice of one value per swept list, the first list varying slowest.</summary>
        private static IEnumerable<int[]> Combinations(int[] counts)
        {
            var pick = new int[counts.Length];
            while (true)
            {
                yield return (int[])pick.Clone();
                int k = counts.Length - 1;
                while (k >= 0 && ++pick[k] == counts[k]) pick[k--] = 0;
                if (k < 0) yield break;
            }
        }

        /// <summary>Runs the trial's arguments through <c>ntm train</c>'s parser and the task's own checks; an error names the field it came from.</summary>
        private void Check(Block b, List<string> args, List<KeyValuePair<string, string>> options, List<KeyValuePair<string, string>> settings)
        {
            try
            {
                RunSettings s = TrainCommand.ParseSettings(args);
                ISequenceTask task = TaskCatalog.Create(s.Task, s.TaskSettings);
                (s with { Model = s.Model with { InputSize = task.InputSize, OutputSize = task.OutputSize } }).Validate();
            }
            catch (NtmException e)
            {
                string message = e.Message;
                Value? culprit = b.Options.FirstOrDefault(o => Regex.IsMatch(message, $@"--{Regex.Escape(o.Name)}(?![\w-])"))
                    ?? b.Settings.FirstOrDefault(s => message.Contains($"'{s.Name}'", StringComparison.Ordinal))
                    ?? b.Options.FirstOrDefault(o => o.Values.Any(v => message.Contains($"'{v}'", StringComparison.OrdinalIgnoreCase)))
                    ?? b.Settings.FirstOrDefault(s => s.Values.Any(v => message.Contains($"'{v}'", StringComparison.OrdinalIgnoreCase)));
                throw Error(culprit?.Field ?? b.Field, message.TrimEnd('.') + ".");
            }
        }

        // ------------------------------------------------------------------ fields

        private void CheckFields(JsonElement obj, string field, string[] known)
        {
            foreach (JsonProperty p in obj.EnumerateObject())
                if (!known.Contains(p.Name, StringComparer.Ordinal))
                    throw Error(Join(field, p.Name), $"unknown field; the fields are {string.Join(", ", known)}.");
        }

        private string TaskName(JsonElement e, string field)
        {
            string name = Text(e, field).ToLowerInvariant();
            if (!TaskCatalog.Names.Contains(name))
                throw Error(field, $"unknown task '{name}'; the tasks are {string.Join(", ", TaskCatalog.Names)}.");
            return name;
        }

        private List<string> Models(JsonElement e, string field)
        {
            var models = new List<string>();
            List<JsonElement> items = ListOf(e, field);
            for (int i = 0; i < items.Count; i++)
            {
                string f = e.ValueKind == JsonValueKind.Array ? $"{field}[{i}]" : field;
                if (!EnumSpelling.TryParse(Text(items[i], f), out ModelKind kind))
                    throw Error(f, $"unknown model '{items[i].GetString()}'; the models are {EnumSpelling.Choices<ModelKind>()}.");
                models.Add(EnumSpelling.Format(kind));
            }
            return NoRepeats(models, field);
        }

        private List<ulong> Seeds(JsonElement e, string field)
        {
            var seeds = new List<ulong>();
            List<JsonElement> items = ListOf(e, field);
            for (int i = 0; i < items.Count; i++)
            {
                string f = e.ValueKind == JsonValueKind.Array ? $"{field}[{i}]" : field;
                if (items[i].ValueKind != JsonValueKind.Number || !items[i].TryGetUInt64(out ulong seed))
                    throw Error(f, $"a seed must be a whole number from 0 to {ulong.MaxValue}, found {items[i].GetRawText()}.");
                seeds.Add(seed);
            }
            return NoRepeats(seeds, field);
        }

        private List<int> Rows(JsonElement e, string field)
        {
            var rows = new List<int>();
            List<JsonElement> items = ListOf(e, field);
            for (int i = 0; i < items.Count; i++)
            {
                string f = e.ValueKind == JsonValueKind.Array ? $"{field}[{i}]" : field;
                if (items[i].ValueKind != JsonValueKind.Number || !items[i].TryGetInt32(out int n) || n < 1)
                    throw Error(f, $"a memory size must be a whole number of rows, at least 1, found {items[i].GetRawText()}.");
                rows.Add(n);
            }
            return NoRepeats(rows, field);
        }

        /// <summary>An object of name: value or name: [values]; for train options, the names are checked against <c>ntm train</c>'s.</summary>
        private List<Value> Values(JsonElement e, string field, bool train)
        {
            if (e.ValueKind != JsonValueKind.Object)
                throw Error(field, $"expected an object of {(train ? "option" : "setting")} names and values, found {Kind(e)}.");
            var values = new List<Value>();
            foreach (JsonProperty p in e.EnumerateObject())
            {
                string f = Join(field, p.Name);
                string name = p.Name.TrimStart('-');
                if (train)
                {
                    if (ReservedTrainOptions.TryGetValue(name, out string? where))
                        throw Error(f, $"a sweep sets --{name} itself: {where}.");
                    if (!_trainOptions.Contains(name))
                        throw Error(f, $"ntm train has no option --{name} (see 'ntm train --help').");
                }
                else if (name.Length == 0 || name.Contains('='))
                    throw Error(f, "a task setting's name must be a word without '=', as in --set key=value.");
                List<JsonElement> items = ListOf(p.Value, f);
                values.Add(new Value(name, NoRepeats(items.Select((v, i) => Scalar(v, p.Value.ValueKind == JsonValueKind.Array ? $"{f}[{i}]" : f)).ToList(), f), f));
            }
            return values;
        }

        /// <summary>The post-training steps: an object with any of eval, generalize, limits, each an object of that command's options.</summary>
        private List<SweepStep> After(JsonElement e, string field)
        {
            if (e.ValueKind != JsonValueKind.Object)
                throw Error(field, $"expected an object with any of {string.Join(", ", StepCommands)}, each holding that command's options, found {Kind(e)}.");
            CheckFields(e, field, [.. StepCommands]);
            var steps = new List<SweepStep>();
            foreach (string command in StepCommands)
            {
                if (!e.TryGetProperty(command, out JsonElement o)) continue;
                string f = Join(field, command);
                if (o.ValueKind != JsonValueKind.Object)
                    throw Error(f, $"expected an object of ntm {command} options (e.g. {{\"count\": 100}}; {{}} for the defaults), found {Kind(o)}.");
                Command cmd = StepCommand(command, out _);
                var names = cmd.Options.Select(x => x.Name.TrimStart('-')).ToHashSet();
                var args = new List<string>();
                foreach (JsonProperty p in o.EnumerateObject())
                {
                    string pf = Join(f, p.Name);
                    string name = p.Name.TrimStart('-');
                    if (name is "json" or "out")
                        throw Error(pf, $"a sweep writes the JSON of ntm {command} to OUT/<trial id>/{command}.json itself.");
                    if (!names.Contains(name) || name is "help" or "h" or "?")
                        throw Error(pf, $"ntm {command} has no option --{name} (see 'ntm {command} --help').");
                    args.Add($"--{name}");
                    List<JsonElement> items = ListOf(p.Value, pf);
                    args.AddRange(items.Select((v, i) => Scalar(v, p.Value.ValueKind == JsonValueKind.Array ? $"{pf}[{i}]" : pf)));
                }
                ParseResult parse = cmd.Parse(["run", .. args, "--json"]);
                if (parse.Errors.Count > 0)
                {
                    string message = parse.Errors[0].Message;
                    JsonProperty? culprit = o.EnumerateObject().Select(p => (JsonProperty?)p)
                        .FirstOrDefault(p => Regex.IsMatch(message, $@"--{Regex.Escape(p!.Value.Name.TrimStart('-'))}(?![\w-])"));
                    throw Error(culprit is { } c ? Join(f, c.Name) : f, message.TrimEnd('.') + ".");
                }
                steps.Add(new SweepStep(command, args));
            }
            return steps;
        }

        /// <summary>A value or a non-empty list of values.</summary>
        private List<JsonElement> ListOf(JsonElement e, string field)
        {
            if (e.ValueKind != JsonValueKind.Array) return [e];
            var items = e.EnumerateArray().ToList();
            if (items.Count == 0) throw Error(field, "the list is empty; give at least one value.");
            return items;
        }

        private List<T> NoRepeats<T>(List<T> values, string field)
        {
            var repeated = values.GroupBy(v => v).FirstOrDefault(g => g.Count() > 1);
            return repeated is null ? values : throw Error(field, $"{repeated.Key} is listed twice.");
        }

        /// <summary>A string, number or true/false, as the command line would spell it.</summary>
        private string Scalar(JsonElement e, string field) => e.ValueKind switch
        {
            JsonValueKind.String => e.GetString()!,
            JsonValueKind.Number => e.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => throw Error(field, $"expected a string, a number or true/false, found {Kind(e)}."),
        };

        private string Text(JsonElement e, string field) => e.ValueKind == JsonValueKind.String && e.GetString() is { Length: > 0 } s
            ? s
            : throw Error(field, $"expected a non-empty string, found {Kind(e)}.");

        /// <summary>A value as part of a trial id: letters, digits and <c>. _ + -</c>; anything else becomes <c>_</c>.</summary>
        private string FolderName(string text, string field)
        {
            string part = Regex.Replace(text, "[^A-Za-z0-9._+-]", "_");
            return part.Trim('.').Length > 0 ? part : throw Error(field, $"'{text}' cannot name a folder.");
        }

        /// <summary>A swept option or setting in an id: <c>lr1e-4</c>, <c>batch-size8</c>, <c>optimizer-adam</c>.</summary>
        private static string IdPart(string name, string value)
        {
            string v = Regex.Replace(value, "[^A-Za-z0-9._+-]", "_");
            return value.Length > 0 && (char.IsAsciiDigit(value[0]) || value[0] is '.' or '-' or '+') ? name + v : $"{name}-{v}";
        }

        private static string Kind(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "a list",
            JsonValueKind.String => $"the string {e.GetRawText()}",
            JsonValueKind.Null => "null",
            _ => e.GetRawText(),
        };
    }

    /// <summary>The command a post-training step runs, and its JSON function.</summary>
    internal static Command StepCommand(string command, out Func<ParseResult, object> jsonOf) => command switch
    {
        "eval" => EvalCommand.Build(out jsonOf),
        "generalize" => GeneralizeCommand.Build(out jsonOf),
        "limits" => LimitsCommand.Build(out jsonOf),
        _ => throw new ArgumentOutOfRangeException(nameof(command), command, "not a post-training command"),
    };
}
