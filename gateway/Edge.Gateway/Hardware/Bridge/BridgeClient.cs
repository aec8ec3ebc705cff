using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Edge.Gateway.Common;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Hardware.Bridge;

// Over 300 lines: one connection's life (connect, read on its own thread, dispatch, the inputs' clock, send) shares the socket and the mirror of levels it keeps.
/// <summary>
/// The gateway's end of the virtual hardware bridge: connects to the simulator (<c>tcp://127.0.0.1:PORT</c> or
/// <c>unix:///path</c>), keeps a mirror of the input levels and ADC readings the simulator pushes, and sends output
/// writes. It reconnects with backoff; on reconnect the simulator pushes every level again, and only levels that
/// really changed raise events, so a reconnect never makes a phantom alarm.
/// </summary>
public sealed partial class BridgeClient : IAsyncDisposable
{
    private readonly Uri _endpoint;
    private readonly string _community;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<int, bool> _levels = new();
    private readonly ConcurrentDictionary<int, int> _adc = new();
    private readonly ConcurrentDictionary<int, bool> _outputs = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _sendLock = new();
    private volatile Stream? _stream;
    private volatile Socket? _socket;
    private volatile LineReader? _reader;
    private volatile bool _ready;
    private long _dispatching;
    private long _lastInputTicks;
    /// <summary>When the hardware was last seen before this connection (or the client made): no change it reports is older.</summary>
    private DateTimeOffset _lastSeen;
    /// <summary>How far ahead of this clock a change's time may be (two clocks on one machine, or NTP-synchronised).</summary>
    private static readonly TimeSpan FutureTolerance = TimeSpan.FromSeconds(1);
    private Task? _loop;
    private long _garbage;
    private string? _lastFailure;

    public BridgeClient(Uri endpoint, string community, TimeProvider time, ILogger<BridgeClient> log)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(time);
        if (endpoint.Scheme is not ("tcp" or "unix"))
        {
            throw new ArgumentException($"bridge endpoint '{endpoint}' must be tcp://host:port or unix:///path", nameof(endpoint));
        }

