using Edge.Gateway.Events;
using System.Device.Gpio;
using Edge.Contracts.Events;
using Edge.Gateway.Access;
using Edge.Gateway.Hardware.Bridge;
using Edge.Simulator.Hardware;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Edge.Tests.Access;

/// <summary>
/// Wiegand readers and door contacts read end to end through the real GpioController over the simulator's bridge. Their
/// timing is proven on a fake clock in WiegandReaderAdapterTests and GpioDoorAdapterTests.
/// </summary>
public sealed class GpioAccessTests : IAsyncLifetime
{
    private const int D0 = 20, D1 = 21, Contact = 30, Exit = 31, Release = 32;
    private static readonly byte[] Secret = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
    private readonly RecordingSink _sink = new();
    private BridgeHarness _bridge = null!;
    private GpioController _gpio = null!;

    public async ValueTask InitializeAsync()
    {
        _bridge = await BridgeHarness.StartAsync(server =>
        {
            foreach (var pin in new[] { D0, D1, Exit, Release })
            {
                server.SetLevel(BridgeHarness.Community, pin, true);
            }

            server.SetLevel(BridgeHarness.Community, Contact, false);
        });
        _gpio = new GpioController(new VirtualGpioDriver(_bridge.Client));
    }

    /// <summary>A reader sends a frame: a short low pulse on D0 for each 0, on D1 for each 1.</summary>
    private void Send(bool[] bits)
    {
        foreach (var bit in bits)
        {
            var pin = bit ? D1 : D0;
            _bridge.Server.SetLevel(BridgeHarness.Community, pin, false);
            _bridge.Server.SetLevel(BridgeHarness.Community, pin, true);
        }
    }

    private void Level(int pin, bool high) => _bridge.Server.SetLevel(BridgeHarness.Community, pin, high);

