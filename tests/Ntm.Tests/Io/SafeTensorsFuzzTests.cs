using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using Ntm.Io;
using Xunit;

namespace Ntm.Tests.Io;

/// <summary>
/// Mutates valid files at random and checks that reading them either succeeds or raises
/// <see cref="InvalidFileException"/>, never any other exception.
/// </summary>
public sealed partial class SafeTensorsFuzzTests
{
    /// <summary>One random edit; how <see cref="A"/> and <see cref="B"/> are used depends on <see cref="Kind"/>.</summary>
    public sealed record Mutation(MutationKind Kind, int A, int B);

    public enum MutationKind
    {
        FlipBit,
        SetByte,
        Truncate,
        SetHeaderLength,
        NudgeHeaderLength,
        InsertBytes,
        DeleteBytes,
        AppendBytes,
        ReplaceNumber,
        ReplaceString,
        InsertJsonChar,
        DeleteJsonChar,
    }

    private static readonly byte[][] Seeds =
    [
        SafeTensorsFile.Serialize(
            [
                new NamedTensor("controller.w", [3, 4], [.. Enumerable.Range(0, 12).Select(i => i * 0.25f - 1f)]),
                new NamedTensor("heads.0.b", [2], [-0f, float.Epsilon]),
                new NamedTensor("step", [], [7f]),
                new NamedTensor("empty", [0, 5], []),
            ],
            new Dictionary<string, string> { ["format"] = "ntm", ["config"] = "{\"n\": 128}" }),
        SafeTensorsBytes.Build(
            """{"h":{"dtype":"F16","shape":[2,2],"data_offsets":[0,8]},"d":{"dtype":"F64","shape":[1],"data_offsets":[8,16]},"b":{"dtype":"BF16","shape":[3],"data_offsets":[16,22]},"__metadata__":{"k":"v"}}""",
            SafeTensorsBytes.F16(1, 2, 3, 4), SafeTensorsBytes.F64(0.5), SafeTensorsBytes.BF16(1, -1, 2)),
    ];

    private static readonly string[] Numbers =
        ["0", "-1", "1.5", "1e3", "1e400", "-0", "4294967296", "2147483647", "9223372036854775807",
         "18446744073709551616", "99999999999999999999999", "8", "16", "3", "null", "\"4\"", "[]", "{}", "true"];

    private static readonly string[] Strings =
        ["\"F32\"", "\"F16\"", "\"BF16\"", "\"F64\"", "\"I32\"", "\"\"", "\"__metadata__\"", "\"shape\"", "\"dtype\"",
         "\"data_offsets\"", "\"\\ud800\"", "\"\\u0000\"", "\"é\"", "1", "null", "[1]", "{}", "\"h\"", "\"step\""];

    private const string JsonChars = "{}[]\",:0123456789-.e \\";

    [GeneratedRegex(@"-?\d+(\.\d+)?([eE][+-]?\d+)?")]
    private static partial Regex NumberPattern();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringPattern();

