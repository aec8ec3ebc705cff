using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Topics;
using Edge.Gateway.Access;
using Edge.Gateway.Hosting;
using Edge.Simulator.Broker;
using Edge.Simulator.Devices;
using Edge.Tests.Support;

namespace Edge.Tests.Access;

// Over 300 lines: one simulated controller and gateway pair, exercised end to end through each of its behaviours.
/// <summary>A gateway reading a simulated ISAPI access controller over HTTP with digest authentication.</summary>
public sealed class AccessControllerEndToEndTests : IAsyncLifetime
{
    private static readonly byte[] Secret = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();
    private readonly TempDirectory _dir = new();
    private StationBroker _broker = null!;
    private HttpDeviceServer _isapi = null!;

    public async ValueTask InitializeAsync()
    {
        _broker = await StationBroker.StartAsync();
        _isapi = await HttpDeviceServer.StartAsync();
    }

    private GatewayInstance Gateway(params AccessControllerOptions[] controllers)
    {
        var settings = TestGateway.Settings(_broker.Uri, _dir.Combine("gw")) with
        {
            Access = new AccessOptions { CardSecret = Convert.ToBase64String(Secret), Controllers = [.. controllers] },
        };
        return TestGateway.Create(settings);
    }

    private AccessControllerOptions Controller(string id, string password = "secret-1") => new()
    {
        Id = id,
        Url = _isapi.Url("c001", id).ToString(),
        User = "admin",
        Password = password,
        SilenceTimeout = TimeSpan.FromSeconds(5),
        Doors = [new AccessDoorOptions { Number = 1, Id = $"{id}-door1", Name = "Building 3 unit door" }],
    };

    private static List<EdgeEvent> Events(RecordingSubscriber station) =>
        station.Messages.Select(m => Payloads.DecodeEvent(m.Payload.ToArray())).ToList();

