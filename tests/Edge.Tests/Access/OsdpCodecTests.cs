using Edge.Gateway.Access.Osdp;

namespace Edge.Tests.Access;

public sealed class OsdpCodecTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    [Fact]
    public void The_crc_is_crc16_aug_ccitt()
    {
        // The catalogue's check value of CRC-16/AUG-CCITT over "123456789".
        Assert.Equal(0xE5CC, OsdpChecks.Crc16("123456789"u8));
    }

    // Packet bytes computed independently (a Python implementation of the framing in field-facts.md).
    [Theory]
    [InlineData("53650800056051a3", 0x65, false, 1, OsdpCommand.Poll, "", true)]
    [InlineData("53e508000540e3a5", 0x65, true, 1, OsdpReply.Ack, "", true)]
    [InlineData("53000700006046", 0x00, false, 0, OsdpCommand.Poll, "", false)]
    [InlineData("53e51000065000011a0009181cc0ff62", 0x65, true, 2, OsdpReply.Raw, "00011a0009181cc0", true)]
    public void Packets_encode_and_decode_to_known_bytes(string hex, int address, bool reply, int sequence, byte code, string data, bool crc)
    {
        var packet = new OsdpPacket((byte)address, reply, sequence, code, Hex(data), crc);

        Assert.Equal(hex, Convert.ToHexStringLower(OsdpCodec.Encode(packet)));
        Assert.Equal(OsdpDecodeError.None, OsdpCodec.TryDecode(Hex(hex), out var decoded, out var consumed));
        Assert.Equal(hex.Length / 2, consumed);
        Assert.Equal((packet.Address, packet.IsReply, packet.Sequence, packet.Code, packet.UseCrc), (decoded!.Address, decoded.IsReply, decoded.Sequence, decoded.Code, decoded.UseCrc));
        Assert.Equal(data, Convert.ToHexStringLower(decoded.Data.Span));
    }

    [Fact]
    public void A_secure_packet_carries_its_security_block_and_mac()
    {
        var packet = new OsdpPacket(0x01, false, 2, OsdpCommand.Poll, Array.Empty<byte>(), SecurityBlock: new byte[] { 0x02, 0x15 }, Mac: new byte[] { 1, 2, 3, 4 });

        var bytes = OsdpCodec.Encode(packet);
        Assert.Equal(OsdpDecodeError.None, OsdpCodec.TryDecode(bytes, out var decoded, out _));

        Assert.Equal([0x02, 0x15], decoded!.SecurityBlock!.Value.ToArray());
        Assert.Equal([1, 2, 3, 4], decoded.Mac!.Value.ToArray());
        Assert.Equal(OsdpCommand.Poll, decoded.Code);
        Assert.Equal(0x0C, bytes[4] & 0x0C);
    }

    [Theory]
    [InlineData("53650800056051a4", OsdpDecodeError.BadCheck)]
    [InlineData("53000700006047", OsdpDecodeError.BadCheck)]
    [InlineData("536503000560", OsdpDecodeError.BadLength)]
    [InlineData("5365ff7f056051a3", OsdpDecodeError.BadLength)]
    [InlineData("536508000560", OsdpDecodeError.Incomplete)]
    [InlineData("5265080005", OsdpDecodeError.NoStartOfMessage)]
    [InlineData("53010a000c051560", OsdpDecodeError.BadSecurityBlock)]
    public void Bad_bytes_are_named_not_thrown(string hex, OsdpDecodeError error)
    {
        var bytes = Hex(hex);
        if (error == OsdpDecodeError.BadSecurityBlock)
        {
            // A security block claiming 5 bytes where the packet has 2 before its code, under a valid CRC.
            var crc = OsdpChecks.Crc16(bytes);
            bytes = [.. bytes, (byte)crc, (byte)(crc >> 8)];
        }

        Assert.Equal(error, OsdpCodec.TryDecode(bytes, out var packet, out _));
        Assert.Null(packet);
    }

    [Fact]
    public void Every_valid_packet_is_found_among_noise_truncated_packets_and_corrupt_ones_in_any_chunking()
    {
        var random = new Random(2026);
        for (var round = 0; round < 50; round++)
        {
            var stream = new List<byte>();
            var sent = new List<OsdpPacket>();
            for (var i = 0; i < 40; i++)
            {
                var data = new byte[random.Next(0, 40)];
                random.NextBytes(data);
                var packet = new OsdpPacket((byte)random.Next(0, 0x7F), random.Next(2) == 0, random.Next(0, 4), (byte)random.Next(0x40, 0x80), data, random.Next(4) != 0);
                var bytes = OsdpCodec.Encode(packet);
                switch (random.Next(6))
                {
                    case 0:
                        // Noise before it, now and then with a SOM in it.
                        var noise = new byte[random.Next(1, 30)];
                        random.NextBytes(noise);
                        stream.AddRange(noise);
                        break;
                    case 1:
                        // A packet cut short by a line fault.
                        var cut = OsdpCodec.Encode(packet with { Code = OsdpCommand.Led });
                        stream.AddRange(cut.Take(random.Next(1, cut.Length - 1)));
                        break;
                    case 2:
                        // A corrupt packet: one byte flipped.
                        var bad = OsdpCodec.Encode(packet with { Code = OsdpCommand.Text });
                        bad[random.Next(1, bad.Length)] ^= (byte)(1 << random.Next(8));
                        stream.AddRange(bad);
                        break;
                }

                stream.AddRange(bytes);
                sent.Add(packet);
            }

            var reader = new OsdpFrameReader(_ => false);
            var received = new List<OsdpPacket>();
            var all = stream.ToArray();
            for (var at = 0; at < all.Length;)
            {
                var n = Math.Min(all.Length - at, random.Next(1, 64));
                received.AddRange(reader.Append(all.AsSpan(at, n)));
                at += n;
            }

            // The line goes quiet: whatever a noise SOM with a long LEN held back comes out now.
            received.AddRange(reader.Reset());

            var wanted = sent.Select(p => Convert.ToHexString(OsdpCodec.Encode(p))).ToList();
            var got = received.Select(p => Convert.ToHexString(OsdpCodec.Encode(p))).ToList();
            // Every packet sent arrives, in order; corrupt and truncated ones never pass as valid ones.
            Assert.Equal(wanted, got.Where(wanted.Contains).ToList());
            Assert.DoesNotContain(received, p => p.Code is OsdpCommand.Led or OsdpCommand.Text && !sent.Any(s => s.Code == p.Code));
        }
    }

    [Fact]
    public void A_partial_packet_left_by_a_silent_line_is_dropped_on_reset()
    {
        var reader = new OsdpFrameReader();
        Assert.Empty(reader.Append(Hex("536508")));
        Assert.Equal(3, reader.Pending);

        Assert.Empty(reader.Reset());

        Assert.Equal(0, reader.Pending);
        Assert.Single(reader.Append(Hex("53650800056051a3")));
    }
}
