using System.Text;
using Edge.Gateway.Access;
using Edge.Gateway.Isapi;
using Edge.Gateway.Access.Osdp;

namespace Edge.Tests.Access;

/// <summary>
/// Generated garbage through every access parser: whatever the bytes, a parser answers (a result or a named error)
/// and never throws. Seeds are fixed, so a failure can be replayed.
/// </summary>
public sealed class ParserFuzzTests
{
    private static byte[] Bytes(Random random, int max)
    {
        var bytes = new byte[random.Next(0, max)];
        random.NextBytes(bytes);
        if (bytes.Length > 0 && random.Next(3) == 0)
        {
            bytes[0] = OsdpPacket.StartOfMessage;
        }

        return bytes;
    }

    [Fact]
    public void Osdp_decoding_and_framing_never_throw_on_random_bytes()
    {
        var random = new Random(1);
        var reader = new OsdpFrameReader(OsdpSecureChannel.HasMac);
        for (var i = 0; i < 50_000; i++)
        {
            var bytes = Bytes(random, 80);
            _ = OsdpCodec.TryDecode(bytes, out _, out _, OsdpSecureChannel.HasMac);
            _ = reader.Append(bytes);
        }

        _ = reader.Reset();
        Assert.True(reader.NoiseBytes > 0);
    }

    [Fact]
    public void Osdp_reports_never_throw_and_what_they_accept_adds_up()
    {
        var random = new Random(5);
        var accepted = 0;
        for (var i = 0; i < 50_000; i++)
        {
            var data = Bytes(random, 24);
            if (data.Length >= 3 && random.Next(2) == 0)
            {
                data[2] = (byte)random.Next(0, 40);
            }

            if (OsdpReports.RawBits(data) is { } bits)
            {
                Assert.InRange(bits.Length, 1, WiegandDecoder.MaxBits);
                Assert.True(data.Length >= 4 + ((bits.Length + 7) / 8));
                accepted++;
            }

            if (OsdpReports.FormattedNumber(data) is { } number)
            {
                Assert.True(number.Length == data[2] && number.All(char.IsAsciiDigit));
            }

            var capabilities = OsdpCapabilities.Parse(data);
            Assert.InRange(capabilities.Inputs, 0, 255);
        }

        Assert.InRange(accepted, 1, 49_999);
        Assert.Equal("0123", OsdpReports.FormattedNumber([0, 0, 4, (byte)'0', (byte)'1', (byte)'2', (byte)'3']));
        Assert.Null(OsdpReports.FormattedNumber([0, 0, 5, (byte)'0', (byte)'1']));
    }

    [Fact]
    public void Random_packets_never_open_in_a_secure_session()
    {
        var key = Convert.FromHexString("00112233445566778899AABBCCDDEEFF");
        var cp = new OsdpSecureChannel(key);
        var pd = new OsdpSecureChannel(key);
        var scrypt = cp.OnClientCryptogram(pd.OnChallenge(cp.Challenge(1, 1), new byte[8])!, 2)!;
        Assert.True(cp.OnInitialRmac(pd.OnServerCryptogram(scrypt)!));
        pd.OpenCommand(cp.ProtectCommand(new OsdpPacket(1, false, 1, OsdpCommand.Poll, Array.Empty<byte>())));
        var random = new Random(2);
        for (var i = 0; i < 5_000; i++)
        {
            var data = Bytes(random, 48);
            var mac = new byte[4];
            random.NextBytes(mac);
            var type = (byte)random.Next(0x11, 0x19);
            var forged = new OsdpPacket(1, true, 1, (byte)random.Next(0x40, 0x80), data, SecurityBlock: new byte[] { 2, type }, Mac: mac);
            Assert.Null(cp.OpenReply(forged));
        }
    }

