using System.Globalization;
using Edge.Simulator.Hardware;

namespace Edge.Simulator.Station;

/// <summary>What the police's step on an alarm should make its column show.</summary>
public enum ColumnShows
{
    /// <summary><c>alarm.acknowledge</c>: a slow blink, lit half of each second.</summary>
    Acknowledged,

    /// <summary><c>alarm.dispatch</c>: a double flash every second.</summary>
    Dispatched,

    /// <summary><c>alarm.resolve</c>: dark.</summary>
    Resolved,
}

/// <summary>
/// The alarm columns' LEDs as the simulated hardware sees them: every level a gateway writes to an LED pin over the
/// bridge, with when. A person tells the column's states apart by how long the LED stays lit and dark, and so does
/// <see cref="Check"/>, with room for a busy gateway's timer.
/// </summary>
public sealed class ColumnLeds
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Community, int Pin), List<(DateTimeOffset At, bool On)>> _writes = [];

    /// <summary>LEDs whose writes are <see cref="Record"/>ed by the caller.</summary>
    public ColumnLeds()
    {
    }

    /// <summary>The LEDs a gateway writes over <paramref name="bridge"/>, each write timed by the bridge's clock.</summary>
    public ColumnLeds(BridgeServer bridge)
    {
        ArgumentNullException.ThrowIfNull(bridge);
        bridge.OutputWritten += (community, pin, on) => Record(community, pin, on, bridge.Now);
    }

    /// <summary>A level a gateway wrote to an LED pin, at <paramref name="at"/>.</summary>
    public void Record(string community, int pin, bool on, DateTimeOffset at)
    {
        lock (_lock)
        {
            (_writes.TryGetValue((community, pin), out var list) ? list : _writes[(community, pin)] = []).Add((at, on));
        }
    }

    /// <summary>The level the LED showed at <paramref name="at"/>: the last one written before; null when none was.</summary>
    public bool? LevelAt(string community, int pin, DateTimeOffset at)
    {
        lock (_lock)
        {
            var last = _writes.TryGetValue((community, pin), out var list) ? list.FindLastIndex(w => w.At <= at) : -1;
            return last >= 0 ? list![last].On : null;
        }
    }

    /// <summary>The level a step's pattern begins with: dark for acknowledged (so the change from steady shows at once) and resolved, lit for dispatched.</summary>
    public static bool FirstLevel(ColumnShows shows) => shows == ColumnShows.Dispatched;

    /// <summary>When the first level was written to the pin after <paramref name="at"/>, if one was.</summary>
    public DateTimeOffset? FirstWriteAfter(string community, int pin, DateTimeOffset at)
    {
        lock (_lock)
        {
            var first = _writes.TryGetValue((community, pin), out var list) ? list.FindIndex(w => w.At > at) : -1;
            return first >= 0 ? list![first].At : null;
        }
    }

    /// <summary>
    /// Null when the LED showed <paramref name="shows"/> from <paramref name="from"/> (when the step had been applied)
    /// to <paramref name="to"/> (the first 100 ms left to the change itself), else what it showed instead, judged by the typical (median) spell, as a
    /// person would. Acknowledged: lit 350-900 ms (500 nominal). Dispatched: lit at most 300 ms (150 nominal), with a dark
    /// spell of 400 ms or more between pairs (550 nominal); a fast blink (250/250, sending) is neither. Resolved: dark,
    /// and nothing lit after.
    /// </summary>
    public string? Check(string community, int pin, ColumnShows shows, DateTimeOffset from, DateTimeOffset to)
    {
        List<(DateTimeOffset At, bool On)> writes;
        bool litAtEnd;
        lock (_lock)
        {
            var all = _writes.TryGetValue((community, pin), out var list) ? list : [];
            writes = all.Where(w => w.At > from + Settle && w.At <= to).ToList();
            var last = all.FindLastIndex(w => w.At <= to);
            litAtEnd = last >= 0 && all[last].On;
        }

        var lit = new List<double>();
        var dark = new List<double>();
        for (var i = 1; i < writes.Count; i++)
        {
            if (writes[i].On != writes[i - 1].On)
            {
                (writes[i - 1].On ? lit : dark).Add((writes[i].At - writes[i - 1].At).TotalMilliseconds);
            }
        }

        string Shown() => string.Create(CultureInfo.InvariantCulture,
            $"{writes.Count} writes, lit {Spells(lit)}, dark {Spells(dark)}");
        return shows switch
        {
            ColumnShows.Acknowledged when lit.Count == 0 || Median(lit) is < 350 or > 900 => $"not a slow blink: {Shown()}",
            ColumnShows.Dispatched when lit.Count < 2 || Median(lit) > 300 || !dark.Any(ms => ms >= 400) => $"not a double flash: {Shown()}",
            ColumnShows.Resolved when writes.Any(w => w.On) || litAtEnd => $"not dark: {Shown()}{(litAtEnd ? ", lit at the end" : "")}",
            _ => null,
        };
    }

    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(100);

    /// <summary>The typical spell: a gateway whose timer stalls once (a busy machine) stretches one spell, not the pattern.</summary>
    private static double Median(List<double> ms)
    {
        var sorted = ms.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static string Spells(List<double> ms) => ms.Count == 0 ? "none" : string.Join("/", ms.Take(6).Select(m => m.ToString("0", CultureInfo.InvariantCulture))) + " ms";
}
