using Edge.Contracts.Events;
using Edge.Gateway.Outbox;

namespace Edge.Gateway.Uplink;

/// <summary>
/// The wait before the next connect attempt: the backoff, in slices of at most <c>AlarmReconnectMaxDelay</c>, ended early
/// once an alarm (a critical event) waits in the outbox, so a station that comes back never waits out a long backoff
/// before it hears of an alarm.
/// </summary>
internal sealed class ReconnectWait(TimeSpan alarmMaxDelay, IOutboxPressure outbox, TimeProvider time)
{
    /// <summary>Waits; true when it is time to connect, false when <paramref name="ct"/> ended the wait.</summary>
    public async Task<bool> WaitAsync(TimeSpan backoff, CancellationToken ct)
    {
        var waited = TimeSpan.Zero;
        while (waited < backoff)
        {
            var slice = backoff - waited < alarmMaxDelay ? backoff - waited : alarmMaxDelay;
            try
            {
                await Task.Delay(slice, time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            waited += slice;
            if (outbox.Pending(Priority.Critical) > 0)
            {
                return true;
            }
        }

        return true;
    }
}