        _endpoint = endpoint;
        _community = community;
        _time = time;
        _log = log;
        _lastSeen = time.GetUtcNow();
    }

    /// <summary>An input pin changed level (true = high) at the time given, as pushed by the simulator.</summary>
    public event Action<int, bool, DateTimeOffset>? LevelChanged;

    /// <summary>An ADC channel has a new reading, taken at the time given.</summary>
    public event Action<int, int, DateTimeOffset>? AdcChanged;

    /// <summary>The bridge connected (true) or was lost (false).</summary>
    public event Action<bool>? ConnectionChanged;

    /// <summary>True from the simulator's READY until the connection is lost.</summary>
    public bool Connected => _ready;

    /// <summary>Lines from the simulator that were not valid messages.</summary>
    public long Garbage => Interlocked.Read(ref _garbage);

    /// <summary>The last level pushed for a pin, or null when the simulator never sent one.</summary>
    public bool? Level(int pin) => _levels.TryGetValue(pin, out var v) ? v : null;

    /// <summary>
    /// The time up to which the hardware's changes are known here: now, when everything the simulator sent has been
    /// handed on; the time of the last change handed on (never later than now) while more is still being read or handed
    /// on (this process was slow to read it). Adapters decide on this time, so a stall on the gateway's side never stretches a bounce into a
    /// press or splits a card frame: a level is not taken to have held while changes that may undo it wait unread.
    /// </summary>
    public DateTimeOffset InputsKnownUntil()
    {
        var last = new DateTimeOffset(Interlocked.Read(ref _lastInputTicks), TimeSpan.Zero);
        var busy = Interlocked.Read(ref _dispatching) > 0 || _reader is { Buffered: true } || (_socket is { } socket && Available(socket) > 0);
        var now = _time.GetUtcNow();
        return busy && last < now ? last : now;
    }

    private static int Available(Socket socket)
    {
        try
        {
            return socket.Available;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return 0;
        }
    }

    /// <summary>The last reading of an ADC channel, or null.</summary>
    public int? Adc(int channel) => _adc.TryGetValue(channel, out var v) ? v : null;

    /// <summary>Starts connecting; returns at once.</summary>
    /// <remarks>
    /// The bridge is read on a thread of its own, blocking in the kernel until a line comes, as libgpiod's driver waits
    /// for a GPIO line's events: an edge is taken when it arrives, not after the work queued on the thread pool.
    /// </remarks>
    public void Start() => _loop ??= OwnThread.Run("edge-hardware-bridge", () => Run(_stop.Token));

    /// <summary>Writes an output pin; remembered and sent again after a reconnect.</summary>
    public void Write(int pin, bool high)
    {
        _outputs[pin] = high;
        Send(new BridgeMessage(BridgeMessageKind.Out, pin, high ? 1 : 0));
    }

    private void Send(BridgeMessage message)
    {
        var stream = _stream;
        if (stream is null)
        {
            return;
        }

        var bytes = BridgeProtocol.Encode(message);
        try
        {
            lock (_sendLock)
            {
                stream.Write(bytes);
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or SocketException)
        {
            // The read loop sees the loss and reconnects.
        }
    }

    private void Run(CancellationToken ct)
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5), new Random());
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var socket = ConnectAsync(ct).GetAwaiter().GetResult();
                // A read blocked in the kernel ends when the socket is closed: that is how stopping reaches it.
                using var unblock = ct.Register(static s => ((Socket)s!).Dispose(), socket);
                using var stream = new NetworkStream(socket, ownsSocket: false);
                _stream = stream;
                _socket = socket;
                Send(new BridgeMessage(BridgeMessageKind.Hello, Text: _community));
                foreach (var (pin, high) in _outputs)
                {
                    Send(new BridgeMessage(BridgeMessageKind.Out, pin, high ? 1 : 0));
                }

                Read(stream, () =>
                {
                    backoff.Reset();
                    _lastFailure = null;
                    _ready = true;
                    ConnectionChanged?.Invoke(true);
                    LogConnected(_endpoint, _community);
                });
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
            {
                if (ct.IsCancellationRequested)
                {
                    // The socket was closed to stop the read.
                    break;
                }

                // Once per change of reason, not once per retry.
                if (ex.Message != _lastFailure)
                {
                    _lastFailure = ex.Message;
                    LogFailed(_endpoint, ex.Message);
                }
            }
            finally
            {
                _lastSeen = _time.GetUtcNow();
                _stream = null;
                _socket = null;
                _reader = null;
                if (_ready)
                {
                    _ready = false;
                    ConnectionChanged?.Invoke(false);
                }
            }

            try
            {
                Task.Delay(backoff.Next(), _time, ct).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    private async Task<Socket> ConnectAsync(CancellationToken ct)
    {
        Socket socket;
        EndPoint endPoint;
        if (_endpoint.Scheme == "unix")
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            endPoint = new UnixDomainSocketEndPoint(_endpoint.AbsolutePath);
        }
        else
        {
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            endPoint = new DnsEndPoint(_endpoint.Host, _endpoint.Port);
        }

        try
        {
            await socket.ConnectAsync(endPoint, ct).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private void Read(Stream stream, Action ready)
    {
        var reader = new LineReader(stream, BridgeProtocol.MaxLineLength);
        _reader = reader;
        while (reader.ReadLine() is { } line)
        {
            Interlocked.Increment(ref _dispatching);
            try
            {
                Dispatch(line, ready);
            }
            finally
            {
                Interlocked.Decrement(ref _dispatching);
            }
        }

        Interlocked.Add(ref _garbage, reader.Discarded);
    }

    private void Dispatch(string line, Action ready)
    {
        if (!BridgeProtocol.TryParse(line, out var m))
        {
            Interlocked.Increment(ref _garbage);
            return;
        }

        // A version 1 peer sends no times: the change is taken as happening when it is read. A time the hardware cannot
        // have (ahead of this clock, or before the hardware was last seen) is not believed.
        var now = _time.GetUtcNow();
        var at = m.At ?? now;
        if (at > now + FutureTolerance)
        {
            Interlocked.Increment(ref _garbage);
            return;
        }

        at = at < _lastSeen ? _lastSeen : at;

        switch (m.Kind)
        {
            case BridgeMessageKind.Level:
                var high = m.Value == 1;
                var before = _levels.TryGetValue(m.Number, out var old) ? old : (bool?)null;
                _levels[m.Number] = high;
                // The first report of a pin counts as a change too (its level was unknown); later reports only when
                // they differ, so the full resend after a reconnect raises nothing for pins that did not change.
                Known(at);
                if (before != high)
                {
                    LevelChanged?.Invoke(m.Number, high, at);
                }

                break;
            case BridgeMessageKind.Adc:
                _adc[m.Number] = m.Value;
                Known(at);
                AdcChanged?.Invoke(m.Number, m.Value, at);
                break;
            case BridgeMessageKind.Ping:
                Send(new BridgeMessage(BridgeMessageKind.Pong));
                break;
            case BridgeMessageKind.Ready when !_ready:
                ready();
                break;
            default:
                Interlocked.Increment(ref _garbage);
                break;
        }
    }

    private void Known(DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        var seen = Interlocked.Read(ref _lastInputTicks);
        while (ticks > seen)
        {
            var was = Interlocked.CompareExchange(ref _lastInputTicks, ticks, seen);
            if (was == seen)
            {
                return;
            }

            seen = was;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Hardware bridge {Endpoint} connected for community {Community}")]
    private partial void LogConnected(Uri endpoint, string community);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hardware bridge {Endpoint} unavailable: {Reason}")]
    private partial void LogFailed(Uri endpoint, string reason);
}
