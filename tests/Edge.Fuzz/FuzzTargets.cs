namespace Edge.Fuzz;

/// <summary>A harness broke a rule every input must keep: a bug, reported to afl-fuzz as a crash.</summary>
public sealed class FuzzInvariantException(string message) : Exception(message);

/// <summary>
/// One parser under fuzzing: its name (the corpus folder) and the harness that runs one input through it, which
/// returns true when the parser took something from the input (a packet, a part, an alert, a line, a command).
/// </summary>
public sealed record FuzzTarget(string Name, string What, Func<byte[], bool> Run);

/// <summary>
/// Every parser that takes bytes from a device or the network, each with a harness. A harness lets the parser refuse
/// an input the way it is documented to (a false, a null, a named error, its own exception type) and throws for
/// anything else: an unexpected exception, or a rule broken (the same stream read whole and one byte at a time giving
/// different results, a round trip that changes a packet, an accepted value out of its range).
/// </summary>
public static partial class FuzzTargets
{
    /// <summary>All targets, by name.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("osdp-frame", "OSDP framing and packet decoding (RS-485 bytes from readers)", OsdpFrames),
        new("osdp-reply", "OSDP reply payloads: raw and formatted card reads, capabilities", OsdpReplies),
        new("osdp-secure", "OSDP secure channel: handshake replies, protected replies, their round trip", OsdpSecure),
        new("isapi-multipart", "ISAPI alert stream: multipart/mixed, read whole and one byte at a time", IsapiMultipart),
        new("isapi-alert", "ISAPI alerts (XML and JSON) and what they map to", IsapiAlerts),
        new("isapi-log", "ISAPI access controller event log pages", IsapiLogPages),
        new("onvif", "ONVIF SOAP envelopes, pull messages and device time", Onvif),
        new("bridge", "hardware bridge protocol: lines read whole and one byte at a time, messages", Bridge),
        new("command", "station commands: JWS, signature, payload and every check after it", Command),
    ];

    /// <summary>The target named <paramref name="name"/>, or null.</summary>
    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);

    private static void Check(bool rule, string what)
    {
        if (!rule)
        {
            throw new FuzzInvariantException(what);
        }
    }

    /// <summary>A stream that hands out one byte per read, as a slow link does.</summary>
    private sealed class OneByteStream(byte[] data) : MemoryStream(data, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1)]);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, 1), cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 1)], cancellationToken);
    }
}
