using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Gateway.Events;
using Edge.Gateway.Common;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Access.Osdp;

/// <summary>
/// The control panel's side of one reader on a line: ID and CAP at the start of every session (the first command with
/// sequence 0, so the reader starts afresh), the secure channel when it has a key, the door's inputs (osdp_ISTAT) when
/// the door is wired to the reader, then a POLL every poll interval. Card reads (osdp_RAW, osdp_FMT) become
/// <c>access.card</c>; keypad keys are counted, never sent; a tamper or power report (osdp_LSTATR) becomes
/// <c>device.tamper</c> or a <c>device.fault</c>; input reports (osdp_ISTATR) drive the door's
/// <see cref="DoorStateMachine"/>. A command without a valid reply is sent again with the same sequence number; a
/// reader without a valid reply for <see cref="OsdpReaderOptions.OfflineAfter"/> is <c>device.offline</c>, and
/// <c>device.online</c> once it answers again.
/// </summary>
public sealed partial class OsdpReaderLink
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromMilliseconds(200);
    private readonly OsdpReaderOptions _options;
    private readonly OsdpLine _line;
    private readonly IEventSink _sink;
    private readonly CardPrivacy _privacy;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly LogLimiter _limiter;
    private readonly DoorStateMachine? _door;
    private readonly ConcurrentQueue<(byte Code, byte[] Data)> _outputs = new();
    private byte[]? _inputs;
    private bool? _online;
    private bool _tamper;
    private bool _powerFailed;
    private bool _refused;
    private long _lastValid;
    private int _sequence = -1;
    private OsdpSecureChannel? _channel;
    private OsdpCapabilities _capabilities = OsdpCapabilities.None;
    private long _badReplies;
    private long _retries;
    private long _keys;

    /// <param name="cursors">Where the door's alarm was kept when the gateway last stopped (the outbox).</param>
    public OsdpReaderLink(OsdpReaderOptions options, OsdpLine line, IEventSink sink, CardPrivacy privacy, TimeProvider time, ILogger log, ISourceCursors? cursors = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _line = line;
        _sink = sink;
        _privacy = privacy;
        _time = time;
        _log = log;
        _limiter = new LogLimiter(time, TimeSpan.FromSeconds(30));
        _lastValid = time.GetTimestamp();
        _door = options.DoorContactInput is null ? null : new DoorStateMachine(options.UnlockFor, options.HeldOpenAfter);
        _resume = _door is null ? null : DoorEvents.Alarm(cursors, options.DoorDevice.Id);
    }

    /// <summary>The alarm the door was in when the gateway stopped, until the first input report takes it back.</summary>
    private readonly DoorSignalKind? _resume;

    public string Id => _options.Id;

    /// <summary>Replies refused: a bad MAC, a NAK, a malformed report.</summary>
    public long BadReplies => Interlocked.Read(ref _badReplies);

    /// <summary>Commands that got no valid reply in time and were sent again.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Keypad keys received (they are not sent anywhere: a PIN is the resident's).</summary>
    public long Keys => Interlocked.Read(ref _keys);

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
        if (_door is not null && await ExchangeAsync(OsdpCommand.InputStatus, [], ct).ConfigureAwait(false) is { } status)
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
            if (_door is not null)
            {
                await DoorAsync(_door.Tick(_time.GetUtcNow()), ct).ConfigureAwait(false);
            }

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
        var now = _time.GetUtcNow();
        var data = reply.Data;
        switch (reply.Code)
        {
            case OsdpReply.Raw:
                if (OsdpReports.RawBits(data.Span) is { } bits)
                {
                    await CardAsync(WiegandDecoder.Decode(bits, _options.Format37), now, ct).ConfigureAwait(false);
                }
                else
                {
                    Interlocked.Increment(ref _badReplies);
                }

                break;
            case OsdpReply.Formatted:
                if (OsdpReports.FormattedNumber(data.Span) is { } number)
                {
                    await _sink.SubmitAsync(CardEvents.Card(_options.Device, _options.Door, CardEvents.TextFormat, null, number, _privacy, now), ct).ConfigureAwait(false);
                }
                else
                {
                    Interlocked.Increment(ref _badReplies);
                }

                break;
            case OsdpReply.Keypad when data.Length >= 2 && data.Span[1] <= data.Length - 2:
                Interlocked.Add(ref _keys, data.Span[1]);
                break;
            case OsdpReply.LocalStatus when data.Length >= 2:
                await LocalStatusAsync(data.Span[0] != 0, data.Span[1] != 0, now, ct).ConfigureAwait(false);
                break;
            case OsdpReply.InputStatus when _door is not null:
                await InputsAsync(data.ToArray(), now, ct).ConfigureAwait(false);
                break;
        }
    }

    private async Task CardAsync(WiegandRead read, DateTimeOffset now, CancellationToken ct)
    {
        var draft = read.IsCard
            ? CardEvents.Card(_options.Device, _options.Door, read, _privacy, now)
            : new EventDraft(EventTypes.DeviceFault, Priority.High, _options.Device, null, now, new JsonObject { ["fault"] = "card-format", ["error"] = read.Error });
        await _sink.SubmitAsync(draft, ct).ConfigureAwait(false);
    }

    private async Task LocalStatusAsync(bool tamper, bool powerFailed, DateTimeOffset now, CancellationToken ct)
    {
        if (tamper && !_tamper)
        {
            await _sink.SubmitAsync(new EventDraft(EventTypes.DeviceTamper, Priority.High, _options.Device, null, now,
                new JsonObject { ["via"] = "osdp" }), ct).ConfigureAwait(false);
        }

        if (powerFailed && !_powerFailed)
        {
            await _sink.SubmitAsync(new EventDraft(EventTypes.DeviceFault, Priority.High, _options.Device, null, now,
                new JsonObject { ["fault"] = "power" }), ct).ConfigureAwait(false);
        }

        _tamper = tamper;
        _powerFailed = powerFailed;
    }

    /// <summary>
    /// The reader's inputs: the first report ever only tells how the door is (no event); later ones drive the door. A
    /// release or a request to exit in the same report as the opening is taken first.
    /// </summary>
    private async Task InputsAsync(byte[] inputs, DateTimeOffset now, CancellationToken ct)
    {
        var before = _inputs;
        _inputs = inputs;
        bool Active(byte[] state, int? input) => input is { } i && i < state.Length && state[i] != 0;
        if (before is null)
        {
            await DoorAsync(_door!.Resume(_resume, Active(inputs, _options.DoorContactInput), now), ct).ConfigureAwait(false);
            return;
        }

        if (Active(inputs, _options.ReleaseInput) && !Active(before, _options.ReleaseInput))
        {
            _door!.Granted(now);
        }

        if (Active(inputs, _options.RequestToExitInput) && !Active(before, _options.RequestToExitInput))
        {
            _door!.RequestToExit(now);
        }

        await DoorAsync(_door!.Contact(Active(inputs, _options.DoorContactInput), now), ct).ConfigureAwait(false);
    }

    private async Task DoorAsync(IReadOnlyList<DoorSignal> signals, CancellationToken ct)
    {
        foreach (var (signal, draft) in signals.Zip(DoorEvents.Drafts(signals, _door!, _options.DoorDevice, "osdp")))
        {
            await _sink.SubmitAsync(draft, ct).ConfigureAwait(false);
            if (!_options.Annunciate)
            {
                continue;
            }

            // The door itself says so: the reader flashes red and sounds while the door is forced or held open.
            var alarm = signal.Kind is DoorSignalKind.Forced or DoorSignalKind.HeldOpen;
            if (alarm || signal.Kind is DoorSignalKind.ForcedRestored or DoorSignalKind.HeldOpenRestored)
            {
                if (_capabilities.Led)
                {
                    Send(OsdpCommand.Led, OsdpOutputs.Led(alarm ? OsdpOutputs.Red : OsdpOutputs.Black, flash: alarm));
                }

                if (_capabilities.Buzzer)
                {
                    Send(OsdpCommand.Buzzer, OsdpOutputs.Buzzer(alarm));
                }
            }
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

/// <summary>What a reader says it can do in osdp_PDCAP (function code, compliance, number; three bytes each).</summary>
public sealed record OsdpCapabilities(int Inputs, bool Led, bool Buzzer, bool SecureChannel)
{
    public static readonly OsdpCapabilities None = new(0, false, false, false);

    public static OsdpCapabilities Parse(ReadOnlySpan<byte> data)
    {
        var result = None;
        for (var i = 0; i + 3 <= data.Length; i += 3)
        {
            var (function, compliance, number) = (data[i], data[i + 1], data[i + 2]);
            result = function switch
            {
                1 => result with { Inputs = number },
                4 => result with { Led = compliance != 0 },
                5 => result with { Buzzer = compliance != 0 },
                9 => result with { SecureChannel = (compliance & 0x01) != 0 },
                _ => result,
            };
        }

        return result;
    }
}

/// <summary>Reads the card reports of OSDP 2.2 without trusting their lengths.</summary>
public static class OsdpReports
{
    /// <summary>osdp_RAW: reader, format, bit count (LSB first), the bits packed MSB first. Null when it does not add up.</summary>
    public static bool[]? RawBits(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4)
        {
            return null;
        }

        var count = BinaryPrimitives.ReadUInt16LittleEndian(data[2..]);
        if (count is 0 or > WiegandDecoder.MaxBits || data.Length < 4 + ((count + 7) / 8))
        {
            return null;
        }

        var bits = new bool[count];
        for (var i = 0; i < count; i++)
        {
            bits[i] = (data[4 + (i / 8)] & (0x80 >> (i % 8))) != 0;
        }

        return bits;
    }

    /// <summary>osdp_FMT: reader, read direction, character count, the card number as ASCII digits. Null unless 1-20 digits.</summary>
    public static string? FormattedNumber(ReadOnlySpan<byte> data)
    {
        if (data.Length < 3 || data[2] is 0 or > 20 || data.Length < 3 + data[2])
        {
            return null;
        }

        var chars = data.Slice(3, data[2]);
        foreach (var c in chars)
        {
            if (c is < (byte)'0' or > (byte)'9')
            {
                return null;
            }
        }

        return System.Text.Encoding.ASCII.GetString(chars);
    }
}

/// <summary>Output commands for a reader's LED and buzzer (OSDP 2.2 osdp_LED and osdp_BUZ).</summary>
public static class OsdpOutputs
{
    public const byte Black = 0;
    public const byte Red = 1;
    public const byte Green = 2;

    /// <summary>
    /// osdp_LED for reader 0, LED 0: no temporary change; the permanent state is <paramref name="color"/>, steady or
    /// flashing (0.5 s on, 0.5 s off, black between).
    /// </summary>
    public static byte[] Led(byte color, bool flash) =>
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, flash ? (byte)5 : (byte)1, flash ? (byte)5 : (byte)0, color, Black];

    /// <summary>osdp_BUZ for reader 0: the default tone 0.5 s on, 0.5 s off until told otherwise, or off.</summary>
    public static byte[] Buzzer(bool on) => on ? [0, 2, 5, 5, 0] : [0, 1, 0, 0, 0];
}
