using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace Ntm.Io;

/// <summary>
/// A named tensor of 32-bit floats in row-major order: the unit a safetensors file stores.
/// </summary>
/// <remarks>
/// The arrays are kept, not copied. Two tensors are equal when their names, shapes and the bits
/// of their values are equal (so <c>-0.0</c> differs from <c>0.0</c> and a NaN equals the same NaN).
/// </remarks>
/// <param name="Name">The tensor's name, unique within a file; not empty and not <c>__metadata__</c>.</param>
/// <param name="Shape">The dimensions, outermost first; <c>[]</c> is a scalar (one value).</param>
/// <param name="Data">The values, row-major; its length is the product of <paramref name="Shape"/>.</param>
internal sealed record NamedTensor(string Name, int[] Shape, float[] Data)
{
    /// <summary>The tensor's name, unique within a file.</summary>
    /// <exception cref="MalformedDataException">The name is empty or is the reserved <c>__metadata__</c>.</exception>
    public string Name { get; } = CheckName(Name);

    /// <summary>The dimensions, outermost first; empty for a scalar.</summary>
    /// <exception cref="MalformedDataException">A dimension is negative.</exception>
    public int[] Shape { get; } = CheckShape(Name, Shape);

    /// <summary>The values, row-major.</summary>
    /// <exception cref="MalformedDataException">The length is not the product of the shape.</exception>
    public float[] Data { get; } = CheckData(Name, Shape, Data);

    /// <summary>True when the names, shapes and the bits of every value are equal.</summary>
    public bool Equals(NamedTensor? other) =>
        other is not null
        && Name == other.Name
        && Shape.AsSpan().SequenceEqual(other.Shape)
        && MemoryMarshal.Cast<float, int>(Data.AsSpan()).SequenceEqual(MemoryMarshal.Cast<float, int>(other.Data.AsSpan()));

    /// <summary>A hash of the name and the shape.</summary>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Name, StringComparer.Ordinal);
        foreach (int d in Shape)
            hash.Add(d);
        return hash.ToHashCode();
    }

    /// <summary>The name and the shape, e.g. <c>controller.w [400, 129]</c>.</summary>
    public override string ToString() => $"{Name} {SafeTensorsText.Shape(Shape)}";

    private static string CheckName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
            throw new MalformedDataException("A tensor name cannot be empty.");
        if (name == SafeTensorsFile.MetadataKey)
            throw new MalformedDataException($"A tensor cannot be named '{SafeTensorsFile.MetadataKey}'; that key holds the file's metadata.");
        return name;
    }

    private static int[] CheckShape(string name, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        foreach (int d in shape)
        {
            if (d < 0)
                throw new MalformedDataException($"Tensor {SafeTensorsText.Quote(name)} has shape {SafeTensorsText.Shape(shape)} with a negative dimension.");
        }
        return shape;
    }

    private static float[] CheckData(string name, int[] shape, float[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        long count = 1;
        foreach (int d in shape)
        {
            count *= d; // stops growing past int.MaxValue below, so this cannot overflow
            if (count > int.MaxValue)
                break;
        }
        if (count != data.Length)
            throw new MalformedDataException(
                $"Tensor {SafeTensorsText.Quote(name)} has shape {SafeTensorsText.Shape(shape)} ({(count > int.MaxValue ? "more than 2^31" : count.ToString())} values) but {data.Length} values were given.");
        return data;
    }
}

/// <summary>Bounds a safetensors reader enforces before it allocates anything a file asks for.</summary>
/// <param name="MaxHeaderBytes">The largest JSON header accepted (default 16 MiB).</param>
/// <param name="MaxTensorElements">The most values one tensor may hold (default 2^28).</param>
/// <param name="MaxTensors">The most tensors one file may hold (default 10000).</param>
/// <param name="MaxFileBytes">The largest file accepted (default 4 GiB).</param>
internal sealed record SafeTensorsLimits(
    long MaxHeaderBytes = 16L << 20,
    long MaxTensorElements = 1L << 28,
    int MaxTensors = 10_000,
    long MaxFileBytes = 4L << 30)
{
    /// <summary>The default limits, generous for any checkpoint this library writes.</summary>
    public static SafeTensorsLimits Default { get; } = new();

    internal void Validate()
    {
        if (MaxHeaderBytes <= 0 || MaxTensorElements <= 0 || MaxTensors <= 0 || MaxFileBytes <= 0)
            throw new InvalidConfigurationException($"Safetensors limits must all be positive, not {this}.");
    }
}

