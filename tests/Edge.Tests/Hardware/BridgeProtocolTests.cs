using System.Text;
using Edge.Gateway.Hardware.Bridge;

namespace Edge.Tests.Hardware;

public sealed class BridgeProtocolTests
{
    public static TheoryData<string> Valid => new()
    {
        "HELLO 1 c001", "HELLO 2 c001", "LEVEL 17 0", "LEVEL 1023 1", "LEVEL 17 0 1764612000123456", "ADC 3 512", "ADC 0 65535",
        "ADC 3 512 1764612000123456", "OUT 22 1", "PING", "PONG",
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Valid_lines_parse_and_format_back_to_themselves(string line)
    {
        Assert.True(BridgeProtocol.TryParse(line, out var message));
        Assert.Equal(line, BridgeProtocol.Format(message));
    }

    [Theory]
    [InlineData("")]
    [InlineData("LEVEL")]
    [InlineData("LEVEL 17")]
    [InlineData("LEVEL 17 2")]
    [InlineData("LEVEL -1 0")]
    [InlineData("LEVEL 1024 0")]
    [InlineData("LEVEL 17 0 extra")]
    [InlineData("LEVEL  17 0")]
    [InlineData("level 17 0")]
    [InlineData("ADC 3 65536")]
    [InlineData("HELLO 1 c/001")]
    [InlineData("HELLO x c001")]
    [InlineData("PING now")]
    [InlineData("OUT 1e3 1")]
    [InlineData("OUT 22 1 1764612000123456")]
    [InlineData("LEVEL 17 0 -5")]
    [InlineData("LEVEL 17 0 99999999999999999999")]
    [InlineData("LEVEL 17 0 1764612000123456 1")]
    public void Malformed_lines_are_not_messages(string line) => Assert.False(BridgeProtocol.TryParse(line, out _));

    [Fact]
    public void A_change_carries_when_it_happened_to_the_microsecond()
    {
        var at = new DateTimeOffset(2026, 12, 1, 18, 0, 0, TimeSpan.Zero).AddTicks(1234560);

        var line = BridgeProtocol.Format(new BridgeMessage(BridgeMessageKind.Level, 17, 0, At: at));

        Assert.True(BridgeProtocol.TryParse(line, out var message));
        Assert.Equal((BridgeMessageKind.Level, 17, 0, (DateTimeOffset?)at), (message.Kind, message.Number, message.Value, message.At));
        Assert.True(BridgeProtocol.TryParse("LEVEL 17 0", out var untimed));
        Assert.Null(untimed.At);
    }

    [Fact]
    public void Generated_garbage_never_throws_and_is_never_a_message_it_does_not_print_back()
    {
        var random = new Random(2026);
        var alphabet = "LEVADCOUTPINGHELO 0123456789-\t\r+#/xyz";
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(0, 40);
            var text = new StringBuilder(length);
            for (var c = 0; c < length; c++)
            {
                text.Append(random.Next(4) == 0 ? (char)random.Next(0, 0x300) : alphabet[random.Next(alphabet.Length)]);
            }

            var line = text.ToString();
            if (BridgeProtocol.TryParse(line, out var message))
            {
                // Anything accepted must be exactly a well-formed line.
                Assert.Equal(line, BridgeProtocol.Format(message));
            }
        }
    }

    [Fact]
    public async Task Lines_longer_than_the_bound_and_binary_garbage_are_discarded_and_counted()
    {
        var bytes = new List<byte>();
        bytes.AddRange(Encoding.ASCII.GetBytes("LEVEL 1 0\n"));
        bytes.AddRange(Enumerable.Repeat((byte)'A', 10_000));
        bytes.AddRange("\n"u8.ToArray());
        bytes.AddRange(new byte[] { 0xFF, 0x00, 0x80, (byte)'\n' });
        bytes.AddRange(Encoding.ASCII.GetBytes("LEVEL 2 1\r\n"));
        var reader = new LineReader(new MemoryStream(bytes.ToArray()), BridgeProtocol.MaxLineLength);

        Assert.Equal("LEVEL 1 0", await reader.ReadLineAsync(default));
        Assert.Equal("LEVEL 2 1", await reader.ReadLineAsync(default));
        Assert.Null(await reader.ReadLineAsync(default));
        Assert.Equal(2, reader.Discarded);
    }
}
