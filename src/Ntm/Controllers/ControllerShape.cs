using Ntm.Model;

namespace Ntm.Controllers;

/// <summary>
/// The widths of a controller layer, declared once. Layer l's matrix maps its input u to its
/// pre-activations: u = [x_t; r_{t-1}] for layer 0 (the external input and every previous read
/// vector, paper section 3) or the layer below's output h for the others, followed by the layer's
/// own previous output h_{t-1} for an LSTM. An LSTM layer has 4H pre-activations (gates i, f, g, o),
/// a feed-forward layer H.
/// </summary>
internal static class ControllerShape
{
    /// <summary>Width of layer <paramref name="layer"/>'s input u, the columns of its matrix.</summary>
    public static int InputWidth(NtmConfig c, int layer)
    {
        int inputs = layer == 0 ? c.ControllerInputSize : c.ControllerSize;
        return c.Controller == ControllerKind.Lstm ? inputs + c.ControllerSize : inputs;
    }

    /// <summary>Pre-activations per layer, the rows of its matrix: 4H for an LSTM, H for a feed-forward layer.</summary>
    public static int GateWidth(NtmConfig c) => c.Controller == ControllerKind.Lstm ? 4 * c.ControllerSize : c.ControllerSize;
}
