using System.Globalization;
using Edge.Gateway.Configuration;
using Edge.Gateway.Outbox;

namespace Edge.Benchmarks.Uplink;

/// <summary>Options of <c>edge-bench uplink</c>.</summary>
/// <param name="Runs">Floods of each path, taken in turns (durable, raw, durable, raw...): the machine's pace moves
/// between runs, so each durable run is compared with the raw run beside it, and the median of those ratios is given.</param>
internal sealed record BenchArgs(Uri? Broker, int Events, int Window, OutboxDurability Durability, int Runs)
{
    public static BenchArgs? Parse(string[] args)
    {
        Uri? broker = null;
        var events = 100_000;
        var window = 256;
        var durability = OutboxDurability.Full;
        var runs = 3;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--broker" when Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == "mqtt":
                    broker = uri;
                    break;
                case "--events" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0:
                    events = n;
                    break;
                case "--window" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var w) && w is > 0 and <= 65535:
                    window = w;
                    break;
                case "--runs" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r is > 0 and <= 20:
                    runs = r;
                    break;
                case "--durability" when Enum.TryParse<OutboxDurability>(value, ignoreCase: true, out var d):
                    durability = d;
                    break;
                default:
                    Console.Error.WriteLine($"edge-bench uplink: bad option '{args[i]}' {value}");
                    return null;
            }

            i++;
        }

        return new BenchArgs(broker, events, window, durability, runs);
    }
}
