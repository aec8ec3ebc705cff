using System.Globalization;

namespace Edge.Gateway.Hardware.Bridge;

/// <summary>
/// The virtual hardware bridge's wire format: one ASCII line per message, fields separated by single spaces, ending
/// with LF. <c>HELLO 2 c001</c>, <c>LEVEL 17 0 1764612000123456</c>, <c>ADC 3 512 1764612000123456</c>,
/// <c>OUT 22 1</c>, <c>PING</c>, <c>PONG</c>. A level or reading carries when it changed on the hardware, in
/// microseconds since the Unix epoch, as the kernel stamps a GPIO edge; version 1 lines without it are read as
/// changed when they arrive. Parsing never throws: anything else is not a message.
/// </summary>
public static class BridgeProtocol
{
    /// <summary>The protocol version this code speaks.</summary>
    public const int Version = 2;

    /// <summary>Longest line accepted; a longer one is garbage.</summary>
    public const int MaxLineLength = 128;

    /// <summary>Highest pin or channel number.</summary>
    public const int MaxNumber = 1023;

    /// <summary>Highest ADC value (covers 10- to 16-bit converters).</summary>
    public const int MaxAdc = 65_535;

    public static string Format(BridgeMessage m) => m.Kind switch
    {
        BridgeMessageKind.Hello => Invariant($"HELLO {(m.Value == 0 ? Version : m.Value)} {m.Text}"),
        BridgeMessageKind.Level => Invariant($"LEVEL {m.Number} {m.Value}{Time(m.At)}"),
        BridgeMessageKind.Adc => Invariant($"ADC {m.Number} {m.Value}{Time(m.At)}"),
        BridgeMessageKind.Out => Invariant($"OUT {m.Number} {m.Value}"),
        BridgeMessageKind.Ping => "PING",
        BridgeMessageKind.Pong => "PONG",
        BridgeMessageKind.Ready => "READY",
        _ => throw new ArgumentOutOfRangeException(nameof(m), m.Kind, "unknown bridge message"),
    };

    /// <summary>One message as it goes on the wire: the ASCII line and its LF.</summary>
    public static byte[] Encode(BridgeMessage m) => System.Text.Encoding.ASCII.GetBytes(Format(m) + "\n");

    /// <summary>Parses one line (without its LF); false for anything that is not a valid message.</summary>
    public static bool TryParse(ReadOnlySpan<char> line, out BridgeMessage message)
    {
        message = default;
        if (line.Length is 0 or > MaxLineLength)
        {
            return false;
        }

        Span<Range> parts = stackalloc Range[5];
        var count = line.Split(parts, ' ');
        if (count > 4)
        {
            return false;
        }

        DateTimeOffset? at = null;
        if (count == 4)
        {
            if (!long.TryParse(line[parts[3]], NumberStyles.None, CultureInfo.InvariantCulture, out var micros) || micros > MaxMicros)
            {
                return false;
            }

            at = DateTimeOffset.UnixEpoch.AddTicks(micros * 10);
        }

        var verb = line[parts[0]];
        switch (verb)
        {
            case not ("LEVEL" or "ADC") when count == 4:
                return false;
            case "PING" when count == 1:
                message = new BridgeMessage(BridgeMessageKind.Ping);
                return true;
            case "PONG" when count == 1:
                message = new BridgeMessage(BridgeMessageKind.Pong);
                return true;
            case "READY" when count == 1:
                message = new BridgeMessage(BridgeMessageKind.Ready);
                return true;
            case "HELLO" when count == 3 && Number(line[parts[1]], 1, 1000, out var version) && Edge.Contracts.Topics.TopicSegment.IsValid(line[parts[2]].ToString()):
                message = new BridgeMessage(BridgeMessageKind.Hello, Value: version, Text: line[parts[2]].ToString());
                return true;
            case "LEVEL" or "OUT" when count >= 3 && Number(line[parts[1]], 0, MaxNumber, out var pin) && Number(line[parts[2]], 0, 1, out var level):
                message = new BridgeMessage(verb is "LEVEL" ? BridgeMessageKind.Level : BridgeMessageKind.Out, pin, level, At: at);
                return true;
            case "ADC" when count >= 3 && Number(line[parts[1]], 0, MaxNumber, out var channel) && Number(line[parts[2]], 0, MaxAdc, out var counts):
                message = new BridgeMessage(BridgeMessageKind.Adc, channel, counts, At: at);
                return true;
            default:
                return false;
        }
    }

    /// <summary>The latest time a message may carry: the year 9999.</summary>
    private static readonly long MaxMicros = (DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch).Ticks / 10;

    private static string Time(DateTimeOffset? at) =>
        at is { } t ? " " + ((t - DateTimeOffset.UnixEpoch).Ticks / 10).ToString(CultureInfo.InvariantCulture) : "";

    private static bool Number(ReadOnlySpan<char> text, int min, int max, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min && value <= max;

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
