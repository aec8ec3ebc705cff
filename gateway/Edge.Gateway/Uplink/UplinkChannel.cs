using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;

namespace Edge.Gateway.Uplink;

/// <summary>
/// The uplink's connection under MQTTnet, which writes and reads packet by packet: a flood of events cost a system call
/// for each PUBLISH and two for each four-byte PUBACK. This channel
/// <list type="bullet">
/// <item>reads ahead: whatever the socket holds, up to 64 KiB, in one read, MQTTnet's reads served from there (only
/// MQTTnet's receive loop reads, one read at a time);</item>
/// <item>gathers writes while the session sends a batch (<see cref="Gather"/>) and writes them in one piece at the
/// batch's end (<see cref="Flush"/>). Writes of other threads in between (a keepalive, a command's PUBACK) are gathered
/// in their order; outside a batch every write goes straight through.</item>
/// </list>
/// </summary>
internal sealed class UplinkChannel(IMqttChannel inner) : IMqttChannel
{
    private const int ReadSize = 64 * 1024;
    private readonly byte[] _read = new byte[ReadSize];
    private int _start;
    private int _end;

    /// <summary>Held by whoever writes to the connection or changes <see cref="_gathering"/>.</summary>
    private readonly SemaphoreSlim _writing = new(1, 1);
    /// <summary>A batch's writes; it grows to the largest batch seen and stays there (an alarm's batch of one is not gathered).</summary>
    private readonly ArrayBufferWriter<byte> _gathered = new();
    private bool _gathering;

    public X509Certificate2 ClientCertificate => inner.ClientCertificate;

    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;

    public EndPoint LocalEndPoint => inner.LocalEndPoint;

    public bool IsSecureConnection => inner.IsSecureConnection;

    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

    public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            if (count >= ReadSize)
            {
                // A large body is read into its own buffer: copying it through this one would gain nothing.
                return await inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
            }

            var read = await inner.ReadAsync(_read, 0, ReadSize, cancellationToken).ConfigureAwait(false);
            if (read <= 0)
            {
                return read;
            }

            _start = 0;
            _end = read;
        }

        var taken = Math.Min(count, _end - _start);
        Buffer.BlockCopy(_read, _start, buffer, offset, taken);
        _start += taken;
        return taken;
    }

    public async Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
    {
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_gathering)
            {
                foreach (var segment in buffer)
                {
                    _gathered.Write(segment.Span);
                }

                return;
            }

            await inner.WriteAsync(buffer, isEndOfPacket, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <summary>From now on, writes are kept until <see cref="Flush"/>.</summary>
    /// <param name="cancellationToken">Ends a wait for another writer whose write the connection does not take.</param>
    public void Gather(CancellationToken cancellationToken)
    {
        _writing.Wait(cancellationToken);
        _gathering = true;
        _writing.Release();
    }

    /// <summary>
    /// Writes what was gathered, in one piece, and lets writes through again. Blocks the caller (the session's own
    /// thread) until the socket has taken it, or until <paramref name="cancellationToken"/>: a link that takes nothing
    /// (a partition, the socket's buffer full) must not hold the session past its own verdict on the link. Throws
    /// what the connection threw; writes go straight through again whatever happened.
    /// </summary>
    public void Flush(CancellationToken cancellationToken)
    {
        try
        {
            _writing.Wait(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The session is over: what it gathered is not sent, and the outbox keeps it. Whatever comes after (the
            // offline status before the disconnect) goes straight through.
            Volatile.Write(ref _gathering, false);
            throw;
        }

        try
        {
            _gathering = false;
            if (_gathered.WrittenCount > 0)
            {
                try
                {
                    inner.WriteAsync(new ReadOnlySequence<byte>(_gathered.WrittenMemory), isEndOfPacket: true, cancellationToken).GetAwaiter().GetResult();
                }
                finally
                {
                    _gathered.ResetWrittenCount();
                }
            }
        }
        finally
        {
            _writing.Release();
        }
    }

    public void Dispose()
    {
        inner.Dispose();
        _writing.Dispose();
    }
}
