using Edge.Contracts.Events;
using Edge.Gateway.Access;
using Edge.Gateway.Access.Osdp;
using Edge.Simulator.Devices;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Access;

/// <summary>The gateway as OSDP control panel, polling a simulated reader over TCP.</summary>
public sealed class OsdpControlPanelTests
{
    private static readonly byte[] Key = Convert.FromHexString("00112233445566778899AABBCCDDEEFF");
    private static readonly byte[] Secret = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();

    private static OsdpControlPanel Panel(SimOsdpReader reader, RecordingSink sink, CardPrivacy privacy, string? scbk) => new(new OsdpReaderOptions
    {
        Id = "reader-001", Endpoint = reader.Endpoint.ToString(), Address = 1, Scbk = scbk, Door = "door-001",
        OfflineAfter = TimeSpan.FromSeconds(2),
    }, sink, privacy, TimeProvider.System, NullLogger<OsdpControlPanel>.Instance);

    [Fact]
    public async Task A_card_read_over_the_secure_channel_is_an_access_card_event_and_a_tamper_is_reported()
    {
        await using var reader = new SimOsdpReader(1, Key) { NoiseBytes = 7 };
        var sink = new RecordingSink();
        using var privacy = new CardPrivacy(Secret);
        using var panel = Panel(reader, sink, privacy, Convert.ToHexString(Key));
        await panel.StartAsync(CancellationToken.None);
        await Eventually.True(() => panel.Secure, "secure channel up");

        reader.Present(WiegandDecoder.Encode(WiegandFormat.H10301, 18, 12345));
        await Eventually.True(() => sink.Drafts.Count == 1, "the card");
        reader.Tamper = true;
        await Eventually.True(() => sink.Drafts.Count == 2, "the tamper");

        var card = sink.Drafts.First();
        Assert.Equal((EventTypes.AccessCard, "reader-001"), (card.Type, card.Device.Id));
        Assert.Equal(privacy.Hash("H10301", 18, 12345), (string?)card.Data!["card"]!["hash"]);
        Assert.Equal(EventTypes.DeviceTamper, sink.Drafts.Last().Type);
        await panel.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_silent_reader_goes_offline_and_comes_back_online()
    {
        await using var reader = new SimOsdpReader(1, Key);
        var sink = new RecordingSink();
        using var privacy = new CardPrivacy(Secret);
        using var panel = Panel(reader, sink, privacy, Convert.ToHexString(Key));
        await panel.StartAsync(CancellationToken.None);
        await Eventually.True(() => panel.Secure, "secure channel up");

        reader.Silent = true;
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.DeviceOffline), "offline after 2 s of silence");
        reader.Silent = false;
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.DeviceOnline), "online again");
        reader.Present(WiegandDecoder.Encode(WiegandFormat.H10306, 1234, 56789));
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.AccessCard), "a card after the return");
        Assert.True(panel.Retries > 0);
        await panel.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_reader_with_another_key_never_gets_a_session_and_nothing_it_says_is_believed()
    {
        await using var reader = new SimOsdpReader(1, Convert.FromHexString("FFEEDDCCBBAA99887766554433221100"));
        var sink = new RecordingSink();
        using var privacy = new CardPrivacy(Secret);
        using var panel = Panel(reader, sink, privacy, Convert.ToHexString(Key));
        await panel.StartAsync(CancellationToken.None);
        reader.Present(WiegandDecoder.Encode(WiegandFormat.H10301, 18, 12345));

        await Eventually.True(() => reader.Answered >= 6, "several attempts");
        Assert.False(panel.Secure);
        Assert.DoesNotContain(sink.Drafts, d => d.Type == EventTypes.AccessCard);
        var fault = Assert.Single(sink.Drafts, d => d.Type == EventTypes.DeviceFault);
        Assert.Equal("secure-channel-refused", (string?)fault.Data!["fault"]);
        await panel.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_reader_without_a_key_is_polled_in_the_clear()
    {
        await using var reader = new SimOsdpReader(1, null);
        var sink = new RecordingSink();
        using var privacy = new CardPrivacy(Secret);
        using var panel = Panel(reader, sink, privacy, scbk: null);
        await panel.StartAsync(CancellationToken.None);

        reader.Present(WiegandDecoder.Encode(WiegandFormat.H10301, 7, 77));
        await Eventually.True(() => sink.Drafts.Count == 1, "the card");

        Assert.False(panel.Secure);
        Assert.Equal(privacy.Hash("H10301", 7, 77), (string?)sink.Drafts.Single().Data!["card"]!["hash"]);
        await panel.StopAsync(CancellationToken.None);
    }
}