    [Fact]
    public void Isapi_alert_parsing_never_throws_on_random_or_mangled_input()
    {
        var random = new Random(3);
        var samples = new[]
        {
            "<EventNotificationAlert><eventType>vmd</eventType><eventState>active</eventState><channelID>1</channelID></EventNotificationAlert>",
            "{\"eventType\":\"AccessControllerEvent\",\"AccessControllerEvent\":{\"majorEventType\":5,\"subEventType\":1,\"cardNo\":\"1\"}}",
        };
        for (var i = 0; i < 20_000; i++)
        {
            byte[] body;
            if (random.Next(2) == 0)
            {
                body = Bytes(random, 200);
            }
            else
            {
                // A real alert with bytes flipped, cut or repeated.
                var sample = Encoding.UTF8.GetBytes(samples[random.Next(samples.Length)]);
                body = sample[..random.Next(0, sample.Length + 1)];
                for (var f = random.Next(0, 4); f > 0 && body.Length > 0; f--)
                {
                    body[random.Next(body.Length)] = (byte)random.Next(256);
                }
            }

            if (!IsapiAlert.TryParse(body, "application/json", out var alert, out var error))
            {
                Assert.Null(alert);
                Assert.False(string.IsNullOrEmpty(error));
            }
        }
    }

    [Fact]
    public void Event_log_pages_never_throw_and_every_entry_they_accept_has_a_serial_and_codes()
    {
        var random = new Random(9);
        var sample = Encoding.UTF8.GetBytes(
            "{\"AcsEvent\":{\"searchID\":\"a1\",\"totalMatches\":2,\"responseStatusStrg\":\"MORE\",\"numOfMatches\":2,\"InfoList\":[" +
            "{\"major\":5,\"minor\":1,\"time\":\"2026-11-28T08:01:02+08:00\",\"cardNo\":\"3355443200\",\"doorNo\":1,\"serialNo\":173444}," +
            "{\"major\":5,\"minor\":23,\"time\":\"2026-11-28T08:01:09+08:00\",\"doorNo\":1,\"serialNo\":173445}]}}");
        var accepted = 0;
        for (var i = 0; i < 20_000; i++)
        {
            // Random bytes, a page cut short, a page with bytes flipped.
            var body = (i % 3) switch
            {
                0 => Bytes(random, 300),
                1 => sample[..random.Next(0, sample.Length)],
                _ => sample.ToArray(),
            };
            for (var f = i % 3 == 2 ? random.Next(1, 4) : 0; f > 0; f--)
            {
                body[random.Next(body.Length)] = (byte)random.Next(256);
            }

            if (IsapiAccessLog.TryParse(body, out var page, out var error))
            {
                Assert.All(page!.Events, e => Assert.True(e.Access.SerialNo is not null && e.Access.Major >= 0 && e.Access.Minor >= 0));
                accepted++;
            }
            else
            {
                Assert.Null(page);
                Assert.False(string.IsNullOrEmpty(error));
            }
        }

        // Flips inside strings and digits still make pages; the parser takes what is well formed.
        Assert.True(accepted > 100, $"accepted {accepted}");
        Assert.True(IsapiAccessLog.TryParse(sample, out var whole, out _));
        Assert.Equal(2, whole!.Events.Count);
    }

    [Fact]
    public async Task The_multipart_reader_never_throws_on_random_streams()
    {
        var random = new Random(4);
        for (var i = 0; i < 300; i++)
        {
            var bytes = new List<byte>();
            for (var p = random.Next(1, 20); p > 0; p--)
            {
                bytes.AddRange(random.Next(3) == 0 ? Encoding.ASCII.GetBytes("--B\r\n") : Bytes(random, 100));
                if (random.Next(4) == 0)
                {
                    bytes.AddRange(Encoding.ASCII.GetBytes($"Content-Length: {random.Next(-5, 500)}\r\n\r\n"));
                }
            }

            var reader = new MultipartStreamReader(new MemoryStream([.. bytes]), "B", maxBody: 1024);
            while (await reader.ReadPartAsync(TestContext.Current.CancellationToken) is not null)
            {
            }
        }
    }

    [Fact]
    public void Wiegand_decoding_never_throws_and_random_frames_of_card_lengths_are_mostly_refused()
    {
        var random = new Random(5);
        var cards = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var bits = Enumerable.Range(0, random.Next(0, 70)).Select(_ => random.Next(2) == 1).ToArray();
            var read = WiegandDecoder.Decode(bits);
            Assert.True(read.IsCard || read.IsKey || read.Error is not null);
            cards += read.IsCard ? 1 : 0;
        }

        // Only 26-, 34- and 37-bit frames can be cards, and only a quarter of those pass both parities.
        Assert.InRange(cards, 1, 20_000 * 3 / 70 / 2);
    }
}
