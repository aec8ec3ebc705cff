namespace Edge.Gateway.Access.Osdp;

/// <summary>
/// Finds OSDP packets in a byte stream that may carry noise: bytes before a SOM are skipped, a SOM whose packet has a
/// bad length or a bad check is dropped and the search goes on from the next byte, so one corrupt packet never costs
/// the valid one after it. Every kind of trouble is counted. Not thread-safe: one reader per line.
/// </summary>
public sealed class OsdpFrameReader
{
    private readonly Func<byte, bool>? _hasMac;
    private byte[] _buffer = new byte[OsdpPacket.MaxLength * 2];
    private int _count;

    public OsdpFrameReader(Func<byte, bool>? hasMac = null) => _hasMac = hasMac;

    /// <summary>Bytes skipped because no packet started there.</summary>
    public long NoiseBytes { get; private set; }

    /// <summary>Packets dropped for a bad CRC or checksum.</summary>
    public long BadChecks { get; private set; }

    /// <summary>Packets dropped for an impossible length or security block.</summary>
    public long BadFrames { get; private set; }

    /// <summary>Bytes waiting for the rest of their packet.</summary>
    public int Pending => _count;

    /// <summary>Adds received bytes and returns the packets they complete.</summary>
    public IReadOnlyList<OsdpPacket> Append(ReadOnlySpan<byte> bytes)
    {
        var packets = new List<OsdpPacket>();
        while (bytes.Length > 0)
        {
            var take = Math.Min(bytes.Length, _buffer.Length - _count);
            bytes[..take].CopyTo(_buffer.AsSpan(_count));
            _count += take;
            bytes = bytes[take..];
            Drain(packets);
            if (_count == _buffer.Length)
            {
                // Cannot happen with MaxLength-bounded packets; drop rather than grow.
                NoiseBytes += _count;
                _count = 0;
            }
        }

        return packets;
    }

    /// <summary>
    /// The line was silent past the inter-character timeout: a partial packet will never complete. Its SOM was noise
    /// (or the rest of it was lost), so it is dropped, and any complete packets behind it are still returned.
    /// </summary>
    public IReadOnlyList<OsdpPacket> Reset()
    {
        var packets = new List<OsdpPacket>();
        Drain(packets, silent: true);
        return packets;
    }

    private void Drain(List<OsdpPacket> packets, bool silent = false)
    {
        var start = 0;
        while (start < _count)
        {
            var span = _buffer.AsSpan(start, _count - start);
            switch (OsdpCodec.TryDecode(span, out var packet, out var consumed, _hasMac))
            {
                case OsdpDecodeError.None:
                    packets.Add(packet!);
                    start += consumed;
                    continue;
                case OsdpDecodeError.Incomplete when !silent:
                    Compact(start);
                    return;
                case OsdpDecodeError.Incomplete:
                    BadFrames++;
                    NoiseBytes++;
                    start++;
                    continue;
                case OsdpDecodeError.NoStartOfMessage:
                    var som = span.IndexOf(OsdpPacket.StartOfMessage);
                    var skip = som < 0 ? span.Length : som;
                    NoiseBytes += skip;
                    start += skip;
                    continue;
                case OsdpDecodeError.BadCheck:
                    BadChecks++;
                    NoiseBytes++;
                    start++;
                    continue;
                default:
                    BadFrames++;
                    NoiseBytes++;
                    start++;
                    continue;
            }
        }

        _count = 0;
    }

    private void Compact(int start)
    {
        if (start > 0)
        {
            Array.Copy(_buffer, start, _buffer, 0, _count - start);
            _count -= start;
        }
    }
}
