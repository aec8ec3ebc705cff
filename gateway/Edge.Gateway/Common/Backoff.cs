namespace Edge.Gateway.Common;

/// <summary>
/// Exponential reconnect delay with full jitter, capped: attempt n waits a random time in
/// [d/2, d] where d = min(max, min * 2^n). Jitter keeps 312 gateways from reconnecting in lockstep after a broker restart.
/// </summary>
public sealed class Backoff(TimeSpan min, TimeSpan max, Random random)
{
    private int _attempt;

    /// <summary>The delay before the next attempt; each call doubles the base up to the cap.</summary>
    public TimeSpan Next()
    {
        var exp = Math.Min(_attempt++, 30);
        var ceiling = Math.Min(max.TotalMilliseconds, min.TotalMilliseconds * Math.Pow(2, exp));
        return TimeSpan.FromMilliseconds(ceiling / 2 + random.NextDouble() * ceiling / 2);
    }

    /// <summary>Back to the shortest delay after a successful connection.</summary>
    public void Reset() => _attempt = 0;
}
