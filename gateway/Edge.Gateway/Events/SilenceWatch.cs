using System.Text.Json.Nodes;
using Edge.Contracts.Events;

namespace Edge.Gateway.Events;

/// <summary>
/// Watches a network device that should speak regularly (an access controller's or a camera's heartbeats, answers to
/// polls): <c>device.offline</c> once it has been silent past its timeout, <c>device.online</c> at its next sign of
/// life. Nothing is reported while it is first coming up.
/// </summary>
public sealed class SilenceWatch(DeviceRef device, TimeSpan timeout, Func<TimeSpan> sinceLastSign, IEventSink sink, TimeProvider time)
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    /// <summary>Null until the device has spoken or fallen silent; then whether it is online.</summary>
    public bool? Online { get; private set; }

    /// <summary>Checks once a second until <paramref name="ct"/> (or call <see cref="CheckAsync"/> from a loop of your own).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(Period, time, ct).ConfigureAwait(false);
                await CheckAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>Reports a change of the device's state since the last check, if any.</summary>
    public async Task CheckAsync(CancellationToken ct)
    {
        var silence = sinceLastSign();
        var silent = silence > timeout;
        if (silent && Online != false)
        {
            Online = false;
            await sink.SubmitAsync(new EventDraft(EventTypes.DeviceOffline, Priority.High, device, null, time.GetUtcNow(),
                new JsonObject { ["silentS"] = Math.Round(silence.TotalSeconds) }), ct).ConfigureAwait(false);
        }
        else if (!silent && Online == false)
        {
            Online = true;
            await sink.SubmitAsync(new EventDraft(EventTypes.DeviceOnline, Priority.High, device, null, time.GetUtcNow(), new JsonObject()), ct).ConfigureAwait(false);
        }
        else if (!silent)
        {
            Online = true;
        }
    }
}
