using System.Text;
using Ntm.Io;
using Xunit;
using static Ntm.Tests.Io.SafeTensorsBytes;

namespace Ntm.Tests.Io;

public sealed class SafeTensorsMalformedTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A one-tensor header around the given entry fields.</summary>
    private static string One(string fields) => "{\"w\":{" + fields + "}}";

    private static readonly byte[] Two = F32(1f, 2f);

    public static TheoryData<string, byte[], string> Malformed => new()
    {
        { "empty file", [], "is 0 bytes long, too short" },
        { "shorter than 8 bytes", [1, 2, 3, 4, 5, 6, 7], "is 7 bytes long, too short" },
        { "header length larger than the file", WithLength(1000, Encoding.UTF8.GetBytes("{}")), "header length 1000 is larger than the rest of the file (2 bytes)" },
        { "header length near 2^64", WithLength(ulong.MaxValue, Encoding.UTF8.GetBytes("{}")), "header length 18446744073709551615 is larger" },
        { "header length zero", WithLength(0, []), "header does not start with '{'" },
        { "header not an object", Build("[1, 2]"), "header does not start with '{'" },
        { "header with leading space", Build(" {}"), "header does not start with '{'" },
        { "header not UTF-8", Build([(byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}']), "header is not valid UTF-8" },
        { "header not JSON", Build("{nope}"), "header is not valid JSON" },
        { "header JSON cut short", Build("{\"w\": {\"dtype\": \"F32\""), "header is not valid JSON" },
        { "header with trailing garbage", Build("{} x"), "header is not valid JSON" },
        { "header with comment", Build("{/* c */}"), "header is not valid JSON" },
        { "header with unpaired surrogate escape", Build("{\"\\ud800\":{}}"), "not valid text" },
        { "entry not an object", Build("{\"w\": 3}"), "tensor 'w' is a number, not an object" },
        { "entry missing dtype", Build(One("\"shape\":[2],\"data_offsets\":[0,8]"), Two), "tensor 'w' has no dtype" },
        { "entry missing shape", Build(One("\"dtype\":\"F32\",\"data_offsets\":[0,8]"), Two), "tensor 'w' has no shape" },
        { "entry missing data_offsets", Build(One("\"dtype\":\"F32\",\"shape\":[2]"), Two), "tensor 'w' has no data_offsets" },
        { "dtype not a string", Build(One("\"dtype\":32,\"shape\":[2],\"data_offsets\":[0,8]"), Two), "dtype that is a number, not a string" },
        { "dtype not a float type", Build(One("\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]"), Two), "has dtype 'I32'; only F32, F64, F16 and BF16" },
        { "two dtypes", Build(One("\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]"), Two), "has two dtypes" },
        { "shape not an array", Build(One("\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]"), Two), "the shape of tensor 'w' is a number, not an array" },
        { "negative dimension", Build(One("\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]"), Two), "shape dimension 0 = -2" },
        { "fractional dimension", Build(One("\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]"), Two), "shape dimension 0 = 2.5" },
        { "exponent dimension", Build(One("\"dtype\":\"F32\",\"shape\":[1e400],\"data_offsets\":[0,8]"), Two), "shape dimension 0 = 1e400" },
        { "string dimension", Build(One("\"dtype\":\"F32\",\"shape\":[\"2\"],\"data_offsets\":[0,8]"), Two), "shape dimension 0 = a string" },
        { "dimension beyond int", Build(One("\"dtype\":\"F32\",\"shape\":[1, 4294967296],\"data_offsets\":[0,8]"), Two), "shape dimension 1 = 4294967296" },
        { "shape product overflowing 64 bits", Build(One("\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,8]"), Two), "whose number of values overflows 64 bits" },
        { "shape product over the element limit", Build(One("\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,8]"), Two), "(4294967296 values), more than the limit of 268435456" },
        { "offsets not an array", Build(One("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":8"), Two), "the data_offsets of tensor 'w' is a number, not an array" },
        { "one offset", Build(One("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]"), Two), "has 1 data_offsets; it needs two" },
        { "three offsets", Build(One("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,8]"), Two), "more than two data_offsets" },
        { "negative offset", Build(One("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]"), Two), "has data offset -8" },
        { "offset beyond 64 bits", Build(One("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,18446744073709551616]"), Two), "has data offset 18446744073709551616" },
        { "offsets out of order", Build(One("\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]"), Two), "data_offsets [8, 0], which end before they begin" },
        { "offsets not matching the shape", Build(One("\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]"), Two), "tensor 'w' has shape [3] (3 values) but its data is 8 bytes, not 12 (F32)" },
        { "offsets not matching an F16 shape", Build(One("\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,8]"), Two), "has shape [2] (2 values) but its data is 8 bytes, not 4 (F16)" },
        { "offsets past the data", Build(One("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]"), Two), "data_offsets [4, 12], past the end of the data (8 bytes)" },
        { "overlapping tensors", Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", F32(1, 2, 3)), "tensors 'a' and 'b' overlap" },
        { "same range twice", Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", Two), "tensors 'a' and 'b' overlap" },
        { "gap between tensors", Build("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", F32(1, 2, 3)), "data bytes [4, 8) belong to no tensor" },
        { "data before the first tensor", Build(One("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]"), Two), "data bytes [0, 4) belong to no tensor" },
        { "trailing bytes", Build(One("\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]"), Two), "the last 4 bytes belong to no tensor" },
        { "trailing bytes after no tensors", Build("{}", [0]), "the last 1 bytes belong to no tensor" },
        { "duplicate tensor names", Build("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", Two), "header names 'w' twice" },
        { "empty tensor name", Build("{\"\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", Two), "a tensor with an empty name" },
        { "NaN", Build(One("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]"), F32(1f, float.NaN)), "tensor 'w' holds NaN at index 1" },
        { "infinity", Build(One("\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]"), F32(float.NegativeInfinity, 1f)), "tensor 'w' holds -infinity at index 0" },
        { "F16 infinity", Build(One("\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]"), F16(1f, float.PositiveInfinity)), "tensor 'w' holds +infinity at index 1" },
        { "F64 beyond float range", Build(One("\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]"), F64(1e300)), "holds +infinity (or an F64 value beyond the float range) at index 0" },
        { "BF16 NaN", Build(One("\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[0,2]"), BF16(float.NaN)), "tensor 'w' holds NaN at index 0" },
        { "metadata value a number", Build("{\"__metadata__\":{\"step\":12}}"), "metadata value for 'step' is a number, not a string" },
        { "metadata value an object", Build("{\"__metadata__\":{\"cfg\":{\"a\":\"b\"}}}"), "metadata value for 'cfg' is an object, not a string" },
        { "metadata value null", Build("{\"__metadata__\":{\"k\":null}}"), "metadata value for 'k' is null, not a string" },
        { "metadata not an object", Build("{\"__metadata__\":[\"a\"]}"), "'__metadata__' is an array, not an object" },
        { "metadata twice", Build("{\"__metadata__\":{},\"__metadata__\":{}}"), "header names '__metadata__' twice" },
        { "metadata key twice", Build("{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}"), "metadata names 'k' twice" },
        { "control characters in a name are escaped", Build("{\"a\\nb\": 1}"), "tensor 'a\\u000ab' is a number" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_bytes_give_InvalidFileException_naming_the_source_and_the_problem(string @case, byte[] bytes, string problem)
    {
        var e = Assert.Throws<InvalidFileException>(() => SafeTensorsFile.Deserialize(bytes, "run/model.safetensors"));

        Assert.Equal("run/model.safetensors", e.Path);
        Assert.StartsWith("run/model.safetensors: ", e.Message);
        Assert.Contains(problem, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.NotNull(@case);
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_files_give_the_same_error_through_Read(string @case, byte[] bytes, string problem)
    {
        string path = _dir.File("model.safetensors");
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InvalidFileException>(() => SafeTensorsFile.Read(path));

        Assert.Equal($"{path}: ", e.Message[..(path.Length + 2)]);
        Assert.Contains(problem, e.Message);
        Assert.NotNull(@case);
    }

    [Fact]
    public void Shape_mismatch_message_reads_as_documented()
    {
        byte[] bytes = Build(One("\"dtype\":\"F32\",\"shape\":[400,129],\"data_offsets\":[0,2064]"), new byte[2064]);

        var e = Assert.Throws<InvalidFileException>(() => SafeTensorsFile.Deserialize(bytes, "run/model.safetensors"));

        Assert.Equal("run/model.safetensors: tensor 'w' has shape [400, 129] (51600 values) but its data is 2064 bytes, not 206400 (F32)", e.Message);
    }

    [Fact]
    public void Limits_are_checked_before_anything_is_allocated()
    {
        byte[] valid = SafeTensorsFile.Serialize([new NamedTensor("a", [4], [1, 2, 3, 4]), new NamedTensor("b", [1], [5])]);

        Assert.Contains("more than the limit of 16 bytes",
            Assert.Throws<InvalidFileException>(() => SafeTensorsFile.Deserialize(valid, "f", new SafeTensorsLimits(MaxHeaderBytes: 16))).Message);
        Assert.Contains("(4 values), more than the limit of 3",
            Assert.Throws<InvalidFileException>(() => SafeTensorsFile.Deserialize(valid, "f", new SafeTensorsLimits(MaxTensorElements: 3))).Message);
        Assert.Contains("more than the limit of 1 tensors",
            Assert.Throws<InvalidFileException>(() => SafeTensorsFile.Deserialize(valid, "f", new SafeTensorsLimits(MaxTensors: 1))).Message);
        Assert.Contains($"is {valid.Length} bytes, more than the limit of 100",
            Assert.Throws<InvalidFileException>(() => SafeTensorsFile.Deserialize(valid, "f", new SafeTensorsLimits(MaxFileBytes: 100))).Message);

        string path = _dir.File("f.safetensors");
        File.WriteAllBytes(path, valid);
        Assert.Contains("more than the limit of 100",
            Assert.Throws<InvalidFileException>(() => SafeTensorsFile.Read(path, new SafeTensorsLimits(MaxFileBytes: 100))).Message);
        Assert.Equal(2, SafeTensorsFile.Read(path, new SafeTensorsLimits(MaxTensors: 2, MaxTensorElements: 4)).Tensors.Count);
    }

    [Fact]
    public void Long_names_are_shortened_in_messages()
    {
        string exact = new('x', 80), longer = new('y', 81);
        byte[] bytes = Build("{\"" + exact + "\": 1}");
        Assert.Contains($"tensor '{exact}' is a number", Assert.Throws<InvalidFileException>(() => SafeTensorsFile.Deserialize(bytes, "f")).Message);

        bytes = Build("{\"" + longer + "\": 1}");
        Assert.Contains($"tensor '{new string('y', 77)}...' is a number", Assert.Throws<InvalidFileException>(() => SafeTensorsFile.Deserialize(bytes, "f")).Message);
    }

    [Fact]
    public void Non_positive_limits_are_a_configuration_error()
    {
        Assert.Throws<InvalidConfigurationException>(() => SafeTensorsFile.Deserialize(Build("{}"), "f", new SafeTensorsLimits(MaxTensors: 0)));
    }

    [Fact]
    public void A_missing_file_or_a_directory_gives_InvalidFileException()
    {
        string missing = _dir.File("nope.safetensors");
        var e = Assert.Throws<InvalidFileException>(() => SafeTensorsFile.Read(missing));
        Assert.Equal($"{missing}: file not found", e.Message);

        Assert.Equal($"{_dir.Path}: ", Assert.Throws<InvalidFileException>(() => SafeTensorsFile.Read(_dir.Path)).Message[..(_dir.Path.Length + 2)]);
        Assert.Throws<InvalidFileException>(() => SafeTensorsFile.Read(""));
        Assert.Throws<InvalidFileException>(() => SafeTensorsFile.Read(Path.Combine(_dir.Path, "no-dir", "x.safetensors")));
    }

    [Fact]
    public void Writing_rejects_what_could_not_be_read_back()
    {
        var w = new NamedTensor("w", [1], [1f]);
        Assert.Contains("named 'w'", Assert.Throws<MalformedDataException>(() => SafeTensorsFile.Serialize([w, w])).Message);
        Assert.Contains("holds NaN at index 1", Assert.Throws<MalformedDataException>(() => SafeTensorsFile.Serialize([new NamedTensor("n", [2], [0f, float.NaN])])).Message);
        Assert.Contains("Infinity", Assert.Throws<MalformedDataException>(() => SafeTensorsFile.Serialize([new NamedTensor("n", [1], [float.PositiveInfinity])])).Message);
        Assert.Contains("UTF-16", Assert.Throws<MalformedDataException>(() => SafeTensorsFile.Serialize([new NamedTensor("bad\ud800", [1], [1f])])).Message);
        Assert.Contains("null value", Assert.Throws<MalformedDataException>(() => SafeTensorsFile.Serialize([w], new Dictionary<string, string> { ["k"] = null! })).Message);
    }

    [Fact]
    public void A_failed_Write_leaves_the_old_file_alone()
    {
        string path = _dir.File("model.safetensors");
        var good = new NamedTensor("w", [1], [1f]);
        SafeTensorsFile.Write(path, [good]);
        byte[] before = File.ReadAllBytes(path);

        Assert.Throws<MalformedDataException>(() => SafeTensorsFile.Write(path, [new NamedTensor("w", [1], [float.NaN])]));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.safetensors"], _dir.Files());
    }

    [Fact]
    public void NamedTensor_checks_its_shape_against_its_data()
    {
        Assert.Contains("has shape [2, 3] (6 values) but 5 values were given",
            Assert.Throws<MalformedDataException>(() => new NamedTensor("w", [2, 3], new float[5])).Message);
        Assert.Contains("negative", Assert.Throws<MalformedDataException>(() => new NamedTensor("w", [-1], [])).Message);
        Assert.Throws<MalformedDataException>(() => new NamedTensor("", [1], [1f]));
        Assert.Throws<MalformedDataException>(() => new NamedTensor("__metadata__", [1], [1f]));
        Assert.Throws<MalformedDataException>(() => new NamedTensor("big", [65536, 65536], []));
        Assert.Throws<ArgumentNullException>(() => new NamedTensor("w", null!, []));
        Assert.Equal("w [2, 3]", new NamedTensor("w", [2, 3], new float[6]).ToString());
    }
}
