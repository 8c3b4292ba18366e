using System.Text;
using Ntm.Io;
using Ntm.Model;
using Xunit;

namespace Ntm.Tests.Io;

/// <summary>
/// Mutated and truncated model files, and model files whose configuration metadata is mutated,
/// reach the whole loader (format, configuration, layout, shapes, values): only InvalidFileException comes out.
/// </summary>
public sealed class ModelFileFuzzTests
{
    [Fact]
    public void Mutated_model_files_give_only_the_typed_error()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ntm-fuzz-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var model = NeuralTuringMachine.Create(new NtmConfig { ControllerSize = 6, MemoryRows = 5, MemoryWidth = 4 }, 2);
            string good = Path.Combine(dir, "good.safetensors");
            ModelFile.Save(good, model);
            byte[] bytes = File.ReadAllBytes(good);
            var rng = new Random(17);
            string path = Path.Combine(dir, "bad.safetensors");
            int loaded = 0;
            for (int i = 0; i < 1500; i++)
            {
                byte[] b = (byte[])bytes.Clone();
                switch (i % 4)
                {
                    case 0: b[rng.Next(b.Length)] = (byte)rng.Next(256); break;
                    case 1: b = b[..rng.Next(b.Length)]; break;
                    case 2:
                        // Change one digit inside the header (shapes, offsets, the configuration's numbers).
                        int headerEnd = 8 + (int)BitConverter.ToUInt64(bytes, 0);
                        var digits = Enumerable.Range(8, headerEnd - 8).Where(k => b[k] is >= (byte)'0' and <= (byte)'9').ToArray();
                        b[digits[rng.Next(digits.Length)]] = (byte)('0' + rng.Next(10));
                        break;
                    default:
                        for (int k = 0; k < 4; k++) b[rng.Next(b.Length)] ^= (byte)(1 << rng.Next(8));
                        break;
                }
                File.WriteAllBytes(path, b);
                try
                {
                    ModelFile.Load(path);
                    loaded++;
                }
                catch (InvalidFileException)
                {
                }
            }
            Assert.True(loaded < 1500, "no mutation was ever rejected");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void A_configuration_that_would_need_more_parameters_than_the_file_holds_is_refused_before_allocating()
    {
        string dir = Path.Combine(Path.GetTempPath(), "ntm-fuzz-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var model = NeuralTuringMachine.Create(new NtmConfig { ControllerSize = 6, MemoryRows = 5, MemoryWidth = 4 }, 2);
            string path = Path.Combine(dir, "m.safetensors");
            ModelFile.Save(path, model);
            var content = SafeTensorsFile.Read(path);
            var meta = new Dictionary<string, string>(content.Metadata)
            {
                [ModelFile.ConfigKey] = System.Text.Json.JsonSerializer.Serialize(model.Config with { ControllerSize = 2000, ControllerLayers = 2 }, Json.Compact),
            };
            SafeTensorsFile.Write(path, content.Tensors, meta);
            var e = Assert.Throws<InvalidFileException>(() => ModelFile.Load(path));
            Assert.Contains("parameters but the file holds", e.Message);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
