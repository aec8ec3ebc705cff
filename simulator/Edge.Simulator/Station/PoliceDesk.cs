using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Edge.Contracts.Commands;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Topics;
using Edge.Simulator.Gateways;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Edge.Simulator.Station;

/// <summary>
/// The simulated police desk of the <c>response</c> scenario: the station's identity that may publish commands
/// (<c>station-app</c>), with a signing key made for the run (the simulator's gateways are configured with its public
/// half). It hears the alarms, sends signed commands on <c>edge/v1/{community}/{gateway}/commands/{type}</c> (MQTT 5,
/// with message expiry, a response topic and correlation data), and hands every answer on <c>results</c> to the
/// <see cref="ResponseCheck"/>. It keeps what it sent, as an attacker on the station network could capture it.
/// </summary>
public sealed class PoliceDesk : IAsyncDisposable
{
    /// <summary>The key id the gateways know the desk's key by.</summary>
    public const string KeyId = "edge-sim-desk";

    /// <summary>The desk's MQTT identity: the only one the deployed broker ACL lets publish commands.</summary>
    public const string ClientId = "station-app";

    private const string Issuer = "edge-sim police desk";
    private static readonly TimeSpan AnswerWait = TimeSpan.FromSeconds(15);
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<CommandResult>> _answers = new();
    private readonly ConcurrentDictionary<(string Community, string Device), TaskCompletionSource<EdgeEvent>> _alarms = new();
    private readonly ConcurrentQueue<Captured> _captured = new();
    private readonly TimeProvider _time;
    private readonly Lock _answersLock = new();
    private readonly Dictionary<Guid, (CommandResult Result, DateTimeOffset At)> _early = [];
    private StationDesk? _station;

    public PoliceDesk(TimeProvider time, GroundTruth truth, SnapshotCheck snapshots, ColumnLeds leds)
    {
        _time = time;
        Truth = truth;
        Snapshots = snapshots;
        Leds = leds;
        Doors = new DoorOpens(Check);
        _client.ApplicationMessageReceivedAsync += e =>
        {
            Receive(e.ApplicationMessage);
            return Task.CompletedTask;
        };
    }

    /// <summary>What the desk's commands and the attacker's are checked against.</summary>
    public ResponseCheck Check { get; } = new();

    /// <summary>The events the simulator caused: a column's change after a step is one the station must get.</summary>
    public GroundTruth Truth { get; }

    /// <summary>The snapshots the station must get, also those a <c>camera.snapshot</c> asked for.</summary>
    public SnapshotCheck Snapshots { get; }

    /// <summary>The alarm columns' LEDs at the simulated hardware.</summary>
    public ColumnLeds Leds { get; }

    /// <summary>The doors the desk opened, against the locks released.</summary>
    public DoorOpens Doors { get; }

    /// <summary>The public half of the desk's key, as the gateways' <c>Edge:Commands:StationKeys</c> hold it.</summary>
    public StationKey StationKey => new(KeyId, _key.ExportSubjectPublicKeyInfoPem());

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>
    /// From now on the alarm steps (acknowledge, dispatch, resolve) are taken at the real police desk of the run, through
    /// its API, which signs and sends the commands; the desk's answers are still checked here. Null keeps signing here.
    /// </summary>
    public void ActThrough(StationDesk? station) => _station = station;

    /// <summary>
    /// Takes an alarm step of <paramref name="type"/> on <paramref name="alarm"/>: through the real desk when the run
    /// has one, else as a command signed here. Returns when the command went out and the gateway's answer (null when
    /// none came within 15 s).
    /// </summary>
    public async Task<(DateTimeOffset Sent, CommandResult? Answer)> StepAsync(string community, string type, Guid alarm, CancellationToken ct)
    {
        if (_station is null)
        {
            var command = Command(community, type, new JsonObject { ["alarm"] = alarm.ToString("D") }, TimeSpan.FromSeconds(30));
            return (command.IssuedAt, await SendAsync(command).ConfigureAwait(false));
        }

        var step = type switch
        {
            CommandTypes.AlarmAcknowledge => "acknowledge",
            CommandTypes.AlarmDispatch => "dispatch",
            CommandTypes.AlarmResolve => "resolve",
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not an alarm step"),
        };
        var sent = Now;
        var id = await _station.TakeStepAsync(alarm, step, ct).ConfigureAwait(false);
        if (id is null)
        {
            Check.Problem($"the desk did not take {step} on alarm {alarm} of {community}");
            return (sent, null);
        }

        return (sent, await WaitAsync(Expect(id.Value, community, type, CommandOutcomes.Applied, bad: false)).ConfigureAwait(false));
    }

    /// <summary>Connects as <see cref="ClientId"/> and subscribes to the alarms and to every gateway's results.</summary>
    public async Task StartAsync(Uri broker, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(broker);
        var options = new MqttClientOptionsBuilder().WithTcpServer(broker.Host, broker.Port).WithClientId(ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500).WithCleanStart().Build();
        await _client.ConnectAsync(options, ct).ConfigureAwait(false);
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter("edge/v1/+/+/events/alarm/#", MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter("edge/v1/+/+/results", MqttQualityOfServiceLevel.AtLeastOnce)
            .Build(), ct).ConfigureAwait(false);
    }

    /// <summary>Completes with the next <c>alarm.panic</c> (active) of a device: call it before the press.</summary>
    public Task<EdgeEvent> NextAlarmAsync(string community, string device)
    {
        var wait = new TaskCompletionSource<EdgeEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        _alarms[(community, device)] = wait;
        return wait.Task;
    }

