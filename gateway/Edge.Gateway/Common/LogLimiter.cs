namespace Edge.Gateway.Common;

/// <summary>
/// Lets one log line through per interval and counts the ones it holds back, so a flood of bad input or refusals
/// cannot fill the disk of an edge device. Thread-safe.
/// </summary>
public sealed class LogLimiter(TimeProvider time, TimeSpan interval)
{
    private readonly Lock _lock = new();
    private long _nextAt = long.MinValue;
    private long _suppressed;

    /// <summary>
    /// True when a line may be written now; <paramref name="suppressed"/> is how many were held back since the last one.
    /// </summary>
    public bool TryEnter(out long suppressed)
    {
        var now = time.GetTimestamp();
        lock (_lock)
        {
            if (now >= _nextAt)
            {
                _nextAt = now + (long)(interval.TotalSeconds * time.TimestampFrequency);
                suppressed = _suppressed;
                _suppressed = 0;
                return true;
            }

            _suppressed++;
            suppressed = 0;
            return false;
        }
    }
}
