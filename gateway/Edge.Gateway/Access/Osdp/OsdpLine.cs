using System.IO.Ports;
using System.Net.Sockets;

namespace Edge.Gateway.Access.Osdp;

/// <summary>
/// One OSDP line, shared by the readers on it: an RS-485 bus behind a serial port (System.IO.Ports, 8N1) or a TCP
/// connection. It is half duplex, so one command and its reply hold the line at a time. A reply is taken only from the
/// address the command went to, with the command's sequence number; anything else (a late reply to an earlier command,
/// a reader answering for another, noise) is counted and skipped. The line opens on first use and again after a failure,
/// no sooner than its backoff allows.
/// </summary>
public sealed class OsdpLine : IAsyncDisposable
{
    private readonly Uri _endpoint;
    private readonly int _baudRate;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly OsdpFrameReader _reader = new(OsdpSecureChannel.HasMac);
    private readonly byte[] _buffer = new byte[1024];
    private readonly Common.Backoff _backoff = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5), new Random());
    private Stream? _stream;
    private IDisposable? _owner;
    private long _retryAt;
    private long _mismatched;

    public OsdpLine(string endpoint, int baudRate, TimeProvider time)
    {
        _endpoint = Parse(endpoint) ?? throw new ArgumentException($"'{endpoint}' is not serial:///dev/<port> or tcp://host:port", nameof(endpoint));
        ArgumentNullException.ThrowIfNull(time);
        _baudRate = baudRate;
        _time = time;
        _retryAt = time.GetTimestamp();
    }

    /// <summary>Replies that were not for the command on the line: another address, another sequence, a command echoed.</summary>
    public long Mismatched => Interlocked.Read(ref _mismatched);

    /// <summary>The endpoint as a URI: <c>tcp://host:port</c> or <c>serial:///dev/ttyS1</c>; null when it is neither.</summary>
    public static Uri? Parse(string? endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
        && ((uri.Scheme == "tcp" && uri.Port > 0 && !string.IsNullOrEmpty(uri.Host))
            || (uri.Scheme == "serial" && uri.AbsolutePath.Length > 1 && string.IsNullOrEmpty(uri.Host)))
            ? uri
            : null;

    /// <summary>
    /// Sends <paramref name="command"/> and waits up to <paramref name="timeout"/> for its reply, as it came off the
    /// line (still protected when the secure channel is up). Null when none came. Throws <see cref="IOException"/> when
    /// the line is down; it is opened again on a later call.
    /// </summary>
    public async Task<OsdpPacket?> TransactAsync(OsdpPacket command, TimeSpan timeout, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        await _turn.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var stream = _stream ?? await OpenAsync(ct).ConfigureAwait(false);
            try
            {
                await stream.WriteAsync(OsdpCodec.Encode(command), ct).ConfigureAwait(false);
                return await ReadReplyAsync(stream, command, timeout, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException
                                       && !ct.IsCancellationRequested)
            {
                Close();
                throw new IOException($"line {_endpoint}: {ex.Message}", ex);
            }
        }
        finally
        {
            _turn.Release();
        }
    }

    private async Task<OsdpPacket?> ReadReplyAsync(Stream stream, OsdpPacket command, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var n = await stream.ReadAsync(_buffer, deadline.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new IOException("the other end closed the line");
                }

                foreach (var packet in _reader.Append(_buffer.AsSpan(0, n)))
                {
                    if (packet.IsReply && packet.Address == command.Address && packet.Sequence == command.Sequence)
                    {
                        return packet;
                    }

                    Interlocked.Increment(ref _mismatched);
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // What a silent line held back (a bogus length) is released; none of it answers this command.
            foreach (var _ in _reader.Reset())
            {
                Interlocked.Increment(ref _mismatched);
            }

            return null;
        }
    }

    private async Task<Stream> OpenAsync(CancellationToken ct)
    {
        var wait = _time.GetElapsedTime(Interlocked.Read(ref _retryAt));
        if (wait < TimeSpan.Zero)
        {
            throw new IOException($"line {_endpoint} is down; next attempt in {-wait.TotalSeconds:0.0} s");
        }

        try
        {
            if (_endpoint.Scheme == "tcp")
            {
                var tcp = new TcpClient { NoDelay = true };
                _owner = tcp;
                using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
                connect.CancelAfter(TimeSpan.FromSeconds(3));
                await tcp.ConnectAsync(_endpoint.Host, _endpoint.Port, connect.Token).ConfigureAwait(false);
                _stream = tcp.GetStream();
            }
            else
            {
                var port = new SerialPort(_endpoint.AbsolutePath, _baudRate, Parity.None, 8, StopBits.One) { Handshake = Handshake.None };
                _owner = port;
                port.Open();
                _stream = port.BaseStream;
            }

            _reader.Reset();
            _backoff.Reset();
            return _stream;
        }
        catch (Exception ex) when (ex is IOException or SocketException or UnauthorizedAccessException or ArgumentException or InvalidOperationException
                                   || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            Close();
            throw new IOException($"line {_endpoint} cannot be opened: {ex.Message}", ex);
        }
    }

    private void Close()
    {
        _stream?.Dispose();
        _owner?.Dispose();
        _stream = null;
        _owner = null;
        Interlocked.Exchange(ref _retryAt, _time.GetTimestamp() + (long)(_backoff.Next().TotalSeconds * _time.TimestampFrequency));
    }

    public async ValueTask DisposeAsync()
    {
        await _turn.WaitAsync().ConfigureAwait(false);
        try
        {
            _stream?.Dispose();
            _owner?.Dispose();
            _stream = null;
            _owner = null;
        }
        finally
        {
            _turn.Release();
        }

        _turn.Dispose();
    }
}