    /// <summary>A command of the desk to a community's gateway, issued now, living <paramref name="life"/>.</summary>
    public StationCommand Command(string community, string type, JsonObject data, TimeSpan life)
    {
        var now = Now;
        return new StationCommand(Guid.CreateVersion7(now), type, community, GatewayFleet.GatewayId, Issuer, now, now + life, data);
    }

    /// <summary>Signs with the desk's key (or <paramref name="key"/>, an attacker's, under the desk's key id).</summary>
    public string Sign(StationCommand command, ECDsa? key = null) => CommandJws.Sign(command, KeyId, key ?? _key);

    /// <summary>
    /// Sends a command of the desk, expected to be <paramref name="expected"/>; the gateway's answer, or null when none
    /// came within 15 s (counted as unanswered at the end). The desk keeps it, as a wire capture would.
    /// </summary>
    public async Task<CommandResult?> SendAsync(StationCommand command, string expected = CommandOutcomes.Applied)
    {
        ArgumentNullException.ThrowIfNull(command);
        var topic = Topic.Command(command.Community, command.Gateway, command.Type);
        var jws = System.Text.Encoding.ASCII.GetBytes(Sign(command));
        var answer = Expect(command.Id, command.Community, command.Type, expected, bad: false);
        await PublishAsync(topic, jws, command.ExpiresAt - command.IssuedAt, command.Id).ConfigureAwait(false);
        _captured.Enqueue(new Captured(command, topic, jws));
        while (_captured.Count > 256)
        {
            _captured.TryDequeue(out _);
        }

        return await WaitAsync(answer).ConfigureAwait(false);
    }

    /// <summary>Records what a command nobody legitimate sent must get (the attacker's), answered by <paramref name="community"/>.</summary>
    public Task<CommandResult> Expect(Guid id, string community, string type, string outcome, bool bad)
    {
        Check.Sent(id, community, type, outcome, bad, Now);
        lock (_answersLock)
        {
            var answer = _answers.GetOrAdd(id, _ => new TaskCompletionSource<CommandResult>(TaskCreationOptions.RunContinuationsAsynchronously));
            if (_early.Remove(id, out var early))
            {
                // The real desk's command was answered before its id came back from the desk's API.
                _answers.TryRemove(id, out _);
                Check.Answer(early.Result, early.At);
                answer.TrySetResult(early.Result);
            }

            return answer.Task;
        }
    }

    /// <summary>Answers to commands nobody here sent or took through the desk: problems of the run.</summary>
    public void Finish()
    {
        lock (_answersLock)
        {
            foreach (var (id, early) in _early)
            {
                Check.Answer(early.Result, early.At);
            }

            _early.Clear();
        }
    }

    /// <summary>Publishes bytes on a topic as they are: the desk's commands, and the attacker's.</summary>
    public Task PublishAsync(string topic, byte[] payload, TimeSpan life, Guid? correlation = null)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType(CommandJws.MediaType)
            .WithMessageExpiryInterval((uint)Math.Max(1, Math.Ceiling(life.TotalSeconds)));
        if (correlation is { } id && topic.Split('/') is { Length: > 3 } parts)
        {
            message.WithResponseTopic(Topic.Results(parts[2], parts[3])).WithCorrelationData(id.ToByteArray());
        }

        return _client.PublishAsync(message.Build());
    }

    /// <summary>Commands the desk sent that are still in their life and answered: what an attacker replays.</summary>
    public IReadOnlyList<Captured> Captured(TimeSpan leftToLive) =>
        _captured.Where(c => c.Command.ExpiresAt - Now > leftToLive && Check.Answered(c.Command.Id)).ToList();

    /// <summary>Waits for an answer, at most 15 s; null when none came.</summary>
    public static async Task<CommandResult?> WaitAsync(Task<CommandResult> answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        try
        {
            return await answer.WaitAsync(AnswerWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private void Receive(MqttApplicationMessage m)
    {
        var now = Now;
        try
        {
            if (m.Topic.EndsWith("/results", StringComparison.Ordinal))
            {
                var result = Payloads.DecodeResult(m.Payload.ToArray());
                lock (_answersLock)
                {
                    if (_station is not null && result.CommandId is { } early && !_answers.ContainsKey(early))
                    {
                        // Perhaps a step of the real desk whose id its API has not returned yet: Expect takes it.
                        _early[early] = (result, now);
                        return;
                    }
                }

                Check.Answer(result, now);
                if (result.CommandId is { } id && _answers.TryRemove(id, out var waiting))
                {
                    waiting.TrySetResult(result);
                }

                return;
            }

            var e = Payloads.DecodeEvent(m.Payload.ToArray());
            if (e.Type == EventTypes.AlarmPanic && e.State == EventState.Active && _alarms.TryRemove((e.Community, e.Device.Id), out var alarm))
            {
                alarm.TrySetResult(e);
            }
        }
        catch (System.Text.Json.JsonException ex)
        {
            Check.Problem($"the desk could not read a message on {m.Topic}: {ex.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync().ConfigureAwait(false);
        }

        _client.Dispose();
        _key.Dispose();
    }
}

/// <summary>A command as it went over the wire: what an attacker on the station network can capture and send again.</summary>
public sealed record Captured(StationCommand Command, string Topic, byte[] Payload);
