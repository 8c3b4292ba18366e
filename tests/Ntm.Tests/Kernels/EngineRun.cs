using System.Numerics;
using Ntm.Model;

namespace Ntm.Tests.Kernels;

/// <summary>
/// Drives <see cref="MachineEngine{T}"/> in either precision on one batch given in double: forward
/// (logits) and backward (gradient of the summed cross-entropy in nats).
/// </summary>
internal static class EngineRun
{
    public static (double[] Logits, double[] Gradient) Run<T>(NtmConfig config, ReadOnlySpan<double> parameters,
        double[] inputs, double[] targets, double[] mask, int steps, int batch) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layout = new ParameterLayout(config);
        var engine = new MachineEngine<T>(config, layout);
        var ws = new ShardWorkspace<T>(config, layout);
        ws.EnsureCapacity(steps, batch);
        var prm = new T[layout.Count];
        for (int i = 0; i < prm.Length; i++) prm[i] = T.CreateChecked(parameters[i]);
        for (int i = 0; i < inputs.Length; i++) ws.X[i] = T.CreateChecked(inputs[i]);
        for (int i = 0; i < targets.Length; i++) ws.Target[i] = T.CreateChecked(targets[i]);
        for (int i = 0; i < mask.Length; i++) ws.Mask[i] = T.CreateChecked(mask[i]);
        engine.Forward(prm, ws, steps, batch);
        var logits = new double[steps * batch * config.OutputSize];
        for (int i = 0; i < logits.Length; i++) logits[i] = double.CreateChecked(ws.Logits[i]);
        var grad = new T[layout.Count];
        engine.Backward(prm, grad, ws, steps, batch, T.One);
        return (logits, grad.Select(double.CreateChecked).ToArray());
    }
}
