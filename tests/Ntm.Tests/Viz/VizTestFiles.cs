using System.Buffers.Binary;
using SkiaSharp;
using Xunit;

namespace Ntm.Tests.Viz;

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ntm-viz-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}

/// <summary>Checks on PNG files: signature, header size, and that the picture is not blank.</summary>
internal static class PngAssert
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Asserts a valid PNG of the given size with at least <paramref name="minColors"/> distinct colours.</summary>
    public static void IsPicture(string path, int width, int height, int minColors = 16)
    {
        Assert.True(File.Exists(path), $"{path} was not written");
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 33, $"{path} is only {bytes.Length} bytes");
        Assert.Equal(Signature, bytes[..8]);
        // The first chunk is IHDR: length (4), "IHDR" (4), width (4, big-endian), height (4).
        Assert.Equal("IHDR"u8.ToArray(), bytes[12..16]);
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
        Assert.True(DistinctColors(path) >= minColors, $"{path} has fewer than {minColors} colours");
    }

    /// <summary>How many different colours the decoded picture has.</summary>
    public static int DistinctColors(string path)
    {
        using SKBitmap bitmap = SKBitmap.Decode(path) ?? throw new InvalidOperationException($"{path} does not decode");
        var colors = new HashSet<uint>();
        foreach (SKColor c in bitmap.Pixels) colors.Add((uint)c);
        return colors.Count;
    }
}
