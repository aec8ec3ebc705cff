namespace Edge.Gateway.Uplink;

/// <summary>What the uplink is doing, for the heartbeat, the watchdog and device feedback (an alarm column's LED).</summary>
public sealed class UplinkState
{
    private long _connects;
    private long _failedAttempts;
    private volatile bool _connected;

    /// <summary>True while a session with the broker is established.</summary>
    public bool Connected => _connected;

    /// <summary>Successful connects after the first one.</summary>
    public long Reconnects => Math.Max(0, Interlocked.Read(ref _connects) - 1);

    /// <summary>Connection attempts that failed or were refused, since the process started.</summary>
    public long FailedAttempts => Interlocked.Read(ref _failedAttempts);

    /// <summary>Why the last attempt failed, for operators; null once connected.</summary>
    public string? LastFailure { get; private set; }

    /// <summary>The last connect that failed since the process started, kept after connecting: the heartbeat says why the gateway was away.</summary>
    public Edge.Contracts.Status.ConnectError? LastConnectError { get; private set; }

    /// <summary>The events the broker has acknowledged (PUBACK) since the process started, per category.</summary>
    public Metrics.EventTally Acknowledged { get; } = new();

    /// <summary>Raised when the uplink connects or loses the broker.</summary>
    public event Action<bool>? ConnectionChanged;

    /// <summary>Raised when the broker has acknowledged an event (PUBACK success), with its id and seq.</summary>
    public event Action<Guid, long>? Delivered;

    internal void SetConnected(bool connected)
    {
        if (connected)
        {
            Interlocked.Increment(ref _connects);
            LastFailure = null;
        }

        _connected = connected;
        try
        {
            ConnectionChanged?.Invoke(connected);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SubscriberFailures++;
        }
    }

    internal void OnConnectFailed(string reason, DateTimeOffset at)
    {
        LastFailure = reason;
        LastConnectError = new Edge.Contracts.Status.ConnectError(reason, at);
        Interlocked.Increment(ref _failedAttempts);
    }

    /// <summary>Tells subscribers; one that throws is not allowed to disturb delivery.</summary>
    internal void OnDelivered(Guid id, long seq)
    {
        try
        {
            Delivered?.Invoke(id, seq);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            SubscriberFailures++;
        }
    }

    /// <summary>Exceptions thrown by <see cref="Delivered"/> or <see cref="ConnectionChanged"/> subscribers (swallowed).</summary>
    public long SubscriberFailures { get; private set; }
}
