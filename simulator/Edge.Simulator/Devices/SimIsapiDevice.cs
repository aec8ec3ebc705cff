using System.Net;
using System.Threading.Channels;

namespace Edge.Simulator.Devices;

/// <summary>A simulated ISAPI device: what it sends on its alert stream (heartbeats while nothing else happens), and garbage.</summary>
public abstract class SimIsapiDevice(string user, string password) : SimHttpDevice(user, password)
{
    private readonly Channel<byte[]> _queue = Channel.CreateUnbounded<byte[]>();

    /// <summary>How often it sends a heartbeat while nothing else happens.</summary>
    public TimeSpan HeartbeatEvery { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Sends bytes that are not a valid part (a broken device).</summary>
    public void SendGarbage(byte[] bytes) => Enqueue(bytes);

    private int _streams;

    /// <summary>What the device has to send; one gateway reads it at a time.</summary>
    internal ChannelReader<byte[]> Reader => _queue.Reader;

    /// <summary>True while a gateway reads the alert stream.</summary>
    public bool Streaming => Volatile.Read(ref _streams) > 0;

    private int _newest;

    /// <summary>A stream opens; its number (the newest gets the parts).</summary>
    internal int StreamOpened()
    {
        Interlocked.Increment(ref _streams);
        return Interlocked.Increment(ref _newest);
    }

    internal bool IsNewest(int stream) => Volatile.Read(ref _newest) == stream;

    internal void Requeue(byte[] part) => _queue.Writer.TryWrite(part);

    internal void StreamClosed() => Interlocked.Decrement(ref _streams);

    protected void Enqueue(byte[] part) => _queue.Writer.TryWrite(part);
}
