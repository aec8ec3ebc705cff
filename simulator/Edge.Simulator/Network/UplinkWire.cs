using System.Net;
using System.Net.Sockets;

namespace Edge.Simulator.Network;

/// <summary>
/// The network between one community's gateway and the station broker: a loopback TCP relay the simulator can cut.
/// Cutting it resets every connection at once (as a dead gateway or a broken fibre looks to the broker, which then
/// publishes the gateway's last will) and refuses new ones until it is restored.
/// </summary>
public sealed class UplinkWire : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly string _brokerHost;
    private readonly int _brokerPort;
    private readonly Lock _lock = new();
    private readonly List<Socket> _sockets = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private volatile bool _cut;
    private TaskCompletionSource? _held;

    private UplinkWire(TcpListener listener, Uri broker)
    {
        _listener = listener;
        _brokerHost = broker.Host;
        _brokerPort = broker.Port;
        _accept = Task.Run(() => AcceptLoop.RunAsync(_listener, AcceptedAsync, _stop.Token));
    }

    /// <summary>Where the gateway connects instead of the broker.</summary>
    public Uri Uri => new($"mqtt://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    public static UplinkWire Start(Uri broker)
    {
        ArgumentNullException.ThrowIfNull(broker);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return new UplinkWire(listener, broker);
    }

    /// <summary>Resets every connection and refuses new ones until <see cref="Restore"/>.</summary>
    public void Cut()
    {
        _cut = true;
        ResetAll();
    }

    public void Restore() => _cut = false;

    /// <summary>
    /// Holds everything the broker sends the gateway (its PUBACKs above all) until <see cref="ReleaseAcknowledgements"/>:
    /// the link stays up and the gateway's publishes go through, but none is acknowledged, as on a congested link.
    /// </summary>
    public void HoldAcknowledgements()
    {
        lock (_lock)
        {
            _held ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Lets what was held, and everything after it, through.</summary>
    public void ReleaseAcknowledgements()
    {
        TaskCompletionSource? held;
        lock (_lock)
        {
            (held, _held) = (_held, null);
        }

        held?.TrySetResult();
    }

    private Task? Held()
    {
        lock (_lock)
        {
            return _held?.Task;
        }
    }

    private void ResetAll()
    {
        lock (_lock)
        {
            foreach (var s in _sockets)
            {
                Reset(s);
            }

            _sockets.Clear();
        }
    }

    private static void Reset(Socket socket)
    {
        try
        {
            // Linger 0: close with RST, as a dead host or a cut link looks to the other end.
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private Task AcceptedAsync(Socket inbound, CancellationToken ct)
    {
        if (_cut)
        {
            Reset(inbound);
            return Task.CompletedTask;
        }

        return RelayAsync(inbound, ct);
    }

    private async Task RelayAsync(Socket inbound, CancellationToken ct)
    {
        var outbound = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await outbound.ConnectAsync(_brokerHost, _brokerPort, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            Reset(inbound);
            outbound.Dispose();
            return;
        }

        lock (_lock)
        {
            if (_cut)
            {
                Reset(inbound);
                Reset(outbound);
                return;
            }

            _sockets.Add(inbound);
            _sockets.Add(outbound);
        }

        using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var up = PumpAsync(inbound, outbound, null, done.Token);
        var down = PumpAsync(outbound, inbound, Held, done.Token);
        await Task.WhenAny(up, down).ConfigureAwait(false);
        await done.CancelAsync().ConfigureAwait(false);
        lock (_lock)
        {
            _sockets.Remove(inbound);
            _sockets.Remove(outbound);
        }

        // One side closed: close the other the same way, so the broker and the gateway both see the connection end.
        inbound.Dispose();
        outbound.Dispose();
        await Task.WhenAll(up, down).ConfigureAwait(false);
    }

    private static async Task PumpAsync(Socket from, Socket to, Func<Task?>? gate, CancellationToken ct)
    {
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    return;
                }

                if (gate?.Invoke() is { } held)
                {
                    await held.WaitAsync(ct).ConfigureAwait(false);
                }

                var sent = 0;
                while (sent < n)
                {
                    sent += await to.SendAsync(buffer.AsMemory(sent, n - sent), SocketFlags.None, ct).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        ResetAll();
        await _accept.ConfigureAwait(false);
        _stop.Dispose();
    }
}