/// <summary>What a safetensors file holds: its metadata and its tensors.</summary>
internal sealed class SafeTensorsContent
{
    private readonly Dictionary<string, NamedTensor> _byName;

    internal SafeTensorsContent(string source, IReadOnlyDictionary<string, string> metadata, IReadOnlyList<NamedTensor> tensors)
    {
        Source = source;
        Metadata = metadata;
        Tensors = tensors;
        _byName = new Dictionary<string, NamedTensor>(tensors.Count, StringComparer.Ordinal);
        foreach (var t in tensors)
            _byName.Add(t.Name, t);
    }

    /// <summary>The file (or other source name) the content was read from; errors name it.</summary>
    public string Source { get; }

    /// <summary>The <c>__metadata__</c> strings; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in the order their data lies in the file (equal offsets: header order).</summary>
    public IReadOnlyList<NamedTensor> Tensors { get; }

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <exception cref="InvalidFileException">The file has no tensor of that name; the message names the file and the tensor.</exception>
    public NamedTensor Get(string name)
    {
        if (TryGet(name, out var tensor))
            return tensor;
        string known = Tensors.Count == 0
            ? "it holds no tensors"
            : "it holds " + string.Join(", ", Tensors.Take(5).Select(t => SafeTensorsText.Quote(t.Name)))
              + (Tensors.Count > 5 ? $" and {Tensors.Count - 5} more" : "");
        throw new InvalidFileException(Source, $"has no tensor {SafeTensorsText.Quote(name)} ({known})");
    }

    /// <summary>Looks up the tensor called <paramref name="name"/>.</summary>
    /// <returns>True and the tensor if the file holds it; false and null otherwise.</returns>
    public bool TryGet(string name, [NotNullWhen(true)] out NamedTensor? tensor)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out tensor);
    }
}

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of
/// UTF-8 JSON (<c>{"__metadata__": {...}, "name": {"dtype": "F32", "shape": [...],
/// "data_offsets": [begin, end]}, ...}</c>, padded with spaces), then the raw little-endian tensor
/// bytes, with offsets relative to the first byte after the header.
/// </summary>
/// <remarks>
/// Writing always uses F32. Reading accepts F32 and converts F64, F16 and BF16 to float. Reading
/// treats the file as hostile: every length and offset is checked before it is used, and every
/// problem becomes an <see cref="InvalidFileException"/> whose message names the file and the problem.
/// </remarks>
internal static class SafeTensorsFile
{
    /// <summary>The header key that holds the string-to-string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The header is padded with spaces so the data starts on this boundary (as the reference writer does).</summary>
    private const int Alignment = 8;

    /// <summary>Bytes a file is read or converted in when it cannot be read straight into the floats.</summary>
    private const int ChunkBytes = 1 << 16;

