using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Gateway.Events;
using Edge.Gateway.Common;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Access.Osdp;

// Over 300 lines: one reader's session is one state machine (sequence number, secure channel, resends, offline) whose parts share its fields.
/// <summary>
/// The control panel's session with one reader on a line: ID and CAP at the start of every session (the first command
/// with sequence 0, so the reader starts afresh), the secure channel when it has a key (commissioning a new reader with
/// osdp_KEYSET when allowed), the door's inputs (osdp_ISTAT) when a door is wired to the reader, then a POLL every poll
/// interval. A command without a valid reply is sent again with the same sequence number; a reader without a valid reply
/// for <see cref="OsdpReaderOptions.OfflineAfter"/> is <c>device.offline</c>, and <c>device.online</c> once it answers
/// again. What the replies mean is <see cref="OsdpReaderEvents"/>'.
/// </summary>
public sealed partial class OsdpReaderLink
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromMilliseconds(200);
    private readonly OsdpReaderOptions _options;
    private readonly OsdpLine _line;
    private readonly IEventSink _sink;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly LogLimiter _limiter;
    private readonly OsdpReaderEvents _events;
    private readonly ConcurrentQueue<(byte Code, byte[] Data)> _outputs = new();
    private bool? _online;
    private bool _refused;
    private long _lastValid;
    private int _sequence = -1;
    private OsdpSecureChannel? _channel;
    private OsdpCapabilities _capabilities = OsdpCapabilities.None;
    private DateTimeOffset _lastReplyAt;
    private long _badReplies;
    private long _retries;

    /// <param name="cursors">Where the door's alarm was kept when the gateway last stopped (the outbox).</param>
    public OsdpReaderLink(OsdpReaderOptions options, OsdpLine line, IEventSink sink, CardPrivacy privacy, TimeProvider time, ILogger log, ISourceCursors? cursors = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _line = line;
        _sink = sink;
        _time = time;
        _log = log;
        _limiter = new LogLimiter(time, TimeSpan.FromSeconds(30));
        _lastValid = time.GetTimestamp();
        _events = new OsdpReaderEvents(options, sink, privacy, time, Send, cursors);
    }

    public string Id => _options.Id;

    /// <summary>Replies refused: a bad MAC, a NAK, a malformed report.</summary>
    public long BadReplies => Interlocked.Read(ref _badReplies);

    /// <summary>Commands that got no valid reply in time and were sent again.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Keypad keys received (they are not sent anywhere: a PIN is the resident's).</summary>
    public long Keys => _events.Keys;

    /// <summary>Keys given to the reader with osdp_KEYSET (commissioning with <c>UseInstallKey</c>).</summary>
    public long KeysSet => Interlocked.Read(ref _keysSet);

    private long _keysSet;

    /// <summary>True once the secure channel is up in the current session.</summary>
    public bool Secure { get; private set; }

    /// <summary>What the reader said it can do (osdp_PDCAP) in the current session.</summary>
    public OsdpCapabilities Capabilities => _capabilities;

    /// <summary>
    /// Queues an output command (osdp_LED, osdp_BUZ, osdp_OUT, osdp_TEXT) for the reader: it goes out in place of the
    /// next POLL, protected like every other command.
    /// </summary>
    public void Send(byte code, byte[] data) => _outputs.Enqueue((code, data));

    /// <summary>Serves the reader until <paramref name="ct"/>: sessions one after another, with a backoff between them.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = new Common.Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), new Random());
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await RunSessionAsync(ct).ConfigureAwait(false);
                backoff.Reset();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (IOException ex)
            {
                Problem(ex.Message);
            }

            Secure = false;
            await CheckOfflineAsync(ct).ConfigureAwait(false);
            try
            {
                await Task.Delay(backoff.Next(), _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One session: ID, CAP, the secure channel if keyed, the door's inputs, then polling until the reader falls silent.</summary>
    private async Task RunSessionAsync(CancellationToken ct)
    {
        _sequence = -1;
        _channel = null;
        if (await ExchangeAsync(OsdpCommand.Id, [0x00], ct).ConfigureAwait(false) is not { Code: OsdpReply.PdId }
            || await ExchangeAsync(OsdpCommand.Cap, [0x00], ct).ConfigureAwait(false) is not { Code: OsdpReply.PdCap } cap)
        {
            return;
        }

        _capabilities = OsdpCapabilities.Parse(cap.Data.Span);
        if (Key() is { } key && !await HandshakeAsync(new OsdpSecureChannel(key, _options.UseInstallKey && _options.Scbk is null), ct).ConfigureAwait(false))
        {
            if (_options is { Scbk: not null, UseInstallKey: true } && await SetKeyAsync(key, ct).ConfigureAwait(false))
            {
                // The next session opens the channel with the reader's new key.
                return;
            }

            await RefusedAsync(ct).ConfigureAwait(false);
            return;
        }

        _refused = false;
        Secure = _channel is not null;
        if (_events.WatchesDoor && await ExchangeAsync(OsdpCommand.InputStatus, [], ct).ConfigureAwait(false) is { } status)
        {
            await HandleAsync(status, ct).ConfigureAwait(false);
        }

        while (!ct.IsCancellationRequested)
        {
            var (code, data) = _outputs.TryDequeue(out var output) ? output : (OsdpCommand.Poll, []);
            var reply = await ExchangeAsync(code, data, ct).ConfigureAwait(false);
            if (reply is null)
            {
                return;
            }

            await HandleAsync(reply, ct).ConfigureAwait(false);
            // The reader's inputs are known up to its last reply: a door is not held open while a poll that would
            // report it closed has not been answered (a slow line, a stalled gateway).
            await _events.TickAsync(_capabilities, _lastReplyAt, ct).ConfigureAwait(false);

            if (_outputs.IsEmpty)
            {
                await Task.Delay(_options.PollInterval, _time, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The reader answers but cannot prove it holds the key: nothing it says is believed, and the station hears of it
    /// once (it is not offline: it is there, and may be a swapped reader).
    /// </summary>
    private async Task RefusedAsync(CancellationToken ct)
    {
        Problem("secure channel refused: wrong key, or a reader that does not support it");
        if (!_refused)
        {
            _refused = true;
            await _sink.SubmitAsync(new EventDraft(EventTypes.DeviceFault, Priority.High, _options.Device, null, _time.GetUtcNow(),
                new JsonObject { ["fault"] = "secure-channel-refused" }), ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Commissioning: a reader that refuses the configured key may be a new one that still has the install key. Over a
    /// secure channel opened with SCBK-D, osdp_KEYSET gives it the configured key; true when it took it.
    /// </summary>
    private async Task<bool> SetKeyAsync(byte[] key, CancellationToken ct)
    {
        if (!await HandshakeAsync(new OsdpSecureChannel(OsdpCrypto.InstallKey, installKey: true), ct).ConfigureAwait(false))
        {
            return false;
        }

        var reply = await ExchangeAsync(OsdpCommand.KeySet, [0x01, (byte)key.Length, .. key], ct, nakAnswers: true).ConfigureAwait(false);
        _channel = null;
        if (reply is not { Code: OsdpReply.Ack })
        {
            return false;
        }

        Interlocked.Increment(ref _keysSet);
        LogKeySet(_options.Id);
        return true;
    }

    private byte[]? Key() =>
        _options.Scbk is { Length: 32 } hex ? Convert.FromHexString(hex)
        : _options.UseInstallKey ? OsdpCrypto.InstallKey.ToArray()
        : null;

    private async Task<bool> HandshakeAsync(OsdpSecureChannel channel, CancellationToken ct)
    {
        var ccrypt = await SendAsync(channel.Challenge((byte)_options.Address, NextSequence()), null, ct, nakAnswers: true).ConfigureAwait(false);
        if (ccrypt is null || channel.OnClientCryptogram(ccrypt, NextSequence()) is not { } scrypt)
        {
            return false;
        }

        var rmac = await SendAsync(scrypt, null, ct).ConfigureAwait(false);
        if (rmac is null || !channel.OnInitialRmac(rmac))
        {
            return false;
        }

        _channel = channel;
        return true;
    }

    /// <summary>Sends a command (protected when the channel is up) until a valid reply comes; null when the reader is gone.</summary>
    private Task<OsdpPacket?> ExchangeAsync(byte code, byte[] data, CancellationToken ct, bool nakAnswers = false)
    {
        var command = new OsdpPacket((byte)_options.Address, false, NextSequence(), code, data);
        return SendAsync(_channel is null ? command : _channel.ProtectCommand(command), _channel, ct, nakAnswers);
    }

    /// <summary>The first command of a session has sequence 0 (the reader resets); then 1, 2, 3, 1, ...</summary>
    private int NextSequence() => _sequence = _sequence switch { -1 => 0, 3 => 1, _ => _sequence + 1 };

    /// <param name="nakAnswers">A NAK is the reader's answer, not a failed exchange: it refuses a key (CHLNG, KEYSET).</param>
    private async Task<OsdpPacket?> SendAsync(OsdpPacket command, OsdpSecureChannel? channel, CancellationToken ct, bool nakAnswers = false)
    {
        while (!ct.IsCancellationRequested)
        {
            var packet = await _line.TransactAsync(command, ReplyTimeout, ct).ConfigureAwait(false);
            var reply = packet is null || channel is null ? packet : channel.OpenReply(packet);
            if (nakAnswers && reply is { Code: OsdpReply.Nak })
            {
                await ValidReplyAsync(ct).ConfigureAwait(false);
                return reply;
            }

            if (reply is { Code: OsdpReply.Busy })
            {
                // The reader is there but cannot act yet: the same command again after a poll interval.
                await ValidReplyAsync(ct).ConfigureAwait(false);
                await Task.Delay(_options.PollInterval, _time, ct).ConfigureAwait(false);
                continue;
            }

            if (reply is not null && reply.Code != OsdpReply.Nak)
            {
                await ValidReplyAsync(ct).ConfigureAwait(false);
                return reply;
            }

            if (packet is not null)
            {
                Interlocked.Increment(ref _badReplies);
            }

            Interlocked.Increment(ref _retries);
            await CheckOfflineAsync(ct).ConfigureAwait(false);
            if (_online == false)
            {
                return null;
            }
        }

        return null;
    }

    private async Task HandleAsync(OsdpPacket reply, CancellationToken ct)
    {
        if (!await _events.HandleAsync(reply, _capabilities, ct).ConfigureAwait(false))
        {
            Interlocked.Increment(ref _badReplies);
        }
    }

    private async Task CheckOfflineAsync(CancellationToken ct)
    {
        var silent = _time.GetElapsedTime(Interlocked.Read(ref _lastValid)) > _options.OfflineAfter;
        if (silent && _online != false)
        {
            _online = false;
            await _sink.SubmitAsync(new EventDraft(EventTypes.DeviceOffline, Priority.High, _options.Device, null, _time.GetUtcNow(),
                new JsonObject { ["via"] = "osdp" }), ct).ConfigureAwait(false);
        }
    }

    private async Task ValidReplyAsync(CancellationToken ct)
    {
        Interlocked.Exchange(ref _lastValid, _time.GetTimestamp());
        _lastReplyAt = _time.GetUtcNow();
        if (_online == false)
        {
            await _sink.SubmitAsync(new EventDraft(EventTypes.DeviceOnline, Priority.High, _options.Device, null, _time.GetUtcNow(),
                new JsonObject { ["via"] = "osdp" }), ct).ConfigureAwait(false);
        }

        _online = true;
    }

    private void Problem(string what)
    {
        if (_limiter.TryEnter(out var held))
        {
            LogProblem(_options.Id, what, held);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "OSDP reader {Reader}: it had the install key and now has its configured key (osdp_KEYSET); remove UseInstallKey once every reader is commissioned")]
    private partial void LogKeySet(string reader);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OSDP reader {Reader}: {Problem} ({Held} similar lines held back)")]
    private partial void LogProblem(string reader, string problem, long held);
}
