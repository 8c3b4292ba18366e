using System.Globalization;

namespace Ntm.Programs;

/// <summary>
/// The counter register of a counting <see cref="TapeProgram"/> (<see cref="TapeProgram.Counts"/>): an input
/// symbol that ends in a number (<c>repeat 7</c>) loads it and is seen as its name alone (<c>repeat</c>); after
/// that, every step whose read heads saw the end of the data at the previous step (<c>|end</c>) takes one off,
/// down to 0, and transitions see <c>;n=0</c> or <c>;n&gt;0</c> after what was read. The same code runs in
/// extraction and in the executor.
/// </summary>
internal sealed class PassCounter
{
    private long _n;
    private bool _loaded;

    /// <summary>The symbol and read a transition sees at this step.</summary>
    public (string Symbol, string Read) See(string symbol, string read)
    {
        int space = symbol.LastIndexOf(' ');
        if (space > 0 && long.TryParse(symbol.AsSpan(space + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long k))
        {
            (_n, _loaded) = (k, true);
            symbol = symbol[..space];
        }
        else if (_loaded && _n > 0 && read.Contains("|end", StringComparison.Ordinal)) _n--;
        return (symbol, _loaded ? read + (_n == 0 ? ";n=0" : ";n>0") : read);
    }
}
