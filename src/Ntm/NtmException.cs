namespace Ntm;

/// <summary>
/// The base of every error a user can cause (bad arguments, bad files, wrong shapes, bad data).
/// Its message says in one line what was wrong and, where it helps, what to do.
/// </summary>
public class NtmException : Exception
{
    /// <summary>Creates the error with its one-line message.</summary>
    public NtmException(string message) : base(message) { }

    /// <summary>Creates the error with its one-line message and the error that caused it.</summary>
    public NtmException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A configuration or argument is out of range or inconsistent.</summary>
public sealed class InvalidConfigurationException(string message) : NtmException(message);

/// <summary>Data (a batch, a sequence file) has the wrong shape or holds NaN or infinity.</summary>
public sealed class MalformedDataException(string message) : NtmException(message);

/// <summary>A file (checkpoint, configuration, metrics) is missing, truncated or malformed.</summary>
public class InvalidFileException : NtmException
{
    /// <summary>The file that could not be read.</summary>
    public string Path { get; }

    /// <summary>Creates the error; the message is prefixed with the file's path.</summary>
    public InvalidFileException(string path, string problem) : base($"{path}: {problem}") => Path = path;

    /// <summary>Creates the error with its cause; the message is prefixed with the file's path.</summary>
    public InvalidFileException(string path, string problem, Exception inner) : base($"{path}: {problem}", inner) => Path = path;
}

/// <summary>Training produced a NaN or infinite gradient.</summary>
public sealed class TrainingDivergedException(string message) : NtmException(message);
