using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Contracts.Commands;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Topics;
using Edge.Gateway.Access;
using Edge.Gateway.Alarms;
using Edge.Gateway.Cameras;
using Edge.Gateway.Commands;
using Edge.Gateway.Hardware;
using Edge.Simulator.Broker;
using Edge.Simulator.Devices;
using Edge.Simulator.Hardware;
using Edge.Tests.Support;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Tests.Commands;

// Over 300 lines: every command end to end on one rig (broker, hardware bridge, desk), a test per command type.
/// <summary>
/// The loop closed: a guard presses the column's button in the simulator, the alarm reaches the station, the station
/// signs the police's steps and sends them, and the column shows each; every command is answered on the results topic.
/// </summary>
public sealed class CommandsEndToEndTests : IAsyncLifetime
{
    private readonly TempDirectory _dir = new();
    private readonly ECDsa _station = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private StationBroker _broker = null!;
    private BridgeServer _hardware = null!;
    private volatile bool _gatewaySubscribed;

    public async ValueTask InitializeAsync()
    {
        _broker = await StationBroker.StartAsync();
        _broker.Server.ClientSubscribedTopicAsync += e =>
        {
            _gatewaySubscribed |= e.TopicFilter.Topic == Topic.Commands("c001", "gw1");
            return Task.CompletedTask;
        };
        _hardware = BridgeServer.Start();
        _hardware.SetLevel("c001", 17, true);
    }

    private Edge.Gateway.Hosting.GatewayInstance Gateway() => TestGateway.Create(TestGateway.Settings(_broker.Uri, _dir.Combine("gw")) with
    {
        Hardware = new HardwareOptions { Gpio = GpioDriverKind.Bridge, Bridge = _hardware.Endpoint.ToString() },
        Alarms = new AlarmOptions { Buttons = [new AlarmButtonOptions { Id = "btn-guardroom", Name = "Guard room", Pin = 17, LedPin = 27 }] },
        Commands = new CommandOptions { StationKeys = [new StationKeyOptions { Id = "station-2026", PublicKey = _station.ExportSubjectPublicKeyInfoPem() }] },
    });

    private byte[] Sign(string type, Guid alarm, DateTimeOffset? issuedAt = null)
    {
        var at = issuedAt ?? DateTimeOffset.UtcNow;
        var command = new StationCommand(Guid.CreateVersion7(), type, "c001", "gw1", "desk-1", at, at.AddSeconds(30), new JsonObject { ["alarm"] = alarm.ToString() });
        return Encoding.ASCII.GetBytes(CommandJws.Sign(command, "station-2026", _station));
    }

