namespace Edge.Gateway.Cameras;

/// <summary>A camera's snapshot for an event: the JPEG as the camera gave it, and when it was taken.</summary>
public sealed record Snapshot(Guid EventId, string Camera, DateTimeOffset TakenAt, byte[] Jpeg);
