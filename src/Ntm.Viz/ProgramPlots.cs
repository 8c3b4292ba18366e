using Ntm.Io;
using Ntm.Programs;
using ScottPlot;

namespace Ntm.Viz;

/// <summary>The state diagram of an extracted or hand-written <see cref="TapeProgram"/>.</summary>
public static class ProgramPlots
{
    /// <summary>Width and height in pixels of the diagram.</summary>
    public const int Width = 1100, Height = 900;

    /// <summary>
    /// Draws the states as labelled circles on a circle (the start state first, at the top, then clockwise
    /// in the program's order), each with its action underneath, and one arrow per pair of states with the
    /// input symbols that take it; a state's transitions to itself are listed under it (<c>loop: data</c>).
    /// Written as a PNG, atomically.
    /// </summary>
    public static void StateDiagram(TapeProgram program, string title, string path)
    {
        ArgumentNullException.ThrowIfNull(program);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        int n = program.States.Count;
        double radius = n <= 2 ? 1 : 4, node = n > 12 ? 0.35 : 0.5;
        var at = new Coordinates[n];
        for (int s = 0; s < n; s++)
        {
            double angle = Math.PI / 2 - 2 * Math.PI * s / n;
            at[s] = n == 1 ? new Coordinates(0, 0) : new Coordinates(radius * Math.Cos(angle), radius * Math.Sin(angle));
        }
        using Plot plot = new();
        plot.Title(title);
        plot.HideAxesAndGrid();
        var edges = program.Transitions.GroupBy(t => (t.From, t.To)).ToList();
        foreach (var e in edges.Where(e => e.Key.From != e.Key.To))
        {
            Coordinates a = at[e.Key.From], b = at[e.Key.To];
            double dx = b.X - a.X, dy = b.Y - a.Y, len = Math.Sqrt(dx * dx + dy * dy);
            if (len == 0) continue;
            // Offset a little sideways so that A -> B and B -> A do not overlap.
            double ox = -dy / len * 0.12, oy = dx / len * 0.12;
            var from = new Coordinates(a.X + dx / len * node + ox, a.Y + dy / len * node + oy);
            var to = new Coordinates(b.X - dx / len * node + ox, b.Y - dy / len * node + oy);
            var arrow = plot.Add.Arrow(from, to);
            arrow.ArrowFillColor = Colors.Black;
            arrow.ArrowLineColor = Colors.Black;
            arrow.ArrowWidth = 1.5f;
            arrow.ArrowheadWidth = 10;
            arrow.ArrowheadLength = 12;
            var label = plot.Add.Text(Symbols(program, e), (from.X + to.X) / 2 + ox, (from.Y + to.Y) / 2 + oy);
            label.LabelFontSize = 11;
            label.LabelFontColor = Colors.DarkBlue;
            label.LabelBackgroundColor = Colors.White;
            label.LabelAlignment = Alignment.MiddleCenter;
        }
        for (int s = 0; s < n; s++)
        {
            var circle = plot.Add.Circle(at[s], node);
            circle.FillColor = s == 0 ? Colors.LightGray : Colors.LightYellow;
            circle.LineColor = Colors.Black;
            var name = plot.Add.Text(program.States[s].Name, at[s].X, at[s].Y);
            name.LabelFontSize = 16;
            name.LabelBold = true;
            name.LabelAlignment = Alignment.MiddleCenter;
            var lines = new List<string>();
            if (program.States[s].Action is { } action) lines.Add(ProgramText.Describe(program, action));
            var loops = edges.Where(e => e.Key.From == s && e.Key.To == s).ToList();
            if (loops.Count > 0) lines.Add("loop: " + Symbols(program, loops[0]));
            if (lines.Count > 0)
            {
                // Outside the circle of states, away from its centre: the arrows run between states, inside it.
                double r = Math.Sqrt(at[s].X * at[s].X + at[s].Y * at[s].Y);
                double ux = r > 0 ? at[s].X / r : 0, uy = r > 0 ? at[s].Y / r : -1;
                // Beside a state on the left or right of the circle, above or below one at its top or bottom.
                bool side = Math.Abs(ux) > 0.3;
                double gap = node + 0.1;
                var text = plot.Add.Text(string.Join("\n", lines.Select(l => Wrap(l, 44))),
                    at[s].X + (side ? Math.Sign(ux) * gap : 0), at[s].Y + (side ? 0 : Math.Sign(uy) * gap));
                text.LabelFontSize = 10;
                text.LabelBackgroundColor = Colors.White;
                text.LabelAlignment = side ? (ux < 0 ? Alignment.MiddleRight : Alignment.MiddleLeft)
                    : uy > 0 ? Alignment.LowerCenter : Alignment.UpperCenter;
            }
        }
        double pad = radius + 2;
        plot.Axes.SetLimits(-pad, pad, -pad, pad - 0.8);
        plot.Axes.SquareUnits();
        AtomicFile.WriteAllBytes(path, plot.GetImageBytes(Width, Height, ImageFormat.Png));
    }

    private static string Symbols(TapeProgram program, IEnumerable<Transition> edge) =>
        Wrap(string.Join(", ", edge.Select(t => t.Symbol + (program.ReadsTape && t.Read != TapeProgram.AnyRead ? $" [{t.Read}]" : "")).Distinct()), 30);

    private static string Wrap(string text, int width)
    {
        var lines = new List<string>();
        var line = new System.Text.StringBuilder();
        foreach (string word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + word.Length + 1 > width) { lines.Add(line.ToString()); line.Clear(); }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0) lines.Add(line.ToString());
        return string.Join("\n", lines);
    }
}