    /// <summary>Writes <paramref name="tensors"/> (data in the given order) and <paramref name="metadata"/> to <paramref name="path"/>, atomically.</summary>
    /// <param name="path">The file to write; its directory is created if missing.</param>
    /// <param name="tensors">The tensors, with unique names and finite values.</param>
    /// <param name="metadata">Optional string metadata, stored under <c>__metadata__</c>.</param>
    /// <exception cref="MalformedDataException">Names repeat, a value is NaN or infinite, or a string is not valid UTF-16.</exception>
    /// <exception cref="IOException">The file system refused the write.</exception>
    public static void Write(string path, IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        byte[] header = BuildHeader(tensors, metadata, out _);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> prefix = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
            stream.Write(prefix);
            stream.Write(header);
            byte[]? chunk = BitConverter.IsLittleEndian ? null : new byte[ChunkBytes];
            foreach (var t in tensors)
            {
                if (chunk is null)
                {
                    stream.Write(MemoryMarshal.AsBytes(t.Data.AsSpan()));
                    continue;
                }
                for (int i = 0; i < t.Data.Length; i += ChunkBytes / 4)
                {
                    var part = t.Data.AsSpan(i, Math.Min(ChunkBytes / 4, t.Data.Length - i));
                    EncodeF32(part, chunk);
                    stream.Write(chunk, 0, part.Length * 4);
                }
            }
        });
    }

    /// <summary>The bytes of a safetensors file holding <paramref name="tensors"/> and <paramref name="metadata"/>.</summary>
    /// <param name="tensors">The tensors, with unique names and finite values; data is laid out in this order.</param>
    /// <param name="metadata">Optional string metadata, stored under <c>__metadata__</c>.</param>
    /// <exception cref="MalformedDataException">Names repeat, a value is NaN or infinite, a string is not valid UTF-16, or the result would not fit in one array.</exception>
    public static byte[] Serialize(IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        byte[] header = BuildHeader(tensors, metadata, out long dataBytes);
        long total = 8 + header.LongLength + dataBytes;
        if (total > Array.MaxLength)
            throw new MalformedDataException($"The tensors need {total} bytes, more than one array holds; write them to a file with {nameof(SafeTensorsFile)}.{nameof(Write)}.");
        var bytes = new byte[total];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        int at = 8 + header.Length;
        foreach (var t in tensors)
        {
            EncodeF32(t.Data, bytes.AsSpan(at, t.Data.Length * 4));
            at += t.Data.Length * 4;
        }
        return bytes;
    }

    /// <summary>Reads the safetensors file at <paramref name="path"/>.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="limits">Bounds on the file; <see cref="SafeTensorsLimits.Default"/> when null.</param>
    /// <exception cref="InvalidFileException">The file is missing, unreadable, malformed, over a limit, or holds NaN or infinity; the message names the file and the problem.</exception>
    /// <exception cref="InvalidConfigurationException">A limit is not positive.</exception>
    public static SafeTensorsContent Read(string path, SafeTensorsLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        limits ??= SafeTensorsLimits.Default;
        limits.Validate();
        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidFileException(path, "file not found", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new InvalidFileException(path, $"cannot be opened: {SafeTensorsText.OneLine(e.Message)}", e);
        }

        using (handle)
        {
            try
            {
                return ReadOpen(handle, path, limits);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InvalidFileException(path, $"cannot be read: {SafeTensorsText.OneLine(e.Message)}", e);
            }
        }
    }

    /// <summary>Reads a safetensors file held in memory.</summary>
    /// <param name="bytes">The whole file.</param>
    /// <param name="sourceName">What to call the bytes in error messages, e.g. the file name.</param>
    /// <param name="limits">Bounds on the file; <see cref="SafeTensorsLimits.Default"/> when null.</param>
    /// <exception cref="InvalidFileException">The bytes are malformed, over a limit, or hold NaN or infinity; the message names the source and the problem.</exception>
    /// <exception cref="InvalidConfigurationException">A limit is not positive.</exception>
    public static SafeTensorsContent Deserialize(ReadOnlySpan<byte> bytes, string sourceName, SafeTensorsLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        limits ??= SafeTensorsLimits.Default;
        limits.Validate();

        int headerLength = CheckPrefix(bytes.Length, bytes, sourceName, limits);
        var (metadata, entries) = SafeTensorsHeader.Parse(bytes.Slice(8, headerLength), sourceName, limits);
        long dataStart = 8L + headerLength;
        SafeTensorsHeader.CheckLayout(entries, bytes.Length - dataStart, sourceName, limits);

        var tensors = new NamedTensor[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var data = new float[e.Count];
            Decode(bytes.Slice((int)(dataStart + e.Begin), (int)(e.End - e.Begin)), e.Type, data);
            tensors[i] = Finish(e, data, sourceName);
        }
        return new SafeTensorsContent(sourceName, metadata, tensors);
    }

    private static SafeTensorsContent ReadOpen(SafeFileHandle handle, string path, SafeTensorsLimits limits)
    {
        long length = RandomAccess.GetLength(handle);
        Span<byte> prefix = stackalloc byte[8];
        int got = length >= 8 ? ReadUpTo(handle, prefix, 0) : 0;
        int headerLength = CheckPrefix(length, prefix[..got], path, limits);

        var header = new byte[headerLength]; // at most MaxHeaderBytes and at most the file's size
        ReadExactly(handle, header, 8, path);
        var (metadata, entries) = SafeTensorsHeader.Parse(header, path, limits);
        long dataStart = 8L + headerLength;
        SafeTensorsHeader.CheckLayout(entries, length - dataStart, path, limits);

        var tensors = new NamedTensor[entries.Count];
        byte[]? chunk = null;
        try
        {
            for (int i = 0; i < entries.Count; i++)
            {
                var e = entries[i];
                var data = new float[e.Count];
                long offset = dataStart + e.Begin;
                if (e.Type == ElementType.F32 && BitConverter.IsLittleEndian)
                {
                    ReadExactly(handle, MemoryMarshal.AsBytes(data.AsSpan()), offset, path);
                }
                else
                {
                    chunk ??= ArrayPool<byte>.Shared.Rent(ChunkBytes);
                    int size = e.Type.Size();
                    int perChunk = ChunkBytes / size;
                    for (int at = 0; at < data.Length; at += perChunk)
                    {
                        int n = Math.Min(perChunk, data.Length - at);
                        var raw = chunk.AsSpan(0, n * size);
                        ReadExactly(handle, raw, offset + (long)at * size, path);
                        Decode(raw, e.Type, data.AsSpan(at, n));
                    }
                }
                tensors[i] = Finish(e, data, path);
            }
        }
        finally
        {
            if (chunk is not null)
                ArrayPool<byte>.Shared.Return(chunk);
        }
        return new SafeTensorsContent(path, metadata, tensors);
    }

    /// <summary>Checks the file's size and its 8-byte header length; returns the header length.</summary>
    /// <param name="fileLength">The whole file's length in bytes.</param>
    /// <param name="prefix">The file's first bytes (at least 8 when the file has them).</param>
    /// <param name="source">The file's name, for messages.</param>
    /// <param name="limits">The bounds to enforce.</param>
    private static int CheckPrefix(long fileLength, ReadOnlySpan<byte> prefix, string source, SafeTensorsLimits limits)
    {
        if (fileLength > limits.MaxFileBytes)
            throw new InvalidFileException(source, $"is {fileLength} bytes, more than the limit of {limits.MaxFileBytes}");
        if (fileLength < 8 || prefix.Length < 8)
            throw new InvalidFileException(source, $"is {fileLength} bytes long, too short for a safetensors file (it starts with an 8-byte header length)");
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n > (ulong)(fileLength - 8))
            throw new InvalidFileException(source, $"header length {n} is larger than the rest of the file ({fileLength - 8} bytes); the file is truncated or not a safetensors file");
        if (n > (ulong)limits.MaxHeaderBytes)
            throw new InvalidFileException(source, $"header length {n} is more than the limit of {limits.MaxHeaderBytes} bytes");
        if (n > (ulong)Array.MaxLength)
            throw new InvalidFileException(source, $"header length {n} is more than one array holds");
        return (int)n;
    }

    private static NamedTensor Finish(SafeTensorsHeader.Entry e, float[] data, string source)
    {
        for (int i = 0; i < data.Length; i++)
        {
            if (!float.IsFinite(data[i]))
            {
                string what = float.IsNaN(data[i]) ? "NaN" : data[i] > 0 ? "+infinity" : "-infinity";
                string why = e.Type == ElementType.F64 && !float.IsNaN(data[i]) ? " (or an F64 value beyond the float range)" : "";
                throw new InvalidFileException(source, $"tensor {SafeTensorsText.Quote(e.Name)} holds {what}{why} at index {i}");
            }
        }
        return new NamedTensor(e.Name, e.Shape, data);
    }

    /// <summary>Converts little-endian values of <paramref name="type"/> in <paramref name="raw"/> to floats.</summary>
    private static void Decode(ReadOnlySpan<byte> raw, ElementType type, Span<float> dest)
    {
        switch (type)
        {
            case ElementType.F32 when BitConverter.IsLittleEndian:
                raw.CopyTo(MemoryMarshal.AsBytes(dest));
                break;
            case ElementType.F32:
                for (int i = 0; i < dest.Length; i++)
                    dest[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]);
                break;
            case ElementType.F64:
                for (int i = 0; i < dest.Length; i++)
                    dest[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(raw[(8 * i)..]);
                break;
            case ElementType.F16:
                for (int i = 0; i < dest.Length; i++)
                    dest[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw[(2 * i)..]);
                break;
            case ElementType.BF16:
                // bfloat16 is the top half of a float32.
                for (int i = 0; i < dest.Length; i++)
                    dest[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]) << 16);
                break;
            default:
                throw new System.Diagnostics.UnreachableException($"Unhandled element type {type}.");
        }
    }

    private static void EncodeF32(ReadOnlySpan<float> values, Span<byte> dest)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(values).CopyTo(dest);
            return;
        }
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(dest[(4 * i)..], values[i]);
    }

    /// <summary>Validates the tensors and metadata and builds the space-padded JSON header.</summary>
    private static byte[] BuildHeader(IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata, out long dataBytes)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            ArgumentNullException.ThrowIfNull(t, nameof(tensors));
            if (!names.Add(t.Name))
                throw new MalformedDataException($"Two tensors are named {SafeTensorsText.Quote(t.Name)}; names in a safetensors file must be unique.");
            CheckUtf16(t.Name, "tensor name");
            int bad = IndexOfNonFinite(t.Data);
            if (bad >= 0)
                throw new MalformedDataException($"Tensor {SafeTensorsText.Quote(t.Name)} holds {t.Data[bad]} at index {bad}; only finite values can be saved.");
        }
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                if (value is null)
                    throw new MalformedDataException($"Metadata {SafeTensorsText.Quote(key)} has a null value; metadata values are strings.");
                CheckUtf16(key, "metadata key");
                CheckUtf16(value, "metadata value");
            }
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                    json.WriteString(key, value);
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in tensors)
            {
                json.WriteStartObject(t.Name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in t.Shape)
                    json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                offset += 4L * t.Data.Length;
                json.WriteNumberValue(offset);
                json.WriteEndArray();
                json.WriteEndObject();
            }
            json.WriteEndObject();
            dataBytes = offset;
        }

        int padded = (buffer.WrittenCount + Alignment - 1) / Alignment * Alignment;
        var header = new byte[padded];
        buffer.WrittenSpan.CopyTo(header);
        header.AsSpan(buffer.WrittenCount).Fill((byte)' ');
        return header;
    }

    private static int IndexOfNonFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
                return i;
        }
        return -1;
    }

    private static void CheckUtf16(string s, string what)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (!char.IsSurrogate(s[i]))
                continue;
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
                continue;
            }
            throw new MalformedDataException($"The {what} {SafeTensorsText.Quote(s)} is not valid UTF-16 (it has an unpaired surrogate).");
        }
    }

    /// <summary>Reads until <paramref name="dest"/> is full or the file ends; returns the bytes read.</summary>
    private static int ReadUpTo(SafeFileHandle handle, Span<byte> dest, long offset)
    {
        int total = 0;
        while (total < dest.Length)
        {
            int n = RandomAccess.Read(handle, dest[total..], offset + total);
            if (n == 0)
                break;
            total += n;
        }
        return total;
    }

    private static void ReadExactly(SafeFileHandle handle, Span<byte> dest, long offset, string path)
    {
        int n = ReadUpTo(handle, dest, offset);
        if (n < dest.Length)
            throw new InvalidFileException(path, $"ended at byte {offset + n} while {dest.Length - n} more bytes were expected (was it changed while being read?)");
    }
}

