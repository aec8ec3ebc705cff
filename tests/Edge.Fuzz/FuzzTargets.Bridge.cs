using Edge.Gateway.Hardware.Bridge;

namespace Edge.Fuzz;

public static partial class FuzzTargets
{
    private static bool Bridge(byte[] data)
    {
        var whole = ReadLines(new MemoryStream(data));
        var trickle = ReadLines(new OneByteStream(data));
        Check(whole.SequenceEqual(trickle), $"{whole.Count} lines read whole, {trickle.Count} one byte at a time, or different ones");
        var parsed = false;
        foreach (var line in whole)
        {
            Check(line.Length <= BridgeProtocol.MaxLineLength, "a line longer than the protocol allows");
            if (BridgeProtocol.TryParse(line, out var message))
            {
                Check(BridgeProtocol.TryParse(BridgeProtocol.Format(message), out var again) && again == message,
                    $"'{line}' parsed, formatted as '{BridgeProtocol.Format(message)}', does not parse to the same message");
                parsed = true;
            }
        }

        return parsed;
    }

    private static List<string> ReadLines(Stream stream)
    {
        var reader = new LineReader(stream, BridgeProtocol.MaxLineLength);
        var lines = new List<string>();
        while (reader.ReadLineAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult() is { } line)
        {
            lines.Add(line);
        }

        return lines;
    }
}
