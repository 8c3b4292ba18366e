using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ntm.Io;

/// <summary>
/// The JSON settings every file of a run uses: snake_case names, indented, enums as strings (the option
/// enums in their <see cref="EnumSpelling"/>, any other in kebab case).
/// </summary>
internal static class Json
{
    /// <summary>Options for configuration files (indented).</summary>
    public static JsonSerializerOptions Indented { get; } = Make(indented: true);

    /// <summary>Options for one-line records (metrics lines, metadata).</summary>
    public static JsonSerializerOptions Compact { get; } = Make(indented: false);

    private static JsonSerializerOptions Make(bool indented)
    {
        var o = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            WriteIndented = indented,
            NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        };
        o.Converters.Add(new EnumSpellingConverter());   // the option enums: one spelling shared with the command line
        o.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower));
        o.MakeReadOnly(populateMissingResolver: true);
        return o;
    }

    /// <summary>Parses <paramref name="text"/> as <typeparamref name="T"/>; any problem becomes an <see cref="InvalidFileException"/> naming <paramref name="source"/>.</summary>
    public static T Parse<T>(string text, string source, string what)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(text, Indented)
                ?? throw new InvalidFileException(source, $"the {what} is empty (null).");
        }
        catch (JsonException e)
        {
            throw new InvalidFileException(source, $"the {what} is not valid: {e.Message}", e);
        }
        catch (NotSupportedException e)
        {
            throw new InvalidFileException(source, $"the {what} is not valid: {e.Message}", e);
        }
    }
}
