using System.Globalization;

namespace Ntm.Programs;

/// <summary>
/// The counter register of a counting <see cref="TapeProgram"/> (<see cref="TapeProgram.Counts"/>): an input
/// symbol that ends in a number (<c>repeat 7</c>) loads it and is seen as its name alone (<c>repeat</c>); after
/// that, every step after one that output the end of the data (the row holding the latest data written,
/// whether read there, read the step before, or named by a jump target) takes one off, down to 0: one pass
/// ends each time the last vector is given, however the program got to it. Transitions see <c>;n=0</c> or
/// <c>;n&gt;0</c> after what was read. The same code runs in extraction and in the executor.
/// </summary>
internal sealed class PassCounter
{
    private long _n;
    private bool _loaded;

    /// <summary>The symbol and read a transition sees at this step.</summary>
    /// <param name="symbol">The step's input symbol.</param>
    /// <param name="read">What the read heads saw at the previous step.</param>
    /// <param name="emittedEnd">Whether the previous step output the end of the data.</param>
    public (string Symbol, string Read) See(string symbol, string read, bool emittedEnd)
    {
        int space = symbol.LastIndexOf(' ');
        if (space > 0 && long.TryParse(symbol.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long k))
        {
            (_n, _loaded) = (k, true);
            symbol = symbol[..space];
        }
        else if (_loaded && _n > 0 && emittedEnd) _n--;
        return (symbol, _loaded ? read + (_n == 0 ? ";n=0" : ";n>0") : read);
    }
}
