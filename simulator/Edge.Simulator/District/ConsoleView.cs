using System.Globalization;
using Edge.Contracts.Events;
using Edge.Contracts.Serialization;
using Edge.Simulator.Station;

namespace Edge.Simulator.District;

/// <summary>Prints what the station probe receives, one line per message.</summary>
public sealed class ConsoleView(TextWriter output, bool quiet)
{
    public void Print(ProbeMessage m)
    {
        ArgumentNullException.ThrowIfNull(m);
        if (quiet && m.Error is null)
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
}
