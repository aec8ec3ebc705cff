using System.Buffers;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Contracts.Status;
using Edge.Contracts.Topics;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Simulator.Station;

// Over 300 lines: one subscription feeds every ledger the station checks (ids, seq per gateway, status, heartbeats, snapshots), on one receive path.
/// <summary>
/// An independent subscriber, as a police station would run: takes everything under <c>edge/v1/#</c>, drops
/// duplicates by event id, checks each gateway's seq for gaps, and keeps the last status and heartbeat of each
/// gateway. Reconnects by itself when the broker goes away.
/// </summary>
public sealed class StationProbe : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly HashSet<Guid> _ids = [];
    private readonly Dictionary<string, GatewayLedger> _ledgers = [];
    private readonly Dictionary<string, GatewayStatus> _status = [];
    private readonly Dictionary<string, Heartbeat> _heartbeats = [];
    private readonly Dictionary<string, long> _byCategory = [];
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _options;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly System.Threading.Channels.Channel<(TopicParts Parts, DateTimeOffset At, MqttApplicationMessage Message, byte[] Bytes)> _snapshotQueue =
        System.Threading.Channels.Channel.CreateUnbounded<(TopicParts, DateTimeOffset, MqttApplicationMessage, byte[])>(new() { SingleReader = true });
    private readonly IReadOnlyList<string>? _sites;
    private Task? _loop;
    private Task? _snapshotLoop;
    private int _subscriptions;

    /// <param name="persistentSession">Keep the session on the broker across disconnects (clean start off, one hour
    /// expiry), so a broker with persistence queues what arrives while the probe is away, as a station would want.</param>
    /// <param name="sites">Subscribe to these communities only (<c>edge/v1/{community}/#</c> each), as a shard's probe
    /// does on a broker other shards share; null takes everything.</param>
    public StationProbe(Uri broker, string clientId, TimeProvider time, bool persistentSession = false, IReadOnlyList<string>? sites = null)
    {
        ArgumentNullException.ThrowIfNull(broker);
        _time = time;
        _sites = sites;
        _client = new MqttClientFactory().CreateMqttClient();
        _options = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port)
            .WithClientId(clientId)
            .WithCleanStart(!persistentSession)
            .WithSessionExpiryInterval(persistentSession ? 3600u : 0u)
            .WithTimeout(TimeSpan.FromSeconds(5))
            .Build();
        // The desk's socket buffers: with MQTTnet's 8 KiB the district's messages wait for a TCP window of a few KiB.
        ((MqttClientTcpOptions)_options.ChannelOptions).BufferSize = Edge.Station.Ingest.DeskIngest.SocketBufferSize;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            Receive(e.ApplicationMessage);
            return Task.CompletedTask;
        };
    }

    /// <summary>Raised for every message, on the receiving thread.</summary>
    public event Action<ProbeMessage>? Received;

    /// <summary>Distinct events received.</summary>
    public long Unique { get { lock (_lock) { return _ids.Count; } } }

    /// <summary>Events received again (same id).</summary>
    public long Duplicates { get { lock (_lock) { return _ledgers.Values.Sum(l => l.Duplicates); } } }

    /// <summary>Messages that were not valid payloads of the contract.</summary>
    public long Malformed { get; private set; }

    /// <summary>Connects, subscribes, and keeps reconnecting until disposed; completes once first subscribed.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop = Task.Run(() => RunAsync(subscribed, _stop.Token), CancellationToken.None);
        _snapshotLoop = Task.Run(SnapshotsAsync, CancellationToken.None);
        await subscribed.Task.WaitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>How many times the probe has (re)subscribed.</summary>
    public int Subscriptions => Volatile.Read(ref _subscriptions);

    /// <summary>Waits until the probe has subscribed again after <paramref name="before"/> subscriptions.</summary>
    public async Task WaitForSubscriptionAsync(int before, TimeSpan timeout, CancellationToken ct)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (Subscriptions <= before && waited.Elapsed < timeout)
        {
            await Task.Delay(20, ct).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(TaskCompletionSource subscribed, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (!_client.IsConnected)
                {
                    var result = await _client.ConnectAsync(_options, ct).ConfigureAwait(false);
                    if (result.ResultCode == MqttClientConnectResultCode.Success)
                    {
                        await SubscribeAsync(ct).ConfigureAwait(false);
                        Interlocked.Increment(ref _subscriptions);
                        subscribed.TrySetResult();
                    }
                }

                await Task.Delay(TimeSpan.FromMilliseconds(50), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception)
            {
                // Broker away: try again shortly.
                await Task.Delay(TimeSpan.FromMilliseconds(200), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task SubscribeAsync(CancellationToken ct)
    {
        if (_sites is null)
        {
            await _client.SubscribeAsync(Topic.All, MqttQualityOfServiceLevel.AtLeastOnce, ct).ConfigureAwait(false);
            return;
        }

        // A hundred filters per SUBSCRIBE keeps each packet small for any broker.
        foreach (var chunk in _sites.Chunk(100))
        {
            var subscribe = new MqttClientSubscribeOptionsBuilder();
            foreach (var site in chunk)
            {
                subscribe.WithTopicFilter($"{Topic.Root}/{site}/#", MqttQualityOfServiceLevel.AtLeastOnce);
            }

            await _client.SubscribeAsync(subscribe.Build(), ct).ConfigureAwait(false);
        }
    }

    private void Receive(MqttApplicationMessage m)
    {
        if (!Topic.TryParse(m.Topic, out var parts))
        {
            return;
        }

        var now = _time.GetUtcNow();
        var bytes = m.Payload.ToArray();
        ProbeMessage? message;
        try
        {
            message = parts.Kind switch
            {
                TopicKind.Event => OnEvent(parts, now, Payloads.DecodeEvent(bytes)),
                TopicKind.Status => OnStatus(parts, now, Payloads.DecodeStatus(bytes)),
                TopicKind.Media => null,
                _ => OnHeartbeat(parts, now, Payloads.DecodeHeartbeat(bytes)),
            };
        }
        catch (System.Text.Json.JsonException ex)
        {
            lock (_lock)
            {
                Malformed++;
            }

            message = new ProbeMessage(parts, now, Error: ex.Message);
        }

        if (message is null)
        {
            // Decoding a snapshot takes milliseconds: off the receiving thread, so the events behind it are timed as they come.
            _snapshotQueue.Writer.TryWrite((parts, now, m, bytes));
            return;
        }

        Received?.Invoke(message);
    }

    private async Task SnapshotsAsync()
    {
        await foreach (var (parts, at, m, bytes) in _snapshotQueue.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            Received?.Invoke(new ProbeMessage(parts, at, Snapshot: Snapshot(parts, m, bytes)));
        }
    }

    /// <summary>Reads a snapshot: its event (topic and user property must agree), camera, and whether SkiaSharp decodes it.</summary>
    private static ProbeSnapshot Snapshot(TopicParts parts, MqttApplicationMessage m, byte[] jpeg)
    {
        string? Property(string name) => m.UserProperties?.FirstOrDefault(p => p.Name == name) is { } p ? System.Text.Encoding.UTF8.GetString(p.ValueBuffer.Span) : null;
        var id = Guid.Parse(parts.EventId!);
        var named = Property(UserProperties.EventId);
        using var bitmap = SkiaSharp.SKBitmap.Decode(jpeg);
        return new ProbeSnapshot(id, Property(UserProperties.Camera), named is null || named == parts.EventId, bitmap?.Width ?? 0, bitmap?.Height ?? 0);
    }

    private ProbeMessage OnEvent(TopicParts parts, DateTimeOffset now, EdgeEvent e)
    {
        lock (_lock)
        {
            var key = Key(parts);
            if (!_ledgers.TryGetValue(key, out var ledger))
            {
                _ledgers[key] = ledger = new GatewayLedger();
            }

            ledger.Add(e.Seq);
            var fresh = _ids.Add(e.Id);
            if (fresh)
            {
                _byCategory[e.Category] = _byCategory.GetValueOrDefault(e.Category) + 1;
            }

            return new ProbeMessage(parts, now, Event: e, Duplicate: !fresh);
        }
    }

    private ProbeMessage OnStatus(TopicParts parts, DateTimeOffset now, GatewayStatus status)
    {
        lock (_lock)
        {
            _status[Key(parts)] = status;
        }

        return new ProbeMessage(parts, now, Status: status);
    }

    private ProbeMessage OnHeartbeat(TopicParts parts, DateTimeOffset now, Heartbeat heartbeat)
    {
        lock (_lock)
        {
            _heartbeats[Key(parts)] = heartbeat;
        }

        return new ProbeMessage(parts, now, Heartbeat: heartbeat);
    }

    /// <summary>The ledger of one gateway (empty when nothing arrived from it).</summary>
    public GatewayLedger Ledger(string community, string gateway)
    {
        lock (_lock)
        {
            return _ledgers.TryGetValue($"{community}/{gateway}", out var l) ? l : new GatewayLedger();
        }
    }

    /// <summary>True when every seq from 1 to <paramref name="lastSeq"/> of the gateway has arrived.</summary>
    public bool HasAll(string community, string gateway, long lastSeq)
    {
        lock (_lock)
        {
            return lastSeq == 0 || (_ledgers.TryGetValue($"{community}/{gateway}", out var l) && l.HasAll(lastSeq));
        }
    }

    /// <summary>The last status of a gateway, if any arrived (retained ones arrive on subscribe).</summary>
    public GatewayStatus? Status(string community, string gateway)
    {
        lock (_lock)
        {
            return _status.GetValueOrDefault($"{community}/{gateway}");
        }
    }

    /// <summary>The last heartbeat of a gateway, if any arrived.</summary>
    public Heartbeat? LastHeartbeat(string community, string gateway)
    {
        lock (_lock)
        {
            return _heartbeats.GetValueOrDefault($"{community}/{gateway}");
        }
    }

    /// <summary>Gateways whose last status is online.</summary>
    public int Online
    {
        get
        {
            lock (_lock)
            {
                return _status.Values.Count(s => s.State == GatewayState.Online);
            }
        }
    }

    /// <summary>Distinct events per category.</summary>
    public IReadOnlyDictionary<string, long> ByCategory()
    {
        lock (_lock)
        {
            return new Dictionary<string, long>(_byCategory);
        }
    }

    private static string Key(TopicParts parts) => $"{parts.Community}/{parts.Gateway}";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _snapshotQueue.Writer.TryComplete();
        if (_snapshotLoop is not null)
        {
            await _snapshotLoop.ConfigureAwait(false);
        }

        if (_client.IsConnected)
        {
            await _client.DisconnectAsync().ConfigureAwait(false);
        }

        _client.Dispose();
        _stop.Dispose();
    }
}
