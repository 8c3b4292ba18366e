using Ntm.Numerics;

namespace Ntm.Tasks;

/// <summary>
/// A source of training and test sequences: a task of the paper, or the user's own data.
/// Implementations are immutable; all randomness comes from the <see cref="Rng"/> passed in.
/// </summary>
public interface ISequenceTask
{
    /// <summary>The task's name as used on the command line (e.g. <c>copy</c>).</summary>
    string Name { get; }

    /// <summary>Width of an input vector.</summary>
    int InputSize { get; }

    /// <summary>Width of an output vector.</summary>
    int OutputSize { get; }

    /// <summary>Draws a minibatch of <paramref name="batchSize"/> sequences from the training distribution.</summary>
    SequenceBatch Sample(Rng rng, int batchSize);
}
