using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Edge.Gateway.Hardware.Bridge;

namespace Edge.Simulator.Hardware;

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
    private long _garbage;

    private BridgeServer(TcpListener listener)
    {
        _listener = listener;
        _accept = Task.Run(() => Network.AcceptLoop.RunAsync(_listener, ServeAsync, _stop.Token));
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public Uri Endpoint => new($"tcp://127.0.0.1:{Port}");

    /// <summary>Lines from gateways that were not valid messages.</summary>
    public long Garbage => Interlocked.Read(ref _garbage);

    /// <summary>Raised when a gateway writes an output: community, pin, level.</summary>
    public event Action<string, int, bool>? OutputWritten;

    public static BridgeServer Start(int port = 0)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return new BridgeServer(listener);
    }

    /// <summary>Sets an input level of a community; pushed at once when it changed.</summary>
    public void SetLevel(string community, int pin, bool high)
    {
        var pins = Pins(community);
        if (pins.Levels.TryGetValue(pin, out var old) && old == high)
        {
            return;
        }

        pins.Levels[pin] = high;
        pins.Push(new BridgeMessage(BridgeMessageKind.Level, pin, high ? 1 : 0));
    }

    /// <summary>
    /// A Wiegand reader sends a frame: each bit a low pulse on D1 (a 1) or D0 (a 0). The pulses go out in one write, so
    /// the bits arrive well inside the 25 ms gap that ends a frame however loaded the machine is.
    /// </summary>
    public void Wiegand(string community, int d0, int d1, IReadOnlyList<bool> bits)
    {
        ArgumentNullException.ThrowIfNull(bits);
        var frame = new List<byte>(bits.Count * 24);
        foreach (var bit in bits)
        {
            var pin = bit ? d1 : d0;
            frame.AddRange(BridgeProtocol.Encode(new BridgeMessage(BridgeMessageKind.Level, pin, 0)));
            frame.AddRange(BridgeProtocol.Encode(new BridgeMessage(BridgeMessageKind.Level, pin, 1)));
        }

        Pins(community).PushRaw(frame.ToArray());
    }

    /// <summary>Sets an ADC reading of a community; pushed at once.</summary>
    public void SetAdc(string community, int channel, int counts)
    {
        var pins = Pins(community);
        pins.Adc[channel] = counts;
        pins.Push(new BridgeMessage(BridgeMessageKind.Adc, channel, counts));
    }

    /// <summary>The last level a gateway wrote to an output, or null.</summary>
    public bool? Output(string community, int pin) => Pins(community).Outputs.TryGetValue(pin, out var v) ? v : null;

    /// <summary>True while a gateway is connected for the community.</summary>
    public bool IsConnected(string community) => Pins(community).Stream is not null;

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
                    pins.Attach(stream);
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

        public ConcurrentDictionary<int, bool> Levels { get; } = new();

        public ConcurrentDictionary<int, int> Adc { get; } = new();

        public ConcurrentDictionary<int, bool> Outputs { get; } = new();

        public Stream? Stream { get; private set; }

        private volatile bool _unplugged;

        public bool Unplugged { get => _unplugged; set => _unplugged = value; }

        /// <summary>A gateway connected: it gets the whole state first, then READY.</summary>
        public void Attach(Stream stream)
        {
            lock (_lock)
            {
                Stream?.Dispose();
                Stream = stream;
                foreach (var (pin, high) in Levels)
                {
                    Write(stream, new BridgeMessage(BridgeMessageKind.Level, pin, high ? 1 : 0));
                }

                foreach (var (channel, counts) in Adc)
                {
                    Write(stream, new BridgeMessage(BridgeMessageKind.Adc, channel, counts));
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
                }
            }
        }

        public void Push(BridgeMessage message) => PushRaw(BridgeProtocol.Encode(message));

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
                    }
                }
            }
        }

        private static void Write(Stream stream, BridgeMessage message) =>
            stream.Write(BridgeProtocol.Encode(message));
    }
}
