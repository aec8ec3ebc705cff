using System.Globalization;

namespace Edge.Benchmarks.Uplink;

/// <summary>
/// A benchmark's whole-number options (<c>--name N</c>, each with its upper bound): read into a dictionary of the
/// defaults, or null, with the usage printed, for anything else.
/// </summary>
internal static class CountOptions
{
    public static Dictionary<string, int>? Parse(string[] args, string usage, params (string Name, int Default, int Max)[] options)
    {
        var values = options.ToDictionary(o => o.Name, o => o.Default, StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            var option = options.FirstOrDefault(o => o.Name == args[i]);
            if (option.Name is null || i + 1 >= args.Length
                || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > option.Max)
            {
                Console.Error.WriteLine(usage);
                return null;
            }

            values[option.Name] = n;
        }

        return values;
    }
}
