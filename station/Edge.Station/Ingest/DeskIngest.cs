using System.Threading.Channels;
using Edge.Contracts.Commands;
using Edge.Station.Configuration;
using Edge.Station.Live;
using Edge.Station.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Station.Ingest;

/// <summary>
/// The desk's link to the station broker, and what it does with what comes: a connection loop (backoff and jitter),
/// and one storing loop that takes what gathered (up to <see cref="BatchSize"/>), stores it in one transaction, and
/// only then acknowledges it to the broker, so the broker keeps what the desk has not stored, also while it is down.
/// Two links: <see cref="MqttDeskIngest"/> (MQTT 5, a persistent session; Mosquitto) and <see cref="AmqpDeskIngest"/>
/// (AMQP 0-9-1 from a quorum queue; a RabbitMQ cluster). Each also sends the desk's commands.
/// </summary>
public abstract partial class DeskIngest : BackgroundService
{
    protected const int BatchSize = 512;

    /// <summary>
    /// The socket's buffers. MQTTnet sets them to 8 KiB unless told otherwise, which turns off the kernel's tuning and
    /// keeps the TCP window at a few KiB: in a flood Mosquitto then sent the desk about 100 messages a second, waiting
    /// on delayed ACKs for each sliver of window (3.5 MB stuck in its send queue, 97% of the time window-limited).
    /// </summary>
    public const int SocketBufferSize = 1024 * 1024;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly DeskStore _store;
    private readonly MessageSorter _sorter;
    private readonly DeskNews _news;
    private readonly ILogger _log;
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private readonly TaskCompletionSource _firstConnect = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _stored;

    protected DeskIngest(DeskOptions options, DeskStore store, DeskNews news, TimeProvider time, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _store = store;
        _sorter = new MessageSorter(options);
        _news = news;
        Time = time;
        _log = log;
    }

    protected DeskOptions Options { get; }

    protected TimeProvider Time { get; }

    protected ILogger Log => _log;

    /// <summary>True while connected to the broker and taking in.</summary>
    public abstract bool Connected { get; }

    /// <summary>The broker (node of a cluster) the desk is connected to, or was last: scheme, host and port.</summary>
    public string? Node { get; protected set; }

    /// <summary>Why the last connect failed, or null.</summary>
    public string? LastFailure { get; private set; }

    /// <summary>Messages stored since the desk started (events, statuses, pictures, results, quarantined).</summary>
    public long Stored => Interlocked.Read(ref _stored);

    /// <summary>Why the last batch could not be stored, or null once one is.</summary>
    public string? LastStoreFailure { get; private set; }

    /// <summary>Messages received and not yet stored.</summary>
    public int Waiting => _received.Reader.Count;

    /// <summary>Completes when the desk first connected and subscribed.</summary>
    public Task FirstConnect => _firstConnect.Task;