    [Fact]
    public async Task Swipes_and_door_alarms_reach_the_station_with_card_hashes_only()
    {
        var sim = _isapi.Add("c001", "ctl-01", "admin", "secret-1");
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        using var gw = Gateway(Controller("ctl-01"));
        await gw.StartAsync(default);

        sim.Send(5, 0x01, door: 1, cardNo: "3355443200");
        sim.Send(5, 0x09, door: 1, cardNo: "12");
        sim.Send(5, 0x17, door: 1);
        sim.Send(5, 0x16, door: 1);
        await Eventually.True(() => station.Messages.Count >= 5, "five events at the station");

        // Delivery follows priority (a forced door overtakes a queued swipe), so compare in seq order: the gateway's.
        var events = Events(station).OrderBy(e => e.Seq).ToList();
        Assert.Equal(
            [(EventTypes.AccessGranted, (EventState?)null), (EventTypes.AccessDenied, null), (EventTypes.DoorForced, EventState.Active),
             (EventTypes.DoorForced, EventState.Restored), (EventTypes.DoorClosed, null)],
            events.Select(e => (e.Type, e.State)));
        Assert.All(events, e => Assert.Equal("ctl-01-door1", e.Device.Id));
        Assert.Equal(Priority.Critical, events[2].Priority);
        Assert.Equal("unknown-card", (string?)events[1].Data!["reason"]);
        var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Secret, Encoding.ASCII.GetBytes("isapi::3355443200")));
        Assert.Equal(expected, (string?)events[0].Data!["card"]!["hash"]);
        Assert.Equal(Convert.ToHexStringLower(HMACSHA256.HashData(Secret, "edge card key id"u8))[..8], (string?)events[0].Data!["card"]!["key"]);
        Assert.All(station.Messages, m => Assert.DoesNotContain("3355443200", Encoding.UTF8.GetString(m.Payload.ToArray()), StringComparison.Ordinal));
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task A_controller_opened_and_a_reader_taken_off_the_wall_are_tampers_each_restored_when_it_ends()
    {
        var sim = _isapi.Add("c001", "ctl-03", "admin", "secret-1");
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        using var gw = Gateway(Controller("ctl-03"));
        await gw.StartAsync(default);

        sim.Send(1, 0x404, door: 0);
        sim.Send(1, 0x406, door: 0);
        sim.Send(1, 0x407, door: 0);
        sim.Send(1, 0x405, door: 0);
        await Eventually.True(() => station.Messages.Count >= 4, "four tamper events at the station");

        var events = Events(station).OrderBy(e => e.Seq).ToList();
        Assert.Equal(
            [("controller-opened", EventState.Active), ("reader-removed", EventState.Active), ("reader-removed", EventState.Restored), ("controller-opened", EventState.Restored)],
            events.Select(e => ((string?)e.Data!["reason"], e.State!.Value)));
        Assert.All(events, e => Assert.Equal((EventTypes.DeviceTamper, "ctl-03"), (e.Type, e.Device.Id)));
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task Garbage_and_unknown_codes_are_counted_and_the_next_valid_event_still_arrives()
    {
        var sim = _isapi.Add("c001", "ctl-02", "admin", "secret-1");
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        using var gw = Gateway(Controller("ctl-02"));
        await gw.StartAsync(default);

        sim.SendGarbage(Encoding.ASCII.GetBytes("--MIME_boundary\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{\"eve\r\n"));
        sim.SendGarbage(RandomNumberGenerator.GetBytes(500));
        sim.SendGarbage(Encoding.ASCII.GetBytes("--MIME_boundary\r\nContent-Type: application/xml\r\n\r\n<EventNotificationAlert><eventType>x</eventType>\r\n"));
        sim.Send(5, 0x77, door: 1);
        sim.Send(5, 0x01, door: 1, cardNo: "777");
        await Eventually.True(() => station.Messages.Count >= 1, "the valid swipe");

        var swipe = Assert.Single(Events(station));
        Assert.Equal(EventTypes.AccessGranted, swipe.Type);
        Assert.Equal(1, gw.AccessFeature.Controllers!.UnknownCodes);
        Assert.True(gw.AccessFeature.Controllers!.Client("ctl-02").BadParts >= 2, $"bad parts {gw.AccessFeature.Controllers!.Client("ctl-02").BadParts}");
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task A_silent_controller_goes_offline_and_comes_back_online_and_the_door_opens_remotely()
    {
        var sim = _isapi.Add("c001", "ctl-03", "admin", "secret-1");
        sim.HeartbeatEvery = TimeSpan.FromSeconds(1);
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        using var gw = Gateway(Controller("ctl-03"));
        await gw.StartAsync(default);
        await Eventually.True(() => gw.AccessFeature.Controllers!.Client("ctl-03").SinceLastSign < TimeSpan.FromSeconds(2) && gw.AccessFeature.Controllers!.Client("ctl-03").Reconnects == 0, "connected");

        Assert.True(await gw.AccessFeature.Controllers!.Client("ctl-03").OpenDoorAsync(1, TestContext.Current.CancellationToken));
        Assert.True(sim.RemoteOpens.TryDequeue(out var door) && door == 1);
        // The controller logs the remote opening, and the station hears of it as access granted at the door.
        await Eventually.True(() => Events(station).Any(e => e.Type == EventTypes.AccessGranted), "the remote opening reported");
        var granted = Events(station).Single(e => e.Type == EventTypes.AccessGranted);
        Assert.Equal(("ctl-03-door1", "remote"), (granted.Device.Id, (string?)granted.Data?["reason"]));

        sim.Silent = true;
        await Eventually.True(() => Events(station).Any(e => e.Type == EventTypes.DeviceOffline), "offline after 5 s of silence");
        sim.Silent = false;
        await Eventually.True(() => Events(station).Any(e => e.Type == EventTypes.DeviceOnline), "online again", TimeSpan.FromSeconds(40));

        Assert.All(Events(station).Where(e => e.Type != EventTypes.AccessGranted), e => Assert.Equal("ctl-03", e.Device.Id));
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task Wrong_credentials_are_counted_and_reported_as_an_offline_controller_not_a_crash()
    {
        _isapi.Add("c001", "ctl-04", "admin", "secret-1");
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        using var gw = Gateway(Controller("ctl-04", password: "wrong"));
        await gw.StartAsync(default);

        await Eventually.True(() => gw.AccessFeature.Controllers!.Client("ctl-04").AuthFailures >= 1, "a refused login");
        await Eventually.True(() => Events(station).Any(e => e.Type == EventTypes.DeviceOffline), "offline");
        Assert.False(await gw.AccessFeature.Controllers!.Client("ctl-04").OpenDoorAsync(1, TestContext.Current.CancellationToken));
        Assert.True(gw.IsHealthy);
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task What_a_controller_logged_while_the_gateway_was_down_arrives_after_the_restart_once_and_in_order()
    {
        var sim = _isapi.Add("c001", "ctl-05", "admin", "secret-1");
        sim.LiveOnly = true;
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        var gw = Gateway(Controller("ctl-05"));
        await gw.StartAsync(default);
        await Eventually.True(() => sim.Streaming, "the gateway listening");
        sim.Send(5, 0x01, door: 1, cardNo: "501");
        await Eventually.True(() => station.Messages.Count == 1, "the first swipe");
        await gw.StopAsync(default);
        gw.Dispose();

        // Nobody listens: the controller only logs. A forced door, its close, and a swipe.
        var forcedAt = DateTimeOffset.UtcNow;
        sim.Send(5, 0x17, door: 1);
        sim.Send(5, 0x16, door: 1);
        sim.Send(5, 0x09, door: 1, cardNo: "502");

        using var again = Gateway(Controller("ctl-05"));
        await again.StartAsync(default);
        await Eventually.True(() => station.Messages.Count == 5, "the three logged events, the forced door restored too");
        sim.ReplayHistory(4);
        sim.Send(5, 0x01, door: 1, cardNo: "503");
        await Eventually.True(() => station.Messages.Count == 6, "the next live swipe");
        await Eventually.True(() => again.AccessFeature.Controllers!.Repeats >= 4, "the history replayed is dropped");

        var events = Events(station).OrderBy(e => e.Seq).ToList();
        Assert.Equal(
            [(EventTypes.AccessGranted, (EventState?)null), (EventTypes.DoorForced, EventState.Active), (EventTypes.DoorForced, EventState.Restored),
             (EventTypes.DoorClosed, null), (EventTypes.AccessDenied, null), (EventTypes.AccessGranted, null)],
            events.Select(e => (e.Type, e.State)));
        Assert.Equal(3, again.AccessFeature.Controllers!.Recovered);
        Assert.Equal(new Edge.Contracts.Status.AccessLogCounters(3, 0, 0), again.HeartbeatService.Current().AccessLog);
        // The controller's time for the door, not the time the gateway read its log.
        Assert.InRange(events[1].OccurredAt, forcedAt.AddSeconds(-1), forcedAt.AddSeconds(1));
        Assert.True(events[1].ObservedAt >= events[1].OccurredAt);
        await again.StopAsync(default);
    }

    [Fact]
    public async Task A_controller_that_ignores_newest_first_is_still_read_forward_from_the_cursor_not_taken_for_reset()
    {
        var sim = _isapi.Add("c001", "ctl-09", "admin", "secret-1");
        sim.IgnoresReverseOrder = true;
        sim.LiveOnly = true;
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        var gw = Gateway(Controller("ctl-09"));
        await gw.StartAsync(default);
        await Eventually.True(() => sim.Streaming, "the gateway listening");
        sim.Send(5, 0x01, door: 1, cardNo: "901");
        sim.Send(5, 0x01, door: 1, cardNo: "902");
        await Eventually.True(() => station.Messages.Count == 2, "two swipes");
        await gw.StopAsync(default);
        gw.Dispose();

        sim.Send(5, 0x17, door: 1);
        using var again = Gateway(Controller("ctl-09"));
        await again.StartAsync(default);
        await Eventually.True(() => Events(station).Any(e => e.Type == EventTypes.DoorForced), "the forced door logged meanwhile");
        sim.Send(5, 0x16, door: 1);
        await Eventually.True(() => station.Messages.Count == 5, "its restore and close");

        Assert.Equal(1, again.AccessFeature.Controllers!.Recovered);
        Assert.Equal(2, Events(station).Count(e => e.Type == EventTypes.AccessGranted));
        await again.StopAsync(default);
    }

    [Fact]
    public async Task A_door_forced_before_a_restart_is_restored_by_its_close_after_it()
    {
        var sim = _isapi.Add("c001", "ctl-10", "admin", "secret-1");
        sim.LiveOnly = true;
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        var gw = Gateway(Controller("ctl-10"));
        await gw.StartAsync(default);
        await Eventually.True(() => sim.Streaming, "the gateway listening");
        sim.Send(5, 0x17, door: 1);
        await Eventually.True(() => station.Messages.Count == 1, "the forced door");
        await gw.StopAsync(default);
        gw.Dispose();

        // Closed while nobody listens; then forced and closed again once the gateway is back.
        sim.Send(5, 0x16, door: 1);
        using var again = Gateway(Controller("ctl-10"));
        await again.StartAsync(default);
        await Eventually.True(() => station.Messages.Count == 3, "the restore and the close, from the log");
        sim.Send(5, 0x17, door: 1);
        sim.Send(5, 0x16, door: 1);
        await Eventually.True(() => station.Messages.Count == 6, "forced, restored and closed live");

        Assert.Equal(
            [(EventTypes.DoorForced, (EventState?)EventState.Active), (EventTypes.DoorForced, EventState.Restored), (EventTypes.DoorClosed, null),
             (EventTypes.DoorForced, EventState.Active), (EventTypes.DoorForced, EventState.Restored), (EventTypes.DoorClosed, null)],
            Events(station).OrderBy(e => e.Seq).Select(e => (e.Type, e.State)));
        await again.StopAsync(default);
    }

    [Fact]
    public async Task Serial_numbers_the_stream_skips_are_read_from_the_log_before_the_event_that_shows_the_gap()
    {
        var sim = _isapi.Add("c001", "ctl-06", "admin", "secret-1");
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        using var gw = Gateway(Controller("ctl-06"));
        await gw.StartAsync(default);
        sim.Send(5, 0x01, door: 1, cardNo: "601");
        await Eventually.True(() => station.Messages.Count == 1, "the first swipe");

        sim.LogOnly(5, 0x09, door: 1, cardNo: "602");
        sim.LogOnly(5, 0x77, door: 1);
        sim.Send(5, 0x01, door: 1, cardNo: "603");
        await Eventually.True(() => station.Messages.Count == 3, "the skipped swipe, then the streamed one");

        var events = Events(station).OrderBy(e => e.Seq).Select(e => e.Type).ToList();
        Assert.Equal([EventTypes.AccessGranted, EventTypes.AccessDenied, EventTypes.AccessGranted], events);
        Assert.Equal(2, gw.AccessFeature.Controllers!.Recovered);
        Assert.Equal(1, gw.AccessFeature.Controllers!.UnknownCodes);
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task A_controller_reset_while_the_gateway_was_away_or_while_it_listens_is_followed_not_muted()
    {
        var sim = _isapi.Add("c001", "ctl-07", "admin", "secret-1");
        sim.HeartbeatEvery = TimeSpan.FromSeconds(1);
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        var gw = Gateway(Controller("ctl-07"));
        await gw.StartAsync(default);
        for (var i = 0; i < 5; i++)
        {
            sim.Send(5, 0x01, door: 1, cardNo: "70" + i);
        }

        await Eventually.True(() => station.Messages.Count == 5, "five swipes");
        await gw.StopAsync(default);
        gw.Dispose();

        // Reset while the gateway is away, and a card refused meanwhile: serial 1 of the new numbering, read from the log.
        sim.Reset();
        sim.LogOnly(5, 0x09, door: 1, cardNo: "710");
        using var again = Gateway(Controller("ctl-07"));
        await again.StartAsync(default);
        await Eventually.True(() => Events(station).Any(e => e.Type == EventTypes.AccessDenied), "the refused card logged after the reset");
        sim.Send(5, 0x17, door: 1);
        await Eventually.True(() => Events(station).Any(e => e.Type == EventTypes.DoorForced), "serial 2 of the new numbering, taken");

        // Reset again while the gateway listens: the stream's serial 1 is below the cursor, and the log no longer has it.
        sim.Reset();
        sim.Send(5, 0x01, door: 1, cardNo: "720");
        await Eventually.True(() => station.Messages.Count == 8, "the first swipe after the second reset");
        Assert.Equal(string.Join(",", Enumerable.Repeat(EventTypes.AccessGranted, 5)) + $",{EventTypes.AccessDenied},{EventTypes.DoorForced},{EventTypes.AccessGranted}",
            string.Join(",", Events(station).OrderBy(e => e.Seq).Select(e => e.Type)));
        Assert.Equal(1, again.AccessFeature.Controllers!.Recovered);
        await again.StopAsync(default);
    }

    [Fact]
    public async Task Resends_of_events_already_taken_are_dropped_after_one_look_at_the_log()
    {
        var sim = _isapi.Add("c001", "ctl-11", "admin", "secret-1");
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        using var gw = Gateway(Controller("ctl-11"));
        await gw.StartAsync(default);
        for (var i = 0; i < 5; i++)
        {
            sim.Send(5, 0x01, door: 1, cardNo: "110" + i);
        }

        await Eventually.True(() => station.Messages.Count == 5, "five swipes");
        var searches = sim.LogSearches;
        sim.ReplayHistory(3, markedAsHistory: false);
        sim.Send(5, 0x01, door: 1, cardNo: "1105");
        await Eventually.True(() => station.Messages.Count == 6, "the next swipe");

        Assert.Equal(3, gw.AccessFeature.Controllers!.Repeats);
        Assert.Equal(searches + 1, sim.LogSearches);
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task A_log_that_answers_garbage_is_counted_and_the_stream_still_delivers()
    {
        var sim = _isapi.Add("c001", "ctl-08", "admin", "secret-1");
        sim.BrokenLog = Encoding.ASCII.GetBytes("{\"AcsEvent\":[1,2");
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        using var gw = Gateway(Controller("ctl-08"));
        await gw.StartAsync(default);

        sim.Send(5, 0x01, door: 1, cardNo: "801");
        sim.LogOnly(5, 0x01, door: 1, cardNo: "802");
        sim.Send(5, 0x17, door: 1);
        await Eventually.True(() => station.Messages.Count == 2, "both streamed events");
        Assert.Equal([EventTypes.AccessGranted, EventTypes.DoorForced], Events(station).OrderBy(e => e.Seq).Select(e => e.Type));
        // The gap's search was tried three times, then the missing event counted as skipped.
        Assert.Equal(3, gw.AccessFeature.Controllers!.Client("ctl-08").LogSearchFailures);
        Assert.Equal(new Edge.Contracts.Status.AccessLogCounters(0, 1, 3), gw.HeartbeatService.Current().AccessLog);
        Assert.True(gw.IsHealthy);
        await gw.StopAsync(default);
    }

    public async ValueTask DisposeAsync()
    {
        await _isapi.DisposeAsync();
        await _broker.DisposeAsync();
        _dir.Dispose();
    }
}
