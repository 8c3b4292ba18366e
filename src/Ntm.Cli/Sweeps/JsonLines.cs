using System.Text.Json;

namespace Ntm.Cli.Sweeps;

/// <summary>
/// Where each value of a JSON text starts: its field path (<c>tasks[1].options.lr</c>) mapped to its line number,
/// so that an error found after parsing can name both.
/// </summary>
internal sealed class JsonLines
{
    private readonly Dictionary<string, int> _lines = new(StringComparer.Ordinal);

    private JsonLines() { }

    /// <summary>The 1-based line of the value at <paramref name="path"/>, or of the nearest enclosing value that has one.</summary>
    public int LineOf(string path)
    {
        while (true)
        {
            if (_lines.TryGetValue(path, out int line)) return line;
            int cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
            if (cut <= 0) return _lines.GetValueOrDefault("", 1);
            path = path[..cut];
        }
    }

    /// <summary>Maps every value of <paramref name="utf8"/> (already known to be valid JSON) to its line.</summary>
    public static JsonLines Of(ReadOnlySpan<byte> utf8, JsonReaderOptions options)
    {
        var map = new JsonLines();
        var newlines = new List<long>();
        for (int i = 0; i < utf8.Length; i++) if (utf8[i] == (byte)'\n') newlines.Add(i);
        int Line(long offset)
        {
            int k = newlines.BinarySearch(offset);
            return (k < 0 ? ~k : k) + 1;
        }

        var reader = new Utf8JsonReader(utf8, options);
        // One frame per open object or array: its path, the next index (arrays) and the pending property (objects).
        var frames = new Stack<(string Path, bool IsArray, int Index, string? Property)>();
        string NextPath()
        {
            if (frames.Count == 0) return "";
            var f = frames.Pop();
            string path = f.IsArray ? $"{f.Path}[{f.Index}]" : (f.Path.Length == 0 ? f.Property! : $"{f.Path}.{f.Property}");
            frames.Push(f.IsArray ? f with { Index = f.Index + 1 } : f);
            return path;
        }
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                {
                    var f = frames.Pop();
                    string name = reader.GetString()!;
                    frames.Push(f with { Property = name });
                    map._lines.TryAdd(f.Path.Length == 0 ? name : $"{f.Path}.{name}", Line(reader.TokenStartIndex));
                    break;
                }
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                {
                    string path = NextPath();
                    map._lines.TryAdd(path, Line(reader.TokenStartIndex));
                    frames.Push((path, reader.TokenType == JsonTokenType.StartArray, 0, null));
                    break;
                }
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    frames.Pop();
                    break;
                case JsonTokenType.Comment:
                    break;
                default:
                    map._lines.TryAdd(NextPath(), Line(reader.TokenStartIndex));
                    break;
            }
        }
        return map;
    }
}
