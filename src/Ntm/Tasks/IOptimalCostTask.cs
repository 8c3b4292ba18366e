namespace Ntm.Tasks;

/// <summary>
/// A task with a known floor: the cost of the best possible predictor on any given sequences
/// (for dynamic n-grams, the Bayes-optimal estimator). Training reports and evaluations of such a
/// task show the model's cost beside the floor on the same sequences, and a run keeps as its best
/// weights those closest to the floor rather than those with the lowest raw cost, which would
/// mostly pick the evaluation set with the easiest sequences.
/// </summary>
public interface IOptimalCostTask : ISequenceTask
{
    /// <summary>The optimal predictor's cost in bits of every sequence of <paramref name="batch"/> (scored like the model: masked steps only).</summary>
    /// <exception cref="MalformedDataException">The batch does not have this task's layout.</exception>
    double[] OptimalCost(SequenceBatch batch);
}
