using Edge.Gateway.Access;
using Edge.Gateway.Access.Osdp;

namespace Edge.Fuzz;

public static partial class FuzzTargets
{
    private static bool OsdpFrames(byte[] data)
    {
        var error = OsdpCodec.TryDecode(data, out var packet, out var consumed, OsdpSecureChannel.HasMac);
        if (error == OsdpDecodeError.None)
        {
            Check(packet is not null && consumed > 0 && consumed <= data.Length, "a decoded packet consumed nothing or more than there was");
            RoundTrip(packet!);
        }

        // The same bytes in one piece and one byte at a time make the same packets.
        var whole = new OsdpFrameReader(OsdpSecureChannel.HasMac);
        var a = whole.Append(data).Concat(whole.Reset()).ToList();
        var split = new OsdpFrameReader(OsdpSecureChannel.HasMac);
        var b = new List<OsdpPacket>();
        for (var i = 0; i < data.Length; i++)
        {
            b.AddRange(split.Append(data.AsSpan(i, 1)));
        }

        b.AddRange(split.Reset());
        Check(a.Count == b.Count, $"{a.Count} packets read whole, {b.Count} one byte at a time");
        for (var i = 0; i < a.Count; i++)
        {
            Check(OsdpCodec.Encode(a[i]).AsSpan().SequenceEqual(OsdpCodec.Encode(b[i])), $"packet {i} differs read whole and one byte at a time");
            RoundTrip(a[i]);
        }

        return a.Count > 0;
    }

    /// <summary>A packet decoded is encoded again and decodes to the same packet.</summary>
    private static void RoundTrip(OsdpPacket packet)
    {
        Check(packet.Data.Length <= OsdpPacket.MaxLength, "a packet longer than OSDP allows");
        var encoded = OsdpCodec.Encode(packet);
        Check(OsdpCodec.TryDecode(encoded, out var again, out var used, OsdpSecureChannel.HasMac) == OsdpDecodeError.None && used == encoded.Length,
            "a decoded packet, encoded again, does not decode");
        Check(OsdpCodec.Encode(again!).AsSpan().SequenceEqual(encoded), "a decoded packet changes in a round trip");
    }

    private static bool OsdpReplies(byte[] data)
    {
        var taken = false;
        if (OsdpReports.RawBits(data) is { } bits)
        {
            Check(bits.Length is >= 1 and <= WiegandDecoder.MaxBits, $"{bits.Length} raw bits accepted");
            Check(data.Length >= 4 + ((bits.Length + 7) / 8), "raw bits accepted beyond the data");
            var read = WiegandDecoder.Decode(bits);
            Check(read.IsCard || read.IsKey || read.Error is not null, "a raw read that is neither a card, a key nor an error");
            taken = true;
        }

        if (OsdpReports.FormattedNumber(data) is { } number)
        {
            Check(data.Length >= 3 && number.Length == data[2] && number.All(char.IsAsciiDigit), $"formatted number '{number}' accepted");
            taken = true;
        }

        var capabilities = OsdpCapabilities.Parse(data);
        Check(capabilities.Inputs is >= 0 and <= 255, "capabilities out of range");
        return taken || capabilities != OsdpCapabilities.None;
    }

    private static readonly byte[] Scbk = Convert.FromHexString("00112233445566778899AABBCCDDEEFF");
    private static readonly byte[] CpRandom = Convert.FromHexString("0102030405060708");
    private static readonly byte[] PdRandom = Convert.FromHexString("A1A2A3A4A5A6A7A8");
    private static readonly byte[] ClientUid = Convert.FromHexString("5A5B5C5D5E5F6061");

    /// <summary>
    /// The first byte chooses: 0 mod 3, the bytes are frames arriving while the handshake runs; 1, frames arriving in
    /// an open session; 2, the rest is replies (code, then data, split at 0xFF) the reader protects, which the panel
    /// must open to exactly what was sent.
    /// </summary>
    private static bool OsdpSecure(byte[] data)
    {
        // An empty input still goes through the parser: SharpFuzz reads afl's first input before afl has written it,
        // and a harness that ran no gateway code on it would make afl-fuzz stop with "No instrumentation detected".
        data = data.Length == 0 ? [0] : data;
        var mode = data[0] % 3;
        var rest = data.AsSpan(1);
        var cp = new OsdpSecureChannel(Scbk);
        var pd = new OsdpSecureChannel(Scbk);
        if (mode == 0)
        {
            _ = cp.Challenge(1, 1, CpRandom);
            var answered = false;
            foreach (var reply in new OsdpFrameReader(OsdpSecureChannel.HasMac).Append(rest))
            {
                answered |= cp.OnClientCryptogram(reply, 2) is not null || cp.OnInitialRmac(reply);
            }

            return answered;
        }

        var scrypt = cp.OnClientCryptogram(pd.OnChallenge(cp.Challenge(1, 1, CpRandom), ClientUid, PdRandom)!, 2)!;
        Check(cp.OnInitialRmac(pd.OnServerCryptogram(scrypt)!), "the handshake between two channels with one key fails");
        if (mode == 1)
        {
            var reader = new OsdpFrameReader(OsdpSecureChannel.HasMac);
            var frames = reader.Append(rest).Concat(reader.Reset()).ToList();
            foreach (var reply in frames)
            {
                _ = cp.OpenReply(reply);
            }

            return frames.Count > 0;
        }

        var sequence = 1;
        var opened = 0;
        foreach (var chunk in Split(rest.ToArray(), 0xFF).Where(c => c.Length > 0).Take(8))
        {
            var poll = cp.ProtectCommand(new OsdpPacket(1, false, sequence, OsdpCommand.Poll, Array.Empty<byte>()));
            Check(pd.OpenCommand(poll) is not null, "the reader cannot open the panel's own command");
            var sent = new OsdpPacket(1, true, sequence, chunk[0], chunk.AsMemory(1));
            var wire = OsdpCodec.Encode(pd.ProtectReply(sent));
            Check(OsdpCodec.TryDecode(wire, out var received, out _, OsdpSecureChannel.HasMac) == OsdpDecodeError.None, "a protected reply does not decode");
            var open = cp.OpenReply(received!);
            Check(open is not null && open.Code == sent.Code && open.Data.Span.SequenceEqual(sent.Data.Span),
                $"a protected reply (code {sent.Code:X2}, {sent.Data.Length} bytes) does not open to what was sent");
            sequence = sequence % 3 + 1;
            opened++;
        }

        return opened > 0;
    }


    private static IEnumerable<byte[]> Split(byte[] bytes, byte separator)
    {
        var start = 0;
        for (var i = 0; i <= bytes.Length; i++)
        {
            if (i == bytes.Length || bytes[i] == separator)
            {
                yield return bytes[start..i];
                start = i + 1;
            }
        }
    }
}
