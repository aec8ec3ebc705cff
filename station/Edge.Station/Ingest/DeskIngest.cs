using System.Buffers;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Edge.Contracts.Topics;
using Edge.Station.Configuration;
using Edge.Station.Live;
using Edge.Station.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Edge.Station.Ingest;

// Over 300 lines: the connection loop, the receive handler and the storing loop share one client and its acknowledgements.
/// <summary>
/// The desk's link to the station broker: one MQTT 5 client with a persistent session (clean start off, a session
/// expiry), subscribed to <c>edge/v1/#</c> (or <c>$share/{group}/edge/v1/#</c>), reconnecting with backoff and jitter.
/// A message is acknowledged (PUBACK) only once it is stored: the broker keeps what the desk has not stored, also
/// while the desk is down, and sends at most its own in-flight bound unacknowledged at once (Mosquitto's
/// <c>max_inflight_messages</c>), which is the desk's flow control. The receive handler only copies the message into a queue, so the client's reading never waits for the
/// disk; one loop stores what gathered in one transaction and then acknowledges it.
/// </summary>
public sealed partial class DeskIngest : BackgroundService
{
    private const int BatchSize = 512;

    /// <summary>
    /// The socket's buffers. MQTTnet sets them to 8 KiB unless told otherwise, which turns off the kernel's tuning and
    /// keeps the TCP window at a few KiB: in a flood Mosquitto then sent the desk about 100 messages a second, waiting
    /// on delayed ACKs for each sliver of window (3.5 MB stuck in its send queue, 97% of the time window-limited).
    /// </summary>
    public const int SocketBufferSize = 1024 * 1024;
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);
    private readonly DeskOptions _options;
    private readonly DeskStore _store;
    private readonly MessageSorter _sorter;
    private readonly DeskNews _news;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private readonly TaskCompletionSource _firstConnect = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _stored;

    public DeskIngest(DeskOptions options, DeskStore store, DeskNews news, TimeProvider time, ILogger<DeskIngest> log)
    {
        _options = options;
        _store = store;
        _sorter = new MessageSorter(options);
        _news = news;
        _time = time;
        _log = log;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            // Copied here: the payload's buffer belongs to the client once the handler returns.
            e.AutoAcknowledge = false;
            _received.Writer.TryWrite(new Received(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray(), e));
            return Task.CompletedTask;
        };
    }

    /// <summary>The client the desk's commands are published with.</summary>
    internal IMqttClient Client => _client;

    public bool Connected => _client.IsConnected;

    /// <summary>Why the last connect failed, or null.</summary>
    public string? LastFailure { get; private set; }

    /// <summary>Messages stored since the desk started (events, statuses, pictures, results, quarantined).</summary>
    public long Stored => Interlocked.Read(ref _stored);

    /// <summary>Messages received and not yet stored.</summary>
    public int Waiting => _received.Reader.Count;

    /// <summary>Completes when the desk first connected and subscribed.</summary>
    public Task FirstConnect => _firstConnect.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var storing = Task.Run(() => StoreLoopAsync(stoppingToken), stoppingToken);
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
            if (!_client.IsConnected)
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
                    LogConnectFailed(_options.Broker, failures, ex.Message);
                    await Task.Delay(Backoff(failures), _time, ct).ConfigureAwait(false);
                    continue;
                }
            }

            await Task.Delay(TimeSpan.FromSeconds(1), _time, ct).ConfigureAwait(false);
        }
    }

    private async Task ConnectAsync(CancellationToken ct)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        attempt.CancelAfter(TimeSpan.FromSeconds(10));
        var result = await _client.ConnectAsync(Options(), attempt.Token).ConfigureAwait(false);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new InvalidOperationException($"the broker refused the desk: {result.ResultCode} {result.ReasonString}");
        }

        var filter = _options.SharedGroup is { } group ? $"$share/{group}/{Topic.All}" : Topic.All;
        var subscribed = await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), attempt.Token).ConfigureAwait(false);
        var code = subscribed.Items.First().ResultCode;
        if (code > MqttClientSubscribeResultCode.GrantedQoS2)
        {
            await _client.DisconnectAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
            throw new InvalidOperationException($"the broker refused the subscription to {filter}: {code}");
        }

        LogConnected(_options.Broker, filter, result.IsSessionPresent);
    }

    private MqttClientOptions Options()
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Broker.Host, _options.Broker.Port)
            .WithClientId(_options.ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)Math.Min(uint.MaxValue, _options.SessionExpiry.TotalSeconds))
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10));
        if (_options.Broker.Scheme == "mqtts")
        {
            var ca = X509CertificateLoader.LoadCertificateFromFile(_options.CaFile!);
            var client = X509Certificate2.CreateFromPemFile(_options.CertFile!, _options.KeyFile);
            builder.WithTlsOptions(tls => tls.UseTls().WithTargetHost(_options.Broker.Host)
                .WithTrustChain([ca]).WithClientCertificates([X509CertificateLoader.LoadPkcs12(client.Export(X509ContentType.Pkcs12), null)]));
        }

        var options = builder.Build();
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = SocketBufferSize;
        return options;
    }

    private static TimeSpan Backoff(int failures)
    {
        var ceiling = Math.Min(MaxBackoff.TotalMilliseconds, 500 * Math.Pow(2, Math.Min(failures, 10)));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    private async Task StoreLoopAsync(CancellationToken ct)
    {
        var batch = new List<Received>(BatchSize);
        var sorted = new List<Inbound>(BatchSize);
        while (await _received.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            batch.Clear();
            sorted.Clear();
            while (batch.Count < BatchSize && _received.Reader.TryRead(out var r))
            {
                batch.Add(r);
                if (_sorter.Sort(r.Topic, r.Payload, _time.GetUtcNow()) is { } item)
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
            catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or TimeoutException)
            {
                // Not acknowledged: the broker sends them again on the next connection.
                LogStoreFailed(ex, batch.Count);
                if (_client.IsConnected)
                {
                    await _client.DisconnectAsync(cancellationToken: CancellationToken.None).ConfigureAwait(false);
                }

                continue;
            }

            Interlocked.Add(ref _stored, batch.Count);
            await AcknowledgeAsync(batch).ConfigureAwait(false);
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

    /// <summary>
    /// Acknowledges a stored batch all at once: the client then writes the PUBACKs back to back. One after the other,
    /// each waiting for its write, they went out at about 100 a second through Mosquitto, which then stopped sending
    /// once its in-flight window was full of messages the desk had long stored.
    /// </summary>
    private static async Task AcknowledgeAsync(List<Received> batch)
    {
        var acks = new Task[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            acks[i] = AcknowledgeOneAsync(batch[i]);
        }

        await Task.WhenAll(acks).ConfigureAwait(false);
    }

    private static async Task AcknowledgeOneAsync(Received r)
    {
        try
        {
            await r.Args.AcknowledgeAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException or ObjectDisposedException)
        {
            // The connection it came on is gone: the broker sends it again, and the store drops it by id.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    public override void Dispose()
    {
        _client.Dispose();
        base.Dispose();
    }

    private sealed record Received(string Topic, byte[] Payload, MqttApplicationMessageReceivedEventArgs Args);

    [LoggerMessage(Level = LogLevel.Information, Message = "Desk connected to {Broker}, subscribed to {Filter} (session kept: {SessionPresent})")]
    private partial void LogConnected(Uri broker, string filter, bool sessionPresent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Desk cannot connect to {Broker} (attempt {Attempt}): {Reason}")]
    private partial void LogConnectFailed(Uri broker, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Quarantined a message on {Topic}: {Reason}")]
    private partial void LogQuarantined(string topic, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Desk could not store {Count} messages; they stay with the broker")]
    private partial void LogStoreFailed(Exception ex, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Desk could not tell the pages what changed")]
    private partial void LogNewsFailed(Exception ex);
}
