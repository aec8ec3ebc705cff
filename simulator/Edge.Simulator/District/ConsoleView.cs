using System.Globalization;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Simulator.Scenarios;
using Edge.Simulator.Station;

namespace Edge.Simulator.District;

/// <summary>
/// The live console view: a status line a second (communities online, events/s, alarms and their p99, lost so far),
/// each alarm as it arrives, and with <see cref="Verbosity.Verbose"/> every message the station receives.
/// </summary>
internal sealed class ConsoleView(TextWriter output, Verbosity verbosity)
{
    public void Status(SimClock clock, int online, int gateways, double eventsPerSecond, CategoryCounts? alarms, LatencySummary? alarmLatency, long overdue)
    {
        ArgumentNullException.ThrowIfNull(clock);
        var at = clock.StartOfDay + clock.Elapsed;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{clock.WallElapsed.TotalSeconds,5:0}s] {at.Days * 24 + at.Hours:00}:{at.Minutes:00}  online {online}/{gateways}  {eventsPerSecond,6:0.0} ev/s  " +
            $"alarms {alarms?.Delivered ?? 0}/{alarms?.Generated ?? 0}{(alarmLatency is { Count: > 0 } l ? $" (p99 {l.P99:0} ms)" : "")}  lost so far {overdue}"));
    }

    private volatile bool _muted;

    /// <summary>Stops printing messages (the gateways' goodbyes at the end of a run).</summary>
    public void Mute() => _muted = true;

    public void Print(ProbeMessage m)
    {
        ArgumentNullException.ThrowIfNull(m);
        var show = !_muted && verbosity switch
        {
            Verbosity.Verbose => true,
            Verbosity.Normal => m.Error is not null || m is { Duplicate: false, Event: { Priority: Priority.Critical, State: not EventState.Restored } } || m.Status is not null && m.Status.State != Contracts.Status.GatewayState.Online,
            _ => false,
        };
        if (!show)
        {
            return;
        }

        var at = m.ReceivedAt.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var who = $"{m.Topic.Community}/{m.Topic.Gateway}";
        var line = m switch
        {
            { Error: { } error } => $"malformed payload on {m.Topic.Kind}: {error}",
            { Event: { } e } => $"{(e.Priority == Priority.Critical ? "ALARM    " : "event    ")} #{e.Seq} {e.Type} {e.Priority.ToWire()} {e.Device.Id}{(e.State is { } s ? " " + s.ToString().ToLowerInvariant() : "")}" +
                                $" {(m.ReceivedAt - e.OccurredAt).TotalMilliseconds:0} ms after it happened{(m.Duplicate ? " (duplicate)" : "")}",
            { Status: { } s } => $"status    {s.State.ToString().ToLowerInvariant()} v{s.Version} since {UtcTimestampConverter.ToText(s.StartedAt)}{(s.Reason is { } r ? $" ({r})" : "")}",
            { Heartbeat: { } h } => $"heartbeat seq {h.LastSeq} queue {h.Queue.Total} oldest {h.OldestPendingAgeS:0.#} s evictions {h.Evictions} dead letters {h.DeadLetters} reconnects {h.Reconnects}",
            _ => "?",
        };
        output.WriteLine($"{at}  {who,-10} {line}");
    }

    /// <summary>Prints the status line once a second until <paramref name="ct"/>.</summary>
    public async Task StatusLoopAsync(SimClock clock, StationProbe probe, StationChecks checks, int gateways, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), ct).ConfigureAwait(false);
                Status(clock, probe.Online, gateways, checks.Timeline.RecentRate(), checks.Truth.Categories().GetValueOrDefault(Contracts.Events.EventCategory.Alarm),
                    checks.Truth.Latency().GetValueOrDefault(Contracts.Events.EventCategory.Alarm), checks.Truth.Overdue(clock.Time.GetUtcNow(), TimeSpan.FromSeconds(10)));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
