using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Gateway.Events;

namespace Edge.Gateway.Access;

/// <summary>
/// The events of a door the gateway runs itself (<see cref="DoorStateMachine"/>, on GPIO or an OSDP reader's inputs):
/// <c>door.opened</c> and <c>door.closed</c> (low), <c>door.forced</c> (critical) and <c>door.held-open</c> (high),
/// active and restored. A door's alarm outlives a gateway restart: it is kept with the door's last event.
/// </summary>
public static class DoorEvents
{
    /// <summary>
    /// The drafts of the signals the state machine gave at once. The last carries the door's cursor: the alarm it is in
    /// now (<c>door.forced</c>, <c>door.held-open</c> or none), committed with it so that a restarted gateway resumes the
    /// door as it was (<see cref="DoorStateMachine.Resume"/>).
    /// </summary>
    /// <param name="via">How the gateway sees the door's inputs: <c>gpio</c> or <c>osdp</c>.</param>
    public static IEnumerable<EventDraft> Drafts(IReadOnlyList<DoorSignal> signals, DoorStateMachine door, DeviceRef device, string via)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(door);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(door);
        for (var i = 0; i < signals.Count; i++)
        {
            var draft = Draft(signals[i], device, via);
            yield return i < signals.Count - 1 ? draft : draft with
            {
                Cursor = new SourceCursor(CursorKey(device.Id), 0, door.Alarm switch
                {
                    DoorSignalKind.Forced => EventTypes.DoorForced,
                    DoorSignalKind.HeldOpen => EventTypes.DoorHeldOpen,
                    _ => null,
                }),
            };
        }
    }

    /// <summary>The alarm a door was in when its last event was committed, from its cursor; null for none.</summary>
    public static DoorSignalKind? Alarm(ISourceCursors? cursors, string doorId) => cursors?.Cursor(CursorKey(doorId))?.State switch
    {
        EventTypes.DoorForced => DoorSignalKind.Forced,
        EventTypes.DoorHeldOpen => DoorSignalKind.HeldOpen,
        _ => null,
    };

    /// <summary>The outbox key of a door's cursor (a door has no numbering of its own: position 0, only its alarm).</summary>
    public static string CursorKey(string doorId) => "door:" + doorId;

    private static EventDraft Draft(DoorSignal signal, DeviceRef door, string via)
    {
        var (type, priority, state) = signal.Kind switch
        {
            DoorSignalKind.Opened => (EventTypes.DoorOpened, Priority.Low, (EventState?)null),
            DoorSignalKind.Closed => (EventTypes.DoorClosed, Priority.Low, null),
            DoorSignalKind.Forced => (EventTypes.DoorForced, Priority.Critical, EventState.Active),
            DoorSignalKind.ForcedRestored => (EventTypes.DoorForced, Priority.Critical, EventState.Restored),
            DoorSignalKind.HeldOpen => (EventTypes.DoorHeldOpen, Priority.High, EventState.Active),
            _ => (EventTypes.DoorHeldOpen, Priority.High, EventState.Restored),
        };
        return new EventDraft(type, priority, door, state, signal.At, new JsonObject { ["via"] = via });
    }
}
