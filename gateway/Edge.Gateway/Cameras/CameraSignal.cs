namespace Edge.Gateway.Cameras;

/// <summary>What a camera said: a condition (a contract type) began or is still on, or ended.</summary>
public readonly record struct CameraSignal(string Type, bool Active);
