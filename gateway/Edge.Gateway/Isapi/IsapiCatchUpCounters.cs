namespace Edge.Gateway.Isapi;

/// <summary>What catching up with controllers' logs did, summed over a gateway's controllers (thread-safe).</summary>
public sealed class IsapiCatchUpCounters
{
    private long _repeats;
    private long _recovered;
    private long _skipped;

    /// <summary>Events dropped because they were taken already (a serial number at or below the controller's cursor).</summary>
    public long Repeats => Interlocked.Read(ref _repeats);

    /// <summary>Events read from a controller's log because the alert stream did not bring them.</summary>
    public long Recovered => Interlocked.Read(ref _recovered);

    /// <summary>Logged events not read: too many missed at once, or a gap the log would not give.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    internal void Repeated() => Interlocked.Increment(ref _repeats);

    internal void RecoveredOne() => Interlocked.Increment(ref _recovered);

    internal void SkippedMany(long count) => Interlocked.Add(ref _skipped, count);
}
