using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Gateway.Events;
using Edge.Gateway.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Access.Osdp;

/// <summary>
/// The gateway as OSDP control panel for one reader: connects, asks for its ID and capabilities, sets up the secure
/// channel when it has a key, then polls it every 200 ms. Card reads (osdp_RAW) become <c>access.card</c> with the
/// card's hash; a tamper report (osdp_LSTATR) becomes <c>device.tamper</c>. A reply with the wrong address or sequence,
/// a bad check or a bad MAC is counted and the command is sent again; a reader without a valid reply for 8 s is
/// <c>device.offline</c>, and <c>device.online</c> once it answers again.
/// </summary>
public sealed partial class OsdpControlPanel : BackgroundService
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromMilliseconds(200);
    private readonly OsdpReaderOptions _options;
    private readonly IEventSink _sink;
    private readonly CardPrivacy _privacy;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly LogLimiter _limiter;
    private bool? _online;
    private bool _tamper;
    private bool _refused;
    private long _lastValid;

    public OsdpControlPanel(OsdpReaderOptions options, IEventSink sink, CardPrivacy privacy, TimeProvider time, ILogger<OsdpControlPanel> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _sink = sink;
        _privacy = privacy;
        _time = time;
        _log = log;
        _limiter = new LogLimiter(time, TimeSpan.FromSeconds(30));
        _lastValid = time.GetTimestamp();
    }

    /// <summary>Replies refused: wrong address or sequence, a bad MAC, NAKs.</summary>
    public long BadReplies { get; private set; }

    /// <summary>Commands that got no valid reply in time and were sent again.</summary>
    public long Retries { get; private set; }

    /// <summary>True once the secure channel is up on the current connection.</summary>
    public bool Secure { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = new Uplink.Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), new Random());
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var tcp = new TcpClient { NoDelay = true };
                var endpoint = new Uri(_options.Endpoint);
                using (var connect = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    connect.CancelAfter(TimeSpan.FromSeconds(3));
                    await tcp.ConnectAsync(endpoint.Host, endpoint.Port, connect.Token).ConfigureAwait(false);
                }

                await using var stream = tcp.GetStream();
                await RunSessionAsync(stream, stoppingToken).ConfigureAwait(false);
                backoff.Reset();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException or UriFormatException)
            {
                Problem("connection: " + ex.Message);
            }

            Secure = false;
            await CheckOfflineAsync(stoppingToken).ConfigureAwait(false);
            try
            {
                await Task.Delay(backoff.Next(), _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One connection: ID, CAP, the secure channel if keyed, then polling until the reader falls silent.</summary>
    private async Task RunSessionAsync(Stream stream, CancellationToken ct)
    {
        var session = new Session(stream, this);
        if (await session.ExchangeAsync(OsdpCommand.Id, [0x00], ct).ConfigureAwait(false) is not { Code: OsdpReply.PdId }
            || await session.ExchangeAsync(OsdpCommand.Cap, [0x00], ct).ConfigureAwait(false) is not { Code: OsdpReply.PdCap })
        {
            return;
        }

        if (Key() is { } key && !await session.HandshakeAsync(new OsdpSecureChannel(key, _options.UseInstallKey && _options.Scbk is null), ct).ConfigureAwait(false))
        {
            // The reader answers but cannot prove it holds the key: nothing it says is believed, and the station hears
            // of it once (it is not offline: it is there, and may be a swapped reader).
            Problem("secure channel refused: wrong key, or a reader that does not support it");
            if (!_refused)
            {
                _refused = true;
                await _sink.SubmitAsync(new EventDraft(EventTypes.DeviceFault, Priority.High, _options.Device, null, _time.GetUtcNow(),
                    new JsonObject { ["fault"] = "secure-channel-refused" }), ct).ConfigureAwait(false);
            }

            return;
        }

        _refused = false;

        Secure = session.Channel is not null;
        while (!ct.IsCancellationRequested)
        {
            var reply = await session.ExchangeAsync(OsdpCommand.Poll, [], ct).ConfigureAwait(false);
            if (reply is null)
            {
                return;
            }

            await HandleAsync(reply, ct).ConfigureAwait(false);
            await Task.Delay(_options.PollInterval, _time, ct).ConfigureAwait(false);
        }
    }

    private byte[]? Key() =>
        _options.Scbk is { Length: 32 } hex ? Convert.FromHexString(hex)
        : _options.UseInstallKey ? OsdpCrypto.InstallKey.ToArray()
        : null;

    private async Task HandleAsync(OsdpPacket reply, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        switch (reply.Code)
        {
            case OsdpReply.Raw when reply.Data.Length >= 4:
                var data = reply.Data.Span;
                var count = BinaryPrimitives.ReadUInt16LittleEndian(data[2..]);
                if (count > WiegandDecoder.MaxBits || data.Length < 4 + ((count + 7) / 8))
                {
                    BadReplies++;
                    return;
                }

                var bits = new bool[count];
                for (var i = 0; i < count; i++)
                {
                    bits[i] = (data[4 + (i / 8)] & (0x80 >> (i % 8))) != 0;
                }

                var read = WiegandDecoder.Decode(bits, _options.Format37);
                if (read.IsCard)
                {
                    await _sink.SubmitAsync(CardEvents.Card(_options.Device, _options.Door, read, _privacy, now), ct).ConfigureAwait(false);
                }
                else
                {
                    await _sink.SubmitAsync(new EventDraft(EventTypes.DeviceFault, Priority.High, _options.Device, null, now,
                        new JsonObject { ["fault"] = "card-format", ["error"] = read.Error }), ct).ConfigureAwait(false);
                }

                break;
            case OsdpReply.LocalStatus when reply.Data.Length >= 2:
                var tamper = reply.Data.Span[0] != 0;
                if (tamper && !_tamper)
                {
                    await _sink.SubmitAsync(new EventDraft(EventTypes.DeviceTamper, Priority.High, _options.Device, null, now,
                        new JsonObject { ["via"] = "osdp" }), ct).ConfigureAwait(false);
                }

                _tamper = tamper;
                break;
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "OSDP reader {Reader}: {Problem} ({Held} similar lines held back)")]
    private partial void LogProblem(string reader, string problem, long held);

    /// <summary>The exchange of commands and replies on one connection.</summary>
    private sealed class Session(Stream stream, OsdpControlPanel panel)
    {
        private readonly OsdpFrameReader _reader = new(OsdpSecureChannel.HasMac);
        private readonly byte[] _buffer = new byte[1024];
        private int _sequence;

        public OsdpSecureChannel? Channel { get; private set; }

        public async Task<bool> HandshakeAsync(OsdpSecureChannel channel, CancellationToken ct)
        {
            var ccrypt = await SendAsync(channel.Challenge((byte)panel._options.Address, NextSequence()), ct).ConfigureAwait(false);
            if (ccrypt is null || channel.OnClientCryptogram(ccrypt, NextSequence()) is not { } scrypt)
            {
                return false;
            }

            var rmac = await SendAsync(scrypt, ct).ConfigureAwait(false);
            if (rmac is null || !channel.OnInitialRmac(rmac))
            {
                return false;
            }

            Channel = channel;
            return true;
        }

        /// <summary>Sends a command (protected when the channel is up) until a valid reply comes; null when the reader is gone.</summary>
        public Task<OsdpPacket?> ExchangeAsync(byte code, byte[] data, CancellationToken ct)
        {
            var command = new OsdpPacket((byte)panel._options.Address, false, NextSequence(), code, data);
            return SendAsync(Channel is null ? command : Channel.ProtectCommand(command), ct);
        }

        private int NextSequence() => _sequence = _sequence == 3 ? 1 : _sequence + 1;

        private async Task<OsdpPacket?> SendAsync(OsdpPacket command, CancellationToken ct)
        {
            var bytes = OsdpCodec.Encode(command);
            while (!ct.IsCancellationRequested)
            {
                await stream.WriteAsync(bytes, ct).ConfigureAwait(false);
                var reply = await ReadReplyAsync(command, ct).ConfigureAwait(false);
                if (reply is not null)
                {
                    await panel.ValidReplyAsync(ct).ConfigureAwait(false);
                    return reply;
                }

                panel.Retries++;
                await panel.CheckOfflineAsync(ct).ConfigureAwait(false);
                if (panel._online == false)
                {
                    return null;
                }
            }

            return null;
        }

        private async Task<OsdpPacket?> ReadReplyAsync(OsdpPacket command, CancellationToken ct)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(ReplyTimeout);
            try
            {
                while (true)
                {
                    var n = await stream.ReadAsync(_buffer, timeout.Token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        throw new IOException("the reader closed the connection");
                    }

                    foreach (var packet in _reader.Append(_buffer.AsSpan(0, n)))
                    {
                        if (!packet.IsReply || packet.Address != command.Address || packet.Sequence != command.Sequence)
                        {
                            panel.BadReplies++;
                            continue;
                        }

                        var reply = Channel is null || packet.Code is OsdpReply.ClientCryptogram or OsdpReply.InitialRmac ? packet : Channel.OpenReply(packet);
                        if (reply is null || reply.Code == OsdpReply.Nak)
                        {
                            panel.BadReplies++;
                            continue;
                        }

                        return reply;
                    }
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                _reader.Reset();
                return null;
            }
        }
    }
}
