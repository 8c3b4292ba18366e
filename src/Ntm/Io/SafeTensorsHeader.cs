using System.Text.Json;
using System.Text.Unicode;

namespace Ntm.Io;

/// <summary>
/// Parses and checks a safetensors JSON header. Every number is checked before it is used, so a
/// hostile header can cause an <see cref="InvalidFileException"/> and nothing else.
/// </summary>
internal static class SafeTensorsHeader
{
    /// <summary>One tensor's header entry, checked against the limits and its own shape.</summary>
    /// <param name="Name">The tensor's name.</param>
    /// <param name="Type">The element type of its data.</param>
    /// <param name="Shape">Its dimensions.</param>
    /// <param name="Count">The product of <paramref name="Shape"/> (set by <see cref="CheckLayout"/>).</param>
    /// <param name="Begin">The first data byte, relative to the end of the header.</param>
    /// <param name="End">One past the last data byte.</param>
    /// <param name="Index">Its position in the header.</param>
    internal sealed record Entry(string Name, ElementType Type, int[] Shape, int Count, long Begin, long End, int Index);

    /// <summary>Parses the header bytes into metadata and entries (in data order after <see cref="CheckLayout"/>).</summary>
    public static (Dictionary<string, string> Metadata, List<Entry> Entries) Parse(ReadOnlySpan<byte> header, string source, SafeTensorsLimits limits)
    {
        if (header.Length == 0 || header[0] != (byte)'{')
            throw Fail(source, "header does not start with '{' (not a safetensors file?)");
        if (!Utf8.IsValid(header))
            throw Fail(source, "header is not valid UTF-8");
        try
        {
            return ParseObject(header, source, limits);
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(source, $"header is not valid JSON: {SafeTensorsText.OneLine(e.Message)}", e);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader.GetString refuses escapes that decode to unpaired surrogates this way.
            throw new InvalidFileException(source, $"header has a string that is not valid text: {SafeTensorsText.OneLine(e.Message)}", e);
        }
    }

    private static (Dictionary<string, string>, List<Entry>) ParseObject(ReadOnlySpan<byte> header, string source, SafeTensorsLimits limits)
    {
        var reader = new Utf8JsonReader(header, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
        });
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var entries = new List<Entry>();
        var keys = new HashSet<string>(StringComparer.Ordinal);

