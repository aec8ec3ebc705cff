using System.Text.Json.Nodes;
using Edge.Contracts.Commands;
using Edge.Contracts.Events;
using Edge.Gateway.Commands;
using Edge.Gateway.Events;

namespace Edge.Gateway.Alarms;

/// <summary>
/// The police's steps on an alarm, shown on the column that raised it: <c>alarm.acknowledge</c> (slow blink),
/// <c>alarm.dispatch</c> (double flash), <c>alarm.resolve</c> (rest). Each change of a column is a
/// <c>device.indicator</c> event of its button, so the station sees what the guard sees. A step for an alarm no column
/// of this gateway raised (a zone's, a door's) is recorded as applied, and says so.
/// </summary>
public sealed class AlarmColumnCommands(ColumnFeedbackService columns, IEventSink sink, IReadOnlyDictionary<string, DeviceRef> buttons, TimeProvider time) : ICommandHandler
{
    public IReadOnlyCollection<string> Types { get; } = [CommandTypes.AlarmAcknowledge, CommandTypes.AlarmDispatch, CommandTypes.AlarmResolve];

    public async Task<CommandEffect> ApplyAsync(StationCommand command, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Data?["alarm"] is not JsonValue value || !value.TryGetValue<string>(out var text) || !Guid.TryParse(text, out var alarm))
        {
            return new CommandEffect(false, "data.alarm must be the alarm's event id");
        }

        var (step, name) = command.Type switch
        {
            CommandTypes.AlarmAcknowledge => (ColumnState.Acknowledged, "acknowledged"),
            CommandTypes.AlarmDispatch => (ColumnState.Dispatched, "dispatched"),
            _ => (ColumnState.Idle, "resolved"),
        };
        if (columns.Step(alarm, step) is not { } button)
        {
            return new CommandEffect(true, $"no alarm column of this gateway shows alarm {alarm}");
        }

        await sink.SubmitAsync(new EventDraft(EventTypes.DeviceIndicator, Priority.Normal, buttons[button], null, time.GetUtcNow(),
            new JsonObject { ["indicator"] = "column", ["state"] = name, ["alarm"] = alarm.ToString("D"), ["command"] = command.Id.ToString("D") }), ct).ConfigureAwait(false);
        return new CommandEffect(true);
    }
}
