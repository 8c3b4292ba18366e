using System.Text.Json;
using Ntm.Cli.Commands;
using Ntm.Io;
using Ntm.Model;
using Ntm.Training;
using Xunit;

namespace Ntm.Tests.Io;

/// <summary>
/// One spelling per enum value, shared by the command line and the files: new files use it, and
/// files written with the older kebab spellings (<c>rms-prop</c>, <c>feed-forward</c>) still load.
/// </summary>
public sealed class EnumSpellingTests
{
    [Fact]
    public void Every_value_has_one_canonical_spelling()
    {
        Assert.Equal(["lstm", "feedforward"], EnumSpelling.Names<ControllerKind>());
        Assert.Equal(["constant", "learned", "random"], EnumSpelling.Names<MemoryInit>());
        Assert.Equal(["rmsprop", "adam"], EnumSpelling.Names<OptimizerKind>());
        Assert.Equal(["ntm-lstm", "ntm-ff", "lstm"], EnumSpelling.Names<ModelKind>());
        Assert.Equal("rmsprop", EnumSpelling.Format(OptimizerKind.RmsProp));
        Assert.Equal("feedforward", EnumSpelling.Format(ControllerKind.FeedForward));
        Assert.Equal("ntm-ff", EnumSpelling.Format(ModelKind.NtmFeedForward));
        Assert.Equal("constant, learned or random", EnumSpelling.Choices<MemoryInit>());
    }

    [Theory]
    [InlineData("feedforward", ControllerKind.FeedForward)]
    [InlineData("feed-forward", ControllerKind.FeedForward)]
    [InlineData("ff", ControllerKind.FeedForward)]
    [InlineData("FeedForward", ControllerKind.FeedForward)]
    [InlineData(" LSTM ", ControllerKind.Lstm)]
    public void Controller_spellings(string text, ControllerKind expected) => Assert.Equal(expected, EnumSpelling.Parse<ControllerKind>(text));

    [Fact]
    public void Other_accepted_spellings()
    {
        Assert.Equal(OptimizerKind.RmsProp, EnumSpelling.Parse<OptimizerKind>("rms-prop"));
        Assert.Equal(OptimizerKind.RmsProp, EnumSpelling.Parse<OptimizerKind>("RmsProp"));
        Assert.Equal(OptimizerKind.Adam, EnumSpelling.Parse<OptimizerKind>("Adam"));
        Assert.Equal(ModelKind.NtmFeedForward, EnumSpelling.Parse<ModelKind>("ntm-feedforward"));
        Assert.Equal(MemoryInit.Random, EnumSpelling.Parse<MemoryInit>("random"));
        foreach (OptimizerKind k in Enum.GetValues<OptimizerKind>()) Assert.Equal(k, EnumSpelling.Parse<OptimizerKind>(EnumSpelling.Format(k)));
        foreach (ModelKind k in Enum.GetValues<ModelKind>()) Assert.Equal(k, EnumSpelling.Parse<ModelKind>(EnumSpelling.Format(k)));
    }

    [Theory]
    [InlineData(typeof(OptimizerKind), "sgd", "Unknown optimizer 'sgd'; choose rmsprop or adam.")]
    [InlineData(typeof(ControllerKind), "gru", "Unknown controller 'gru'; choose lstm or feedforward.")]
    [InlineData(typeof(MemoryInit), "zero", "Unknown memory initialisation 'zero'; choose constant, learned or random.")]
    [InlineData(typeof(ModelKind), "ntm", "Unknown model 'ntm'; choose ntm-lstm, ntm-ff or lstm.")]
    public void An_unknown_spelling_lists_the_canonical_ones(Type type, string text, string message)
    {
        Action parse = type == typeof(OptimizerKind) ? () => EnumSpelling.Parse<OptimizerKind>(text)
            : type == typeof(ControllerKind) ? () => EnumSpelling.Parse<ControllerKind>(text)
            : type == typeof(MemoryInit) ? () => EnumSpelling.Parse<MemoryInit>(text)
            : () => EnumSpelling.Parse<ModelKind>(text);
        Assert.Equal(message, Assert.Throws<InvalidConfigurationException>(parse).Message);
    }

    [Fact]
    public void New_files_write_the_canonical_spelling()
    {
        var settings = new RunSettings
        {
            Model = new NtmConfig { Controller = ControllerKind.FeedForward, MemoryInit = MemoryInit.Learned },
            Trainer = new TrainerOptions { Optimizer = OptimizerKind.RmsProp },
        };
        string json = JsonSerializer.Serialize(settings, Json.Indented);
        Assert.Contains("\"controller\": \"feedforward\"", json);
        Assert.Contains("\"memory_init\": \"learned\"", json);
        Assert.Contains("\"optimizer\": \"rmsprop\"", json);
        Assert.DoesNotContain("feed-forward", json);
        Assert.DoesNotContain("rms-prop", json);
        Assert.Equal(settings.Trainer, Json.Parse<RunSettings>(json, "config.json", "run configuration").Trainer);
        Assert.Contains("\"optimizer\":\"adam\"", JsonSerializer.Serialize(new TrainerOptions { Optimizer = OptimizerKind.Adam }, Json.Compact));
        // The enums carry the spelling themselves, so even default serializer options use it.
        Assert.Equal("\"feedforward\"", JsonSerializer.Serialize(ControllerKind.FeedForward));
    }