        Next(ref reader, source);
        Expect(ref reader, JsonTokenType.StartObject, "the header", source);
        while (true)
        {
            Next(ref reader, source);
            if (reader.TokenType == JsonTokenType.EndObject)
                break;
            string key = reader.GetString()!; // the reader only yields property names here
            if (!keys.Add(key))
                throw Fail(source, $"header names {SafeTensorsText.Quote(key)} twice");
            Next(ref reader, source);
            if (key == SafeTensorsFile.MetadataKey)
            {
                ParseMetadata(ref reader, metadata, source);
                continue;
            }
            if (key.Length == 0)
                throw Fail(source, "header has a tensor with an empty name");
            if (entries.Count >= limits.MaxTensors)
                throw Fail(source, $"holds more than the limit of {limits.MaxTensors} tensors");
            entries.Add(ParseEntry(ref reader, key, entries.Count, source));
        }
        if (reader.Read())
            throw Fail(source, "header has content after its closing '}'");
        return (metadata, entries);
    }

    private static void ParseMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata, string source)
    {
        Expect(ref reader, JsonTokenType.StartObject, $"'{SafeTensorsFile.MetadataKey}'", source);
        while (true)
        {
            Next(ref reader, source);
            if (reader.TokenType == JsonTokenType.EndObject)
                return;
            string key = reader.GetString()!;
            Next(ref reader, source);
            if (reader.TokenType != JsonTokenType.String)
                throw Fail(source, $"metadata value for {SafeTensorsText.Quote(key)} is {Describe(reader.TokenType)}, not a string");
            if (!metadata.TryAdd(key, reader.GetString()!))
                throw Fail(source, $"metadata names {SafeTensorsText.Quote(key)} twice");
        }
    }

    private static Entry ParseEntry(ref Utf8JsonReader reader, string name, int index, string source)
    {
        string q = SafeTensorsText.Quote(name);
        Expect(ref reader, JsonTokenType.StartObject, $"tensor {q}", source);
        ElementType? type = null;
        List<int>? shape = null;
        long[]? offsets = null;
        while (true)
        {
            Next(ref reader, source);
            if (reader.TokenType == JsonTokenType.EndObject)
                break;
            string field = reader.GetString()!;
            Next(ref reader, source);
            switch (field)
            {
                case "dtype":
                    if (type is not null)
                        throw Fail(source, $"tensor {q} has two dtypes");
                    type = ParseType(ref reader, q, source);
                    break;
                case "shape":
                    if (shape is not null)
                        throw Fail(source, $"tensor {q} has two shapes");
                    shape = ParseShape(ref reader, q, source);
                    break;
                case "data_offsets":
                    if (offsets is not null)
                        throw Fail(source, $"tensor {q} has two data_offsets");
                    offsets = ParseOffsets(ref reader, q, source);
                    break;
                default:
                    // Fields the format does not define are ignored, as the reference reader does.
                    reader.Skip();
                    break;
            }
        }
        if (type is null)
            throw Fail(source, $"tensor {q} has no dtype");
        if (shape is null)
            throw Fail(source, $"tensor {q} has no shape");
        if (offsets is null)
            throw Fail(source, $"tensor {q} has no data_offsets");
        return new Entry(name, type.Value, [.. shape], 0, offsets[0], offsets[1], index);
    }

    private static ElementType ParseType(ref Utf8JsonReader reader, string q, string source)
    {
        if (reader.TokenType != JsonTokenType.String)
            throw Fail(source, $"tensor {q} has a dtype that is {Describe(reader.TokenType)}, not a string");
        string dtype = reader.GetString()!;
        return dtype switch
        {
            "F32" => ElementType.F32,
            "F64" => ElementType.F64,
            "F16" => ElementType.F16,
            "BF16" => ElementType.BF16,
            _ => throw Fail(source, $"tensor {q} has dtype {SafeTensorsText.Quote(dtype)}; only F32, F64, F16 and BF16 can be read as float"),
        };
    }

    private static List<int> ParseShape(ref Utf8JsonReader reader, string q, string source)
    {
        Expect(ref reader, JsonTokenType.StartArray, $"the shape of tensor {q}", source);
        var shape = new List<int>();
        while (true)
        {
            Next(ref reader, source);
            if (reader.TokenType == JsonTokenType.EndArray)
                return shape;
            if (reader.TokenType != JsonTokenType.Number
                || !reader.TryGetInt64(out long d) || d < 0 || d > int.MaxValue)
                throw Fail(source, $"tensor {q} has shape dimension {shape.Count} = {Token(ref reader)}; dimensions are whole numbers from 0 to {int.MaxValue}");
            shape.Add((int)d);
        }
    }

    private static long[] ParseOffsets(ref Utf8JsonReader reader, string q, string source)
    {
        Expect(ref reader, JsonTokenType.StartArray, $"the data_offsets of tensor {q}", source);
        var offsets = new long[2];
        int n = 0;
        while (true)
        {
            Next(ref reader, source);
            if (reader.TokenType == JsonTokenType.EndArray)
                break;
            if (n == 2)
                throw Fail(source, $"tensor {q} has more than two data_offsets; it needs [begin, end]");
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long v) || v < 0)
                throw Fail(source, $"tensor {q} has data offset {Token(ref reader)}; offsets are whole numbers from 0 to {long.MaxValue}");
            offsets[n++] = v;
        }
        if (n != 2)
            throw Fail(source, $"tensor {q} has {n} data_offsets; it needs two, [begin, end]");
        return offsets;
    }

    /// <summary>
    /// Checks each entry's shape against its byte range and the limits, then that the ranges,
    /// in order, tile the data exactly: no overlap, no gap, nothing past the end, nothing after
    /// the last tensor. Sorts <paramref name="entries"/> into data order and fills in their counts.
    /// </summary>
    public static void CheckLayout(List<Entry> entries, long dataLength, string source, SafeTensorsLimits limits)
    {
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            string q = SafeTensorsText.Quote(e.Name);
            string shape = SafeTensorsText.Shape(e.Shape);
            long count = Product(e.Shape)
                ?? throw Fail(source, $"tensor {q} has shape {shape}, whose number of values overflows 64 bits");
            if (count > limits.MaxTensorElements)
                throw Fail(source, $"tensor {q} has shape {shape} ({count} values), more than the limit of {limits.MaxTensorElements}");
            if (count > Array.MaxLength)
                throw Fail(source, $"tensor {q} has shape {shape} ({count} values), more than one array holds");
            long bytes = count * e.Type.Size();
            if (e.End < e.Begin)
                throw Fail(source, $"tensor {q} has data_offsets [{e.Begin}, {e.End}], which end before they begin");
            if (e.End - e.Begin != bytes)
                throw Fail(source, $"tensor {q} has shape {shape} ({count} values) but its data is {e.End - e.Begin} bytes, not {bytes} ({e.Type})");
            if (e.End > dataLength)
                throw Fail(source, $"tensor {q} has data_offsets [{e.Begin}, {e.End}], past the end of the data ({dataLength} bytes)");
            entries[i] = e with { Count = (int)count };
        }

        entries.Sort(static (a, b) =>
        {
            int c = a.Begin.CompareTo(b.Begin);
            if (c == 0) c = a.End.CompareTo(b.End);
            return c != 0 ? c : a.Index.CompareTo(b.Index);
        });

        long covered = 0;
        Entry? previous = null;
        foreach (var e in entries)
        {
            if (e.Begin < covered)
                throw Fail(source, $"tensors {SafeTensorsText.Quote(previous!.Name)} and {SafeTensorsText.Quote(e.Name)} overlap (data_offsets [{previous.Begin}, {previous.End}] and [{e.Begin}, {e.End}])");
            if (e.Begin > covered)
                throw Fail(source, $"data bytes [{covered}, {e.Begin}) belong to no tensor (before tensor {SafeTensorsText.Quote(e.Name)})");
            covered = e.End;
            previous = e;
        }
        if (covered != dataLength)
            throw Fail(source, $"the last {dataLength - covered} bytes belong to no tensor (the tensors cover {covered} of {dataLength} data bytes)");
    }

    /// <summary>The product of the dimensions, or null if it overflows a long (0 if any dimension is 0).</summary>
    private static long? Product(int[] shape)
    {
        if (Array.IndexOf(shape, 0) >= 0)
            return 0;
        long p = 1;
        foreach (int d in shape)
        {
            if (p > long.MaxValue / d)
                return null;
            p *= d;
        }
        return p;
    }

    private static void Next(ref Utf8JsonReader reader, string source)
    {
        if (!reader.Read())
            throw Fail(source, "header JSON ends early");
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what, string source)
    {
        if (reader.TokenType != type)
            throw Fail(source, $"{what} is {Describe(reader.TokenType)}, not {Describe(type)}");
    }

    /// <summary>A short quote of the current token for a message.</summary>
    private static string Token(ref Utf8JsonReader reader)
    {
        if (reader.TokenType is JsonTokenType.Number or JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null)
        {
            var raw = reader.ValueSpan;
            string text = System.Text.Encoding.UTF8.GetString(raw[..Math.Min(raw.Length, 40)]);
            return raw.Length > 40 ? text + "..." : text;
        }
        return Describe(reader.TokenType);
    }

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };

    private static InvalidFileException Fail(string source, string problem) => new(source, problem);
}
