using System.Buffers.Binary;
using System.Text;

namespace Ntm.Tests.Io;

/// <summary>Builds safetensors files by hand, byte by byte, as the format's description lays them out.</summary>
internal static class SafeTensorsBytes
{
    /// <summary>8-byte little-endian header length, the header's UTF-8 bytes, then the data.</summary>
    public static byte[] Build(string header, params byte[][] data) => Build(Encoding.UTF8.GetBytes(header), data);

    /// <summary>8-byte little-endian header length, the header bytes, then the data.</summary>
    public static byte[] Build(byte[] header, params byte[][] data) =>
        WithLength((ulong)header.Length, header, data);

    /// <summary>Like <see cref="Build(byte[], byte[][])"/> but with any value in the length field.</summary>
    public static byte[] WithLength(ulong headerLength, byte[] header, params byte[][] data)
    {
        var bytes = new List<byte>();
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, headerLength);
        bytes.AddRange(prefix);
        bytes.AddRange(header);
        foreach (var d in data)
            bytes.AddRange(d);
        return [.. bytes];
    }

    public static byte[] F32(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    public static byte[] F64(params double[] values)
    {
        var bytes = new byte[8 * values.Length];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(8 * i), values[i]);
        return bytes;
    }

    public static byte[] F16(params float[] values)
    {
        var bytes = new byte[2 * values.Length];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan(2 * i), (Half)values[i]);
        return bytes;
    }

    /// <summary>bfloat16: the top 16 bits of each float (the values used in tests are exact).</summary>
    public static byte[] BF16(params float[] values)
    {
        var bytes = new byte[2 * values.Length];
        for (int i = 0; i < values.Length; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), (ushort)(BitConverter.SingleToUInt32Bits(values[i]) >> 16));
        return bytes;
    }
}
