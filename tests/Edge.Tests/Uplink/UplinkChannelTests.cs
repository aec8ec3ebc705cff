using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using Edge.Gateway.Uplink;
using MQTTnet.Channel;
using Edge.Tests.Support;
using MQTTnet.Exceptions;

namespace Edge.Tests.Uplink;

public sealed class UplinkChannelTests
{
    [Fact]
    public async Task Small_reads_are_served_from_one_read_of_the_connection()
    {
        var inner = new RecordingChannel();
        inner.Incoming.Enqueue([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        using var channel = new UplinkChannel(inner);
        var buffer = new byte[4];

        var received = new List<byte>();
        while (received.Count < 10)
        {
            var count = await channel.ReadAsync(buffer, 1, 3, default);
            received.AddRange(buffer.AsSpan(1, count).ToArray());
        }

        Assert.Equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], received);
        Assert.Equal(1, inner.Reads);
    }

    [Fact]
    public async Task The_end_of_the_connection_is_passed_on_once_what_was_read_is_taken()
    {
        var inner = new RecordingChannel();
        inner.Incoming.Enqueue([7, 7]);
        using var channel = new UplinkChannel(inner);
        var buffer = new byte[8];

        Assert.Equal(2, await channel.ReadAsync(buffer, 0, 8, default));
        Assert.Equal(0, await channel.ReadAsync(buffer, 0, 8, default));
    }

    [Fact]
    public async Task A_large_read_goes_straight_to_the_callers_buffer()
    {
        var inner = new RecordingChannel();
        var body = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        inner.Incoming.Enqueue(body);
        using var channel = new UplinkChannel(inner);
        var buffer = new byte[body.Length];

        var count = await channel.ReadAsync(buffer, 0, buffer.Length, default);

        Assert.Equal(body.Length, count);
        Assert.Equal(body, buffer);
    }

    [Fact]
    public async Task Outside_a_batch_each_write_goes_through_at_once()
    {
        var inner = new RecordingChannel();
        using var channel = new UplinkChannel(inner);

        await channel.WriteAsync(new ReadOnlySequence<byte>([1, 2]), true, default);
        await channel.WriteAsync(new ReadOnlySequence<byte>([3]), true, default);

        Assert.Equal([[1, 2], [3]], inner.Written);
    }

    [Fact]
    public async Task A_batchs_writes_and_others_in_between_go_out_in_one_piece_in_their_order()
    {
        var inner = new RecordingChannel();
        using var channel = new UplinkChannel(inner);

        channel.Gather(default);
        await channel.WriteAsync(new ReadOnlySequence<byte>([1, 2]), true, default);
        // A keepalive from MQTTnet's own timer while the batch is being written.
        await Task.Run(() => channel.WriteAsync(new ReadOnlySequence<byte>([0xC0, 0]), true, default));
        await channel.WriteAsync(new ReadOnlySequence<byte>([3, 4, 5]), true, default);
        Assert.Empty(inner.Written);
        channel.Flush(default);
        await channel.WriteAsync(new ReadOnlySequence<byte>([6]), true, default);

        Assert.Equal([[1, 2, 0xC0, 0, 3, 4, 5], [6]], inner.Written);
    }

    [Fact]
    public async Task A_connection_that_fails_at_the_flush_says_so_and_the_next_batch_starts_empty()
    {
        var inner = new RecordingChannel { Fail = true };
        using var channel = new UplinkChannel(inner);
        channel.Gather(default);
        await channel.WriteAsync(new ReadOnlySequence<byte>([1]), true, default);

        Assert.Throws<MqttCommunicationException>(() => channel.Flush(default));

        inner.Fail = false;
        channel.Gather(default);
        await channel.WriteAsync(new ReadOnlySequence<byte>([2]), true, default);
        channel.Flush(default);
        Assert.Equal([[2]], inner.Written);
    }

    [Fact]
    public async Task A_flush_the_connection_does_not_take_ends_when_the_session_gives_up_and_writes_go_through_again()
    {
        var inner = new RecordingChannel { Block = true };
        using var channel = new UplinkChannel(inner);
        channel.Gather(default);
        await channel.WriteAsync(new ReadOnlySequence<byte>([1]), true, default);
        using var giveUp = new CancellationTokenSource();

        var flush = Task.Run(() => channel.Flush(giveUp.Token));
        await Eventually.True(() => inner.Blocked == 1, "the flush waits on a connection that takes nothing");
        Assert.False(flush.IsCompleted);
        giveUp.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flush);
        inner.Block = false;
        await channel.WriteAsync(new ReadOnlySequence<byte>([0xE0, 0]), true, default);
        Assert.Equal([[0xE0, 0]], inner.Written);
    }

    [Fact]
    public async Task A_session_that_has_given_up_already_gathers_nothing_more_and_what_follows_goes_through()
    {
        var inner = new RecordingChannel();
        using var channel = new UplinkChannel(inner);
        channel.Gather(default);
        await channel.WriteAsync(new ReadOnlySequence<byte>([1]), true, default);

        Assert.ThrowsAny<OperationCanceledException>(() => channel.Flush(new CancellationToken(canceled: true)));
        await channel.WriteAsync(new ReadOnlySequence<byte>([0xE0, 0]), true, default);

        Assert.Equal([[0xE0, 0]], inner.Written);
    }

    [Fact]
    public void A_flush_with_nothing_gathered_writes_nothing()
    {
        var inner = new RecordingChannel();
        using var channel = new UplinkChannel(inner);

        channel.Gather(default);
        channel.Flush(default);

        Assert.Empty(inner.Written);
    }

    /// <summary>A connection that hands out queued chunks, as a socket hands out what has arrived, and keeps what is written.</summary>
    private sealed class RecordingChannel : IMqttChannel
    {
        public ConcurrentQueue<byte[]> Incoming { get; } = new();

        public List<byte[]> Written { get; } = [];

        public int Reads { get; private set; }

        public bool Fail { get; set; }

        /// <summary>While set, a write waits until it is cancelled, as on a link that takes nothing.</summary>
        public bool Block { get; set; }

        public int Blocked;

        public X509Certificate2 ClientCertificate => null!;

        public EndPoint RemoteEndPoint => new IPEndPoint(IPAddress.Loopback, 1883);

        public EndPoint LocalEndPoint => new IPEndPoint(IPAddress.Loopback, 50000);

        public bool IsSecureConnection => false;

        public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DisconnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Reads++;
            if (!Incoming.TryDequeue(out var chunk))
            {
                return Task.FromResult(0);
            }

            var taken = Math.Min(count, chunk.Length);
            chunk.AsSpan(0, taken).CopyTo(buffer.AsSpan(offset));
            if (taken < chunk.Length)
            {
                throw new InvalidOperationException("the test's chunks fit the reads asked for");
            }

            return Task.FromResult(taken);
        }

        public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
        {
            if (Fail)
            {
                throw new MqttCommunicationException("The TCP connection is closed.");
            }

            if (Block)
            {
                Interlocked.Increment(ref Blocked);
                return Task.Delay(Timeout.Infinite, cancellationToken);
            }

            lock (Written)
            {
                Written.Add(buffer.ToArray());
            }

            return Task.CompletedTask;
        }

        public void Dispose()
        {
        }
    }
}