    /// <summary>How long a command waits for the link when the desk is between connections (a node's failover, a reconnect).</summary>
    public static readonly TimeSpan LinkWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Publishes a signed command (<paramref name="jws"/>) on <paramref name="topic"/>. While the desk is between
    /// connections it waits up to <see cref="LinkWait"/> for the link, well within the command's life; throws when the
    /// link does not come back in that time or the broker refuses the command.
    /// </summary>
    public async Task SendCommandAsync(StationCommand command, string topic, byte[] jws, CancellationToken ct)
    {
        var deadline = Time.GetUtcNow() + LinkWait;
        while (!Connected && Time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), Time, ct).ConfigureAwait(false);
        }

        await PublishCommandAsync(command, topic, jws, ct).ConfigureAwait(false);
    }

    /// <summary>Publishes a command now; throws when not connected or the broker refuses it.</summary>
    protected abstract Task PublishCommandAsync(StationCommand command, string topic, byte[] jws, CancellationToken ct);

    /// <summary>Connects and subscribes once; throws with the reason when it cannot.</summary>
    protected abstract Task ConnectAsync(CancellationToken ct);

    /// <summary>Tells the broker a stored batch is the desk's now.</summary>
    protected abstract Task AcknowledgeAsync(IReadOnlyList<Received> batch);

    /// <summary>A batch that could not be stored: the broker must send it again.</summary>
    protected abstract Task RefuseAsync(IReadOnlyList<Received> batch);

    /// <summary>Hands a received message to the storing loop; <paramref name="delivery"/> is what acknowledging it takes.</summary>
    protected void Receive(string topic, byte[] payload, object delivery) => _received.Writer.TryWrite(new Received(topic, payload, delivery));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var storing = Task.Run(StoreLoopAsync, stoppingToken);
        try
        {
            await ConnectLoopAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        _received.Writer.TryComplete();
        await storing.ConfigureAwait(false);
    }

    private async Task ConnectLoopAsync(CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            if (!Connected)
            {
                try
                {
                    await ConnectAsync(ct).ConfigureAwait(false);
                    failures = 0;
                    LastFailure = null;
                    _firstConnect.TrySetResult();
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    failures++;
                    LastFailure = ex.Message;
                    LogConnectFailed(string.Join(", ", Options.Endpoints.Select(Shown)), failures, ex.Message);
                    await Task.Delay(Backoff(failures), Time, ct).ConfigureAwait(false);
                    continue;
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(1), Time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>A broker's address as logs and pages show it: scheme, host and port, never a user or password.</summary>
    public static string Shown(Uri broker)
    {
        ArgumentNullException.ThrowIfNull(broker);
        return $"{broker.Scheme}://{broker.Host}:{broker.Port}";
    }

    private static TimeSpan Backoff(int failures)
    {
        var ceiling = Math.Min(MaxBackoff.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(failures, 10)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private async Task StoreLoopAsync()
    {
        var batch = new List<Received>(BatchSize);
        var sorted = new List<Inbound>(BatchSize);
        var failures = 0;
        while (await _received.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            batch.Clear();
            sorted.Clear();
            while (batch.Count < BatchSize && _received.Reader.TryRead(out var r))
            {
                batch.Add(r);
                if (_sorter.Sort(r.Topic, r.Payload, Time.GetUtcNow()) is { } item)
                {
                    sorted.Add(item);
                    if (item is Quarantined q)
                    {
                        LogQuarantined(q.Topic, q.Reason);
                    }
                }
            }

            StoreChanges changes;
            try
            {
                changes = _store.Ingest(sorted);
            }
            catch (Exception ex)
            {
                // Not acknowledged: the broker sends them again, and the store drops repeats by id. Never the end of
                // this loop, and not at once: a database that is away is given a moment (0.5 s doubling to 10 s).
                failures++;
                LastStoreFailure = ex.Message;
                LogStoreFailed(ex, batch.Count);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(10_000, 250 * Math.Pow(2, Math.Min(failures, 6)))), Time).ConfigureAwait(false);
                try
                {
                    await RefuseAsync(batch).ConfigureAwait(false);
                }
                catch (Exception refused)
                {
                    LogAcknowledgeFailed(refused, batch.Count);
                }

                continue;
            }

            failures = 0;
            LastStoreFailure = null;
            Interlocked.Add(ref _stored, batch.Count);
            try
            {
                await AcknowledgeAsync(batch).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Never the end of the storing loop: what was not acknowledged comes again, and is dropped by id.
                LogAcknowledgeFailed(ex, batch.Count);
            }

            try
            {
                _news.Tell(changes);
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
            {
                LogNewsFailed(ex);
            }
        }
    }

    /// <summary>A message as received: its topic (MQTT's, also for AMQP), its payload, and what acknowledging it takes.</summary>
    protected sealed record Received(string Topic, byte[] Payload, object Delivery);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Desk cannot connect to {Broker} (attempt {Attempt}): {Reason}")]
    private partial void LogConnectFailed(string broker, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Quarantined a message on {Topic}: {Reason}")]
    private partial void LogQuarantined(string topic, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Desk could not store {Count} messages; they stay with the broker")]
    private partial void LogStoreFailed(Exception ex, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Desk could not answer the broker for {Count} messages; it sends them again")]
    private partial void LogAcknowledgeFailed(Exception ex, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Desk could not tell the pages what changed")]
    private partial void LogNewsFailed(Exception ex);
}