    [Fact]
    public async Task A_card_at_a_wiegand_reader_is_an_access_card_event_with_its_hash_and_bad_frames_are_faults()
    {
        using var privacy = new CardPrivacy(Secret);
        using var reader = new WiegandReaderAdapter(new WiegandReaderOptions { Id = "reader-001", D0 = D0, D1 = D1, Door = "door-001" }, _gpio, _sink, privacy, TimeProvider.System);
        await reader.StartAsync(CancellationToken.None);

        Send(WiegandDecoder.Encode(WiegandFormat.H10301, 18, 12345));
        await Eventually.True(() => _sink.Drafts.Count == 1, "the card");
        var bad = WiegandDecoder.Encode(WiegandFormat.H10301, 18, 12345);
        bad[5] = !bad[5];
        Send(bad);
        await Eventually.True(() => _sink.Drafts.Count == 2, "the fault");
        Send(WiegandDecoder.EncodeKey8(5));
        await Eventually.True(() => reader.Keys == 1, "a key");

        var card = _sink.Drafts.First();
        Assert.Equal((EventTypes.AccessCard, "reader-001", "door-001"), (card.Type, card.Device.Id, (string?)card.Data!["door"]));
        Assert.Equal(privacy.Hash("H10301", 18, 12345), (string?)card.Data["card"]!["hash"]);
        Assert.Null(card.Data["card"]!["number"]);
        var fault = _sink.Drafts.Last();
        Assert.Equal((EventTypes.DeviceFault, Priority.High), (fault.Type, fault.Priority));
        Assert.Equal(1, reader.InvalidFrames);
        await reader.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Levels_the_bridge_delivers_as_it_connects_tell_how_the_door_is_and_raise_nothing()
    {
        using var adapter = new GpioDoorAdapter(new GpioDoorOptions { Id = "door-001", ContactPin = Contact, ReleasePin = Release },
            _gpio, _sink, TimeProvider.System, () => _bridge.Client.Connected);
        await adapter.StartAsync(CancellationToken.None);

        // The door is opened while the board is unplugged: on its return, the bridge delivers the contact open.
        _bridge.Server.Unplug(BridgeHarness.Community);
        await Eventually.True(() => !_bridge.Client.Connected, "unplugged");
        Level(Contact, true);
        _bridge.Server.Plug(BridgeHarness.Community);
        await Eventually.True(() => _bridge.Client.Connected, "plugged back in");

        // Known open, without an event: its closing is the first event.
        Level(Contact, false);
        await Eventually.True(() => !_sink.Drafts.IsEmpty, "closed");
        Assert.Equal([EventTypes.DoorClosed], _sink.Drafts.Select(d => d.Type));
        await adapter.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_closed_door_read_before_the_bridge_is_there_raises_nothing_when_it_arrives()
    {
        await using var server = BridgeServer.Start();
        server.SetLevel(BridgeHarness.Community, Contact, false);
        await using var client = new BridgeClient(server.Endpoint, BridgeHarness.Community, TimeProvider.System, NullLogger<BridgeClient>.Instance);
        using var gpio = new GpioController(new VirtualGpioDriver(client));
        var sink = new RecordingSink();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var adapter = new GpioDoorAdapter(new GpioDoorOptions { Id = "door-001", ContactPin = Contact, HeldOpenAfter = TimeSpan.FromSeconds(1) },
            gpio, sink, time, () => client.Connected);
        await adapter.StartAsync(CancellationToken.None);
        client.Start();
        await Eventually.True(() => client.Connected && adapter.InputsTaken >= 1, "bridge connected, the contact's level taken");

        // Known closed: opening it is forced. A door taken for open at the start would instead be held open once the
        // clock passes its second, before the opening could say anything.
        time.Advance(TimeSpan.FromSeconds(1.5));
        server.SetLevel(BridgeHarness.Community, Contact, true);
        await Eventually.True(() => !sink.Drafts.IsEmpty, "forced");
        Assert.Equal([EventTypes.DoorForced], sink.Drafts.Select(d => d.Type));
        await adapter.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_forced_door_is_restored_after_a_gateway_restart_whether_it_closed_meanwhile_or_after()
    {
        var options = new GpioDoorOptions { Id = "door-001", ContactPin = Contact, ReleasePin = Release };
        using (var before = new GpioDoorAdapter(options, _gpio, _sink, TimeProvider.System))
        {
            await before.StartAsync(CancellationToken.None);
            Level(Contact, true);
            await Eventually.True(() => _sink.Drafts.Count == 1, "forced");
            await before.StopAsync(CancellationToken.None);
        }

        var kept = Assert.Single(_sink.Drafts).Cursor;
        Assert.Equal(new SourceCursor("door:door-001", 0, EventTypes.DoorForced), kept);

        // Restarted with the door still open: it stays forced, and its close restores it.
        using var gpio = new GpioController(new VirtualGpioDriver(_bridge.Client));
        var open = new RecordingSink();
        using (var stillOpen = new GpioDoorAdapter(options, gpio, open, TimeProvider.System, cursors: new KeptCursors(kept!.Value)))
        {
            await stillOpen.StartAsync(CancellationToken.None);
            Level(Contact, false);
            await Eventually.True(() => open.Drafts.Count == 2, "restored and closed");
            await stillOpen.StopAsync(CancellationToken.None);
        }

        Assert.Equal([(EventTypes.DoorForced, (EventState?)EventState.Restored), (EventTypes.DoorClosed, null)], open.Drafts.Select(d => (d.Type, d.State)));
        Assert.Null(open.Drafts.Last().Cursor!.Value.State);

        // Restarted after it closed while the gateway was away: restored at once.
        using var gpio2 = new GpioController(new VirtualGpioDriver(_bridge.Client));
        var closed = new RecordingSink();
        using var after = new GpioDoorAdapter(options, gpio2, closed, TimeProvider.System, cursors: new KeptCursors(kept.Value));
        await after.StartAsync(CancellationToken.None);
        await Eventually.True(() => closed.Drafts.Count == 2, "restored and closed at start");
        Assert.Equal([(EventTypes.DoorForced, (EventState?)EventState.Restored), (EventTypes.DoorClosed, null)], closed.Drafts.Select(d => (d.Type, d.State)));
        await after.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        _gpio.Dispose();
        await _bridge.DisposeAsync();
    }
}
