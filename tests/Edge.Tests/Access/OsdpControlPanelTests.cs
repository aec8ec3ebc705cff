using Edge.Gateway.Events;
using Edge.Contracts.Events;
using Edge.Gateway.Access;
using Edge.Gateway.Access.Osdp;
using Edge.Simulator.Devices;
using Edge.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Access;

// Over 300 lines: the control panel's behaviours on one simulated line rig, a test each.
/// <summary>The gateway as OSDP control panel, polling simulated readers over TCP and over a serial line (a pseudo-terminal).</summary>
public sealed class OsdpControlPanelTests
{
    private static readonly byte[] Key = Convert.FromHexString("00112233445566778899AABBCCDDEEFF");
    private static readonly string KeyHex = Convert.ToHexString(Key);

    /// <summary>The setup every test shares: a simulated line, readers on it, and the gateway's control panel polling them.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private static readonly byte[] Secret = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
        private OsdpControlPanel? _panel;

        private Rig(SimOsdpLine line) => Line = line;

        public SimOsdpLine Line { get; }

        public RecordingSink Sink { get; } = new();

        public CardPrivacy Privacy { get; } = new(Secret);

        public OsdpControlPanel Panel => _panel ?? throw new InvalidOperationException("the panel is not started");

        /// <summary>The link to the first reader configured.</summary>
        public OsdpReaderLink Link => Panel.Readers[0];

        public static Rig Tcp() => new(SimOsdpLine.Tcp());

        public static Rig Serial() => new(SimOsdpLine.Serial());

        public OsdpReaderOptions Options(int address, string? scbk, string id = "reader-001") => new()
        {
            Id = id, Endpoint = Line.Endpoint.ToString(), Address = address, Scbk = scbk, Door = "door-001",
            OfflineAfter = TimeSpan.FromSeconds(2),
        };

        public async Task<OsdpControlPanel> StartAsync(OsdpReaderOptions[] readers, ISourceCursors? cursors = null)
        {
            _panel = new OsdpControlPanel(readers, Sink, Privacy, TimeProvider.System, NullLogger<OsdpControlPanel>.Instance, cursors);
            await _panel.StartAsync(CancellationToken.None);
            return _panel;
        }

        public Task<OsdpControlPanel> StartAsync(params OsdpReaderOptions[] readers) => StartAsync(readers, null);