    [Fact]
    public void The_default_machines_configuration_is_written_exactly_as_before()
    {
        // The copy machine's model.safetensors must not change: its metadata holds this JSON.
        Assert.Equal(
            """{"input_size":9,"output_size":8,"controller":"lstm","controller_size":100,"controller_layers":1,"memory_rows":128,"memory_width":20,"read_heads":1,"write_heads":1,"shift_range":1,"memory_init":"constant","memory_init_value":1E-06}""",
            JsonSerializer.Serialize(new NtmConfig(), Json.Compact));
    }

    private const string OldConfig = """
        {
          "task": "copy",
          "task_settings": {
            "bits": "4",
            "min-length": "1",
            "max-length": "4"
          },
          "model": {
            "input_size": 5,
            "output_size": 4,
            "controller": "feed-forward",
            "controller_size": 12,
            "controller_layers": 1,
            "memory_rows": 10,
            "memory_width": 6,
            "read_heads": 1,
            "write_heads": 1,
            "shift_range": 1,
            "memory_init": "constant",
            "memory_init_value": 1E-06
          },
          "trainer": {
            "batch_size": 4,
            "optimizer": "rms-prop",
            "learning_rate": 0.0001,
            "clip_value": 10,
            "clip_norm": 0,
            "carry_clip": 10,
            "shards": 2,
            "threads": 1,
            "seed": 1,
            "decay_sequences": 0,
            "final_learning_rate_fraction": 0.05
          },
          "model_seed": 1,
          "max_sequences": 80,
          "max_seconds": 0,
          "report_every": 40,
          "eval_batches": 10,
          "eval_batch_size": 10,
          "converged_bit_errors": 0.1,
          "stop_when_converged": true,
          "checkpoint_every": 10000
        }
        """;

    [Fact]
    public void An_old_run_folder_with_kebab_spellings_opens_and_resumes()
    {
        using var dir = new TempDirectory();
        string run = dir.File("old");
        // Train a run as today, then spell its files the old way.
        RunSettings settings = Json.Parse<RunSettings>(OldConfig, "config.json", "run configuration");
        Assert.Equal((ControllerKind.FeedForward, OptimizerKind.RmsProp), (settings.Model.Controller, settings.Trainer.Optimizer));
        TrainingSession.Start(run, settings with { MaxSequences = 40 }).Run();
        File.WriteAllText(Path.Combine(run, RunFolder.ConfigFileName), OldConfig);
        foreach (string file in new[] { RunFolder.ModelFileName, RunFolder.CheckpointFileName })
        {
            string path = Path.Combine(run, file);
            SafeTensorsContent content = SafeTensorsFile.Read(path);
            string config = content.Metadata[ModelFile.ConfigKey];
            Assert.Contains("\"controller\":\"feedforward\"", config);
            var meta = new Dictionary<string, string>(content.Metadata) { [ModelFile.ConfigKey] = config.Replace("\"feedforward\"", "\"feed-forward\"") };
            SafeTensorsFile.Write(path, content.Tensors, meta);
            Assert.Contains("feed-forward", SafeTensorsFile.Read(path).Metadata[ModelFile.ConfigKey]);
        }

        RunFolder folder = RunFolder.Open(run);
        Assert.Equal(ControllerKind.FeedForward, folder.LoadModel().Config.Controller);
        Assert.Equal(OptimizerKind.RmsProp, folder.Settings.Trainer.Optimizer);
        TrainingSession resumed = TrainingSession.Resume(run, maxSequences: 80);
        Assert.Equal(80, resumed.Run().Sequences);
        // Files written from now on use the canonical spelling.
        Assert.Contains("\"controller\":\"feedforward\"", SafeTensorsFile.Read(Path.Combine(run, RunFolder.ModelFileName)).Metadata[ModelFile.ConfigKey]);
    }

    [Fact]
    public void An_unknown_spelling_in_a_file_names_the_file_and_the_choices()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File(RunFolder.ConfigFileName), OldConfig.Replace("\"feed-forward\"", "\"sideways\""));
        var e = Assert.Throws<InvalidFileException>(() => RunFolder.Open(dir.Path));
        Assert.StartsWith(dir.File(RunFolder.ConfigFileName) + ": the run configuration is not valid: Unknown controller 'sideways'; choose lstm or feedforward.", e.Message);
        File.WriteAllText(dir.File(RunFolder.ConfigFileName), OldConfig.Replace("\"rms-prop\"", "1"));
        e = Assert.Throws<InvalidFileException>(() => RunFolder.Open(dir.Path));
        Assert.Contains("The optimizer must be written as a name (rmsprop or adam), got a JSON number.", e.Message);
    }
}
