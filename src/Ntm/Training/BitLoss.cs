using System.Numerics;
using Ntm.Numerics;

namespace Ntm.Training;

/// <summary>
/// The paper's loss for bit outputs (section 4): binary cross-entropy of the sigmoid outputs
/// y = sigmoid(z) against the targets, summed over the scored bits, reported in bits per sequence;
/// and the bit errors, outputs on the wrong side of 0.5. The engine works in nats (natural
/// logarithms); <see cref="ToBits"/> is the one conversion.
/// </summary>
internal static class BitLoss
{
    /// <summary>A cost in nats as bits: nats / ln 2.</summary>
    public static double ToBits(double nats) => nats / Math.Log(2);

    // logits and targets are (steps, batch, O), mask is (steps, batch). Adds each sequence's cost in nats,
    // sum over scored bits of softplus(z) - y z (the stable form of -y log p - (1 - y) log(1 - p)),
    // into costNats (batch), and its bit errors into bitErrors (batch).
    public static void Forward<T>(ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ReadOnlySpan<T> mask, int outputs, int steps, int batch,
        Span<double> costNats, Span<double> bitErrors) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
            {
                T mk = mask[t * batch + b];
                if (mk == T.Zero) continue;
                int at = (t * batch + b) * outputs;
                double cost = 0, errors = 0;
                for (int j = 0; j < outputs; j++)
                {
                    double z = double.CreateChecked(logits[at + j]), y = double.CreateChecked(targets[at + j]);
                    cost += (z > 0 ? z + Math.Log(1 + Math.Exp(-z)) : Math.Log(1 + Math.Exp(z))) - y * z;
                    if ((z > 0) != (y > 0.5)) errors++;
                }
                double m = double.CreateChecked(mk);
                costNats[b] += m * cost;
                bitErrors[b] += m * errors;
            }
    }

    // Reverses Forward for the rows of one step (batch rows of O): dL/dz = scale mask (sigmoid(z) - y),
    // written into dLogits (batch, O). scale is the factor on the summed cost (1 / batch size for a mean).
    public static void Backward<T>(Span<T> dLogits, ReadOnlySpan<T> logits, ReadOnlySpan<T> targets, ReadOnlySpan<T> mask,
        T scale, int outputs, int batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        for (int b = 0; b < batch; b++)
        {
            T mk = mask[b] * scale;
            int at = b * outputs;
            for (int j = 0; j < outputs; j++)
                dLogits[at + j] = mk == T.Zero ? T.Zero : mk * (Activations.Sigmoid(logits[at + j]) - targets[at + j]);
        }
    }
}
