using Edge.Contracts.Events;
using Edge.Gateway.Outbox;

namespace Edge.Gateway.Uplink;

/// <summary>
/// The bound on one connect attempt: the caller's token, the attempt's own timeout, and, while an alarm (a critical
/// event) waits in the outbox, the alarm delay instead, also when the alarm is committed during the attempt.
/// </summary>
internal sealed class ConnectAttempt : IDisposable
{
    /// <summary>How often an attempt looks whether an alarm has come to wait meanwhile.</summary>
    private static readonly TimeSpan AlarmCheck = TimeSpan.FromMilliseconds(100);
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenSource _linked;
    private readonly ITimer? _watch;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly TimeSpan _alarmDelay;
    private volatile bool _forAlarm;

    public ConnectAttempt(TimeSpan timeout, TimeSpan alarmDelay, IOutboxPressure outbox, TimeProvider time, CancellationToken ct)
    {
        _time = time;
        _alarmDelay = alarmDelay;
        _started = time.GetTimestamp();
        _forAlarm = outbox.Pending(Priority.Critical) > 0 && alarmDelay < timeout;
        Limit = _forAlarm ? alarmDelay : timeout;
        _timeout = new CancellationTokenSource(Limit, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _timeout.Token);
        if (!_forAlarm && alarmDelay < timeout)
        {
            _watch = time.CreateTimer(_ => OnCheck(outbox), null, AlarmCheck, AlarmCheck);
        }
    }

    /// <summary>The time the attempt may take.</summary>
    public TimeSpan Limit { get; private set; }

    /// <summary>Cancelled when the caller stops or the attempt is over its time.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>Why the attempt was abandoned, when it was over its time; null otherwise.</summary>
    public string? Why => _timeout.IsCancellationRequested
        ? _forAlarm
            ? $"no answer within {Limit.TotalSeconds:0.#} s while an alarm waits; trying again at once"
            : $"no answer within {Limit.TotalSeconds:0.#} s (ConnectTimeout)"
        : null;

    private void OnCheck(IOutboxPressure outbox)
    {
        if (_forAlarm || outbox.Pending(Priority.Critical) == 0)
        {
            return;
        }

        _forAlarm = true;
        Limit = _alarmDelay;
        var left = _alarmDelay - _time.GetElapsedTime(_started);
        try
        {
            _timeout.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }
        catch (ObjectDisposedException)
        {
            // The attempt is over.
        }
    }

    public void Dispose()
    {
        _watch?.Dispose();
        _linked.Dispose();
        _timeout.Dispose();
    }
}
