using System.Collections.Concurrent;
using Edge.Contracts.Serialization;
using Edge.Contracts.Status;
using Edge.Contracts.Topics;
using Edge.Gateway.Cameras;
using Edge.Gateway.Common;
using Edge.Gateway.Configuration;
using Edge.Gateway.Outbox;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Gateway.Uplink;

// Over 300 lines: connect, status and disconnect share one MQTT client whose connect and disconnect must never overlap its publishes.
/// <summary>
/// The connection to the station broker: its own reconnect loop (never from inside <c>DisconnectedAsync</c>), a
/// CONNACK check, the retained status, and one <see cref="UplinkSession"/> per connection that drains the outbox.
/// </summary>
public sealed partial class UplinkService : BackgroundService, ISnapshotPublisher, Commands.IResultPublisher
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan SessionThatCounts = TimeSpan.FromSeconds(5);
    private readonly GatewayOptions _gateway;
    private readonly UplinkOptions _options;
    private readonly OutboxStore _store;
    private readonly OutboxWriter _writer;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ClientOptionsFactory _clientOptions;
    private readonly DateTimeOffset _startedAt;
    private volatile IMqttClient? _client;
    private readonly ConcurrentDictionary<long, int> _failures = new();
    private readonly MessageFactory _messages;
    private readonly ReconnectWait _reconnectWait;
    private readonly IReadOnlyList<Uri> _endpoints;
    private readonly Dictionary<Uri, (string Reason, long LoggedAt, int Since)> _failureLog = [];
    private int _endpoint;

    /// <summary>How often a connect failure whose reason does not change is logged again.</summary>
    public static readonly TimeSpan FailureLogEvery = TimeSpan.FromMinutes(1);

    public UplinkService(
        GatewayOptions gateway, UplinkOptions options, OutboxStore store, OutboxWriter writer, UplinkState state,
        TimeProvider time, ILogger<UplinkService> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        _gateway = gateway;
        _options = options;
        _store = store;
        _writer = writer;
        State = state;
        _time = time;
        _log = log;
        if (options.CertificateFile is { } certificate && options.KeyFile is { } key)
        {
            ClientCertificate = new ClientCertificate(certificate, key, time, log);
        }

        _clientOptions = new ClientOptionsFactory(gateway, options, ClientCertificate);
        _endpoints = options.Endpoints;
        _messages = new MessageFactory(options.MqttVersion);
        _reconnectWait = new ReconnectWait(options.AlarmReconnectMaxDelay, store, time);
        _startedAt = time.GetUtcNow();
    }

    /// <summary>
    /// Where the station's commands go: when set (before the start), every connection subscribes to the gateway's
    /// commands topic and hands each message there, without waiting.
    /// </summary>
    public Commands.ICommandInbox? Commands { get; set; }

    /// <summary>Connection state and delivery notifications.</summary>
    public UplinkState State { get; }

    /// <summary>The TLS client certificate presented to the broker, renewed on disk without a restart; null without one.</summary>
    public ClientCertificate? ClientCertificate { get; }

    /// <summary>The broker node the uplink connects to now, or tries next (one of <c>Brokers</c>, or <c>Broker</c>).</summary>
    public Uri Broker => _endpoints[Volatile.Read(ref _endpoint)];

    /// <summary>When this uplink started, as reported in the status.</summary>
    public DateTimeOffset StartedAt => _startedAt;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new Backoff(_options.ReconnectMinDelay, _options.ReconnectMaxDelay, new Random());
        while (!stoppingToken.IsCancellationRequested)
        {
            var adapters = new UplinkAdapterFactory();
            using var client = new MqttClientFactory().CreateMqttClient(adapters);
            var lost = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            client.DisconnectedAsync += e =>
            {
                // Only signal here: the loop below reconnects.
                lost.TrySetResult(e.ReasonString ?? e.Exception?.Message ?? e.Reason.ToString());
                return Task.CompletedTask;
            };
            client.ApplicationMessageReceivedAsync += e =>
            {
                var m = e.ApplicationMessage;
                Commands?.Offer(Topic.CommandType(m.Topic), System.Buffers.BuffersExtensions.ToArray(m.Payload), m.CorrelationData);
                return Task.CompletedTask;
            };

            var window = await ConnectAsync(client, stoppingToken).ConfigureAwait(false);
            if (window == 0)
            {
                if (!await _reconnectWait.WaitAsync(backoff.Next(), stoppingToken).ConfigureAwait(false))
                {
                    break;
                }

                continue;
            }

            _client = client;
            State.SetConnected(true);
            LogConnected(Broker.OriginalString, ClientIdForLog, State.Reconnects, window);
            var began = _time.GetTimestamp();
            string reason;
            try
            {
                reason = await RunConnectedAsync(client, adapters.Channel, window, lost.Task, stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Whatever went wrong in this session, the uplink lives on: log it, reconnect, send again.
                LogSessionFailed(ex);
                reason = $"session failed: {ex.Message}";
            }

            State.SetConnected(false);

            // A connection that is dropped at once (a broker refusing something after CONNACK) must not reconnect at
            // full speed: the backoff is reset only after a session that lasted.
            if (_time.GetElapsedTime(began) >= SessionThatCounts)
            {
                backoff.Reset();
            }

            _client = null;
            if (stoppingToken.IsCancellationRequested)
            {
                await GoOfflineAsync(client, "shutdown").ConfigureAwait(false);
                break;
            }

            LogLost(reason);
            await GoOfflineAsync(client, "connection-lost").ConfigureAwait(false);

            // The node just lost is the last to try again: with a cluster, another one takes the gateway at once.
            NextEndpoint();
            if (!await _reconnectWait.WaitAsync(backoff.Next(), stoppingToken).ConfigureAwait(false))
            {
                break;
            }
        }
    }

    private string ClientIdForLog => _clientOptions.ClientId;

    /// <summary>
    /// Connects; returns the send window for this connection, or 0 when the connect failed. Every attempt is bounded by
    /// its own timeout, whatever token the caller passes (MQTTnet applies its own only to a token that cannot be
    /// cancelled, and a TCP connect into a partition would otherwise sit on the kernel's backoff): <c>ConnectTimeout</c>,
    /// or <c>AlarmReconnectMaxDelay</c> while an alarm waits, even one committed during the attempt. A fresh attempt
    /// then sends a fresh SYN, so an alarm goes out within that delay of the link's return.
    /// </summary>
    private async Task<int> ConnectAsync(IMqttClient client, CancellationToken ct)
    {
        using var attempt = new ConnectAttempt(_options.ConnectTimeout, _options.AlarmReconnectMaxDelay, _store, _time, ct);
        var endpoint = Broker;
        try
        {
            var result = await client.ConnectAsync(_clientOptions.Create(endpoint, _startedAt, _time.GetUtcNow(), commands: Commands is not null), attempt.Token).ConfigureAwait(false);
            if (result.ResultCode == MqttClientConnectResultCode.Success)
            {
                _failureLog.Clear();
                return Window(result.ReceiveMaximum ?? 0);
            }

            // ConnectAsync does not throw on a refused CONNACK: the result code says why.
            ReportFailure(endpoint, $"refused: {result.ResultCode} ({(int)result.ResultCode}) {result.ReasonString}".TrimEnd());
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return 0;
        }
        catch (Exception) when (attempt.Why is { } why)
        {
            ReportFailure(endpoint, why);
        }
        catch (Exception ex)
        {
            ReportFailure(endpoint, Describe(ex));
        }

        NextEndpoint();
        return 0;
    }

    /// <summary>Moves on to the next broker node (none to move to with a single broker).</summary>
    private void NextEndpoint() => Volatile.Write(ref _endpoint, (_endpoint + 1) % _endpoints.Count);

    /// <summary>
    /// The broker's Receive Maximum (CONNACK, MQTT 5) bounds the QoS 1 publishes it accepts at once; exceeding it is a
    /// protocol error that drops the connection, and MQTTnet does not enforce it. One place is kept for the heartbeat.
    /// </summary>
    private int Window(ushort receiveMaximum)
    {
        var broker = receiveMaximum == 0 ? 65_535 : receiveMaximum;
        return Math.Max(1, Math.Min(_options.MaxInFlight, broker - 1));
    }

    /// <summary>The exception and its causes in one line: a TLS failure hides its reason in the inner exceptions.</summary>
    private static string Describe(Exception ex)
    {
        var parts = new List<string>();
        for (var e = ex; e is not null && parts.Count < 4; e = e.InnerException)
        {
            parts.Add($"{e.GetType().Name}: {e.Message}");
        }

        return string.Join(" <- ", parts);
    }

    private async Task<string> RunConnectedAsync(IMqttClient client, UplinkChannel? channel, int window, Task<string> lost, CancellationToken stoppingToken)
    {
        try
        {
            await PublishStatusAsync(client, GatewayState.Online, null, stoppingToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            return $"status not published: {ex.Message}";
        }
        catch (OperationCanceledException)
        {
            return "stopping";
        }

        if (Commands is not null)
        {
            await SubscribeCommandsAsync(client, stoppingToken).ConfigureAwait(false);
        }

        using var session = new UplinkSession(client, channel, _messages, _store, _writer, State, window, _failures, _options.ConnectTimeout, _time, _log);
        return await session.RunAsync(lost, StopGrace, stoppingToken).ConfigureAwait(false);
    }

    /// <summary>Subscribes to the gateway's commands (QoS 1); a broker that refuses (its ACL) is logged, and events still flow.</summary>
    private async Task SubscribeCommandsAsync(IMqttClient client, CancellationToken ct)
    {
        var filter = Topic.Commands(_gateway.Community, _gateway.Id);
        try
        {
            var result = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct)
                .ConfigureAwait(false);
            if (result.Items.FirstOrDefault()?.ResultCode is { } code && (int)code >= 0x80)
            {
                LogCommandsRefused(filter, code.ToString());
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCommandsRefused(filter, ex.Message);
        }
    }

    /// <summary>Publishes a command's result when connected (QoS 1); false when there is no connection or the broker refused it.</summary>
    public Task<bool> PublishResultAsync(Contracts.Commands.CommandResult result, byte[]? correlation, CancellationToken ct) =>
        TryPublishAsync(_messages.Result(result, correlation), ct);

    /// <summary>Publishes a heartbeat when connected; false when there is no connection to publish on.</summary>
    public Task<bool> PublishHeartbeatAsync(Heartbeat heartbeat, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        return TryPublishAsync(_messages.Heartbeat(heartbeat, _options.HeartbeatInterval), ct);
    }

    /// <summary>
    /// Publishes a snapshot for an event when connected (QoS 1); false when there is no connection or the broker
    /// refused it. Snapshots are not kept in the outbox: the caller holds them, bounded, until this succeeds.
    /// </summary>
    public Task<bool> PublishSnapshotAsync(Snapshot snapshot, TimeSpan expireAfter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return TryPublishAsync(_messages.Snapshot(_gateway.Community, _gateway.Id, snapshot, expireAfter), ct);
    }

    /// <summary>Publishes outside the outbox when connected; false when there is no connection or the broker refused it.</summary>
    private async Task<bool> TryPublishAsync(MqttApplicationMessage message, CancellationToken ct)
    {
        var client = _client;
        if (client is null || !State.Connected)
        {
            return false;
        }

        try
        {
            var result = await client.PublishAsync(message, ct).ConfigureAwait(false);
            return result.IsSuccess;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return false;
        }
    }

    private Task<MqttClientPublishResult> PublishStatusAsync(IMqttClient client, GatewayState state, string? reason, CancellationToken ct)
    {
        var status = new GatewayStatus(state, _gateway.Community, _gateway.Id, GatewayVersion.Text, _startedAt, _time.GetUtcNow(), reason);
        var message = _messages.Status(status);
        return client.PublishAsync(message, ct);
    }

    /// <summary>
    /// Publishes the retained status as offline with <paramref name="reason"/>, then disconnects normally (which does
    /// not fire the will). Used on a clean stop (<c>shutdown</c>) and when a session ends while the connection is still
    /// up (<c>connection-lost</c>): until the next connect the gateway is not online, and if it died in that gap the
    /// retained status must not go on saying "online". MQTT 5's "disconnect with will" would do the same, but MQTTnet's
    /// broker ignores it. If the connection is already gone, the broker publishes the will when it notices.
    /// </summary>
    private async Task GoOfflineAsync(IMqttClient client, string reason)
    {
        if (!client.IsConnected)
        {
            return;
        }

        using var cts = new CancellationTokenSource(StopGrace);
        try
        {
            await PublishStatusAsync(client, GatewayState.Offline, reason, cts.Token).ConfigureAwait(false);
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogOfflineFailed(reason, ex.Message);
        }
    }

    /// <summary>
    /// A refused or failed connect is logged when its reason changes (per broker node), and a reason that does not
    /// change again every <see cref="FailureLogEvery"/> with the attempts since: an hour without the station leaves 60
    /// lines a node, not thousands, and never a silent hour.
    /// </summary>
    private void ReportFailure(Uri endpoint, string reason)
    {
        State.OnConnectFailed(reason, _time.GetUtcNow());
        var now = _time.GetTimestamp();
        if (!_failureLog.TryGetValue(endpoint, out var last) || last.Reason != reason)
        {
            _failureLog[endpoint] = (reason, now, 0);
            LogConnectFailed(endpoint.OriginalString, reason);
        }
        else if (_time.GetElapsedTime(last.LoggedAt, now) >= FailureLogEvery)
        {
            LogConnectRetry(endpoint.OriginalString, reason, last.Since + 1, Math.Round(_time.GetElapsedTime(last.LoggedAt, now).TotalSeconds));
            _failureLog[endpoint] = (reason, now, 0);
        }
        else
        {
            _failureLog[endpoint] = last with { Since = last.Since + 1 };
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to {Broker} as {ClientId} (reconnects {Reconnects}, send window {Window})")]
    private partial void LogConnected(string broker, string clientId, long reconnects, int window);

    [LoggerMessage(Level = LogLevel.Error, Message = "Uplink session failed; reconnecting")]
    private partial void LogSessionFailed(Exception ex);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection to broker lost: {Reason}; events wait in the outbox")]
    private partial void LogLost(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot connect to {Broker}: {Reason}; retrying with backoff, events wait in the outbox")]
    private partial void LogConnectFailed(string broker, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Still cannot connect to {Broker}: {Reason} ({Attempts} attempts in the last {Seconds} s); events wait in the outbox")]
    private partial void LogConnectRetry(string broker, string reason, int attempts, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The broker refused the subscription to {Filter} ({Reason}): the station's commands cannot reach this gateway")]
    private partial void LogCommandsRefused(string filter, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish the offline status ({Status}): {Reason}")]
    private partial void LogOfflineFailed(string status, string reason);
}