        public async ValueTask DisposeAsync()
        {
            if (_panel is not null)
            {
                await _panel.StopAsync(CancellationToken.None);
                _panel.Dispose();
            }

            Privacy.Dispose();
            await Line.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_card_read_over_the_secure_channel_is_an_access_card_event_and_a_tamper_is_reported()
    {
        await using var rig = Rig.Tcp();
        var reader = rig.Line.Add(1, Key);
        reader.NoiseBytes = 7;
        var sink = rig.Sink;
        var privacy = rig.Privacy;
        await rig.StartAsync(rig.Options(1, KeyHex));
        await Eventually.True(() => rig.Link.Secure && reader.Secure, "secure channel up");

        reader.Present(WiegandDecoder.Encode(WiegandFormat.H10301, 18, 12345));
        await Eventually.True(() => sink.Drafts.Count == 1, "the card");
        reader.Tamper = true;
        await Eventually.True(() => sink.Drafts.Count == 2, "the tamper");
        reader.Tamper = false;
        await Eventually.True(() => sink.Drafts.Count == 3, "the case closed again");

        var card = sink.Drafts.First();
        Assert.Equal((EventTypes.AccessCard, "reader-001"), (card.Type, card.Device.Id));
        Assert.Equal(privacy.Hash("H10301", 18, 12345), (string?)card.Data!["card"]!["hash"]);
        Assert.Equal(
            [(EventTypes.DeviceTamper, (EventState?)EventState.Active), (EventTypes.DeviceTamper, EventState.Restored)],
            sink.Drafts.Skip(1).Select(d => (d.Type, d.State)));
        Assert.True(rig.Link.Capabilities is { Led: true, Buzzer: true, SecureChannel: true, Inputs: 4 });
    }

    [Fact]
    public async Task A_silent_reader_goes_offline_and_comes_back_online()
    {
        await using var rig = Rig.Tcp();
        var reader = rig.Line.Add(1, Key);
        var sink = rig.Sink;
        await rig.StartAsync(rig.Options(1, KeyHex));
        await Eventually.True(() => rig.Link.Secure, "secure channel up");

        reader.Silent = true;
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.DeviceOffline), "offline after 2 s of silence");
        reader.Silent = false;
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.DeviceOnline), "online again");
        reader.Present(WiegandDecoder.Encode(WiegandFormat.H10306, 1234, 56789));
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.AccessCard), "a card after the return");
        Assert.True(rig.Link.Retries > 0);
        Assert.True(rig.Link.Secure);
    }

    [Fact]
    public async Task A_reader_with_another_key_never_gets_a_session_and_nothing_it_says_is_believed()
    {
        await using var rig = Rig.Tcp();
        var reader = rig.Line.Add(1, Convert.FromHexString("FFEEDDCCBBAA99887766554433221100"));
        var sink = rig.Sink;
        await rig.StartAsync(rig.Options(1, KeyHex));
        reader.Present(WiegandDecoder.Encode(WiegandFormat.H10301, 18, 12345));

        await Eventually.True(() => reader.Answered >= 6, "several attempts");
        Assert.False(rig.Link.Secure);
        Assert.DoesNotContain(sink.Drafts, d => d.Type == EventTypes.AccessCard);
        var fault = Assert.Single(sink.Drafts, d => d.Type == EventTypes.DeviceFault);
        Assert.Equal(("secure-channel-refused", EventState.Active), ((string?)fault.Data!["fault"], fault.State));
        Assert.Equal(["secure-channel-refused"], rig.Link.Faults);
    }

    [Fact]
    public async Task Readers_that_refuse_the_panel_cost_their_line_a_few_commands_each_are_reported_once_and_the_good_reader_beside_them_is_read()
    {
        await using var rig = Rig.Tcp();
        var good = rig.Line.Add(1, Key);
        var refusesAll = rig.Line.Add(2, Key);
        refusesAll.RefuseWith = OsdpNak.UnknownCommand;
        var requiresSecure = rig.Line.Add(3, Key);
        requiresSecure.RequireSecureChannel = true;
        var otherKey = rig.Line.Add(4, Enumerable.Range(50, 16).Select(i => (byte)i).ToArray());
        var spoilsMacs = rig.Line.Add(5, Key);
        spoilsMacs.SpoilMacs = true;
        var damaged = rig.Line.Add(6, Key);
        damaged.RefuseWith = OsdpNak.CheckCharacter;
        var options = new[]
        {
            rig.Options(1, KeyHex, "reader-001"), rig.Options(2, KeyHex, "reader-002"), rig.Options(3, scbk: null, "reader-003"),
            rig.Options(4, KeyHex, "reader-004"), rig.Options(5, KeyHex, "reader-005"), rig.Options(6, KeyHex, "reader-006"),
        };
        foreach (var o in options)
        {
            o.PollInterval = TimeSpan.FromMilliseconds(20);
        }

        var panel = await rig.StartAsync(options);
        var sink = rig.Sink;
        good.Present(WiegandDecoder.Encode(WiegandFormat.H10301, 1, 101));

        // The good reader polled every 20 ms: at least 4 s of the line, whatever the machine's load.
        await Eventually.True(() => good.Received >= 200, "200 polls to the good reader");
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.AccessCard), "the good reader's card");

        // Before, each of these was sent its refused command again at once: thousands of commands a second.
        var bad = new[] { refusesAll, requiresSecure, otherKey, spoilsMacs, damaged };
        var links = panel.Readers.Skip(1).ToList();
        foreach (var (reader, link) in bad.Zip(links))
        {
            // A session costs at most ID, CAP, the two handshake commands and one more (4 sends of a damaged ID)...
            Assert.InRange(reader.Received, 1, 5 * link.Sessions);
            // ...and sessions that never became usable come ever more slowly, to one every 2.5-5 s.
            Assert.InRange(reader.Received, 1, good.Received / 5);
        }

        string? Fault(string device) => (string?)Assert.Single(sink.Drafts, d => d.Type == EventTypes.DeviceFault && d.Device.Id == device).Data!["fault"];
        Assert.Equal("command-refused", Fault("reader-002"));
        Assert.Equal("secure-channel-required", Fault("reader-003"));
        Assert.Equal("secure-channel-refused", Fault("reader-004"));
        Assert.Equal("secure-channel-refused", Fault("reader-005"));
        Assert.Equal("command-refused", Fault("reader-006"));
        var refusedId = sink.Drafts.First(d => d.Device.Id == "reader-002").Data!;
        Assert.Equal(("osdp_ID", "unknown-command"), ((string?)refusedId["command"], (string?)refusedId["nak"]));
        Assert.Equal("check-character", (string?)sink.Drafts.First(d => d.Device.Id == "reader-006").Data!["nak"]);
        Assert.All(sink.Drafts.Where(d => d.Type == EventTypes.DeviceFault), d => Assert.Equal(EventState.Active, d.State));
        // They all answer: none of them is offline, and nothing they said was taken for a card.
        Assert.DoesNotContain(sink.Drafts, d => d.Type is EventTypes.DeviceOffline or EventTypes.DeviceOnline);
        Assert.Equal("reader-001", Assert.Single(sink.Drafts, d => d.Type == EventTypes.AccessCard).Device.Id);
    }

    [Fact]
    public async Task A_reader_that_requires_the_secure_channel_the_panel_has_no_key_for_is_reported_and_restored_once_it_takes_the_clear()
    {
        await using var rig = Rig.Tcp();
        var reader = rig.Line.Add(1, Key);
        reader.RequireSecureChannel = true;
        var sink = rig.Sink;
        await rig.StartAsync(rig.Options(1, scbk: null));
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.DeviceFault), "reported");
        await Eventually.True(() => rig.Link.Sessions >= 3, "sessions tried again");

        reader.RequireSecureChannel = false;
        reader.Present(WiegandDecoder.Encode(WiegandFormat.H10301, 7, 77));
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.AccessCard), "read in the clear");

        Assert.Equal(
            [(EventTypes.DeviceFault, (EventState?)EventState.Active), (EventTypes.DeviceFault, EventState.Restored), (EventTypes.AccessCard, null)],
            sink.Drafts.Select(d => (d.Type, d.State)));
        Assert.All(sink.Drafts.Take(2), d => Assert.Equal("secure-channel-required", (string?)d.Data!["fault"]));
        Assert.Empty(rig.Link.Faults);
    }

    [Fact]
    public async Task A_reader_that_refuses_its_LED_and_buzzer_is_reported_once_for_each_and_not_asked_again_in_the_session()
    {
        await using var rig = Rig.Tcp();
        var reader = rig.Line.Add(1, Key);
        reader.RefuseOutputs = true;
        var sink = rig.Sink;
        var options = rig.Options(1, KeyHex);
        options.DoorContactInput = 0;
        await rig.StartAsync(options);
        await Eventually.True(() => rig.Link.Secure && reader.InputStatusAnswered > 0, "secure channel up and the inputs read");

        for (var i = 1; i <= 2; i++)
        {
            reader.SetInput(0, true);
            await Eventually.True(() => sink.Drafts.Count(d => d is { Type: EventTypes.DoorForced, State: EventState.Active }) == i, "forced");
            reader.SetInput(0, false);
            await Eventually.True(() => sink.Drafts.Count(d => d.Type == EventTypes.DoorClosed) == i, "closed");
        }

        var refused = sink.Drafts.Where(d => d.Type == EventTypes.DeviceFault).Select(d => ((string?)d.Data!["fault"], (string?)d.Data["command"], d.State));
        Assert.Equal([("command-refused", "osdp_LED", (EventState?)EventState.Active), ("command-refused", "osdp_BUZ", EventState.Active)], refused);
        Assert.Equal(2, reader.Refused);
        Assert.Equal(1, rig.Link.Sessions);
    }

    [Fact]
    public async Task A_reader_without_a_key_is_polled_in_the_clear_and_its_text_cards_keys_and_power_are_read()
    {
        await using var rig = Rig.Tcp();
        var reader = rig.Line.Add(1, null);
        var sink = rig.Sink;
        var privacy = rig.Privacy;
        await rig.StartAsync(rig.Options(1, scbk: null));

        reader.Present(WiegandDecoder.Encode(WiegandFormat.H10301, 7, 77));
        reader.Type("1234#");
        reader.PresentFormatted("0012345678");
        reader.PowerFailed = true;
        await Eventually.True(() => sink.Drafts.Count == 3, "two cards and the power fault");
        reader.PowerFailed = false;
        await Eventually.True(() => sink.Drafts.Count == 4, "the power back");

        Assert.False(rig.Link.Secure);
        var drafts = sink.Drafts.ToList();
        Assert.Equal(privacy.Hash("H10301", 7, 77), (string?)drafts[0].Data!["card"]!["hash"]);
        Assert.Equal(privacy.Hash(CardEvents.TextFormat, null, "0012345678"), (string?)drafts[1].Data!["card"]!["hash"]);
        Assert.Equal(("power", EventState.Active), ((string?)drafts[2].Data!["fault"], drafts[2].State));
        Assert.Equal(("power", EventState.Restored), ((string?)drafts[3].Data!["fault"], drafts[3].State));
        Assert.Equal(5, rig.Link.Keys);
        Assert.DoesNotContain(drafts, d => d.Data!.ToJsonString().Contains("1234", StringComparison.Ordinal) || d.Data.ToJsonString().Contains("12345678", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Readers_share_a_serial_bus_each_at_its_address_and_a_silent_one_does_not_stop_the_others()
    {
        await using var rig = Rig.Serial();
        var line = rig.Line;
        var keyed = line.Add(1, Key);
        var clear = line.Add(2, null);
        keyed.NoiseBytes = 3;
        var sink = rig.Sink;
        var privacy = rig.Privacy;
        var panel = await rig.StartAsync(
            rig.Options(1, KeyHex, "reader-001"),
            rig.Options(2, scbk: null, "reader-002"),
            rig.Options(3, scbk: null, "reader-003"));
        Assert.StartsWith("serial:///dev/", panel.Endpoint, StringComparison.Ordinal);
        await Eventually.True(() => rig.Link.Secure, "secure channel up with reader 1");

        keyed.Present(WiegandDecoder.Encode(WiegandFormat.H10301, 1, 101));
        clear.Present(WiegandDecoder.Encode(WiegandFormat.H10301, 2, 202));
        await Eventually.True(() => sink.Drafts.Count(d => d.Type == EventTypes.AccessCard) == 2, "a card from each reader");
        await Eventually.True(() => sink.Drafts.Any(d => d is { Type: EventTypes.DeviceOffline, Device.Id: "reader-003" }), "the reader nobody has is offline");

        keyed.Silent = true;
        await Eventually.True(() => sink.Drafts.Any(d => d is { Type: EventTypes.DeviceOffline, Device.Id: "reader-001" }), "reader 1 offline");
        clear.Present(WiegandDecoder.Encode(WiegandFormat.H10301, 2, 203));
        await Eventually.True(() => sink.Drafts.Count(d => d is { Type: EventTypes.AccessCard, Device.Id: "reader-002" }) == 2, "reader 2 still read");

        var cards = sink.Drafts.Where(d => d.Type == EventTypes.AccessCard).ToList();
        Assert.Equal(privacy.Hash("H10301", 1, 101), (string?)cards.Single(c => c.Device.Id == "reader-001").Data!["card"]!["hash"]);
        Assert.DoesNotContain(sink.Drafts, d => d is { Type: EventTypes.DeviceOffline, Device.Id: "reader-002" });
    }

    [Fact]
    public async Task A_door_on_the_readers_inputs_is_opened_after_a_release_forced_without_one_and_the_reader_sounds_until_it_closes()
    {
        await using var rig = Rig.Tcp();
        var reader = rig.Line.Add(1, Key);
        var sink = rig.Sink;
        var options = rig.Options(1, KeyHex);
        options.DoorContactInput = 0;
        options.ReleaseInput = 1;
        options.RequestToExitInput = 2;
        options.HeldOpenAfter = TimeSpan.FromSeconds(1);
        reader.SetInput(0, true);
        await rig.StartAsync(options);
        await Eventually.True(() => rig.Link.Secure && reader.InputStatusAnswered > 0, "secure channel up and the inputs read");

        // The door was open at the start: no event, and its closing is a plain door.closed.
        reader.SetInput(0, false);
        await Eventually.True(() => sink.Drafts.Count == 1, "closed");

        // A release, then the opening: a normal entry.
        reader.SetInput(1, true);
        reader.SetInput(0, true);
        reader.SetInput(1, false);
        reader.SetInput(0, false);
        await Eventually.True(() => sink.Drafts.Count == 3, "opened and closed");

        // Opened with nothing: forced, and the reader flashes red and sounds.
        reader.SetInput(0, true);
        await Eventually.True(() => reader.Buzzing && reader.Led == (OsdpOutputs.Red, true), "the reader annunciates");
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.DoorForced), "forced");
        reader.SetInput(0, false);
        await Eventually.True(() => !reader.Buzzing && reader.Led == (OsdpOutputs.Black, false), "quiet again");

        // Request to exit, and left open: held open after a second.
        reader.SetInput(2, true);
        reader.SetInput(2, false);
        reader.SetInput(0, true);
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.DoorHeldOpen), "held open");
        reader.SetInput(0, false);
        await Eventually.True(() => sink.Drafts.Count(d => d.Type == EventTypes.DoorClosed) == 4, "closed");

        var events = sink.Drafts.Select(d => (d.Type, d.State)).ToList();
        Assert.Equal(
        [
            (EventTypes.DoorClosed, null), (EventTypes.DoorOpened, null), (EventTypes.DoorClosed, null),
            (EventTypes.DoorForced, EventState.Active), (EventTypes.DoorForced, EventState.Restored), (EventTypes.DoorClosed, null),
            (EventTypes.DoorOpened, null), (EventTypes.DoorHeldOpen, EventState.Active), (EventTypes.DoorHeldOpen, EventState.Restored), (EventTypes.DoorClosed, null),
        ], events);
        Assert.All(sink.Drafts, d => Assert.Equal(("door-001", "door"), (d.Device.Id, d.Device.Kind)));
        Assert.Equal(Priority.Critical, sink.Drafts.First(d => d.Type == EventTypes.DoorForced).Priority);
    }

    [Fact]
    public async Task A_lock_release_switches_the_readers_lock_output_on_by_its_own_timer_over_the_secure_channel_and_an_offline_reader_is_not_asked()
    {
        await using var rig = Rig.Tcp();
        var reader = rig.Line.Add(1, Key);
        var switched = new System.Collections.Concurrent.ConcurrentQueue<(int Output, bool On, TimeSpan? For)>();
        reader.OutputSwitched += (output, on, onFor) => switched.Enqueue((output, on, onFor));
        var options = rig.Options(1, KeyHex);
        options.LockOutput = 0;
        options.UnlockFor = TimeSpan.FromSeconds(4);
        await rig.StartAsync(options);
        await Eventually.True(() => rig.Link.Secure && rig.Link.Online, "secure channel up and the reader online");

        Assert.True(rig.Link.ReleaseLock());
        await Eventually.True(() => !switched.IsEmpty, "the output switched");

        // Output 0 on for 4 s (40 tenths), by the reader's timer: it relocks even if the line fails meanwhile.
        Assert.Equal([(0, true, (TimeSpan?)TimeSpan.FromSeconds(4))], switched);
        reader.Silent = true;
        await Eventually.True(() => !rig.Link.Online, "the reader offline");
        Assert.False(rig.Link.ReleaseLock());
    }

    [Fact]
    public async Task A_new_reader_with_the_install_key_is_given_its_key_and_then_read_over_the_secure_channel_with_it()
    {
        await using var rig = Rig.Tcp();
        var reader = rig.Line.Add(1, key: null);
        reader.InstallMode = true;
        var sink = rig.Sink;
        var options = rig.Options(1, KeyHex);
        options.UseInstallKey = true;
        await rig.StartAsync(options);

        await Eventually.True(() => rig.Link.Secure && reader.Secure, "secure channel up with the new key");
        Assert.Equal(Key, reader.Key);
        Assert.False(reader.InstallMode);
        Assert.Equal(1, rig.Link.KeysSet);
        reader.Present(WiegandDecoder.Encode(WiegandFormat.H10301, 1, 101));
        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.AccessCard), "a card over the new channel");
        Assert.DoesNotContain(sink.Drafts, d => d.Type is EventTypes.DeviceFault or EventTypes.DeviceOffline);
    }

    [Fact]
    public async Task A_reader_with_another_key_is_refused_and_keeps_its_key_even_with_the_install_key_allowed()
    {
        await using var rig = Rig.Tcp();
        var other = Enumerable.Range(100, 16).Select(i => (byte)i).ToArray();
        var reader = rig.Line.Add(1, other);
        var sink = rig.Sink;
        var options = rig.Options(1, KeyHex);
        options.UseInstallKey = true;
        await rig.StartAsync(options);

        await Eventually.True(() => sink.Drafts.Any(d => d.Type == EventTypes.DeviceFault), "refused");
        Assert.Equal("secure-channel-refused", (string?)sink.Drafts.Single(d => d.Type == EventTypes.DeviceFault).Data!["fault"]);
        Assert.Equal(other, reader.Key);
        Assert.Equal(0, rig.Link.KeysSet);
        // The reader answered every challenge (a NAK for the install key): it is there, not offline.
        Assert.DoesNotContain(sink.Drafts, d => d.Type == EventTypes.DeviceOffline);
    }

    [Fact]
    public async Task A_door_forced_before_a_restart_and_still_open_is_restored_when_it_closes()
    {
        await using var rig = Rig.Tcp();
        var reader = rig.Line.Add(1, Key);
        reader.SetInput(0, true);
        var sink = rig.Sink;
        var options = rig.Options(1, KeyHex);
        options.DoorContactInput = 0;
        var kept = new SourceCursor(DoorEvents.CursorKey("door-001"), 0, EventTypes.DoorForced);
        await rig.StartAsync([options], new KeptCursors(kept));
        await Eventually.True(() => reader.InputStatusAnswered > 0, "the inputs read");

        reader.SetInput(0, false);
        await Eventually.True(() => sink.Drafts.Count == 2, "restored and closed");
        Assert.Equal([(EventTypes.DoorForced, (EventState?)EventState.Restored), (EventTypes.DoorClosed, null)], sink.Drafts.Select(d => (d.Type, d.State)));
        Assert.Equal(new SourceCursor("door:door-001", 0, null), sink.Drafts.Last().Cursor);
    }
}
