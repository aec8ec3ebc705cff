using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Gateway.Events;
using Edge.Gateway.Common;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Access.Osdp;

// Over 300 lines: one reader's session is one state machine (sequence number, secure channel, resends, NAKs by their meaning, backoff, offline) whose parts share its fields; its reports and its faults are already classes of their own.
/// <summary>
/// The control panel's session with one reader on a line: ID and CAP at the start of every session (the first command
/// with sequence 0, so the reader starts afresh), the secure channel when it has a key (commissioning a new reader with
/// osdp_KEYSET when allowed), the door's inputs (osdp_ISTAT) when a door is wired to the reader, then a POLL every poll
/// interval. A command without a reply is sent again with the same sequence number, each attempt costing the line one
/// reply timeout; a reader without a valid reply for <see cref="OsdpReaderOptions.OfflineAfter"/> is
/// <c>device.offline</c>, and <c>device.online</c> once it answers again. A NAK is answered by its meaning, never by
/// an immediate resend (see <see cref="SendAsync"/>); a session that never became usable is followed by a backoff that
/// grows to 5 s, so a reader that refuses everything costs its line a few commands every 5 s. What keeps a session
/// from working is reported once (<see cref="OsdpSessionFaults"/>); what the replies mean is
/// <see cref="OsdpReaderEvents"/>'.
/// </summary>
public sealed partial class OsdpReaderLink
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>Sends of one command the reader got damaged (NAK, check character), a poll interval apart, before the session ends.</summary>
    private const int MaxResends = 3;

    /// <summary>BUSY replies to one command, a poll interval apart, before the session ends.</summary>
    private const int MaxBusy = 25;
    private readonly OsdpReaderOptions _options;
    private readonly OsdpLine _line;
    private readonly IEventSink _sink;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly LogLimiter _limiter;
    private readonly OsdpReaderEvents _events;
    private readonly OsdpSessionFaults _faults;
    private readonly ConcurrentQueue<(byte Code, byte[] Data)> _outputs = new();
    /// <summary>Output commands the reader refused in this session: not sent again before the next one.</summary>
    private readonly HashSet<byte> _refusedOutputs = [];
    private bool? _online;
    private bool _usable;
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
        _faults = new OsdpSessionFaults(options, sink, time, log, _limiter);
    }

    public string Id => _options.Id;

    /// <summary>Replies refused: a bad MAC, a NAK, a malformed report.</summary>
    public long BadReplies => Interlocked.Read(ref _badReplies);

    /// <summary>Commands that got no valid reply in time and were sent again.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Sessions started (ID and CAP sent with sequence 0).</summary>
    public long Sessions => Interlocked.Read(ref _sessions);

    private long _sessions;

    /// <summary>The faults that keep the session from working now (<c>secure-channel-refused</c>, <c>command-refused:osdp_LED</c>, ...).</summary>
    public IReadOnlyCollection<string> Faults => _faults.Active;

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

    /// <summary>The reader answered within its <see cref="OsdpReaderOptions.OfflineAfter"/>: a command queued now reaches it.</summary>
    public bool Online => _online == true;

    /// <summary>The reader's options (its door, its lock output).</summary>
    public OsdpReaderOptions Options => _options;

    /// <summary>
    /// Switches the reader's lock output on for <see cref="OsdpReaderOptions.UnlockFor"/>, by the reader's own timer
    /// (osdp_OUT, control code 5: on, back to its permanent state when the timer runs out, in 100 ms units), so the lock
    /// relocks even if the line fails meanwhile. False when the reader has no lock output or is not online.
    /// </summary>
    public bool ReleaseLock()
    {
        if (_options.LockOutput is not { } output || !Online)
        {
            return false;
        }

        var tenths = (ushort)Math.Clamp(Math.Ceiling(_options.UnlockFor.TotalMilliseconds / 100), 1, ushort.MaxValue);
        Send(OsdpCommand.Output, [(byte)output, OsdpOutputTemporaryOn, (byte)(tenths & 0xFF), (byte)(tenths >> 8)]);
        return true;
    }

    /// <summary>osdp_OUT control code: set the output on for the timer, then back to its permanent state.</summary>
    public const byte OsdpOutputTemporaryOn = 5;

    /// <summary>
    /// Serves the reader until <paramref name="ct"/>: sessions one after another, with a backoff between them that is
    /// reset only by a session that became usable (a POLL answered), so a reader that refuses the session is asked less
    /// and less often, up to every 5 s.
    /// </summary>
    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = new Common.Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), new Random());
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await RunSessionAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (IOException ex)
            {
                Problem(ex.Message);
            }

            if (_usable)
            {
                backoff.Reset();
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

    /// <summary>One session: ID, CAP, the secure channel if keyed, the door's inputs, then polling until the reader falls silent or refuses.</summary>
    private async Task RunSessionAsync(CancellationToken ct)
    {
        _sequence = -1;
        _channel = null;
        _usable = false;
        _refusedOutputs.Clear();
        Interlocked.Increment(ref _sessions);
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
                // The next session opens the channel with the reader's new key, at once.
                _usable = true;
                return;
            }

            // The reader answers but cannot prove it holds the key: nothing it says is believed. It is not offline: it
            // is there, and may be a swapped reader.
            await _faults.RaiseAsync(OsdpSessionFaults.SecureChannelRefused, "secure channel refused: wrong key, or a reader that does not support it", ct).ConfigureAwait(false);
            return;
        }

        Secure = _channel is not null;
        // A reader that refuses osdp_ISTAT is reported (command-refused) and still read for cards.
        if (_events.WatchesDoor && await ExchangeAsync(OsdpCommand.InputStatus, [], ct).ConfigureAwait(false) is { Code: not OsdpReply.Nak } status)
        {
            await HandleAsync(status, ct).ConfigureAwait(false);
        }

        while (!ct.IsCancellationRequested)
        {
            var (code, data) = NextCommand();
            var reply = await ExchangeAsync(code, data, ct).ConfigureAwait(false);
            if (reply is null || (reply.Code == OsdpReply.Nak && code == OsdpCommand.Poll))
            {
                return;
            }

            if (reply.Code == OsdpReply.Nak)
            {
                _refusedOutputs.Add(code);
            }
            else if (!_usable)
            {
                _usable = true;
                await _faults.SessionUsableAsync(ct).ConfigureAwait(false);
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

    /// <summary>The next output queued that the reader has not refused in this session, else a POLL.</summary>
    private (byte Code, byte[] Data) NextCommand()
    {
        while (_outputs.TryDequeue(out var output))
        {
            if (!_refusedOutputs.Contains(output.Code))
            {
                return output;
            }
        }

        return (OsdpCommand.Poll, []);
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

    /// <summary>
    /// Sends a command until the reader answers it. No reply: the same command again (the same sequence number, so a
    /// reader that did act on it repeats its reply), each attempt costing the line one reply timeout, until the reader is
    /// offline. A reply is answered by what it means, never by an immediate resend:
    /// <list type="bullet">
    /// <item>BUSY, or a NAK for a command damaged on the line: the same command after a poll interval, a few times
    /// (then the session ends, and a command never taken is reported as refused).</item>
    /// <item>A NAK for a command the reader does not take (unknown, wrong length, cannot process): reported once and
    /// returned; the caller decides whether the session goes on without it.</item>
    /// <item>A NAK for the sequence number or the secure channel, or a reply whose MAC does not verify: the session is
    /// out of step and ends; a reader that requires the secure channel the panel has no key for is reported.</item>
    /// </list>
    /// Null ends the session.
    /// </summary>
    /// <param name="nakAnswers">A NAK is the reader's answer, not a failed exchange: it refuses a key (CHLNG, KEYSET).</param>
    private async Task<OsdpPacket?> SendAsync(OsdpPacket command, OsdpSecureChannel? channel, CancellationToken ct, bool nakAnswers = false)
    {
        var resends = 0;
        var busy = 0;
        while (!ct.IsCancellationRequested)
        {
            var packet = await _line.TransactAsync(command, ReplyTimeout, ct).ConfigureAwait(false);
            if (packet is null)
            {
                Interlocked.Increment(ref _retries);
                await CheckOfflineAsync(ct).ConfigureAwait(false);
                if (_online == false)
                {
                    return null;
                }

                continue;
            }

            var reply = channel is null ? packet : channel.OpenReply(packet);
            if (reply is null)
            {
                Interlocked.Increment(ref _badReplies);
                var why = $"a reply to {OsdpCommand.Name(command.Code)} whose MAC does not verify: the secure channel starts again";
                if (_usable)
                {
                    Problem(why);
                }
                else
                {
                    // Never a usable session: the reader cannot prove it holds the key, as a refused handshake.
                    await _faults.RaiseAsync(OsdpSessionFaults.SecureChannelRefused, why, ct).ConfigureAwait(false);
                }

                return null;
            }

            await ValidReplyAsync(ct).ConfigureAwait(false);
            if (reply.Code == OsdpReply.Busy)
            {
                if (++busy > MaxBusy)
                {
                    Problem($"busy for {MaxBusy} polls on {OsdpCommand.Name(command.Code)}: the session starts again");
                    return null;
                }

                await Task.Delay(_options.PollInterval, _time, ct).ConfigureAwait(false);
                continue;
            }

            if (reply.Code != OsdpReply.Nak || nakAnswers)
            {
                await _faults.CommandTakenAsync(command.Code, ct).ConfigureAwait(false);
                return reply;
            }

            Interlocked.Increment(ref _badReplies);
            var nak = OsdpNak.Of(reply);
            switch (nak)
            {
                case OsdpNak.CheckCharacter when ++resends <= MaxResends:
                    await Task.Delay(_options.PollInterval, _time, ct).ConfigureAwait(false);
                    continue;
                case OsdpNak.CheckCharacter:
                    // Never taken however often it is sent: the reader refuses it, whatever it says.
                    await _faults.CommandRefusedAsync(command.Code, nak, ct).ConfigureAwait(false);
                    return null;
                case OsdpNak.SecureChannelRequired or OsdpNak.SecurityUnsupported when channel is null && Key() is null:
                    await _faults.RaiseAsync(OsdpSessionFaults.SecureChannelRequired,
                        $"the reader requires the secure channel ({OsdpCommand.Name(command.Code)} refused) and no key is configured (Scbk)", ct).ConfigureAwait(false);
                    return null;
                case OsdpNak.Sequence or OsdpNak.SecureChannelRequired or OsdpNak.SecurityUnsupported:
                    Problem($"{OsdpCommand.Name(command.Code)} refused ({OsdpNak.Name(nak)}): the session starts again");
                    return null;
                default:
                    await _faults.CommandRefusedAsync(command.Code, nak, ct).ConfigureAwait(false);
                    return reply;
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
