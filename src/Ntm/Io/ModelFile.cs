using System.Text.Json;
using Ntm.Model;

namespace Ntm.Io;

/// <summary>
/// A trained machine in one safetensors file: one tensor per named parameter (names and shapes as in
/// <see cref="ParameterLayout"/>), and the machine's configuration as JSON in the metadata under
/// <c>ntm.config</c>, so Python tools can open the weights and this library can rebuild the machine.
/// </summary>
public static class ModelFile
{
    /// <summary>Metadata key holding the <see cref="NtmConfig"/> as JSON.</summary>
    internal const string ConfigKey = "ntm.config";
    /// <summary>Metadata key holding the file format version.</summary>
    internal const string FormatKey = "ntm.format";
    /// <summary>The format version this library writes and reads.</summary>
    internal const string FormatVersion = "1";

    /// <summary>The parameters in <paramref name="values"/> as named tensors (copies), each name prefixed with <paramref name="prefix"/>.</summary>
    internal static List<NamedTensor> Tensors(ParameterLayout layout, ReadOnlySpan<float> values, string prefix = "")
    {
        var list = new List<NamedTensor>(layout.Tensors.Count);
        foreach (ParameterTensor t in layout.Tensors)
            list.Add(new NamedTensor(prefix + t.Name, (int[])t.Shape.Clone(), values.Slice(t.Offset, t.Length).ToArray()));
        return list;
    }

    /// <summary>Writes the machine atomically (temporary file, then rename).</summary>
    public static void Save(string path, NeuralTuringMachine model, IReadOnlyDictionary<string, string>? extraMetadata = null)
    {
        var meta = new Dictionary<string, string>(extraMetadata ?? new Dictionary<string, string>())
        {
            [FormatKey] = FormatVersion,
            [ConfigKey] = JsonSerializer.Serialize(model.Config, Json.Compact),
        };
        SafeTensorsFile.Write(path, Tensors(model.Layout, model.Parameters), meta);
    }

    /// <summary>Reads a machine written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidFileException">The file is missing, malformed, or its tensors do not match its configuration.</exception>
    public static NeuralTuringMachine Load(string path) => Load(path, out _);

    /// <summary>Reads a machine written by <see cref="Save"/> and returns the file's metadata too.</summary>
    public static NeuralTuringMachine Load(string path, out IReadOnlyDictionary<string, string> metadata)
    {
        SafeTensorsContent content = SafeTensorsFile.Read(path);
        metadata = content.Metadata;
        NtmConfig config = ReadConfig(content, path);
        ParameterLayout layout = CheckedLayout(content, path, config, "");
        var values = new float[layout.Count];
        Fill(content, path, layout, values, "");
        foreach (NamedTensor t in content.Tensors)
            if (!layout.Contains(t.Name))
                throw new InvalidFileException(path, $"unknown tensor '{t.Name}' for this configuration.");
        return NeuralTuringMachine.FromParameters(config, values);
    }

    internal static NtmConfig ReadConfig(SafeTensorsContent content, string path)
    {
        if (!content.Metadata.TryGetValue(FormatKey, out string? format))
            throw new InvalidFileException(path, $"no '{FormatKey}' in the metadata: not a model file of this library.");
        if (format != FormatVersion)
            throw new InvalidFileException(path, $"format version '{format}' is not supported (this library reads version {FormatVersion}).");
        if (!content.Metadata.TryGetValue(ConfigKey, out string? json))
            throw new InvalidFileException(path, $"no '{ConfigKey}' (the machine's configuration) in the metadata.");
        NtmConfig config = Json.Parse<NtmConfig>(json, path, "configuration in the metadata");
        try
        {
            return config.Validate();
        }
        catch (InvalidConfigurationException e)
        {
            throw new InvalidFileException(path, $"the configuration in the metadata is invalid: {e.Message}", e);
        }
    }

    // The layout of a configuration read from a file, checked against the file's tensors before anything
    // is allocated from it: a configuration in a header cannot make us allocate more than the file holds.
    internal static ParameterLayout CheckedLayout(SafeTensorsContent content, string path, NtmConfig config, string prefix)
    {
        ParameterLayout layout;
        try { layout = new ParameterLayout(config); }
        catch (InvalidConfigurationException e) { throw new InvalidFileException(path, $"the configuration in the metadata is invalid: {e.Message}", e); }
        long present = 0;
        foreach (NamedTensor t in content.Tensors)
            if (t.Name.StartsWith(prefix, StringComparison.Ordinal)) present += t.Data.Length;
        if (present < layout.Count)
            throw new InvalidFileException(path, $"the configuration needs {layout.Count} parameters but the file holds {present}.");
        return layout;
    }

    // Copies every tensor of the layout from the file (named prefix + name) into values, checking shapes and values.
    internal static void Fill(SafeTensorsContent content, string path, ParameterLayout layout, Span<float> values, string prefix)
    {
        foreach (ParameterTensor t in layout.Tensors)
        {
            if (!content.TryGet(prefix + t.Name, out NamedTensor? tensor))
                throw new InvalidFileException(path, $"tensor '{prefix + t.Name}' is missing.");
            if (!tensor.Shape.AsSpan().SequenceEqual(t.Shape))
                throw new InvalidFileException(path,
                    $"tensor '{prefix + t.Name}' has shape [{string.Join(", ", tensor.Shape)}] but the configuration needs [{string.Join(", ", t.Shape)}].");
            for (int i = 0; i < tensor.Data.Length; i++)
                if (!float.IsFinite(tensor.Data[i]))
                    throw new InvalidFileException(path, $"tensor '{prefix + t.Name}' holds {tensor.Data[i]} at index {i}.");
            tensor.Data.CopyTo(values.Slice(t.Offset, t.Length));
        }
    }
}
