using Edge.Contracts.Events;

namespace Edge.Gateway.Isapi;

/// <summary>What an access controller event means in the v1 contract.</summary>
public sealed record AccessMeaning(string Type, EventState? State, Priority Priority, string? Reason = null);

/// <summary>
/// Hikvision access controller event codes (major, minor) mapped to the contract. Major 5 is an event, major 3 an
/// operation (0x400: the remote control opened a door, as a <c>door.open</c> command asks), major 1 an alarm, whose
/// end has a minor code of its own (0x404 the controller's case opened, 0x405 closed again; 0x406 and
/// 0x407 a reader taken off the wall and put back). Codes not listed are counted by the caller and not forwarded: an
/// unknown code is never guessed into an alarm or a grant.
/// </summary>
public static class IsapiAccessCodes
{
    private static readonly Dictionary<(int Major, int Minor), AccessMeaning> Codes = new()
    {
        [(5, 0x01)] = new(EventTypes.AccessGranted, null, Priority.Normal),
        [(5, 0x02)] = new(EventTypes.AccessGranted, null, Priority.Normal),
        [(5, 0x4B)] = new(EventTypes.AccessGranted, null, Priority.Normal),
        [(3, 0x400)] = new(EventTypes.AccessGranted, null, Priority.Normal, "remote"),
        [(5, 0x03)] = new(EventTypes.AccessDenied, null, Priority.Normal, "wrong-pin"),
        [(5, 0x06)] = new(EventTypes.AccessDenied, null, Priority.Normal, "no-permission"),
        [(5, 0x07)] = new(EventTypes.AccessDenied, null, Priority.Normal, "outside-schedule"),
        [(5, 0x08)] = new(EventTypes.AccessDenied, null, Priority.Normal, "expired"),
        [(5, 0x09)] = new(EventTypes.AccessDenied, null, Priority.Normal, "unknown-card"),
        [(5, 0x4C)] = new(EventTypes.AccessDenied, null, Priority.Normal, "face-mismatch"),
        [(5, 0x15)] = new(EventTypes.DoorOpened, null, Priority.Low),
        [(5, 0x16)] = new(EventTypes.DoorClosed, null, Priority.Low),
        [(5, 0x17)] = new(EventTypes.DoorForced, EventState.Active, Priority.Critical),
        [(5, 0x18)] = new(EventTypes.DoorHeldOpen, EventState.Active, Priority.High),
        [(1, 0x404)] = new(EventTypes.DeviceTamper, EventState.Active, Priority.High, "controller-opened"),
        [(1, 0x405)] = new(EventTypes.DeviceTamper, EventState.Restored, Priority.High, "controller-opened"),
        [(1, 0x406)] = new(EventTypes.DeviceTamper, EventState.Active, Priority.High, "reader-removed"),
        [(1, 0x407)] = new(EventTypes.DeviceTamper, EventState.Restored, Priority.High, "reader-removed"),
    };

    public static AccessMeaning? Of(int major, int minor) => Codes.GetValueOrDefault((major, minor));
}
