using System.Text.Json;
using System.Text.Json.Serialization;
using Ntm.Model;
using Ntm.Training;

namespace Ntm.Io;

/// <summary>
/// The one spelling of every value of the library's option enums, shared by the command line and
/// every file (<c>config.json</c>, the configuration inside a <c>.safetensors</c> file):
/// <list type="bullet">
/// <item><see cref="ControllerKind"/>: <c>lstm</c>, <c>feedforward</c> (also read: <c>feed-forward</c>, <c>ff</c>)</item>
/// <item><see cref="MemoryInit"/>: <c>constant</c>, <c>learned</c>, <c>random</c></item>
/// <item><see cref="OptimizerKind"/>: <c>rmsprop</c> (also read: <c>rms-prop</c>), <c>adam</c></item>
/// <item><see cref="ModelKind"/>: <c>ntm-lstm</c>, <c>ntm-ff</c> (also read: <c>ntm-feedforward</c>), <c>lstm</c></item>
/// </list>
/// Values are written in the first spelling and read, ignoring case, in any of them; the other
/// spellings are those older files and the command line have used, so both keep working.
/// </summary>
public static class EnumSpelling
{
    private sealed record Entry(object Value, string[] Spellings);

    private sealed record Table(string What, Entry[] Entries)
    {
        public string Choices => Entries.Length == 1
            ? Entries[0].Spellings[0]
            : $"{string.Join(", ", Entries[..^1].Select(e => e.Spellings[0]))} or {Entries[^1].Spellings[0]}";
    }

    private static Entry E<T>(T value, params string[] spellings) where T : struct, Enum => new(value, spellings);

    private static readonly Dictionary<Type, Table> Tables = new()
    {
        [typeof(ControllerKind)] = new("controller", [E(ControllerKind.Lstm, "lstm"), E(ControllerKind.FeedForward, "feedforward", "feed-forward", "ff")]),
        [typeof(MemoryInit)] = new("memory initialisation", [E(MemoryInit.Constant, "constant"), E(MemoryInit.Learned, "learned"), E(MemoryInit.Random, "random")]),
        [typeof(OptimizerKind)] = new("optimizer", [E(OptimizerKind.RmsProp, "rmsprop", "rms-prop"), E(OptimizerKind.Adam, "adam")]),
        [typeof(ModelKind)] = new("model", [E(ModelKind.NtmLstm, "ntm-lstm"), E(ModelKind.NtmFeedForward, "ntm-ff", "ntm-feedforward"), E(ModelKind.Lstm, "lstm")]),
    };

    /// <summary>The canonical spellings of every value of <typeparamref name="T"/>, in declaration order.</summary>
    public static IReadOnlyList<string> Names<T>() where T : struct, Enum => Array.AsReadOnly(Of<T>().Entries.Select(e => e.Spellings[0]).ToArray());

    /// <summary>The canonical spellings as a choice for messages and help, e.g. <c>constant, learned or random</c>.</summary>
    public static string Choices<T>() where T : struct, Enum => Of<T>().Choices;

    /// <summary>The canonical spelling of <paramref name="value"/>, e.g. <c>rmsprop</c>.</summary>
    /// <exception cref="InvalidConfigurationException">The value is not one of the enum's named values.</exception>
    public static string Format<T>(T value) where T : struct, Enum
    {
        Table table = Of<T>();
        foreach (Entry e in table.Entries)
            if (value.Equals(e.Value)) return e.Spellings[0];
        throw new InvalidConfigurationException($"Unknown {table.What} {Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)}; choose {table.Choices}.");
    }

    /// <summary>Reads any spelling of a value of <typeparamref name="T"/>, ignoring case and surrounding spaces.</summary>
    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        string trimmed = text?.Trim() ?? "";
        foreach (Entry e in Of<T>().Entries)
            if (e.Spellings.Contains(trimmed, StringComparer.OrdinalIgnoreCase))
            {
                value = (T)e.Value;
                return true;
            }
        value = default;
        return false;
    }

    /// <summary>Reads any spelling of a value of <typeparamref name="T"/>, ignoring case.</summary>
    /// <exception cref="InvalidConfigurationException">The text spells no value; the message lists the canonical spellings.</exception>
    public static T Parse<T>(string text) where T : struct, Enum
        => TryParse(text, out T value) ? value : throw new InvalidConfigurationException(UnknownMessage<T>(text));

    internal static bool Has(Type type) => Tables.ContainsKey(type);

    internal static string NotAStringMessage<T>(JsonTokenType token) where T : struct, Enum
    {
        Table table = Of<T>();
        return $"The {table.What} must be written as a name ({table.Choices}), got a JSON {token.ToString().ToLowerInvariant()}.";
    }

    internal static string UnknownMessage<T>(string? text) where T : struct, Enum
    {
        Table table = Of<T>();
        return $"Unknown {table.What} '{text}'; choose {table.Choices}.";
    }

    private static Table Of<T>() where T : struct, Enum
        => Tables.TryGetValue(typeof(T), out Table? table) ? table
            : throw new InvalidOperationException($"{typeof(T).Name} has no spelling table; add one to {nameof(EnumSpelling)}.");
}

/// <summary>
/// Reads and writes the enums <see cref="EnumSpelling"/> knows as JSON strings in their spellings
/// (writing the canonical one). The enums carry it as their <see cref="JsonConverterAttribute"/>, and
/// <see cref="Json"/>'s options list it first.
/// </summary>
internal sealed class EnumSpellingConverter : JsonConverterFactory
{
    /// <inheritdoc />
    public override bool CanConvert(Type typeToConvert) => EnumSpelling.Has(typeToConvert);

    /// <inheritdoc />
    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
        => (JsonConverter)Activator.CreateInstance(typeof(Converter<>).MakeGenericType(typeToConvert))!;

    private sealed class Converter<T> : JsonConverter<T> where T : struct, Enum
    {
        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.String) throw new JsonException(EnumSpelling.NotAStringMessage<T>(reader.TokenType));
            string? text = reader.GetString();
            return EnumSpelling.TryParse(text, out T value) ? value : throw new JsonException(EnumSpelling.UnknownMessage<T>(text));
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(EnumSpelling.Format(value));
    }
}