    private static readonly Gen<Mutation> OneMutation = Gen.Select(
        Gen.Enum<MutationKind>(), Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue],
        (kind, a, b) => new Mutation(kind, a, b));

    [Fact]
    public void Mutated_files_are_read_or_rejected_with_InvalidFileException_only()
    {
        Gen.Select(Gen.Int[0, Seeds.Length - 1], OneMutation.Array[1, 5]).Sample((seed, mutations) =>
        {
            byte[] bytes = Seeds[seed];
            foreach (var m in mutations)
                bytes = Apply(bytes, m);
            try
            {
                var content = SafeTensorsFile.Deserialize(bytes, "fuzz.safetensors");
                // Whatever was accepted is consistent.
                foreach (var t in content.Tensors)
                    Assert.Equal(t.Shape.Aggregate(1L, (p, d) => p * d), t.Data.LongLength);
            }
            catch (InvalidFileException e)
            {
                Assert.StartsWith("fuzz.safetensors: ", e.Message);
            }
        }, iter: 30_000, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void Mutated_files_on_disk_are_read_or_rejected_with_InvalidFileException_only()
    {
        using var dir = new TempDirectory();
        Gen.Select(Gen.Int[0, Seeds.Length - 1], OneMutation.Array[1, 5]).Sample((seed, mutations) =>
        {
            byte[] bytes = Seeds[seed];
            foreach (var m in mutations)
                bytes = Apply(bytes, m);
            string path = dir.File(Guid.NewGuid().ToString("N") + ".safetensors");
            File.WriteAllBytes(path, bytes);
            try
            {
                var content = SafeTensorsFile.Read(path);
                Assert.Equal(SafeTensorsFile.Deserialize(bytes, path).Tensors, content.Tensors);
            }
            catch (InvalidFileException e)
            {
                Assert.StartsWith(path + ": ", e.Message);
            }
            finally
            {
                File.Delete(path);
            }
        }, iter: 2_000, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void Every_prefix_of_a_valid_file_is_rejected_with_InvalidFileException()
    {
        foreach (byte[] seed in Seeds)
        {
            for (int n = 0; n < seed.Length; n++)
                Assert.Throws<InvalidFileException>(() => SafeTensorsFile.Deserialize(seed.AsSpan(0, n), "prefix"));
            Assert.NotNull(SafeTensorsFile.Deserialize(seed, "whole"));
        }
    }

    private static byte[] Apply(byte[] bytes, Mutation m)
    {
        var list = new List<byte>(bytes);
        int Pos(int extra = 0) => list.Count + extra == 0 ? 0 : m.A % (list.Count + extra);
        switch (m.Kind)
        {
            case MutationKind.FlipBit when list.Count > 0:
                list[Pos()] ^= (byte)(1 << (m.B % 8));
                break;
            case MutationKind.SetByte when list.Count > 0:
                list[Pos()] = (byte)m.B;
                break;
            case MutationKind.Truncate:
                list.RemoveRange(Pos(1), list.Count - Pos(1));
                break;
            case MutationKind.SetHeaderLength when list.Count >= 8:
                ulong value = ((ulong)(uint)m.A << 32 | (uint)m.B) >> (m.B % 64);
                WriteLength(list, value);
                break;
            case MutationKind.NudgeHeaderLength when list.Count >= 8:
                ulong current = BinaryPrimitives.ReadUInt64LittleEndian([.. list.GetRange(0, 8)]);
                WriteLength(list, current + (ulong)(m.B % 33) - 16);
                break;
            case MutationKind.InsertBytes:
                list.InsertRange(Pos(1), Enumerable.Repeat((byte)m.B, 1 + m.B % 4));
                break;
            case MutationKind.DeleteBytes when list.Count > 0:
                int at = Pos();
                list.RemoveRange(at, Math.Min(1 + m.B % 8, list.Count - at));
                break;
            case MutationKind.AppendBytes:
                list.AddRange(Enumerable.Repeat((byte)m.A, 1 + m.B % 16));
                break;
            case MutationKind.ReplaceNumber:
                return EditHeader(bytes, h => ReplaceMatch(h, NumberPattern(), m.A, Numbers[m.B % Numbers.Length]));
            case MutationKind.ReplaceString:
                return EditHeader(bytes, h => ReplaceMatch(h, StringPattern(), m.A, Strings[m.B % Strings.Length]));
            case MutationKind.InsertJsonChar:
                return EditHeader(bytes, h => h.Insert(m.A % (h.Length + 1), JsonChars[m.B % JsonChars.Length].ToString()));
            case MutationKind.DeleteJsonChar:
                return EditHeader(bytes, h => h.Length == 0 ? h : h.Remove(m.A % h.Length, 1));
        }
        return [.. list];
    }

    private static void WriteLength(List<byte> list, ulong value)
    {
        var prefix = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, value);
        for (int i = 0; i < 8; i++)
            list[i] = prefix[i];
    }

    /// <summary>Edits the header text and rewrites the length field to match, so the edit reaches the JSON parser.</summary>
    private static byte[] EditHeader(byte[] bytes, Func<string, string> edit)
    {
        if (bytes.Length < 8)
            return bytes;
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (n > (ulong)(bytes.Length - 8))
            return bytes;
        byte[] header = Encoding.UTF8.GetBytes(edit(Encoding.UTF8.GetString(bytes, 8, (int)n)));
        return SafeTensorsBytes.Build(header, bytes[(8 + (int)n)..]);
    }

    private static string ReplaceMatch(string text, Regex pattern, int pick, string replacement)
    {
        var matches = pattern.Matches(text);
        if (matches.Count == 0)
            return text;
        var match = matches[pick % matches.Count];
        return string.Concat(text.AsSpan(0, match.Index), replacement, text.AsSpan(match.Index + match.Length));
    }
}
