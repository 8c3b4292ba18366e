namespace Ntm.Io;

/// <summary>
/// Writes whole files so that a crash, kill or power cut at any moment leaves either the old
/// complete file or the new complete file at the path, never a half-written one.
/// </summary>
/// <remarks>
/// The content goes to a temporary file in the same directory (<c>.{name}.{pid}.{random}.tmp</c>),
/// is flushed to the disk, and then renamed over the target; a rename within one directory is
/// atomic on the file systems .NET supports. If writing fails the temporary file is deleted and
/// the old file, if any, is left untouched. Missing directories are created.
/// </remarks>
internal static class AtomicFile
{
    /// <summary>Replaces the file at <paramref name="path"/> with <paramref name="bytes"/>, atomically.</summary>
    /// <param name="path">The file to write; its directory is created if missing.</param>
    /// <param name="bytes">The whole new content.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="IOException">The file system refused the write, the flush or the rename.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory or the file is not writable.</exception>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var (temp, stream) = CreateTemp(path);
        try
        {
            using (stream)
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Replaces the file at <paramref name="path"/> with <paramref name="text"/> as UTF-8 (no byte-order mark), atomically.</summary>
    /// <param name="path">The file to write; its directory is created if missing.</param>
    /// <param name="text">The whole new content.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    /// <exception cref="IOException">The file system refused the write, the flush or the rename.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory or the file is not writable.</exception>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));
    }

    /// <summary>
    /// Replaces the file at <paramref name="path"/> with whatever <paramref name="writer"/> writes
    /// to the stream it is given, atomically. If the writer throws, the exception propagates
    /// unchanged, the temporary file is deleted and the old file is left as it was.
    /// </summary>
    /// <param name="path">The file to write; its directory is created if missing.</param>
    /// <param name="writer">Writes the whole new content; it must not dispose the stream.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="writer"/> is null.</exception>
    /// <exception cref="IOException">The file system refused the write, the flush or the rename.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory or the file is not writable.</exception>
    public static void Write(string path, Action<Stream> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var (temp, stream) = CreateTemp(path);
        try
        {
            using (stream)
            {
                writer(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Creates a new, uniquely named temporary file next to <paramref name="path"/>.</summary>
    private static (string Temp, FileStream Stream) CreateTemp(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' names no file.", nameof(path));
        string name = Path.GetFileName(full);
        if (name.Length == 0)
            throw new ArgumentException($"'{path}' names a directory, not a file.", nameof(path));
        Directory.CreateDirectory(directory);

        // CreateNew never reuses an existing file; a collision of the 64 random bits is retried.
        for (int attempt = 0; ; attempt++)
        {
            string temp = Path.Combine(directory, $".{name}.{Environment.ProcessId}.{Random.Shared.NextInt64():x16}.tmp");
            try
            {
                var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None,
                    bufferSize: 1 << 16, FileOptions.None);
                return (temp, stream);
            }
            catch (IOException) when (attempt < 3 && File.Exists(temp))
            {
            }
        }
    }

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (IOException)
        {
            // The original error matters more than a leftover temporary file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
