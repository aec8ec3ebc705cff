using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Edge.Gateway.Access.Osdp;

namespace Edge.Simulator.Devices;

/// <summary>
/// A simulated OSDP line with its readers, each at its own address: an RS-485 bus the gateway reaches through a
/// serial port (<see cref="Serial"/>: a pseudo-terminal the gateway opens with System.IO.Ports) or over TCP
/// (<see cref="Tcp"/>). Commands to an address nobody has go unanswered, as on a real bus.
/// </summary>
public sealed class SimOsdpLine : IAsyncDisposable
{
    private readonly ConcurrentDictionary<byte, SimOsdpReader> _readers = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TcpListener? _listener;
    private readonly Pty? _pty;
    private readonly Task _serve;

    private SimOsdpLine(TcpListener? listener, Pty? pty)
    {
        _listener = listener;
        _pty = pty;
        if (listener is not null)
        {
            listener.Start();
            _serve = Task.Run(() => Network.AcceptLoop.RunAsync(listener, ServeAsync, _stop.Token));
        }
        else
        {
            _serve = Task.Factory.StartNew(ServePty, TaskCreationOptions.LongRunning);
        }
    }

    /// <summary>A line over TCP on a loopback port (<paramref name="port"/> 0: any free one).</summary>
    public static SimOsdpLine Tcp(int port = 0) => new(new TcpListener(IPAddress.Loopback, port), null);

    /// <summary>A serial line: a pseudo-terminal whose slave the gateway opens as its RS-485 adapter.</summary>
    public static SimOsdpLine Serial() => new(null, new Pty());

    /// <summary>Where the gateway finds the line: <c>tcp://127.0.0.1:port</c> or <c>serial:///dev/pts/N</c>.</summary>
    public Uri Endpoint => _pty is not null
        ? new Uri("serial://" + _pty.Path)
        : new Uri($"tcp://127.0.0.1:{((IPEndPoint)_listener!.LocalEndpoint).Port}");

    public IReadOnlyCollection<SimOsdpReader> Readers => _readers.Values.ToList();

    /// <summary>Puts a reader on the line at <paramref name="address"/>, with its secure channel key (null: clear text only).</summary>
    public SimOsdpReader Add(byte address, byte[]? key)
    {
        var reader = new SimOsdpReader(address, key);
        if (!_readers.TryAdd(address, reader))
        {
            throw new ArgumentException($"address {address} is taken on this line", nameof(address));
        }

        return reader;
    }

    /// <summary>The replies to whatever complete commands <paramref name="reader"/> holds.</summary>
    private IEnumerable<byte[]> Answers(OsdpFrameReader reader, ReadOnlySpan<byte> bytes)
    {
        var replies = new List<byte[]>();
        foreach (var command in reader.Append(bytes))
        {
            if (!command.IsReply && _readers.TryGetValue(command.Address, out var pd) && pd.Handle(command) is { } reply)
            {
                replies.Add(reply);
            }
        }

        return replies;
    }

    private async Task ServeAsync(Socket socket, CancellationToken ct)
    {
        var stream = new NetworkStream(socket, ownsSocket: true);
        await using var streamDisposal = stream.ConfigureAwait(false);
        var reader = new OsdpFrameReader(OsdpSecureChannel.HasMac);
        var buffer = new byte[1024];
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var n = await stream.ReadAsync(buffer, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    return;
                }

                foreach (var reply in Answers(reader, buffer.AsSpan(0, n)))
                {
                    await stream.WriteAsync(reply, ct).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private void ServePty()
    {
        var reader = new OsdpFrameReader(OsdpSecureChannel.HasMac);
        var buffer = new byte[1024];
        while (!_stop.IsCancellationRequested)
        {
            var n = _pty!.Read(buffer, 50);
            foreach (var reply in n > 0 ? Answers(reader, buffer.AsSpan(0, n)) : [])
            {
                _pty.Write(reply);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Stop();
        await _serve.ConfigureAwait(false);
        _pty?.Dispose();
        _stop.Dispose();
    }
}