/// <summary>The element types a safetensors file may use that this reader converts to float.</summary>
internal enum ElementType
{
    F32,
    F64,
    F16,
    BF16,
}

internal static class ElementTypeExtensions
{
    /// <summary>Bytes per value.</summary>
    public static int Size(this ElementType type) => type switch
    {
        ElementType.F64 => 8,
        ElementType.F32 => 4,
        _ => 2,
    };
}

/// <summary>Formats names and shapes for one-line error messages.</summary>
internal static class SafeTensorsText
{
    private const int MaxNameChars = 80;
    private const int MaxShownDims = 8;

    /// <summary>The name in single quotes, control characters escaped, unpaired surrogates replaced, long names shortened.</summary>
    public static string Quote(string name)
    {
        var sb = new StringBuilder(Math.Min(name.Length, MaxNameChars) + 8);
        sb.Append('\'');
        bool longName = name.EnumerateRunes().Skip(MaxNameChars).Any();
        int shown = 0;
        foreach (Rune r in name.EnumerateRunes())
        {
            if (longName && shown++ == MaxNameChars - 3)
            {
                sb.Append("...");
                break;
            }
            if (Rune.IsControl(r))
                sb.Append($"\\u{r.Value:x4}");
            else
                sb.Append(r.ToString());
        }
        sb.Append('\'');
        return sb.ToString();
    }

    /// <summary>The shape as <c>[400, 129]</c>, shortened when it has many dimensions.</summary>
    public static string Shape(IReadOnlyList<int> shape) =>
        shape.Count <= MaxShownDims
            ? "[" + string.Join(", ", shape) + "]"
            : "[" + string.Join(", ", shape.Take(MaxShownDims)) + $", ... ({shape.Count} dimensions)]";

    /// <summary>The text with line breaks replaced by spaces and other control characters escaped.</summary>
    public static string OneLine(string text)
    {
        text = text.ReplaceLineEndings(" ");
        if (!text.Any(char.IsControl))
            return text;
        var sb = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            if (char.IsControl(c))
                sb.Append($"\\u{(int)c:x4}");
            else
                sb.Append(c);
        }
        return sb.ToString();
    }
}
