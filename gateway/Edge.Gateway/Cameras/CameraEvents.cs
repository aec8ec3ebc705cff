using System.Text.Json.Nodes;
using Edge.Contracts.Events;
using Edge.Gateway.Events;

namespace Edge.Gateway.Cameras;

/// <summary>
/// The contract's camera events: <c>camera.motion</c> (low, and it expires: late motion is worthless),
/// <c>camera.line-crossing</c> and <c>camera.intrusion</c> (normal), <c>camera.tamper</c> and
/// <c>camera.video-loss</c> (high: a blinded or dead camera is itself an alarm). All below the alarms, so in a backlog
/// alarms still go first.
/// </summary>
public static class CameraEvents
{
    public static EventDraft Draft(CameraChange change, DeviceRef camera, string via, CameraOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (priority, expire) = change.Type switch
        {
            EventTypes.CameraMotion => (Priority.Low, options.MotionExpireAfter),
            EventTypes.CameraLineCrossing or EventTypes.CameraIntrusion => (Priority.Normal, (TimeSpan?)null),
            _ => (Priority.High, null),
        };
        return new EventDraft(change.Type, priority, camera, change.State, change.At, new JsonObject { ["via"] = via }, expire);
    }

    /// <summary>The contract type of a Hikvision ISAPI camera event (<c>eventType</c>), or null for one that is not a camera condition.</summary>
    public static string? OfIsapi(string eventType) => eventType?.ToLowerInvariant() switch
    {
        "vmd" => EventTypes.CameraMotion,
        "linedetection" => EventTypes.CameraLineCrossing,
        "fielddetection" or "regionentrance" => EventTypes.CameraIntrusion,
        "tamperdetection" or "shelteralarm" => EventTypes.CameraTamper,
        "videoloss" => EventTypes.CameraVideoLoss,
        _ => null,
    };
}
