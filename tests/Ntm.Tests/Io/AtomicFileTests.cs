using System.Text;
using Ntm.Io;
using Xunit;

namespace Ntm.Tests.Io;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void WriteAllBytes_creates_the_file_and_missing_directories()
    {
        string path = Path.Combine(_dir.Path, "a", "b", "model.bin");

        AtomicFile.WriteAllBytes(path, [1, 2, 3]);

        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Equal([Path.Combine("a", "b", "model.bin")], _dir.Files());
    }

    [Fact]
    public void WriteAllBytes_replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        string path = _dir.File("model.bin");
        File.WriteAllBytes(path, [9, 9, 9, 9, 9, 9]);

        AtomicFile.WriteAllBytes(path, [4, 5]);

        Assert.Equal(new byte[] { 4, 5 }, File.ReadAllBytes(path));
        Assert.Equal(["model.bin"], _dir.Files());
    }

    [Fact]
    public void WriteAllBytes_writes_an_empty_file()
    {
        string path = _dir.File("empty.bin");

        AtomicFile.WriteAllBytes(path, []);

        Assert.Empty(File.ReadAllBytes(path));
    }

    [Fact]
    public void WriteAllText_writes_utf8_without_a_byte_order_mark()
    {
        string path = _dir.File("notes.txt");

        AtomicFile.WriteAllText(path, "Gedächtnis ✓");

        Assert.Equal(Encoding.UTF8.GetBytes("Gedächtnis ✓"), File.ReadAllBytes(path));
    }

    [Fact]
    public void Write_streams_into_a_hidden_temporary_file_in_the_same_directory()
    {
        string path = _dir.File("model.bin");
        File.WriteAllText(path, "old");
        string? tempName = null;

        AtomicFile.Write(path, stream =>
        {
            var file = Assert.IsType<FileStream>(stream);
            Assert.Equal(_dir.Path, Path.GetDirectoryName(file.Name));
            tempName = Path.GetFileName(file.Name);
            stream.Write("new"u8);
            // Until the rename the target still holds the old content.
            Assert.Equal("old", File.ReadAllText(path));
        });

        Assert.NotNull(tempName);
        Assert.StartsWith($".model.bin.{Environment.ProcessId}.", tempName);
        Assert.EndsWith(".tmp", tempName);
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(["model.bin"], _dir.Files());
    }

    [Fact]
    public void Write_keeps_the_old_file_and_deletes_the_temporary_file_when_the_writer_throws()
    {
        string path = _dir.File("model.bin");
        File.WriteAllText(path, "old complete content");
        var failure = new InvalidOperationException("disk full, say");

        var thrown = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write(new byte[100_000]);
            throw failure;
        }));

        Assert.Same(failure, thrown);
        Assert.Equal("old complete content", File.ReadAllText(path));
        Assert.Equal(["model.bin"], _dir.Files());
    }

    [Fact]
    public void Write_creates_nothing_when_the_writer_throws_and_there_was_no_file()
    {
        string path = _dir.File("model.bin");

        Assert.Throws<MalformedDataException>(() => AtomicFile.Write(path, _ => throw new MalformedDataException("bad")));

        Assert.False(File.Exists(path));
        Assert.Empty(_dir.Files());
    }

    [Fact]
    public void Write_rejects_an_empty_path_and_a_null_writer()
    {
        Assert.Throws<ArgumentException>(() => AtomicFile.WriteAllBytes("", [1]));
        Assert.Throws<ArgumentNullException>(() => AtomicFile.Write(_dir.File("x"), null!));
        Assert.Empty(_dir.Files());
    }

    [Fact]
    public void Consecutive_writes_each_leave_one_complete_file()
    {
        string path = _dir.File("model.bin");
        for (int i = 0; i < 20; i++)
        {
            byte[] content = Enumerable.Repeat((byte)i, 1000 + i).ToArray();
            AtomicFile.WriteAllBytes(path, content);
            Assert.Equal(content, File.ReadAllBytes(path));
        }
        Assert.Equal(["model.bin"], _dir.Files());
    }
}
