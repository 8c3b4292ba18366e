using System.Buffers.Binary;
using System.Text;
using CsCheck;
using Ntm.Io;
using Xunit;

namespace Ntm.Tests.Io;

public sealed class SafeTensorsRoundTripTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static int[] Bits(float[] values) => [.. values.Select(BitConverter.SingleToInt32Bits)];

    [Fact]
    public void Round_trip_keeps_names_shapes_order_metadata_and_every_bit()
    {
        float[] special =
        [
            0f, -0f, 1f, -1f, float.Epsilon, -float.Epsilon, 1e-40f, -3e-39f, // denormals
            BitConverter.Int32BitsToSingle(0x007FFFFF), // largest denormal
            float.MaxValue, float.MinValue, 1.17549435e-38f, MathF.PI, -123.456f, 1e30f, -7e-20f,
        ];
        var tensors = new List<NamedTensor>
        {
            new("controller.w", [4, 4], special),
            new("heads.0.bias", [3], [0.5f, -0.25f, 2f]),
            new("scalar", [], [42f]),
            new("empty", [2, 0, 3], []),
            new("a", [1, 1, 2], [-0f, 0f]),
        };
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "ntm",
            ["config"] = "{\"memory\": [128, 20], \"note\": \"quotes \\\" and\\nnewlines\"}",
            ["unicode"] = "Gedächtnis ✓ 𝑥",
            ["empty"] = "",
        };

        byte[] bytes = SafeTensorsFile.Serialize(tensors, metadata);
        var content = SafeTensorsFile.Deserialize(bytes, "mem.safetensors");

        Assert.Equal(tensors.Select(t => t.Name), content.Tensors.Select(t => t.Name));
        for (int i = 0; i < tensors.Count; i++)
        {
            Assert.Equal(tensors[i].Shape, content.Tensors[i].Shape);
            Assert.Equal(Bits(tensors[i].Data), Bits(content.Tensors[i].Data));
            Assert.Equal(tensors[i], content.Tensors[i]);
        }
        Assert.Equal(metadata.OrderBy(p => p.Key), content.Metadata.OrderBy(p => p.Key));
        Assert.Equal("mem.safetensors", content.Source);
    }

    [Fact]
    public void Negative_zero_and_denormals_are_kept_bit_exact()
    {
        float[] values = [-0f, float.Epsilon, 1e-45f, 5.877472e-39f, -1.1754942e-38f];
        var back = SafeTensorsFile.Deserialize(SafeTensorsFile.Serialize([new NamedTensor("x", [5], values)]), "x").Get("x");

        Assert.Equal(unchecked((int)0x80000000), BitConverter.SingleToInt32Bits(back.Data[0]));
        Assert.Equal(Bits(values), Bits(back.Data));
    }

    [Fact]
    public void Scalar_shape_holds_one_value()
    {
        var back = SafeTensorsFile.Deserialize(SafeTensorsFile.Serialize([new NamedTensor("step", [], [7f])]), "s").Get("step");

        Assert.Empty(back.Shape);
        Assert.Equal([7f], back.Data);
    }

    [Fact]
    public void Null_and_empty_metadata_read_back_as_empty()
    {
        var tensors = new[] { new NamedTensor("w", [1], [1f]) };

        Assert.Empty(SafeTensorsFile.Deserialize(SafeTensorsFile.Serialize(tensors), "a").Metadata);
        Assert.Empty(SafeTensorsFile.Deserialize(SafeTensorsFile.Serialize(tensors, new Dictionary<string, string>()), "b").Metadata);
    }

    [Fact]
    public void A_file_without_tensors_round_trips()
    {
        var metadata = new Dictionary<string, string> { ["k"] = "v" };

        var content = SafeTensorsFile.Deserialize(SafeTensorsFile.Serialize([], metadata), "none");

        Assert.Empty(content.Tensors);
        Assert.Equal("v", content.Metadata["k"]);
    }

    [Fact]
    public void Write_then_Read_through_a_file()
    {
        string path = Path.Combine(_dir.Path, "run", "model.safetensors");
        var w = new NamedTensor("w", [3, 2], [1, 2, 3, 4, 5, 6]);
        var big = new NamedTensor("big", [50_000], [.. Enumerable.Range(0, 50_000).Select(i => i * 0.5f - 7f)]);

        SafeTensorsFile.Write(path, [w, big], new Dictionary<string, string> { ["step"] = "1200" });
        var content = SafeTensorsFile.Read(path);

        Assert.Equal(w, content.Get("w"));
        Assert.Equal(big, content.Get("big"));
        Assert.Equal("1200", content.Metadata["step"]);
        Assert.Equal(path, content.Source);
        Assert.Equal(SafeTensorsFile.Serialize([w, big], new Dictionary<string, string> { ["step"] = "1200" }), File.ReadAllBytes(path));
        Assert.Equal([Path.Combine("run", "model.safetensors")], _dir.Files());
    }

    [Fact]
    public void Serialize_lays_out_the_header_exactly_as_the_format_describes()
    {
        var tensors = new[]
        {
            new NamedTensor("a", [2], [1f, -2f]),
            new NamedTensor("b", [], [0.5f]),
        };
        byte[] bytes = SafeTensorsFile.Serialize(tensors, new Dictionary<string, string> { ["k"] = "v" });

        string json = """{"__metadata__":{"k":"v"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[],"data_offsets":[8,12]}}""";
        int padded = (json.Length + 7) / 8 * 8;
        Assert.Equal((ulong)padded, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        Assert.Equal(json + new string(' ', padded - json.Length), Encoding.UTF8.GetString(bytes, 8, padded));
        Assert.Equal(0, (8 + padded) % 8);
        Assert.Equal(
            new byte[] { 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00, 0x00, 0x3F },
            bytes[(8 + padded)..]);
        Assert.Equal(8 + padded + 12, bytes.Length);
    }

    [Fact]
    public void Reads_a_hand_built_file_with_unpadded_pretty_header_other_key_order_and_data_order()
    {
        // As another writer might produce it: metadata last, data of 'b' before 'a', unknown field.
        string header = """
            {
              "a": {"data_offsets": [8, 16], "shape": [2], "dtype": "F32", "extra": {"x": [1, 2]}},
              "b": {"shape": [1, 2], "dtype": "F32", "data_offsets": [0, 8]},
              "__metadata__": {"format": "pt"}
            }
            """;
        byte[] bytes = SafeTensorsBytes.Build(header, SafeTensorsBytes.F32(3f, 4f), SafeTensorsBytes.F32(1f, 2f));

        var content = SafeTensorsFile.Deserialize(bytes, "other.safetensors");

        Assert.Equal(["b", "a"], content.Tensors.Select(t => t.Name));
        Assert.Equal([1f, 2f], content.Get("a").Data);
        Assert.Equal([3f, 4f], content.Get("b").Data);
        Assert.Equal([1, 2], content.Get("b").Shape);
        Assert.Equal("pt", content.Metadata["format"]);
    }

    [Fact]
    public void Converts_F64_F16_and_BF16_to_float()
    {
        string header = """
            {"d":{"dtype":"F64","shape":[3],"data_offsets":[0,24]},
             "h":{"dtype":"F16","shape":[3],"data_offsets":[24,30]},
             "b":{"dtype":"BF16","shape":[3],"data_offsets":[30,36]}}
            """;
        byte[] bytes = SafeTensorsBytes.Build(header,
            SafeTensorsBytes.F64(0.25, -1e10, 1e-300),
            SafeTensorsBytes.F16(1.5f, -0f, 65504f),
            SafeTensorsBytes.BF16(-2f, 3.140625f, 1e30f));

        var content = SafeTensorsFile.Deserialize(bytes, "mixed");

        Assert.Equal([0.25f, -1e10f, 0f], content.Get("d").Data);
        Assert.Equal(Bits([1.5f, -0f, 65504f]), Bits(content.Get("h").Data));
        Assert.Equal(Bits([-2f, 3.140625f, BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(1e30f) & unchecked((int)0xFFFF0000))]),
            Bits(content.Get("b").Data));
    }

    [Fact]
    public void Read_converts_F16_files_larger_than_one_read_chunk()
    {
        const int n = 70_000; // 140 kB of F16, more than two 64 kB chunks
        float[] values = [.. Enumerable.Range(0, n).Select(i => (float)(Half)((i % 2000) - 1000))];
        string path = _dir.File("half.safetensors");
        File.WriteAllBytes(path, SafeTensorsBytes.Build(
            $$$"""{"h":{"dtype":"F16","shape":[{{{n}}}],"data_offsets":[0,{{{2 * n}}}]}}""",
            SafeTensorsBytes.F16(values)));

        Assert.Equal(Bits(values), Bits(SafeTensorsFile.Read(path).Get("h").Data));
    }

    [Fact]
    public void Get_names_the_file_and_the_missing_tensor()
    {
        var content = SafeTensorsFile.Deserialize(SafeTensorsFile.Serialize([new NamedTensor("w", [1], [1f])]), "run/model.safetensors");

        var e = Assert.Throws<InvalidFileException>(() => content.Get("controller.b"));

        Assert.Equal("run/model.safetensors", e.Path);
        Assert.Equal("run/model.safetensors: has no tensor 'controller.b' (it holds 'w')", e.Message);
        Assert.False(content.TryGet("controller.b", out var missing));
        Assert.Null(missing);
        Assert.True(content.TryGet("w", out var found));
        Assert.Equal([1f], found.Data);
    }

    [Fact]
    public void Random_tensors_round_trip_exactly()
    {
        const string chars = "abz09._-é✓\"\\\n\t{}:[] ";
        var text = Gen.String[chars];
        var name = Gen.Char[chars].Array[1, 12].Select(c => new string(c)).Where(n => n != SafeTensorsFile.MetadataKey);
        var tensor = Gen.Select(name, Gen.Int[0, 4].SelectMany(rank => Gen.Int[0, 5].Array[rank]))
            .SelectMany(p => Gen.Single.Where(float.IsFinite).Array[p.Item2.Aggregate(1, (a, b) => a * b)]
                .Select(data => new NamedTensor(p.Item1, p.Item2, data)));
        var files = Gen.Select(
            tensor.Array[0, 6].Select(ts => ts.DistinctBy(t => t.Name).ToArray()),
            Gen.Select(text, text).Array[0, 4].Select(kv => kv.DistinctBy(p => p.Item1).ToDictionary(p => p.Item1, p => p.Item2)));

        files.Sample((tensors, metadata) =>
        {
            var content = SafeTensorsFile.Deserialize(SafeTensorsFile.Serialize(tensors, metadata), "random");
            Assert.Equal(tensors, content.Tensors);
            Assert.Equal(metadata.OrderBy(p => p.Key, StringComparer.Ordinal), content.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
        }, iter: 2000);
    }
}
