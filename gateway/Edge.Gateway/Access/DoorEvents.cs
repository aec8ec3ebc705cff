using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Gateway.Events;

namespace Edge.Gateway.Access;

/// <summary>
/// The events of a door the gateway runs itself (<see cref="DoorStateMachine"/>, on GPIO or an OSDP reader's inputs):
/// <c>door.opened</c> and <c>door.closed</c> (low), <c>door.forced</c> (critical) and <c>door.held-open</c> (high),
/// active and restored.
/// </summary>
public static class DoorEvents
{
    /// <param name="via">How the gateway sees the door's inputs: <c>gpio</c> or <c>osdp</c>.</param>
    public static EventDraft Draft(DoorSignal signal, DeviceRef door, string via)
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
