using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Edge.Gateway.Hardware.Bridge;

namespace Edge.Simulator.Hardware;

// Over 300 lines: the bridge's server side and each community's pins (levels, ADC, outputs, its one connection) share one lock per community and one protocol version per peer.
/// <summary>
/// The simulator's end of the virtual hardware bridge: it owns the pin levels and ADC readings of every simulated
/// community, pushes them to the gateway connected for that community, and records the outputs the gateway writes.
/// Serves many communities on one loopback port (docs/hardware-bridge.md).
/// </summary>
public sealed class BridgeServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly ConcurrentDictionary<string, CommunityPins> _communities = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private readonly TimeProvider _time;
    private long _garbage;

    private BridgeServer(TcpListener listener, TimeProvider time)
    {
        _listener = listener;
        _time = time;
        _accept = Task.Run(() => Network.AcceptLoop.RunAsync(_listener, ServeAsync, _stop.Token));
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri Endpoint => new($"tcp://127.0.0.1:{Port}");

    /// <summary>The hardware's clock: the time its changes carry.</summary>
    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Lines from gateways that were not valid messages.</summary>
    public long Garbage => Interlocked.Read(ref _garbage);

    /// <summary>Raised when a gateway writes an output: community, pin, level.</summary>
    public event Action<string, int, bool>? OutputWritten;

    /// <param name="time">The hardware's clock: every level and reading carries the time it changed on it.</param>
    public static BridgeServer Start(int port = 0, TimeProvider? time = null)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return new BridgeServer(listener, time ?? TimeProvider.System);
    }

    /// <summary>Sets an input level of a community, changed now; pushed at once, with that time, when it changed.</summary>
    public void SetLevel(string community, int pin, bool high)
    {
        var pins = Pins(community);
        if (pins.Levels.TryGetValue(pin, out var old) && old.High == high)
        {
            return;
        }

        var at = _time.GetUtcNow();
        pins.Levels[pin] = (high, at);
        pins.Push(new BridgeMessage(BridgeMessageKind.Level, pin, high ? 1 : 0, At: at));
    }

    /// <summary>
    /// A train of level changes on one pin that happen on the hardware at the times given (contact bounce, a pulse):
    /// they go out in one write, each with its own time, so however late this process gets to send them, the gateway
    /// judges them by when they happened, as the kernel's timestamps on a real GPIO edge let it.
    /// </summary>
    public void Pulses(string community, int pin, IReadOnlyList<(bool High, DateTimeOffset At)> changes)
    {
        ArgumentNullException.ThrowIfNull(changes);
        if (changes.Count == 0)
        {
            return;
        }

        var pins = Pins(community);
        pins.Levels[pin] = changes[^1];
        pins.PushAll(changes.Select(c => new BridgeMessage(BridgeMessageKind.Level, pin, c.High ? 1 : 0, At: c.At)));
    }

    /// <summary>
    /// A Wiegand reader has just sent a frame, its last bit now: each bit a low pulse (50 µs) on D1 (a 1) or D0 (a 0),
    /// bits 2 ms apart as readers send them. The pulses go out in one write, each edge with its time, so the frame is
    /// never cut by how late this process gets to send it.
    /// </summary>
    public void Wiegand(string community, int d0, int d1, IReadOnlyList<bool> bits)
    {
        ArgumentNullException.ThrowIfNull(bits);
        var start = _time.GetUtcNow() - (BitInterval * Math.Max(0, bits.Count - 1));
        var edges = new List<BridgeMessage>(bits.Count * 2);
        for (var i = 0; i < bits.Count; i++)
        {
            var pin = bits[i] ? d1 : d0;
            var at = start + (BitInterval * i);
            edges.Add(new BridgeMessage(BridgeMessageKind.Level, pin, 0, At: at));
            edges.Add(new BridgeMessage(BridgeMessageKind.Level, pin, 1, At: at + PulseWidth));
        }

        var pins = Pins(community);
        pins.Levels[d0] = (true, start + (BitInterval * bits.Count));
        pins.Levels[d1] = (true, start + (BitInterval * bits.Count));
        pins.PushAll(edges);
    }

    /// <summary>The time between a Wiegand frame's bits (readers send them 1-2 ms apart).</summary>
    public static readonly TimeSpan BitInterval = TimeSpan.FromMilliseconds(2);

    private static readonly TimeSpan PulseWidth = TimeSpan.FromTicks(500);

    /// <summary>Sets an ADC reading of a community; pushed at once.</summary>
    public void SetAdc(string community, int channel, int counts)
    {
        var pins = Pins(community);
        var at = _time.GetUtcNow();
        pins.Adc[channel] = (counts, at);
        pins.Push(new BridgeMessage(BridgeMessageKind.Adc, channel, counts, At: at));
    }

    /// <summary>The last level a gateway wrote to an output, or null.</summary>
    public bool? Output(string community, int pin) => Pins(community).Outputs.TryGetValue(pin, out var v) ? v : null;

    /// <summary>True while a gateway is connected for the community.</summary>
    public bool IsConnected(string community) => Pins(community).Stream is not null;

    /// <summary>How long a gateway that came back after an absence is given to read the state, reconnect its uplink and subscribe to its cameras again before acts count on it.</summary>
    public static readonly TimeSpan ReturnSettle = TimeSpan.FromSeconds(5);

    /// <summary>
    /// True when the community's gateway can see its hardware: connected, and, when it came back after an absence (a
    /// gateway killed or restarted elsewhere), connected for <see cref="ReturnSettle"/>. An act while it is away
    /// cannot reach the station and is not the gateway's to report.
    /// </summary>
    public bool GatewayPresent(string community)
    {
        var pins = Pins(community);
        return pins.AttachedAt is { } at && (pins.Attaches == 1 || _time.GetUtcNow() - at >= ReturnSettle);
    }

    /// <summary>Drops the connection of a community (a cut cable between gateway and hardware).</summary>
    public void Disconnect(string community) => Pins(community).Stream?.Dispose();

    /// <summary>
    /// Unplugs a community's hardware: drops its connection, and closes any new one before READY until
    /// <see cref="Plug"/>, so its gateway sees the hardware gone rather than a flapping connection.
    /// </summary>
    public void Unplug(string community)
    {
        var pins = Pins(community);
        pins.Unplugged = true;
        pins.Stream?.Dispose();
    }

    /// <summary>Plugs a community's hardware back in; its gateway's next reconnect gets the whole state.</summary>
    public void Plug(string community) => Pins(community).Unplugged = false;

    /// <summary>Sends a raw line (garbage, for fuzzing) to a community's gateway, if one is connected.</summary>
    public void SendRaw(string community, ReadOnlySpan<byte> bytes) => Pins(community).PushRaw(bytes.ToArray());

    private CommunityPins Pins(string community) => _communities.GetOrAdd(community, _ => new CommunityPins());

    private async Task ServeAsync(Socket socket, CancellationToken ct)
    {
        // The stream owns the socket: disposing it (Disconnect) closes the connection.
        var stream = new NetworkStream(socket, ownsSocket: true);
        await using var streamDisposal = stream.ConfigureAwait(false);
        var reader = new LineReader(stream, BridgeProtocol.MaxLineLength);
        CommunityPins? pins = null;
        string? community = null;
        try
        {
            while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
            {
                if (!BridgeProtocol.TryParse(line, out var m))
                {
                    Interlocked.Increment(ref _garbage);
                    continue;
                }

                if (m.Kind == BridgeMessageKind.Hello && pins is null)
                {
                    if (Pins(m.Text!).Unplugged)
                    {
                        return;
                    }

                    community = m.Text!;
                    pins = Pins(community);
                    pins.Attach(stream, m.Value, _time.GetUtcNow());
                }
                else if (m.Kind == BridgeMessageKind.Out && pins is not null)
                {
                    pins.Outputs[m.Number] = m.Value == 1;
                    OutputWritten?.Invoke(community!, m.Number, m.Value == 1);
                }
                else if (m.Kind == BridgeMessageKind.Ping)
                {
                    pins?.Push(new BridgeMessage(BridgeMessageKind.Pong));
                }
                else
                {
                    Interlocked.Increment(ref _garbage);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            pins?.Detach(stream);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        foreach (var pins in _communities.Values)
        {
            pins.Stream?.Dispose();
        }

        await _accept.ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>One community's hardware state and its gateway connection.</summary>
    private sealed class CommunityPins
    {
        private readonly Lock _lock = new();

        /// <summary>Each input's level and when it last changed.</summary>
        public ConcurrentDictionary<int, (bool High, DateTimeOffset At)> Levels { get; } = new();

        /// <summary>Each ADC channel's reading and when it last changed.</summary>
        public ConcurrentDictionary<int, (int Counts, DateTimeOffset At)> Adc { get; } = new();

        public ConcurrentDictionary<int, bool> Outputs { get; } = new();

        public Stream? Stream { get; private set; }

        /// <summary>When the connected gateway attached; null while none is connected.</summary>
        public DateTimeOffset? AttachedAt { get; private set; }

        /// <summary>How many times a gateway has attached.</summary>
        public int Attaches { get; private set; }

        private volatile bool _unplugged;

        public bool Unplugged { get => _unplugged; set => _unplugged = value; }

        /// <summary>The connected gateway's protocol version: version 1 gets no times.</summary>
        private int _version = BridgeProtocol.Version;

        /// <summary>A gateway connected: it gets the whole state first, each with when it last changed, then READY.</summary>
        public void Attach(Stream stream, int version, DateTimeOffset at)
        {
            lock (_lock)
            {
                Stream?.Dispose();
                Stream = stream;
                AttachedAt = at;
                Attaches++;
                _version = version;
                foreach (var (pin, level) in Levels)
                {
                    Write(stream, new BridgeMessage(BridgeMessageKind.Level, pin, level.High ? 1 : 0, At: level.At));
                }

                foreach (var (channel, reading) in Adc)
                {
                    Write(stream, new BridgeMessage(BridgeMessageKind.Adc, channel, reading.Counts, At: reading.At));
                }

                Write(stream, new BridgeMessage(BridgeMessageKind.Ready));
            }
        }

        public void Detach(Stream stream)
        {
            lock (_lock)
            {
                if (Stream == stream)
                {
                    Stream = null;
                    AttachedAt = null;
                }
            }
        }

        public void Push(BridgeMessage message) => PushAll([message]);

        /// <summary>Messages in one write: they reach the gateway together.</summary>
        public void PushAll(IEnumerable<BridgeMessage> messages)
        {
            lock (_lock)
            {
                PushRaw(messages.SelectMany(m => BridgeProtocol.Encode(ForPeer(m))).ToArray());
            }
        }

        public void PushRaw(byte[] bytes)
        {
            lock (_lock)
            {
                if (Stream is { } s)
                {
                    try
                    {
                        s.Write(bytes);
                    }
                    catch (Exception ex) when (ex is IOException or ObjectDisposedException)
                    {
                        Stream = null;
                        AttachedAt = null;
                    }
                }
            }
        }

        private void Write(Stream stream, BridgeMessage message) =>
            stream.Write(BridgeProtocol.Encode(ForPeer(message)));

        /// <summary>The message as the connected gateway reads it: without its time for a version 1 peer.</summary>
        private BridgeMessage ForPeer(BridgeMessage message) => _version >= 2 ? message : message with { At = null };
    }
}
