namespace Edge.Contracts.Events;

/// <summary>
/// Event types of the v1 contract (<c>category.name</c>). Integrators must accept types they do not know
/// within a known category: later versions add types without changing the major version.
/// </summary>
public static class EventTypes
{
    public const string AlarmPanic = "alarm.panic";
    public const string AlarmDuress = "alarm.duress";
    public const string AlarmZone = "alarm.zone";
    public const string AlarmTamper = "alarm.tamper";
    public const string AlarmCut = "alarm.cut";

    public const string AccessGranted = "access.granted";
    public const string AccessDenied = "access.denied";

    /// <summary>A card presented at a reader whose door is decided elsewhere (a Wiegand or OSDP reader the gateway only listens to).</summary>
    public const string AccessCard = "access.card";

    public const string DoorOpened = "door.opened";
    public const string DoorClosed = "door.closed";
    public const string DoorForced = "door.forced";
    public const string DoorHeldOpen = "door.held-open";

    public const string CameraMotion = "camera.motion";
    public const string CameraTamper = "camera.tamper";
    public const string CameraVideoLoss = "camera.video-loss";

    /// <summary>Someone entered a camera's guarded area (a field or region rule).</summary>
    public const string CameraIntrusion = "camera.intrusion";

    /// <summary>Someone crossed a camera's virtual line (a tripwire rule).</summary>
    public const string CameraLineCrossing = "camera.line-crossing";

    public const string DeviceOffline = "device.offline";
    public const string DeviceOnline = "device.online";
    public const string DeviceTamper = "device.tamper";
    public const string DeviceFault = "device.fault";

    /// <summary>What a device shows the people in front of it changed: an alarm column took the police's step (data.state).</summary>
    public const string DeviceIndicator = "device.indicator";

    /// <summary>A test event that proves the path from gateway to station (commissioning, periodic test, load tests).</summary>
    public const string DeviceTest = "device.test";
}