    private static Task SendAsync(IMqttClient desk, string type, byte[] signed, byte[] correlation) =>
        desk.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topic.Command("c001", "gw1", type)).WithPayload(signed)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithResponseTopic(Topic.Results("c001", "gw1")).WithCorrelationData(correlation).Build());

    [Fact]
    public async Task The_police_steps_reach_the_alarm_column_and_every_command_is_answered()
    {
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri));
        using var desk = new MqttClientFactory().CreateMqttClient();
        await desk.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).WithClientId("desk-1").Build());
        using var gw = Gateway();
        await gw.StartAsync(default);
        await Eventually.True(() => gw.GatewayHardware.Bridge!.Connected && gw.UplinkService.State.Connected && _gatewaySubscribed, "bridge, uplink and commands up");

        _hardware.SetLevel("c001", 17, false);
        await Eventually.True(() => station.On("/events/alarm/btn-guardroom").Any(), "the alarm at the station");
        var alarm = Payloads.DecodeEvent(station.On("/events/alarm/btn-guardroom").First().Payload.ToArray()).Id;
        var columns = gw.AlarmsFeature.Columns!;

        var acknowledge = Sign(CommandTypes.AlarmAcknowledge, alarm);
        await SendAsync(desk, CommandTypes.AlarmAcknowledge, acknowledge, [1]);
        await Eventually.True(() => columns.StateOf("btn-guardroom") == ColumnState.Acknowledged, "the column shows the police took it");
        await SendAsync(desk, CommandTypes.AlarmDispatch, Sign(CommandTypes.AlarmDispatch, alarm), [2]);
        await Eventually.True(() => columns.StateOf("btn-guardroom") == ColumnState.Dispatched, "officers on their way");
        await SendAsync(desk, CommandTypes.AlarmResolve, Sign(CommandTypes.AlarmResolve, alarm), [3]);
        await Eventually.True(() => columns.StateOf("btn-guardroom") == ColumnState.Idle, "resolved");

        // Captured and sent again, forged, stale: none changes the column, each is answered.
        await SendAsync(desk, CommandTypes.AlarmAcknowledge, acknowledge, [4]);
        using var forger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var forged = CommandJws.Sign(new StationCommand(Guid.CreateVersion7(), CommandTypes.AlarmAcknowledge, "c001", "gw1", "desk-1", DateTimeOffset.UtcNow,
            DateTimeOffset.UtcNow.AddSeconds(30), new JsonObject { ["alarm"] = alarm.ToString() }), "station-2026", forger);
        await SendAsync(desk, CommandTypes.AlarmAcknowledge, Encoding.ASCII.GetBytes(forged), [5]);
        await SendAsync(desk, CommandTypes.AlarmAcknowledge, Sign(CommandTypes.AlarmAcknowledge, alarm, DateTimeOffset.UtcNow.AddMinutes(-5)), [6]);
        await SendAsync(desk, CommandTypes.AlarmAcknowledge, "{not a command"u8.ToArray(), [7]);
        await Eventually.True(() => station.On("/results").Count() == 7, "seven results");

        var results = station.On("/results").ToDictionary(m => m.CorrelationData[0], m => Payloads.DecodeResult(m.Payload.ToArray()));
        Assert.Equal(
            [CommandOutcomes.Applied, CommandOutcomes.Applied, CommandOutcomes.Applied, CommandOutcomes.Replayed, CommandOutcomes.Refused, CommandOutcomes.Expired, CommandOutcomes.Refused],
            Enumerable.Range(1, 7).Select(i => results[(byte)i].Outcome));
        Assert.Equal(results[1].CommandId, results[4].CommandId);
        Assert.All(results.Values, r => Assert.Equal(("c001", "gw1"), (r.Community, r.Gateway)));
        Assert.All(station.On("/results"), m => Schemas.AssertValid(Schemas.Result, m.Payload.ToArray()));
        Schemas.AssertValid(Schemas.Command, CommandJws.FromBase64Url(Encoding.ASCII.GetString(acknowledge).Split('.')[1]));
        Schemas.AssertValid(Schemas.Event, station.On("/events/device/btn-guardroom").First().Payload.ToArray());
        Assert.Equal(ColumnState.Idle, columns.StateOf("btn-guardroom"));
        Assert.Equal((7, 3), (gw.CommandService!.Received, gw.CommandService.Applied));

        // Each change of the column is an event of its button, as the guard saw it.
        await Eventually.True(() => station.On("/events/device/btn-guardroom").Count() == 3, "three indicator events");
        var shown = station.On("/events/device/btn-guardroom").Select(m => Payloads.DecodeEvent(m.Payload.ToArray())).OrderBy(e => e.Seq).ToList();
        Assert.All(shown, e => Assert.Equal((EventTypes.DeviceIndicator, alarm.ToString()), (e.Type, (string?)e.Data!["alarm"])));
        Assert.Equal(["acknowledged", "dispatched", "resolved"], shown.Select(e => (string?)e.Data!["state"]));
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task A_command_sent_while_the_gateway_is_away_waits_in_its_session_and_is_applied_when_it_is_back()
    {
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.Results("c001", "gw1"));
        using var desk = new MqttClientFactory().CreateMqttClient();
        await desk.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).WithClientId("desk-4").Build());
        using (var away = Gateway())
        {
            await away.StartAsync(default);
            await Eventually.True(() => away.UplinkService.State.Connected && _gatewaySubscribed, "uplink and commands up");
            await away.StopAsync(default);
        }

        var now = DateTimeOffset.UtcNow;
        var command = new StationCommand(Guid.CreateVersion7(), CommandTypes.DeadLettersReplay, "c001", "gw1", "desk-4", now, now.AddSeconds(30));
        await desk.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(Topic.Command("c001", "gw1", CommandTypes.DeadLettersReplay))
            .WithPayload(Encoding.ASCII.GetBytes(CommandJws.Sign(command, "station-2026", _station))).WithMessageExpiryInterval(30)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        using var back = Gateway();
        await back.StartAsync(default);
        await Eventually.True(() => !station.Messages.IsEmpty, "the command answered once the gateway is back");

        var result = Payloads.DecodeResult(station.Messages.Single().Payload.ToArray());
        Assert.Equal((command.Id, CommandOutcomes.Applied), (result.CommandId, result.Outcome));
        await back.StopAsync(default);
    }

    [Fact]
    public async Task Door_open_opens_a_controllers_door_and_releases_a_gpio_doors_lock_for_at_most_a_ten_second_command_and_nothing_else()
    {
        await using var isapi = await HttpDeviceServer.StartAsync();
        var controller = isapi.Add("c001", "ctl-01", "admin", "secret-1");
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.Results("c001", "gw1"));
        await using var events = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri), Topic.AllEvents);
        await using var osdp = SimOsdpLine.Tcp();
        var switched = new System.Collections.Concurrent.ConcurrentQueue<int>();
        osdp.Add(1, null).OutputSwitched += (output, on, _) =>
        {
            if (on)
            {
                switched.Enqueue(output);
            }
        };
        using var desk = new MqttClientFactory().CreateMqttClient();
        await desk.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).WithClientId("desk-2").Build());
        using var gw = TestGateway.Create(TestGateway.Settings(_broker.Uri, _dir.Combine("gw-doors")) with
        {
            Hardware = new HardwareOptions { Gpio = GpioDriverKind.Bridge, Bridge = _hardware.Endpoint.ToString() },
            Access = new AccessOptions
            {
                CardSecret = Convert.ToBase64String(new byte[32]),
                Controllers = [new AccessControllerOptions { Id = "ctl-01", Url = isapi.Url("c001", "ctl-01").ToString(), User = "admin", Password = "secret-1",
                    Doors = [new AccessDoorOptions { Number = 2, Id = "door-unit-3" }] }],
                Doors = [new GpioDoorOptions { Id = "door-gate", ContactPin = 22 }, new GpioDoorOptions { Id = "door-lobby", ContactPin = 23, LockPin = 24, UnlockFor = TimeSpan.FromSeconds(1) }],
                OsdpReaders =
                [
                    new OsdpReaderOptions { Id = "rdr-1", Endpoint = osdp.Endpoint.ToString(), Address = 1, Door = "door-osdp", LockOutput = 0 },
                    new OsdpReaderOptions { Id = "rdr-2", Endpoint = osdp.Endpoint.ToString(), Address = 2, Door = "door-osdp-2" },
                ],
            },
            Commands = new CommandOptions { StationKeys = [new StationKeyOptions { Id = "station-2026", PublicKey = _station.ExportSubjectPublicKeyInfoPem() }] },
        });
        await gw.StartAsync(default);
        await Eventually.True(() => gw.UplinkService.State.Connected && _gatewaySubscribed && gw.AccessFeature.OsdpLines[0].Readers[0].Online,
            "uplink, commands and the OSDP reader up");

        byte[] Open(string door, int lifeSeconds)
        {
            var now = DateTimeOffset.UtcNow;
            var command = new StationCommand(Guid.CreateVersion7(), CommandTypes.DoorOpen, "c001", "gw1", "desk-2", now, now.AddSeconds(lifeSeconds), new JsonObject { ["door"] = door });
            return Encoding.ASCII.GetBytes(CommandJws.Sign(command, "station-2026", _station));
        }

        await SendAsync(desk, CommandTypes.DoorOpen, Open("door-unit-3", 10), [1]);
        await SendAsync(desk, CommandTypes.DoorOpen, Open("door-unit-3", 30), [2]);
        await SendAsync(desk, CommandTypes.DoorOpen, Open("door-gate", 10), [3]);
        await SendAsync(desk, CommandTypes.DoorOpen, Open("door-nowhere", 10), [4]);
        await Eventually.True(() => _hardware.Output("c001", 24) == false, "the lobby locked from the start");
        await SendAsync(desk, CommandTypes.DoorOpen, Open("door-lobby", 10), [5]);
        await SendAsync(desk, CommandTypes.DoorOpen, Open("door-osdp", 10), [6]);
        await SendAsync(desk, CommandTypes.DoorOpen, Open("door-osdp-2", 10), [7]);
        await Eventually.True(() => station.Messages.Count == 7, "seven results");

        var results = station.Messages.ToDictionary(m => m.CorrelationData[0], m => Payloads.DecodeResult(m.Payload.ToArray()));
        Assert.Equal([CommandOutcomes.Applied, CommandOutcomes.Refused, CommandOutcomes.Failed, CommandOutcomes.Failed, CommandOutcomes.Applied, CommandOutcomes.Applied,
                CommandOutcomes.Failed],
            Enumerable.Range(1, 7).Select(i => results[(byte)i].Outcome));
        Assert.Contains("(Edge:Access:OsdpReaders:1:LockOutput)", results[7].Reason, StringComparison.Ordinal);
        await Eventually.True(() => switched.Contains(0), "the OSDP reader's lock output switched on");
        await Eventually.True(() => events.On("/events/access/door-osdp").Any(), "the OSDP door's remote opening reported");
        Assert.Contains("at most 10 s", results[2].Reason, StringComparison.Ordinal);
        Assert.Contains("no lock output (Edge:Access:Doors:0:LockPin)", results[3].Reason, StringComparison.Ordinal);
        Assert.Contains("no door door-nowhere", results[4].Reason, StringComparison.Ordinal);
        Assert.Equal([2], controller.RemoteOpens);

        // The GPIO door's lock released by its output, then locked again after its UnlockFor; the station hears of it.
        await Eventually.True(() => _hardware.Output("c001", 24) == true, "the lobby's lock released");
        await Eventually.True(() => _hardware.Output("c001", 24) == false, "the lobby locked again");
        await Eventually.True(() => events.On("/events/access/door-lobby").Any(), "the remote opening reported");
        var granted = Payloads.DecodeEvent(events.On("/events/access/door-lobby").Single().Payload.ToArray());
        Assert.Equal((EventTypes.AccessGranted, "remote"), (granted.Type, (string?)granted.Data!["reason"]));
        Assert.Empty(events.On("/events/access/door-gate"));
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task Camera_snapshot_publishes_the_cameras_picture_on_the_media_topic_of_the_command()
    {
        await using var devices = await HttpDeviceServer.StartAsync();
        var camera = devices.AddCamera("c001", "cam-gate", "admin", "pw");
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri));
        using var desk = new MqttClientFactory().CreateMqttClient();
        await desk.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).WithClientId("desk-3").Build());
        using var gw = TestGateway.Create(TestGateway.Settings(_broker.Uri, _dir.Combine("gw-camera")) with
        {
            Cameras = new CameraOptions { Devices = [new CameraDeviceOptions { Id = "cam-gate", Protocol = CameraProtocol.Isapi, Url = devices.Url("c001", "cam-gate").ToString(), User = "admin", Password = "pw" }] },
            Commands = new CommandOptions { StationKeys = [new StationKeyOptions { Id = "station-2026", PublicKey = _station.ExportSubjectPublicKeyInfoPem() }] },
        });
        await gw.StartAsync(default);
        await Eventually.True(() => gw.UplinkService.State.Connected && _gatewaySubscribed, "uplink and commands up");

        StationCommand Ask(string cameraId) => new(Guid.CreateVersion7(), CommandTypes.CameraSnapshot, "c001", "gw1", "desk-3", DateTimeOffset.UtcNow,
            DateTimeOffset.UtcNow.AddSeconds(30), new JsonObject { ["camera"] = cameraId });
        var asked = Ask("cam-gate");
        await SendAsync(desk, CommandTypes.CameraSnapshot, Encoding.ASCII.GetBytes(CommandJws.Sign(asked, "station-2026", _station)), [1]);
        await SendAsync(desk, CommandTypes.CameraSnapshot, Encoding.ASCII.GetBytes(CommandJws.Sign(Ask("cam-nowhere"), "station-2026", _station)), [2]);
        await Eventually.True(() => station.On("/results").Count() == 2 && station.On($"/media/{asked.Id:D}").Any(), "two results and the picture");

        var results = station.On("/results").ToDictionary(m => m.CorrelationData[0], m => Payloads.DecodeResult(m.Payload.ToArray()));
        Assert.Equal((CommandOutcomes.Applied, CommandOutcomes.Failed), (results[1].Outcome, results[2].Outcome));
        var picture = station.On($"/media/{asked.Id:D}").Single();
        Assert.Equal([0xFF, 0xD8, 0xFF], picture.Payload.ToArray()[..3]);
        Assert.Equal("cam-gate", RecordingSubscriber.Property(picture, "camera"));
        Assert.Equal(1, camera.Snapshots);
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task Deadletters_replay_sends_what_the_broker_refused_again_alarms_first_once_it_takes_them()
    {
        var refuse = true;
        _broker.Server.InterceptingPublishAsync += e =>
        {
            if (Volatile.Read(ref refuse) && e.ApplicationMessage.Topic.Contains("/events/", StringComparison.Ordinal))
            {
                e.ProcessPublish = false;
                e.Response.ReasonCode = MQTTnet.Protocol.MqttPubAckReasonCode.NotAuthorized;
            }

            return Task.CompletedTask;
        };
        await using var station = await RecordingSubscriber.ConnectAsync(new Uri(_broker.Uri));
        using var desk = new MqttClientFactory().CreateMqttClient();
        await desk.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", _broker.Port).WithClientId("desk-4").Build());
        using var gw = TestGateway.Create(TestGateway.Settings(_broker.Uri, _dir.Combine("gw-dead")) with
        {
            Commands = new CommandOptions { StationKeys = [new StationKeyOptions { Id = "station-2026", PublicKey = _station.ExportSubjectPublicKeyInfoPem() }] },
        });
        await gw.StartAsync(default);
        await Eventually.True(() => gw.UplinkService.State.Connected && _gatewaySubscribed, "uplink and commands up");

        var low = await gw.SubmitAsync(TestGateway.Draft(EventTypes.DeviceTest, Priority.Low, "dev-1"));
        var alarm = await gw.SubmitAsync(TestGateway.Draft(EventTypes.AlarmPanic, Priority.Critical, "btn-1"));
        await Eventually.True(() => gw.Store.DeadLetters().Count == 2, "both refused and dead-lettered");

        Volatile.Write(ref refuse, false);
        var now = DateTimeOffset.UtcNow;
        var replay = new StationCommand(Guid.CreateVersion7(), CommandTypes.DeadLettersReplay, "c001", "gw1", "desk-4", now, now.AddSeconds(30));
        await SendAsync(desk, CommandTypes.DeadLettersReplay, Encoding.ASCII.GetBytes(CommandJws.Sign(replay, "station-2026", _station)), [1]);
        await Eventually.True(() => station.On("/events/device/dev-1").Any() && station.On("/events/alarm/btn-1").Any() && station.On("/results").Any(), "both at the station, and the result");

        var result = Payloads.DecodeResult(station.On("/results").Single().Payload.ToArray());
        Assert.Equal((CommandOutcomes.Applied, "2 dead-lettered events back in the outbox"), (result.Outcome, result.Reason));
        var arrived = station.Messages.Where(m => m.Topic.Contains("/events/", StringComparison.Ordinal)).Select(m => Payloads.DecodeEvent(m.Payload.ToArray())).ToList();
        Assert.Equal([alarm.Id, low.Id], arrived.Select(e => e.Id));
        Assert.Equal([alarm.Seq, low.Seq], arrived.Select(e => e.Seq));
        Assert.Empty(gw.Store.DeadLetters());
        await Eventually.True(() => gw.Store.Stats().Queue.Total == 0, "the outbox empty");
        await gw.StopAsync(default);
    }

    [Fact]
    public async Task A_gateway_without_a_station_key_does_not_subscribe_to_commands()
    {
        var settings = TestGateway.Settings(_broker.Uri, _dir.Combine("gw-nokey"));
        using var gw = TestGateway.Create(settings);
        await gw.StartAsync(default);
        await Eventually.True(() => gw.UplinkService.State.Connected, "connected");

        Assert.Null(gw.CommandService);
        Assert.False(_gatewaySubscribed);
        await gw.StopAsync(default);
    }

    [Fact]
    public void A_station_key_that_is_not_a_p256_public_key_stops_the_start_with_its_key_named()
    {
        using var rsa = RSA.Create(2048);
        var settings = TestGateway.Settings(_broker.Uri, _dir.Combine("gw-badkey")) with
        {
            Commands = new CommandOptions
            {
                StationKeys =
                [
                    new StationKeyOptions { Id = "k1", PublicKey = "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----" },
                    new StationKeyOptions { Id = "k1", PublicKey = rsa.ExportSubjectPublicKeyInfoPem() },
                    new StationKeyOptions { Id = "k 3" },
                ],
            },
        };

        var errors = settings.Validate();

        Assert.Contains(errors, e => e.StartsWith("Edge:Commands:StationKeys:0:PublicKey is not an ECDSA P-256 public key", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Edge:Commands:StationKeys:1:Id 'k1' is given twice", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Edge:Commands:StationKeys:1:PublicKey is not an ECDSA P-256 public key", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Edge:Commands:StationKeys:2:Id 'k 3' must be", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Edge:Commands:StationKeys:2:PublicKey give the key", StringComparison.Ordinal));
    }

    public async ValueTask DisposeAsync()
    {
        _station.Dispose();
        await _hardware.DisposeAsync();
        await _broker.DisposeAsync();
        _dir.Dispose();
    }
}
